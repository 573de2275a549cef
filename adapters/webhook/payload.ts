import type { OutboundMessage } from '../../src/core/sink.js';
import type { ChangeEvent, JsonObject } from '../../src/store/types.js';

/**
 * The webhook body of one change when the outbound flow has no mapping (contract §2, the
 * Standard Webhooks payload shape): `type` is `<entity type>.<op>`, `timestamp` the commit time,
 * `data` the change with the entity as committed (null once deleted).
 */
export function webhookPayload(change: ChangeEvent, entity: JsonObject | null): Buffer {
  const { seq, type, key, op, version, origin } = change;
  return Buffer.from(JSON.stringify({ type: `${type}.${op}`, timestamp: change.at, data: { seq, type, key, op, version, origin, entity } }));
}

/** One change as an outbound message of flow `flow`; the id `<flow>:<seq>-<seq>` is stable across retries and restarts. */
export function webhookMessage(flow: string, change: ChangeEvent, entity: JsonObject | null): OutboundMessage {
  const { seq, type, key, op, version } = change;
  return { id: `${flow}:${seq}-${seq}`, body: webhookPayload(change, entity), contentType: 'application/json', changes: [{ seq, type, key, op, version }], at: change.at };
}
