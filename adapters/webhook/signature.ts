import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Standard Webhooks signatures (https://www.standardwebhooks.com), in one place for the sink
 * (signing), the inbound router (verifying) and the tests: `webhook-signature` carries
 * space-separated `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`, one per secret, so that a
 * receiver holding either the old or the new secret accepts a message during a rotation.
 */

const PREFIX = 'whsec_';
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** The HMAC key of a `whsec_<base64>` secret (the prefix is optional, as in the reference libraries). */
export function secretKey(secret: string): Buffer {
  const encoded = secret.startsWith(PREFIX) ? secret.slice(PREFIX.length) : secret;
  if (!BASE64.test(encoded) || encoded.length % 4 !== 0) throw new Error('a webhook secret must be "whsec_" followed by base64');
  const key = Buffer.from(encoded, 'base64');
  // How short it is would tell a reader of the error more about the secret than they need.
  if (key.length < 16) throw new Error('a webhook secret is too short: it must hold at least 16 bytes, 24 base64 characters after "whsec_"');
  return key;
}

function hmac(key: Buffer, id: string, timestamp: number | string, body: Buffer | string): Buffer {
  return createHmac('sha256', key).update(`${id}.${timestamp}.`).update(body).digest();
}

/** The `webhook-signature` value: one `v1,<base64>` per key, space-separated. */
export function sign(keys: readonly Buffer[], id: string, timestamp: number, body: Buffer | string): string {
  return keys.map((key) => `v1,${hmac(key, id, timestamp, body).toString('base64')}`).join(' ');
}

/** Why a message was refused; never names a secret or the expected signature. */
export type VerifyFailure = 'missing-headers' | 'bad-timestamp' | 'stale-timestamp' | 'bad-signature';

export interface VerifyInput {
  id: string | undefined;
  timestamp: string | undefined;
  signature: string | undefined;
  body: Buffer;
}

/** True when the two byte strings are equal, in time independent of where they differ. */
export function sameBytes(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Checks a Standard Webhooks message: the timestamp within `toleranceSec` of `nowSec` (either
 * way, against replays of captured messages), and any `v1` signature made with any of the keys.
 */
export function verify(keys: readonly Buffer[], input: VerifyInput, toleranceSec: number, nowSec: number): VerifyFailure | undefined {
  const { id, timestamp, signature, body } = input;
  if (!id || !timestamp || !signature) return 'missing-headers';
  if (!/^\d{1,12}$/.test(timestamp)) return 'bad-timestamp';
  if (Math.abs(nowSec - Number(timestamp)) > toleranceSec) return 'stale-timestamp';
  const offered = signature
    .split(' ')
    .filter((s) => s.startsWith('v1,'))
    .map((s) => Buffer.from(s.slice(3), 'base64'));
  for (const key of keys) {
    const expected = hmac(key, id, timestamp, body);
    // Every candidate is compared, so the time taken does not say which secret matched.
    let ok = false;
    for (const candidate of offered) ok = sameBytes(candidate, expected) || ok;
    if (ok) return undefined;
  }
  return 'bad-signature';
}

/**
 * Checks a legacy sender's HMAC header (`X-Hub-Signature-256: sha256=<hex>`): HMAC-SHA256 of the
 * raw body with the secret's bytes as written; hex or base64, with or without the `sha256=` prefix.
 */
export function verifyLegacy(secrets: readonly string[], header: string | undefined, body: Buffer): VerifyFailure | undefined {
  if (!header) return 'missing-headers';
  const value = header.trim().replace(/^sha256=/i, '');
  const offered = /^[0-9a-f]{64}$/i.test(value) ? Buffer.from(value, 'hex') : Buffer.from(value, 'base64');
  let ok = false;
  for (const secret of secrets) ok = sameBytes(offered, createHmac('sha256', secret).update(body).digest()) || ok;
  return ok ? undefined : 'bad-signature';
}
