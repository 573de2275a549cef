import { DataError } from '../core/errors.js';
import type { OutboundMessage } from '../core/sink.js';
import type { Mapping } from '../mapping/index.js';
import type { ChangeEvent, JsonObject, Store } from '../store/types.js';

const contentTypes: Record<string, string> = { csv: 'text/csv', 'fixed-width': 'application/octet-stream', json: 'application/json', xml: 'application/xml' };

/** The message id: stable across retries and restarts, as receivers drop duplicates by it. */
export function messageId(flow: string, changes: readonly { seq: number }[]): string {
  return `${flow}:${changes[0].seq}-${changes[changes.length - 1].seq}`;
}

/** The JSON shape of one change for sinks without a mapping (the Standard Webhooks payload shape). */
export function changePayload(change: ChangeEvent, data: JsonObject | null | undefined): JsonObject {
  return {
    type: `${change.type}.${change.op}`,
    timestamp: change.at,
    data: { seq: change.seq, type: change.type, key: change.key, op: change.op, version: change.version, origin: change.origin, entity: change.op === 'deleted' ? null : (data ?? null) },
  };
}

/**
 * Builds outbound messages from changes: with a mapping, each change's data (a delete: the data it
 * removed) is mapped back to the legacy record and the mapping's format encodes them; without
 * one, JSON (one object, or NDJSON for a batch). A change that cannot be mapped back throws a
 * DataError naming it.
 */
export class PayloadBuilder {
  constructor(
    private readonly flow: string,
    private readonly store: Store,
    private readonly mapping: Mapping | undefined,
  ) {}

  async build(changes: ChangeEvent[], batch: boolean): Promise<OutboundMessage> {
    const data = await this.store.changeData(changes.map((c) => c.seq));
    let body: Buffer;
    let contentType: string;
    if (this.mapping) {
      const mapping = this.mapping;
      const records = changes.map((c) => {
        const d = data.get(c.seq);
        if (!d) throw new DataError({ code: 'delivery.invalid', message: `change ${c.seq} (${c.type} ${c.key}) has no data to map back` });
        try {
          return mapping.fromCanonical(d);
        } catch (e) {
          if (e instanceof DataError) throw new DataError(e.details.map((x) => ({ ...x, message: `change ${c.seq} (${c.type} ${c.key}): ${x.message}` })));
          throw e;
        }
      });
      const chunks: Buffer[] = [];
      for await (const chunk of mapping.format.encode(records)) chunks.push(chunk);
      body = Buffer.concat(chunks);
      contentType = contentTypes[mapping.formatName] ?? 'application/octet-stream';
    } else if (batch) {
      body = Buffer.from(changes.map((c) => JSON.stringify(changePayload(c, data.get(c.seq)))).join('\n') + '\n');
      contentType = 'application/x-ndjson';
    } else {
      body = Buffer.from(JSON.stringify(changePayload(changes[0], data.get(changes[0].seq))));
      contentType = 'application/json';
    }
    return {
      id: messageId(this.flow, changes),
      body,
      contentType,
      changes: changes.map(({ seq, type, key, op, version }) => ({ seq, type, key, op, version })),
      at: changes[changes.length - 1].at,
    };
  }
}
