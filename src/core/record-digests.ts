import { hash } from 'node:crypto';

/**
 * Records of a set recognised at most, its first: the set's table takes about 56 bytes a record,
 * so that peak memory stays flat in the size of the file sent again (~85 MB at most). The records
 * past it are decoded and mapped, and their digests are not kept.
 */
export const MAX_KNOWN_RECORDS = 1_500_000;

/** 32-bit words of a record's digest as it is kept: 30 bits of its SHA-256 in each. */
export const DIGEST_WORDS = 4;
/** Bytes of an entry of a stored set: the digest's words, then the change-feed seq as a float64. */
export const ENTRY_BYTES = DIGEST_WORDS * 4 + 8;

/**
 * The records a delivery of the same mapping brought before, as a decoder looks them up: an
 * open-addressed table of digests (DIGEST_WORDS a slot) and the seq of the version each record
 * wrote or confirmed (0: an empty slot). Shared memory, so that the worker (or two piece workers)
 * read it without a copy.
 */
export interface KnownRecordsTable {
  words: Uint32Array;
  seqs: Float64Array;
}

/** Entries (ENTRY_BYTES each) as aligned word and seq views. */
function entryViews(entries: Uint8Array): { words: Uint32Array; seqs: Float64Array; count: number } {
  const count = Math.floor(entries.length / ENTRY_BYTES);
  let buffer = entries.buffer;
  if (entries.byteOffset !== 0 || buffer.byteLength !== count * ENTRY_BYTES) {
    const copy = new Uint8Array(count * ENTRY_BYTES);
    copy.set(entries.subarray(0, count * ENTRY_BYTES));
    buffer = copy.buffer;
  }
  return { words: new Uint32Array(buffer), seqs: new Float64Array(buffer), count };
}

/**
 * Builds the table from stored entries. A digest met twice keeps its last entry: records of equal
 * text map to equal content, and the later one wrote last (see excludeKnown for leaving seqs out).
 */
export function knownRecordsTable(entries: Uint8Array): KnownRecordsTable | undefined {
  const { words, seqs, count } = entryViews(entries);
  if (count === 0) return undefined;
  // Filled to three quarters at most: a known record is found in 2.5 probes on average, another in 8.5.
  let slots = 1024;
  while (slots * 3 < count * 4) slots *= 2;
  const table: KnownRecordsTable = {
    words: new Uint32Array(new SharedArrayBuffer(slots * DIGEST_WORDS * 4)),
    seqs: new Float64Array(new SharedArrayBuffer(slots * 8)),
  };
  const mask = slots - 1;
  const t = table.words;
  for (let e = 0; e < count; e++) {
    const seq = seqs[e * 3 + 2];
    const o = e * 6;
    const [w0, w1, w2, w3] = [words[o], words[o + 1], words[o + 2], words[o + 3]];
    let i = w0 & mask;
    while (table.seqs[i] !== 0 && !(t[i * 4] === w0 && t[i * 4 + 1] === w1 && t[i * 4 + 2] === w2 && t[i * 4 + 3] === w3)) i = (i + 1) & mask;
    t[i * 4] = w0;
    t[i * 4 + 1] = w1;
    t[i * 4 + 2] = w2;
    t[i * 4 + 3] = w3;
    table.seqs[i] = seq;
  }
  return table;
}

/** The seq of a slot whose digest is not to be recognised (0 is an empty slot). */
const BLOCKED = -1;

/**
 * Leaves out `excluded` seqs of a table: a slot holds its digest's last entry, so when that entry
 * is excluded the digest is not recognised (an earlier seq of it is older still). A scan of the
 * slots, not a new table: building one for a large set holds up the thread for half a second.
 */
export function excludeKnown(table: KnownRecordsTable, excluded: ReadonlySet<number>): void {
  const seqs = table.seqs;
  for (let i = 0; i < seqs.length; i++) if (seqs[i] > 0 && excluded.has(seqs[i])) seqs[i] = BLOCKED;
}

/** What a decoder is given to digest its records and recognise known ones; it crosses to a worker as is. */
export interface RecordDigestsInit {
  known?: KnownRecordsTable;
  /** The context (see RecordDigests.context) of the delivery the known records came in. */
  context?: string;
}

const BASE64 = new Uint8Array(128);
for (const [i, c] of [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'].entries()) BASE64[c.charCodeAt(0)] = i;

/** A digest's words: 30 bits each, from its first 20 base64 characters. */
export function digestWords(digest: string, into: Uint32Array, at: number): void {
  for (let w = 0; w < DIGEST_WORDS; w++) {
    const c = w * 5;
    into[at + w] =
      (BASE64[digest.charCodeAt(c)] << 24) |
      (BASE64[digest.charCodeAt(c + 1)] << 18) |
      (BASE64[digest.charCodeAt(c + 2)] << 12) |
      (BASE64[digest.charCodeAt(c + 3)] << 6) |
      BASE64[digest.charCodeAt(c + 4)];
  }
}

/**
 * Digests of raw records, and the recognition of records that the last complete delivery of the
 * same mapping brought (`known`: the runtime loads the set of that mapping only). A record's
 * digest is the SHA-256 of its raw text or bytes, of which 120 bits are kept: not a faster hash
 * of our own, since a digest taken for another record would keep a real change out of the store,
 * and text typed by a legacy system's users must not be able to make one. One-shot `hash` with
 * a base64 result: a Hash object and a Buffer a record cost five times as much.
 *
 * What a record's text maps to may also depend on what the format read before it (a CSV header
 * naming the columns): that is the delivery's context, and records are recognised only when it
 * is the known records' context.
 */
export class RecordDigests {
  /** This delivery's context: the digest of the text its records depend on besides their own ('' for none). */
  context = '';
  private lookups: boolean;
  private readonly mask: number;
  private readonly words = new Uint32Array(DIGEST_WORDS);

  constructor(readonly init: RecordDigestsInit) {
    this.mask = init.known === undefined ? 0 : init.known.seqs.length - 1;
    this.lookups = init.known !== undefined && (init.context ?? '') === '';
  }

  /** Called by a decoder with the text its records depend on (a CSV header line), before them. */
  dependOn(text: string): void {
    this.context = hash('sha256', text, 'base64');
    this.lookups = this.init.known !== undefined && this.init.context === this.context;
  }

  /** The digest of a record's raw text or bytes. */
  of(raw: string | Uint8Array): string {
    return hash('sha256', raw, 'base64');
  }

  /** The seq of the version a known record of this digest wrote or confirmed; 0 if none. */
  known(digest: string): number {
    if (!this.lookups) return 0;
    const table = this.init.known!;
    const w = this.words;
    digestWords(digest, w, 0);
    const t = table.words;
    for (let i = w[0] & this.mask; table.seqs[i] !== 0; i = (i + 1) & this.mask) {
      if (t[i * 4] === w[0] && t[i * 4 + 1] === w[1] && t[i * 4 + 2] === w[2] && t[i * 4 + 3] === w[3]) return Math.max(table.seqs[i], 0);
    }
    return 0;
  }
}

/**
 * Digests a batch's records carry to the store: one per write (all zeros: a record without one,
 * which the store does not keep), the records recognised as known, by seq and digest, and the
 * delivery's context.
 */
export interface BatchDigests {
  writes: Uint32Array<ArrayBuffer>;
  knownSeqs: Float64Array<ArrayBuffer>;
  knownDigests: Uint32Array<ArrayBuffer>;
  context: string;
}

/** Collects a batch's digests as cutBatches goes; `take` hands them over and starts afresh. */
export class BatchDigestsBuffer {
  private writes: Uint32Array<ArrayBuffer> = new Uint32Array(DIGEST_WORDS * 64);
  private writeCount = 0;
  private seqs: number[] = [];
  private knownDigests: Uint32Array<ArrayBuffer> = new Uint32Array(DIGEST_WORDS * 64);

  constructor(private readonly digests: RecordDigests | undefined) {}

  /** The digest of the next write, or none. */
  write(digest: string | undefined): void {
    const at = this.writeCount++ * DIGEST_WORDS;
    if (at === this.writes.length) this.writes = grown(this.writes);
    if (digest === undefined) this.writes.fill(0, at, at + DIGEST_WORDS);
    else digestWords(digest, this.writes, at);
  }

  known(seq: number, digest: string): void {
    const at = this.seqs.length * DIGEST_WORDS;
    if (at === this.knownDigests.length) this.knownDigests = grown(this.knownDigests);
    digestWords(digest, this.knownDigests, at);
    this.seqs.push(seq);
  }

  get knownCount(): number {
    return this.seqs.length;
  }

  /** The batch's digests; undefined without RecordDigests. */
  take(): BatchDigests | undefined {
    const out =
      this.digests !== undefined
        ? {
            writes: this.writes.slice(0, this.writeCount * DIGEST_WORDS),
            knownSeqs: Float64Array.from(this.seqs),
            knownDigests: this.knownDigests.slice(0, this.seqs.length * DIGEST_WORDS),
            context: this.digests.context,
          }
        : undefined;
    this.writeCount = 0;
    this.seqs = [];
    return out;
  }
}

function grown(words: Uint32Array<ArrayBuffer>): Uint32Array<ArrayBuffer> {
  const out = new Uint32Array(words.length * 2);
  out.set(words);
  return out;
}
