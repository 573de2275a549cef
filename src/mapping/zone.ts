/**
 * Offsets of IANA time zones through Intl (no date library). Offsets are cached per quarter hour
 * of UTC time, since asking Intl costs microseconds and legacy feeds carry clustered timestamps;
 * zone transitions fall on quarter hours in every zone since 1970.
 */
export interface Zone {
  name: string;
  /** Minutes east of UTC at an instant. */
  offsetAt(epochMs: number): number;
  /**
   * The offset that makes a wall-clock time (given as if it were UTC) real in this zone: the
   * earlier one when the wall time occurs twice (clocks set back), undefined when it never
   * occurs (clocks set forward).
   */
  offsetForWall(wallMs: number): number | undefined;
}

const QUARTER = 15 * 60_000;
const zones = new Map<string, Zone>();

/** The zone by IANA name (`Europe/Berlin`, `UTC`); throws RangeError for an unknown name. */
export function zone(name: string): Zone {
  const known = zones.get(name);
  if (known) return known;
  const fmt = new Intl.DateTimeFormat('en-US', {
    timeZone: name,
    hourCycle: 'h23',
    year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
  });
  const cache = new Map<number, number>();
  const compute = (epochMs: number): number => {
    const p: Record<string, number> = {};
    for (const part of fmt.formatToParts(epochMs)) if (part.type !== 'literal') p[part.type] = Number(part.value);
    const wall = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
    return Math.round((wall - (epochMs - (((epochMs % 1000) + 1000) % 1000))) / 60_000);
  };
  const offsetAt = (epochMs: number): number => {
    const bucket = Math.floor(epochMs / QUARTER);
    let o = cache.get(bucket);
    if (o === undefined) {
      if (cache.size > 20_000) cache.clear();
      o = compute(bucket * QUARTER);
      cache.set(bucket, o);
    }
    return o;
  };
  const day = 86_400_000;
  const z: Zone = {
    name,
    offsetAt,
    offsetForWall(wallMs) {
      const before = offsetAt(wallMs - day);
      if (offsetAt(wallMs - before * 60_000) === before) return before;
      const after = offsetAt(wallMs + day);
      if (offsetAt(wallMs - after * 60_000) === after) return after;
      return undefined;
    },
  };
  zones.set(name, z);
  return z;
}
