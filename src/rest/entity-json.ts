import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EntityRecord, QueriedEntity } from '../store/types.js';

/** The API's `Entity` representation (as the store builds it in SQL for reads: entityJsonSql). */
export function entityJson(e: EntityRecord): Record<string, unknown> {
  return { type: e.type, key: e.key, version: e.version, createdAt: e.createdAt, updatedAt: e.updatedAt, data: e.data };
}

export const etagOf = (version: number) => `"${version}"`;

/** Path of an entity: the key percent-encoded as one segment. */
export const entityPath = (type: string, key: string) => `/v1/${encodeURIComponent(type)}/${encodeURIComponent(key)}`;

/** Sets ETag and Last-Modified of an entity. */
export function setValidators(res: ServerResponse, e: Pick<EntityRecord, 'version' | 'updatedAt'>): void {
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

/**
 * Answers a GET or HEAD of one entity: validators, then 304 when If-None-Match names its version
 * (or, without If-None-Match, when If-Modified-Since is not older than it), else the JSON the store
 * built. Plain node calls, shared by the express route and the read fast path (fast-read.ts).
 */
export function sendEntity(req: IncomingMessage, res: ServerResponse, e: QueriedEntity): void {
  setValidators(res, e);
  res.setHeader('Cache-Control', 'no-cache');
  const inm = req.headers['if-none-match'];
  const ims = req.headers['if-modified-since'];
  const notModified = inm !== undefined
    ? parseEntityTags(inm).some((t) => t === '*' || t === e.version)
    : ims !== undefined && Math.floor(Date.parse(e.updatedAt) / 1000) * 1000 <= Date.parse(ims);
  if (notModified) {
    res.statusCode = 304;
    res.end();
    return;
  }
  sendJsonText(res, e.json);
}

/** The entity's JSON text with only the named top-level data fields, those present, in the data's order (as the list's `fields=`). */
export function withDataFields(json: string, fields: string[]): string {
  const e = JSON.parse(json) as { data: Record<string, unknown> };
  e.data = Object.fromEntries(Object.entries(e.data).filter(([k]) => fields.includes(k)));
  return JSON.stringify(e);
}

/** A 200 with JSON text as the body (none for HEAD: node leaves it out). */
export function sendJsonText(res: ServerResponse, json: string): void {
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(json));
  res.end(json);
}
