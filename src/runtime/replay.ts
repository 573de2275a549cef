import { formatDataError } from '../core/errors.js';
import { RejectNoLongerOpenError, VersionConflictError } from '../store/errors.js';
import type { ApplyResult, DeliveryState, EntityWrite, Origin, RejectRecord, Store, SupersedingVersion } from '../store/types.js';
import type { Assembled } from './assemble.js';
import { requireOpen } from './open-rejects.js';

export interface ReplayResult {
  replayed: number;
  /** Left open: their entity was written since with newer data, or a full-sync delivery of their flow completed since, which a replay would overwrite. */
  superseded: number;
  /** Left open: a conflict policy of their entity type refused their write (a higher-priority source, a newer timestamp). */
  skipped: number;
  stillRejected: number;
  notReplayable: number;
  /** Discarded or replayed since they were chosen (by another command, or a client): nothing of theirs was written. */
  notOpen: number;
  /** Left open: other writes of their entity raced every attempt at their write; replayed again, they may go through. */
  failed: number;
  messages: string[];
}

export interface ReplayOptions {
  /** Apply superseded rejects too, over the newer data. */
  force?: boolean;
}

// The entity changing between the check for newer data and the write is a race with a delivery
// or a client; the check is made again with what they wrote, a few times at most.
const WRITE_ATTEMPTS = 3;

/** What holds newer data than a reject's record: a version of its entity, or a later delivery of its full-sync flow. */
type Superseding = { version: SupersedingVersion } | { delivery: DeliveryState };

function describeSuperseding(s: Superseding, write: EntityWrite): string {
  if ('version' in s) {
    const v = s.version;
    return `version ${v.version} of ${write.type} ${write.key} (${v.op} at ${v.at} by ${v.origin}${v.deliveryName ? ` (${v.deliveryName})` : ''})`;
  }
  const d = s.delivery;
  return `delivery ${d.deliveryName ?? d.deliveryId} of flow ${d.flow} (complete at ${d.finishedAt}), a full set of its ${write.type} entities`;
}

/**
 * Maps rejected records again with their flow's current mapping (after a fix) and applies those
 * that now map, as writes of their flow. Records that never decoded cannot be replayed: they
 * must be delivered again. Every one must be open (RejectNotOpenError, and none is replayed);
 * one discarded or replayed while the replay runs is not written and counted `notOpen`. One
 * whose write a conflict policy skips is left open and counted `skipped`; one whose write other
 * writes of its entity raced WRITE_ATTEMPTS times is left open and counted `failed`.
 * A reject whose entity a later delivery or a client wrote since it was recorded is superseded:
 * its record is older than what the store holds, so it is left open and not applied, unless
 * `force`d. So is a reject once a later full-sync delivery of its flow and entity type completed:
 * it confirmed the entity (even unchanged) or left it out, whatever the flow's mode is now. A
 * later incremental delivery that sent the entity unchanged writes no version and leaves no
 * trace, so its reject is not superseded: telling it would cost every unchanged write of every
 * ingest a mark.
 */
export async function replayRejects(store: Store, assembled: Assembled, rejects: RejectRecord[], options: ReplayOptions = {}): Promise<ReplayResult> {
  requireOpen(rejects);
  const result: ReplayResult = { replayed: 0, superseded: 0, skipped: 0, stillRejected: 0, notReplayable: 0, notOpen: 0, failed: 0, messages: [] };
  for (const r of rejects) {
    const flow = r.flow ? assembled.flows.get(r.flow) : undefined;
    if (!r.record || !flow) {
      result.notReplayable++;
      result.messages.push(`reject ${r.id}: ${!flow ? `flow "${r.flow}" is not in the config` : 'the record could not be decoded; fix it at the source and deliver it again'}`);
      continue;
    }
    const position = r.position ?? { record: 0 };
    // Decoded by the layout of its day: the current layout's codec vouches for none of its values.
    const mapped = flow.mapping.toCanonicalRechecked(r.record, position);
    if (Array.isArray(mapped)) {
      result.stillRejected++;
      result.messages.push(`reject ${r.id}: still rejected: ${mapped.map((e) => formatDataError({ ...e, position: undefined })).join('; ')}`);
      continue;
    }
    const write: EntityWrite = { type: mapped.entity, key: mapped.key, data: mapped.data, sourceTimestamp: mapped.sourceTimestamp, position };
    const origin: Origin = { origin: `flow:${flow.name}`, flow: flow.name, deliveryId: r.deliveryId, deliveryName: r.deliveryName };
    let outcome: Superseding | { applied: ApplyResult } | { raced: VersionConflictError };
    try {
      outcome = await applyUnlessSuperseded(store, r, write, origin, options.force === true);
    } catch (e) {
      if (!(e instanceof RejectNoLongerOpenError)) throw e;
      result.notOpen++;
      result.messages.push(`reject ${r.id} is ${(await store.reject(r.id))?.status ?? 'gone'}, not open: it changed after the replay chose it; nothing was written`);
      continue;
    }
    if ('raced' in outcome) {
      result.failed++;
      result.messages.push(`reject ${r.id}: failed: ${outcome.raced.message}: other writes of the entity raced all ${WRITE_ATTEMPTS} attempts; left open, replay it again`);
    } else if (!('applied' in outcome)) {
      result.superseded++;
      result.messages.push(`reject ${r.id}: superseded by ${describeSuperseding(outcome, write)}, newer than the rejected record: left open; force the replay to apply it anyway`);
    } else if (outcome.applied.skipped > 0) {
      result.skipped++;
      result.messages.push(`reject ${r.id}: skipped by the conflict policy of ${write.type}: ${write.type} ${write.key} keeps what it holds; left open`);
    } else {
      result.replayed++;
    }
  }
  return result;
}

/**
 * Applies the reject's write and marks it replayed (see ApplyBatch.replayOf), unless what holds
 * newer data (returned) supersedes it. The last version conflict is returned (`raced`), not
 * thrown: it is this reject's failure, and the others of the replay are tried all the same.
 */
async function applyUnlessSuperseded(
  store: Store,
  r: RejectRecord,
  write: EntityWrite,
  origin: Origin,
  force: boolean,
): Promise<Superseding | { applied: ApplyResult } | { raced: VersionConflictError }> {
  for (let attempt = 1; ; attempt++) {
    let expectedVersion: number | undefined;
    if (!force) {
      // Read before the check: a write after it fails the expected version and is checked in turn.
      const current = await store.get(write.type, write.key);
      const version = await store.rejectSupersededBy(r.id, write.type, write.key);
      if (version) return { version };
      const delivery = await store.deliveryCompletedAfterReject(r.id, write.type);
      if (delivery) return { delivery };
      expectedVersion = current === undefined || current.deleted ? 0 : current.version;
    }
    try {
      return { applied: await store.apply({ origin, writes: [{ ...write, expectedVersion }], replayOf: r.id }) };
    } catch (e) {
      if (!(e instanceof VersionConflictError)) throw e;
      if (attempt === WRITE_ATTEMPTS) return { raced: e };
    }
  }
}
