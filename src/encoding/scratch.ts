/**
 * Module-wide scratch buffers for decoding: decoding is synchronous and never re-entered, so one
 * buffer serves every call and no per-record buffer is allocated. Inputs larger than the scratch
 * get a buffer of their own.
 */
const SCRATCH_BYTES = 1 << 16;

const bytes = Buffer.allocUnsafeSlow(SCRATCH_BYTES);
const units = new Uint16Array(SCRATCH_BYTES);
const unitsAsBytes = Buffer.from(units.buffer);

/** A byte buffer of at least `n` bytes, whose content is garbage. */
export function byteScratch(n: number): Buffer {
  return n <= SCRATCH_BYTES ? bytes : Buffer.allocUnsafe(n);
}

/** A UTF-16 code unit buffer of at least `n` units and its bytes, whose content is garbage. */
export function unitScratch(n: number): { units: Uint16Array; bytes: Buffer } {
  if (n <= SCRATCH_BYTES) return SHARED;
  const own = new Uint16Array(n);
  return { units: own, bytes: Buffer.from(own.buffer) };
}
const SHARED = { units, bytes: unitsAsBytes };

/** The string of the first `n` code units written into a `unitScratch` result. */
export function unitsToString(scratch: { bytes: Buffer }, n: number): string {
  return scratch.bytes.toString('utf16le', 0, n * 2);
}

/** A Buffer view of any Uint8Array, without copying. */
export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
