export type * from './types.js';
export { openSqliteStore, SqliteStore, type SqliteStoreOptions } from './sqlite-store.js';
export { FullSyncHeldError, DeliveryBusyError, DeliveryCompleteError, KnownRecordsChangedError, RejectNoLongerOpenError, VersionConflictError } from './errors.js';
export { canonicalJson, contentHash } from './canonical-json.js';
