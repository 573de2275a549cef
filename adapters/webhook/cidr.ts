import { BlockList, isIP } from 'node:net';

/**
 * An IP allowlist from CIDR blocks. Node's BlockList matches IPv4 blocks for IPv4-mapped IPv6
 * peers (`::ffff:10.1.2.3`), which is how a dual-stack listener sees IPv4 clients.
 */
export class Allowlist {
  private readonly list = new BlockList();
  readonly empty: boolean;

  /** Throws with the offending entry's index when a block is not `address/prefix` (or a bare address). */
  constructor(blocks: readonly string[]) {
    this.empty = blocks.length === 0;
    blocks.forEach((block, i) => {
      const [address, prefixText, extra] = block.trim().split('/');
      const family = isIP(address);
      const max = family === 6 ? 128 : 32;
      const prefix = prefixText === undefined ? max : /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : NaN;
      if (!family || extra !== undefined || !(prefix >= 0 && prefix <= max)) {
        throw Object.assign(new Error(`expected a CIDR block such as 10.0.0.0/8 or 2001:db8::/32, got ${JSON.stringify(block)}`), { index: i });
      }
      this.list.addSubnet(address, prefix, family === 6 ? 'ipv6' : 'ipv4');
    });
  }

  allows(address: string | undefined): boolean {
    if (this.empty) return true;
    if (!address) return false;
    const family = isIP(address);
    return family !== 0 && this.list.check(address, family === 6 ? 'ipv6' : 'ipv4');
  }
}
