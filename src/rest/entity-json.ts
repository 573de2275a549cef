import type { Response } from 'express';
import type { EntityRecord } from '../store/types.js';

/** The API's `Entity` representation. */
export function entityJson(e: EntityRecord): Record<string, unknown> {
  return { type: e.type, key: e.key, version: e.version, createdAt: e.createdAt, updatedAt: e.updatedAt, data: e.data };
}

export const etagOf = (version: number) => `"${version}"`;

/** Path of an entity: the key percent-encoded as one segment. */
export const entityPath = (type: string, key: string) => `/v1/${encodeURIComponent(type)}/${encodeURIComponent(key)}`;

/** Sets ETag and Last-Modified of an entity. */
export function setValidators(res: Response, e: EntityRecord): void {
  res.setHeader('ETag', etagOf(e.version));
  res.setHeader('Last-Modified', new Date(e.updatedAt).toUTCString());
}

/** The versions listed in an If-Match / If-None-Match header; '*' as is; weak tags compare as strong. */
export function parseEntityTags(header: string): (number | '*')[] {
  const out: (number | '*')[] = [];
  for (const part of header.split(',')) {
    const t = part.trim();
    if (t === '*') out.push('*');
    else {
      const m = /^(?:W\/)?"(\d{1,15})"$/.exec(t);
      out.push(m ? Number(m[1]) : -1);
    }
  }
  return out;
}
