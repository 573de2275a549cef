import { byteChunks, type ByteInput, type DecodeStart, type LineSplit } from '../core/format.js';
import type { MappedBatch } from './mapped-batches.js';
import { mapInWorker } from './worker-batches.js';
import type { WorkerJob } from './worker-protocol.js';

/** Pieces mapped at once, one worker each. */
export const PIECE_WORKERS = 2;

type Job = Omit<WorkerJob, 'ahead' | 'start'>;

/** A run of whole lines of the delivery, cut after a line that ends a batch. */
interface Piece {
  /**
   * Its bytes, cut where the delivery's chunks are cut: a decoder may judge a record by what one
   * chunk holds (fixed-width: no line end within so many bytes), so it gets the same chunks.
   */
  parts: Buffer[];
  /** Where it starts; undefined for the first piece (decoded as the delivery's start). */
  start: DecodeStart | undefined;
  /** Records the piece must yield: one per line (its header lines not counted). */
  records: number;
  /** The delivery's last piece: nothing to check it against. */
  final: boolean;
}

/** Batches asked for ahead of the caller, per piece: what a worker maps before its piece's turn. */
const AHEAD = 4;

/** A piece being mapped by a worker, its batches asked for AHEAD of time. */
class Flight {
  private readonly controller = new AbortController();
  private readonly batches: AsyncGenerator<MappedBatch>;
  private readonly asked: Promise<IteratorResult<MappedBatch>>[] = [];
  /** Records of the piece in batches taken so far. */
  taken = 0;
  /** The worker mapped the whole piece: its last batch is among those asked for. */
  finished = false;
  private arrived = 0;
  private handed = 0;

  constructor(
    readonly piece: Piece,
    batches: (signal: AbortSignal) => AsyncGenerator<MappedBatch>,
  ) {
    this.batches = batches(this.controller.signal);
    this.ask();
  }

  /** A batch has come and waits to be taken. */
  get waiting(): boolean {
    return this.arrived > this.handed;
  }

  /** The piece's next batch; a batch with `last` ends it. */
  async next(): Promise<MappedBatch> {
    const r = await this.asked.shift()!;
    this.handed++;
    this.ask();
    if (r.done) throw new Error('ingest worker ended a piece without its last batch');
    if (!r.value.last) this.taken = r.value.seen;
    return r.value;
  }

  stop(): void {
    this.controller.abort();
    void this.batches.return(undefined).catch(() => undefined);
  }

  private ask(): void {
    while (this.asked.length < AHEAD) {
      const next = this.batches.next();
      // Read in order by `next`; a stopped piece's failure concerns no one.
      next.then(
        (r) => {
          this.arrived++;
          if (r.done || r.value.last) this.finished = true;
        },
        () => (this.finished = true),
      );
      this.asked.push(next);
    }
  }
}

/**
 * Cuts a delivery into pieces of about `pieceBytes`, each ending after a line feed at a line
 * count that is a multiple of `batchSize`, so that each piece's batches are the delivery's
 * batches. Keeps the header lines, which every later piece is decoded after.
 */
class Cutter {
  header = Buffer.alloc(0);
  /** Lines and bytes of the pieces cut so far. */
  lines = 0;
  offset = 0;
  private parts: Buffer[] = [];
  private partBytes = 0;
  private partLines = 0;
  private headerLeft: number;

  constructor(
    private readonly split: LineSplit,
    private readonly batchSize: number,
    private readonly pieceBytes: number,
  ) {
    this.headerLeft = split.headerLines;
  }

  /** Takes a chunk; returns the pieces it completes. */
  push(chunk: Buffer): Piece[] {
    const out: Piece[] = [];
    let from = 0;
    for (let nl = chunk.indexOf(0x0a); nl !== -1; nl = chunk.indexOf(0x0a, nl + 1)) {
      this.partLines++;
      if (this.headerLeft > 0 && --this.headerLeft === 0) this.header = Buffer.concat([...this.parts, chunk.subarray(0, nl + 1)]);
      const records = this.partLines - (this.lines === 0 ? this.split.headerLines : 0);
      if (this.partBytes + nl + 1 - from >= this.pieceBytes && records > 0 && records % this.batchSize === 0) {
        this.parts.push(chunk.subarray(from, nl + 1));
        this.partBytes += nl + 1 - from;
        out.push(this.cut(false));
        from = nl + 1;
      }
    }
    if (from < chunk.length) {
      this.parts.push(chunk.subarray(from));
      this.partBytes += chunk.length - from;
    }
    return out;
  }

  /** The bytes taken and not cut into a piece yet. */
  uncut(): Buffer[] {
    return this.parts.splice(0);
  }

  /** The rest of the delivery, after its last chunk. */
  end(): Piece {
    // A last line without a line feed is a line too (the decoders read it as a record).
    if (this.parts.length && this.parts[this.parts.length - 1].at(-1) !== 0x0a) this.partLines++;
    return this.cut(true);
  }

  private cut(final: boolean): Piece {
    const first = this.lines === 0;
    const piece: Piece = {
      parts: this.parts,
      start: first ? undefined : { offset: this.offset, line: this.lines + 1, record: this.lines - this.split.headerLines },
      records: this.partLines - (first ? this.split.headerLines : 0),
      final,
    };
    this.lines += this.partLines;
    this.offset += this.partBytes;
    this.parts = [];
    this.partBytes = 0;
    this.partLines = 0;
    return piece;
  }
}

/**
 * Decodes and maps a delivery in pieces on PIECE_WORKERS workers at once, for a format that can be
 * decoded in pieces (LineSplit), yielding exactly the batches `mapInWorker` yields for the whole
 * delivery: pieces end at batch boundaries, each piece is decoded knowing its first line, record
 * and byte offset, and batches are yielded strictly in delivery order, each piece's as they come
 * (AHEAD at most waiting). A piece the format does not accept, or that does not yield one record
 * or failure per line (a blank line, a fatal failure), is decoded again with everything after
 * it in one worker, its batches yielded already skipped. `job.skip` must be 0 (a resumed
 * delivery goes through `mapInWorker`).
 */
export async function* mapInPieces(input: ByteInput, job: Job, split: LineSplit, pieceBytes: number): AsyncGenerator<MappedBatch> {
  const cutter = new Cutter(split, job.batchSize, pieceBytes);
  const reader = byteChunks(input)[Symbol.asyncIterator]();
  const ready: Piece[] = [];
  let ended = false;
  const nextPiece = async (): Promise<Piece | undefined> => {
    while (ready.length === 0 && !ended) {
      const r = await reader.next();
      if (r.done) {
        ended = true;
        ready.push(cutter.end());
      } else ready.push(...cutter.push(r.value));
    }
    return ready.shift();
  };
  const inputOf = async function* (piece: Piece): AsyncIterable<Buffer> {
    if (piece.start !== undefined && cutter.header.length > 0) yield cutter.header;
    yield* piece.parts;
  };
  const adjusted = (piece: Piece, b: MappedBatch): MappedBatch => ({ ...b, seen: b.seen + (piece.start?.record ?? 0) });

  const flights: Flight[] = [];
  try {
    for (;;) {
      // Another worker only while the store waits for batches, or once the others mapped their
      // pieces: when committing is the slower part (new entities), a second one would only take
      // the store's core.
      while (flights.length < PIECE_WORKERS && (flights.every((f) => f.finished) || !flights[0].waiting)) {
        const piece = await nextPiece();
        if (piece === undefined) break;
        if (!piece.final && !split.accepts(Buffer.concat(piece.parts))) {
          ready.unshift(piece);
          break;
        }
        flights.push(new Flight(piece, (signal) => mapInWorker(inputOf(piece), { ...job, start: piece.start }, signal)));
        if (piece.final) break;
      }
      const f = flights[0];
      if (f === undefined) break;
      const b = await f.next();
      // A piece's batches before its last are the delivery's batches whatever comes after: the
      // piece starts at a batch boundary, with its first line, record and offset known.
      if (!b.last || f.piece.final) {
        yield adjusted(f.piece, b);
        if (b.last) return;
        continue;
      }
      flights.shift();
      if (b.fatal === undefined && b.seen === f.piece.records && b.writes.length + b.rejects.length + (b.digests?.knownSeqs.length ?? 0) === 0) continue;
      // Not one record per line, or a fatal failure: what is left of this piece, and everything
      // after it, as one piece to the delivery's end.
      const later = flights.splice(0);
      for (const other of later) other.stop();
      ready.unshift(...later.map((l) => l.piece));
      yield* restOf(f.piece, f.taken);
      return;
    }
    const piece = await nextPiece();
    if (piece !== undefined) yield* restOf(piece, 0);
  } finally {
    for (const f of flights) f.stop();
    // A delivery given up half way (shutdown, a fatal failure) closes its stream now, not at GC.
    void reader.return?.(undefined).catch(() => undefined);
  }

  /** The delivery from `piece` on, in one worker, its first `skip` records taken already. */
  async function* restOf(piece: Piece, skip: number): AsyncGenerator<MappedBatch> {
    async function* bytes(): AsyncIterable<Buffer> {
      yield* inputOf(piece);
      // The pieces cut after it, the bytes read but not cut yet, then the unread rest.
      for (const p of ready.splice(0)) yield* p.parts;
      if (ended) return;
      yield* cutter.uncut();
      for (;;) {
        const r = await reader.next();
        if (r.done) return;
        yield r.value;
      }
    }
    for await (const b of mapInWorker(bytes(), { ...job, start: piece.start, skip })) yield adjusted(piece, b);
  }
}
