import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { secretKey, sign, verify, verifyLegacy } from './signature.js';

const key = (text: string) => secretKey(`whsec_${Buffer.from(text).toString('base64')}`);
const oldKey = key('old-secret-of-24-bytes!!');
const newKey = key('new-secret-of-24-bytes!!');
const body = Buffer.from('{"a":"1"}');
const now = 1_800_000_000;

describe('Standard Webhooks signatures', () => {
  it('matches the reference example of the specification', () => {
    // From the Standard Webhooks spec's worked example (secret, id, timestamp, payload, signature).
    const specKey = secretKey('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw');
    const payload = '{"test": 2432232314}';
    expect(sign([specKey], 'msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265330, payload)).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  });

  it('accepts a signature made with any configured secret (rotation)', () => {
    const signature = sign([oldKey], 'msg_1', now, body);
    expect(verify([newKey, oldKey], { id: 'msg_1', timestamp: String(now), signature, body }, 300, now)).toBeUndefined();
    expect(verify([newKey], { id: 'msg_1', timestamp: String(now), signature, body }, 300, now)).toBe('bad-signature');
    const both = sign([newKey, oldKey], 'msg_1', now, body);
    expect(both.split(' ')).toHaveLength(2);
    expect(verify([newKey], { id: 'msg_1', timestamp: String(now), signature: both, body }, 300, now)).toBeUndefined();
  });

  it('refuses a changed body, id or timestamp, and stale or future timestamps', () => {
    const signature = sign([newKey], 'msg_1', now, body);
    const base = { id: 'msg_1', timestamp: String(now), signature, body };
    expect(verify([newKey], { ...base, body: Buffer.from('{"a":"2"}') }, 300, now)).toBe('bad-signature');
    expect(verify([newKey], { ...base, id: 'msg_2' }, 300, now)).toBe('bad-signature');
    expect(verify([newKey], { ...base, timestamp: String(now + 1) }, 300, now)).toBe('bad-signature');
    expect(verify([newKey], base, 300, now + 301)).toBe('stale-timestamp');
    expect(verify([newKey], base, 300, now - 301)).toBe('stale-timestamp');
    expect(verify([newKey], base, 300, now + 300)).toBeUndefined();
    expect(verify([newKey], { ...base, timestamp: 'yesterday' }, 300, now)).toBe('bad-timestamp');
    expect(verify([newKey], { ...base, signature: undefined }, 300, now)).toBe('missing-headers');
  });

  it('checks legacy sha256=<hex> headers with the raw secret', () => {
    const hex = createHmac('sha256', 'legacy-secret').update(body).digest('hex');
    expect(verifyLegacy(['other', 'legacy-secret'], `sha256=${hex}`, body)).toBeUndefined();
    expect(verifyLegacy(['other'], `sha256=${hex}`, body)).toBe('bad-signature');
    expect(verifyLegacy(['legacy-secret'], undefined, body)).toBe('missing-headers');
  });

  it('refuses secrets that are not base64 or too short', () => {
    expect(() => secretKey('whsec_short')).toThrow(/base64|16 bytes/);
    expect(() => secretKey('whsec_??')).toThrow(/base64/);
  });
});
