import { describe, expect, it } from 'vitest';
import { Allowlist } from './cidr.js';

describe('IP allowlist', () => {
  it('matches IPv4 and IPv6 blocks, and IPv4-mapped IPv6 peers against IPv4 blocks', () => {
    const list = new Allowlist(['10.0.0.0/8', '192.168.1.7', '2001:db8::/32']);
    expect(list.allows('10.200.3.4')).toBe(true);
    expect(list.allows('11.0.0.1')).toBe(false);
    expect(list.allows('::ffff:10.1.2.3')).toBe(true);
    expect(list.allows('::ffff:11.1.2.3')).toBe(false);
    expect(list.allows('192.168.1.7')).toBe(true);
    expect(list.allows('192.168.1.8')).toBe(false);
    expect(list.allows('2001:db8:1::5')).toBe(true);
    expect(list.allows('2001:db9::5')).toBe(false);
    expect(list.allows(undefined)).toBe(false);
    expect(list.allows('not-an-ip')).toBe(false);
  });

  it('allows anyone when empty, and names the entry that is not a CIDR block', () => {
    expect(new Allowlist([]).allows('203.0.113.9')).toBe(true);
    for (const bad of ['10.0.0.0/33', '10.0.0/8', 'fe80::/129', 'example.com/8', '10.0.0.0/8/1']) {
      expect(() => new Allowlist(['127.0.0.1/32', bad])).toThrow(expect.objectContaining({ index: 1, message: expect.stringContaining(JSON.stringify(bad)) }));
    }
  });
});
