import { formatDataError } from '../core/errors.js';
import type { EntityWrite, RejectRecord, Store } from '../store/types.js';
import type { Assembled } from './assemble.js';
import { requireOpen } from './open-rejects.js';

export interface ReplayResult {
  replayed: number;
  stillRejected: number;
  notReplayable: number;
  messages: string[];
}

/**
 * Maps rejected records again with their flow's current mapping (after a fix) and applies those
 * that now map, as writes of their flow. Records that never decoded cannot be replayed: they
 * must be delivered again. Every one must be open (RejectNotOpenError, and none is replayed).
 */
export async function replayRejects(store: Store, assembled: Assembled, rejects: RejectRecord[]): Promise<ReplayResult> {
  requireOpen(rejects);
  const result: ReplayResult = { replayed: 0, stillRejected: 0, notReplayable: 0, messages: [] };
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
    await store.apply({ origin: { origin: `flow:${flow.name}`, flow: flow.name, deliveryId: r.deliveryId, deliveryName: r.deliveryName }, writes: [write] });
    await store.setRejectStatus([r.id], 'replayed');
    result.replayed++;
  }
  return result;
}
