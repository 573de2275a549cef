import { formatDataError } from '../core/errors.js';
import { VersionConflictError } from '../store/errors.js';
import type { EntityWrite, Origin, RejectRecord, Store, SupersedingVersion } from '../store/types.js';
import type { Assembled } from './assemble.js';
import { requireOpen } from './open-rejects.js';

export interface ReplayResult {
  replayed: number;
  /** Left open: their entity was written since with newer data, which a replay would overwrite. */
  superseded: number;
  stillRejected: number;
  notReplayable: number;
  messages: string[];
}

export interface ReplayOptions {
  /** Apply superseded rejects too, over the newer data. */
  force?: boolean;
}

// The entity changing between the check for newer data and the write is a race with a delivery
// or a client; the check is made again with what they wrote, a few times at most.
const WRITE_ATTEMPTS = 3;

const describeVersion = (v: SupersedingVersion) => `${v.op} at ${v.at} by ${v.origin}${v.deliveryName ? ` (${v.deliveryName})` : ''}`;

/**
 * Maps rejected records again with their flow's current mapping (after a fix) and applies those
 * that now map, as writes of their flow. Records that never decoded cannot be replayed: they
 * must be delivered again. Every one must be open (RejectNotOpenError, and none is replayed).
 * A reject whose entity a later delivery or a client wrote since it was recorded is superseded:
 * its record is older than what the store holds, so it is left open and not applied, unless
 * `force`d.
 */
export async function replayRejects(store: Store, assembled: Assembled, rejects: RejectRecord[], options: ReplayOptions = {}): Promise<ReplayResult> {
  requireOpen(rejects);
  const result: ReplayResult = { replayed: 0, superseded: 0, stillRejected: 0, notReplayable: 0, messages: [] };
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
    const newer = await applyUnlessSuperseded(store, r, write, origin, options.force === true);
    if (newer) {
      result.superseded++;
      result.messages.push(
        `reject ${r.id}: superseded by version ${newer.version} of ${write.type} ${write.key} (${describeVersion(newer)}), newer than the rejected record: left open; force the replay to apply it anyway`,
      );
      continue;
    }
    result.replayed++;
  }
  return result;
}

/** Applies the reject's write and marks it replayed, unless a newer version of its entity (returned) supersedes it. */
async function applyUnlessSuperseded(store: Store, r: RejectRecord, write: EntityWrite, origin: Origin, force: boolean): Promise<SupersedingVersion | undefined> {
  for (let attempt = 1; ; attempt++) {
    // Read before the check: a write after it fails the expected version and is checked in turn.
    const current = await store.get(write.type, write.key);
    const newer = force ? undefined : await store.rejectSupersededBy(r.id, write.type, write.key);
    if (newer) return newer;
    try {
      const expectedVersion = force ? undefined : current === undefined || current.deleted ? 0 : current.version;
      const applied = await store.apply({ origin, writes: [{ ...write, expectedVersion }] });
      // The version written holds the record's data: a later reject of the entity is not superseded by it.
      await store.markRejectReplayed(r.id, applied.created + applied.updated + applied.deleted > 0 ? applied.lastSeq : undefined);
      return undefined;
    } catch (e) {
      if (!(e instanceof VersionConflictError) || attempt === WRITE_ATTEMPTS) throw e;
    }
  }
}
