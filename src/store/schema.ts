import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { ConfigError } from '../core/errors.js';
import { mapSqliteError } from './errors.js';
import { claimStore } from './store-claim.js';

type Db = Database.Database;

/**
 * Schema migrations, in order; `PRAGMA user_version` holds how many have run. Append only: a
 * released migration is never edited.
 *
 * Shape, and why:
 * - `versions` is both the history and the change feed: every version is exactly one change
 *   event, so one insert serves both. `seq` is allocated by the writer as MAX+1 inside the write
 *   transaction, so a rolled-back batch leaves no gap. `prev` chains an entity's versions, so
 *   history needs no second index on the hot insert path.
 * - `entities` is small and keyed by (type, key) without a rowid: the current version's pointers
 *   (`seq` = lineage, `data_seq` = the data, which differ only for a tombstone) and what conflict
 *   policies and full sync decide by. "Unchanged" compares the canonical text with the stored
 *   data (schema version 7): a stored content hash cost every first write its bytes and its sha256,
 *   to spare a re-read the data, which the current-row query joins at little cost.
 * - `origins` holds each distinct (origin, flow, delivery) once, so a version row carries an id.
 */
export const migrations: string[] = [
  `
  CREATE TABLE origins (
    id INTEGER PRIMARY KEY,
    origin TEXT NOT NULL,
    flow TEXT NOT NULL DEFAULT '',
    delivery_id TEXT NOT NULL DEFAULT '',
    delivery_name TEXT NOT NULL DEFAULT '',
    UNIQUE (origin, flow, delivery_id, delivery_name)
  );
  CREATE TABLE versions (
    seq INTEGER PRIMARY KEY,
    type TEXT NOT NULL,
    key TEXT NOT NULL,
    version INTEGER NOT NULL,
    op TEXT NOT NULL CHECK (op IN ('created', 'updated', 'deleted')),
    prev INTEGER,
    data TEXT,
    hash TEXT,
    at TEXT NOT NULL,
    origin_id INTEGER NOT NULL,
    position TEXT,
    source_ts TEXT
  );
  CREATE TABLE entities (
    type TEXT NOT NULL,
    key TEXT NOT NULL,
    version INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    data_seq INTEGER NOT NULL,
    hash TEXT NOT NULL,
    created_at TEXT NOT NULL,
    deleted INTEGER NOT NULL DEFAULT 0,
    flow TEXT,
    origin TEXT NOT NULL,
    ts_ms REAL NOT NULL,
    PRIMARY KEY (type, key)
  ) WITHOUT ROWID;
  CREATE TABLE deliveries (
    id INTEGER PRIMARY KEY,
    flow TEXT NOT NULL,
    delivery_id TEXT NOT NULL,
    delivery_name TEXT,
    complete INTEGER NOT NULL DEFAULT 0,
    records_done INTEGER NOT NULL DEFAULT 0,
    n_created INTEGER NOT NULL DEFAULT 0,
    n_updated INTEGER NOT NULL DEFAULT 0,
    n_unchanged INTEGER NOT NULL DEFAULT 0,
    n_deleted INTEGER NOT NULL DEFAULT 0,
    n_rejected INTEGER NOT NULL DEFAULT 0,
    n_skipped INTEGER NOT NULL DEFAULT 0,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    full_sync_type TEXT,
    UNIQUE (flow, delivery_id)
  );
  CREATE INDEX deliveries_by_flow ON deliveries (flow, id);
  -- Keys a full-sync delivery wrote or confirmed, one row per batch (a JSON array), until it completes.
  CREATE TABLE full_sync_seen (
    delivery INTEGER NOT NULL,
    keys TEXT NOT NULL
  );
  CREATE INDEX full_sync_seen_by_delivery ON full_sync_seen (delivery);
  -- AUTOINCREMENT: a reject id is what an operator quotes ("reject 42"); it is never reused.
  CREATE TABLE rejects (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    flow TEXT,
    delivery_id TEXT,
    delivery_name TEXT,
    position TEXT,
    raw TEXT NOT NULL,
    record TEXT,
    errors TEXT NOT NULL,
    mapping TEXT,
    at TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'replayed', 'discarded'))
  );
  CREATE INDEX rejects_by_status ON rejects (status, id);
  `,
  `
  -- rest: responses remembered per (client, Idempotency-Key), so a retried POST is answered the
  -- same after a restart.
  CREATE TABLE idempotency (
    client TEXT NOT NULL,
    key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status INTEGER NOT NULL,
    headers TEXT NOT NULL,
    body TEXT NOT NULL,
    at TEXT NOT NULL,
    PRIMARY KEY (client, key)
  ) WITHOUT ROWID;
  `,
  `
  -- outbound: per outbound flow its position in the change feed, messages in flight, dead letters.
  -- position = every change up to it is delivered or dead-lettered; outbound_done holds the seqs
  -- settled above it (delivered out of order across keys), so a restart skips none and repeats none.
  CREATE TABLE outbound_positions (
    flow TEXT PRIMARY KEY,
    seq INTEGER NOT NULL DEFAULT 0,
    disabled TEXT
  );
  CREATE TABLE outbound_done (
    flow TEXT NOT NULL,
    seq INTEGER NOT NULL,
    PRIMARY KEY (flow, seq)
  ) WITHOUT ROWID;
  -- A message is written here before its first attempt and removed when settled: after a crash
  -- it is sent again with the same id and bytes (at-least-once, receivers drop duplicates).
  CREATE TABLE outbound_inflight (
    flow TEXT NOT NULL,
    message_id TEXT NOT NULL,
    changes TEXT NOT NULL,
    body BLOB NOT NULL,
    content_type TEXT NOT NULL,
    at TEXT NOT NULL,
    replay_of INTEGER,
    PRIMARY KEY (flow, message_id)
  );
  CREATE TABLE dead_letters (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    flow TEXT NOT NULL,
    message_id TEXT NOT NULL,
    changes TEXT NOT NULL,
    body BLOB NOT NULL,
    content_type TEXT NOT NULL,
    message_at TEXT NOT NULL,
    attempts TEXT NOT NULL,
    at TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'replayed', 'discarded'))
  );
  CREATE INDEX dead_letters_by_status ON dead_letters (status, id);
  `,
  `
  -- Deliveries refused whole (failed: trailer or decode errors; held: a full sync that would
  -- delete too much), so that status shows them beside the applied ones. Kept apart from
  -- deliveries, whose rows mean progress: a refused delivery has none, and is read again whole.
  CREATE TABLE delivery_failures (
    id INTEGER PRIMARY KEY,
    flow TEXT NOT NULL,
    delivery_id TEXT NOT NULL,
    delivery_name TEXT,
    status TEXT NOT NULL CHECK (status IN ('failed', 'held')),
    records INTEGER NOT NULL,
    error_count INTEGER NOT NULL,
    errors TEXT NOT NULL,
    at TEXT NOT NULL
  );
  CREATE INDEX delivery_failures_by_flow ON delivery_failures (flow, id);
  `,
  `
  -- Set on a flow's complete deliveries when a later full sync of the flow completes: a snapshot
  -- of the same bytes as one of those (A, B, then A again) is the truth again, not a repeat.
  ALTER TABLE deliveries ADD COLUMN superseded_at TEXT;
  `,
  `
  -- When the same delivery was applied to its end after it was refused (forced, or after a fix),
  -- set as it completes: it stays set when the delivery is superseded and applied anew.
  ALTER TABLE delivery_failures ADD COLUMN applied_at TEXT;
  UPDATE delivery_failures SET applied_at = (
    SELECT d.finished_at FROM deliveries d
    WHERE d.flow = delivery_failures.flow AND d.delivery_id = delivery_failures.delivery_id AND d.complete = 1 AND d.finished_at >= delivery_failures.at
  );
  `,
  `
  -- The content hash is no longer stored: it is the sha256 of the data, which is compared itself.
  ALTER TABLE versions DROP COLUMN hash;
  ALTER TABLE entities DROP COLUMN hash;
  `,
  `
  -- What a replay compares a reject with: the change-feed head when it was recorded (a version
  -- of its entity after that, by another delivery or a client, holds newer data than its record;
  -- a reject recorded before this has none, and is compared by time), and the version a replay
  -- wrote, which holds the record's data and is no newer than the reject.
  ALTER TABLE rejects ADD COLUMN seq INTEGER;
  ALTER TABLE rejects ADD COLUMN replayed_seq INTEGER;
  CREATE INDEX rejects_by_replayed_seq ON rejects (replayed_seq) WHERE replayed_seq IS NOT NULL;
  `,
  `
  -- A full-sync delivery's base, set as its first batch begins: the live entities of its type its
  -- flow held then (what maxDeleteShare is a share of: not the ones the delivery itself creates),
  -- and how many of its records were rejected with their key unknown (it cannot tell what is absent).
  ALTER TABLE deliveries ADD COLUMN full_sync_base INTEGER;
  ALTER TABLE deliveries ADD COLUMN full_sync_unkeyed INTEGER NOT NULL DEFAULT 0;
  -- A delivery in progress now had its records rejected without their keys kept: each counts as
  -- of unknown key, so its full sync's deletions are held (unless forced) rather than taking
  -- entities whose records were only rejected.
  UPDATE deliveries SET full_sync_unkeyed = n_rejected WHERE complete = 0;
  `,
  `
  -- When a delivery the store was done with (applied to its end, or refused whole) was settled:
  -- set once its file moved or its message was acked, which cannot share the store's transaction.
  -- Unset, the same delivery coming again is only settled: a superseded snapshot is not applied
  -- over newer ones, a refusal not checked and recorded again. Rows of older builds were settled
  -- as a rule: a stuck one among them is applied or checked again once more, as it was before.
  ALTER TABLE deliveries ADD COLUMN settled_at TEXT;
  UPDATE deliveries SET settled_at = finished_at WHERE complete = 1;
  ALTER TABLE delivery_failures ADD COLUMN settled_at TEXT;
  UPDATE delivery_failures SET settled_at = at;
  `,
  `
  -- The digests of the records a delivery wrote or confirmed, with the seq of that version, one
  -- row a batch (ENTRY_BYTES an entry); and per mapping (its identity, see runtime/digest-seed.ts)
  -- the last complete delivery whose digests a later delivery of that mapping recognises, that
  -- delivery's context (what its records depended on: a CSV header), the change-feed head when
  -- it completed (the versions after it tell which of its records' entities changed since), and
  -- the mapping's file (a set of the same file under an identity before an edit or an upgrade goes).
  CREATE TABLE record_digests (
    delivery INTEGER NOT NULL,
    entries BLOB NOT NULL
  );
  CREATE INDEX record_digests_by_delivery ON record_digests (delivery);
  CREATE TABLE record_digest_sets (
    mapping TEXT PRIMARY KEY,
    delivery INTEGER NOT NULL,
    context TEXT NOT NULL,
    head INTEGER NOT NULL,
    file TEXT NOT NULL
  ) WITHOUT ROWID;
  `,
  `
  -- The mapping identity each batch's digests were taken under: a delivery resumed after a
  -- restart may go on under another mapping (or build), and its digests of before are not its.
  ALTER TABLE record_digests ADD COLUMN mapping TEXT;
  `,
];

/** The schema version this build writes. */
export const schemaVersion = migrations.length;

/**
 * The schema versions (user_version after the migration) that an older build still running on
 * the store cannot work with: the others only add, which older builds do not see. 7 rewrites
 * whole tables, so the WAL is emptied after it. 10 gives an unset settled_at a meaning (the
 * delivery's file or message was never settled) which the older build's rows, written after it,
 * would take on wrongly: a refusal it records would be answered with its old errors unread, a
 * snapshot it applied skipped when dropped again.
 */
const BREAKS_OLDER_BUILDS = new Set([7, 10]);

function migrate(db: Db, path: string): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > schemaVersion) {
    throw new ConfigError({
      file: path,
      message: `store schema version ${current} is newer than this build knows (${schemaVersion}): upgrade legacy-bridge or use another store file`,
    });
  }
  if (current === schemaVersion) return;
  const breaking = current > 0 && [...BREAKS_OLDER_BUILDS].some((v) => v > current);
  // A `bridge run` of the older build may be using the store: a command of this one (status,
  // rejects…) must not change the schema under it. The daemon of this build holds the claim itself.
  const claim = breaking ? claimStore(path) : undefined;
  try {
    if (claim !== undefined && 'heldBy' in claim && claim.heldBy !== process.pid) {
      const who = claim.heldBy === undefined ? 'a bridge run' : `the bridge run (pid ${claim.heldBy})`;
      throw new ConfigError({
        file: path,
        message: `store schema version ${current} must be upgraded to ${schemaVersion}, which ${who} using the store cannot work with: stop it, then start this build`,
      });
    }
    db.transaction(() => {
      for (let v = current; v < schemaVersion; v++) db.exec(migrations[v]);
      db.pragma(`user_version = ${schemaVersion}`);
    }).immediate();
    if (breaking) db.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    if (claim !== undefined && 'release' in claim) claim.release();
  }
}

/**
 * Opens (creating when absent) a store database in WAL mode, with a busy timeout, and brings its
 * schema up to date. A lock held by another process past the timeout throws a RetryableError; a
 * file that is not a SQLite database, or a schema newer than this build, a ConfigError.
 */
export function openDatabase(path: string, busyTimeoutMs: number): Db {
  let db: Db | undefined;
  try {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    db = new Database(path, { timeout: busyTimeoutMs });
    // For a new file only (an existing one keeps its own): with pages of 16 KiB rather than 4, a
    // first ingest of a million rows committed 3-16% faster here, better-sqlite3's inserts alone 10%.
    db.pragma('page_size = 16384');
    db.pragma('journal_mode = WAL');
    // FULL until a batch says otherwise: see SqliteStore for when NORMAL is used.
    db.pragma('synchronous = FULL');
    db.pragma('cache_size = -32768');
    migrate(db, path);
    return db;
  } catch (e) {
    db?.close();
    throw mapSqliteError(e, path);
  }
}
