import type { FormatAdapter } from '../../src/core/format.js';
import { decodeJson } from './decode.js';
import { encodeJson } from './encode.js';
import { jsonOptions } from './options.js';

export { jsonOptions, type JsonOptions } from './options.js';

/**
 * The `json` format: a JSON object, an array of objects or NDJSON, UTF-8; numbers keep their
 * digits as text. Used by inbound webhooks and JSON file drops.
 */
export const jsonFormat: FormatAdapter<typeof jsonOptions> = {
  kind: 'format',
  name: 'json',
  summary: 'JSON object, array of objects or NDJSON (UTF-8); numbers kept as written; errors with record, line and column.',
  options: jsonOptions,
  create(options) {
    const frozen = Object.freeze({ ...options });
    return {
      decode: (input, meta) => decodeJson(input, meta, frozen),
      encode: (records) => encodeJson(records, frozen),
      checksWholeDelivery: frozen.wholeDelivery,
    };
  },
};
