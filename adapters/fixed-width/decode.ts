import type { DataErrorDetail } from '../../src/core/errors.js';
import type { ByteInput, DecodeStart } from '../../src/core/format.js';
import type { RecordDigests } from '../../src/core/record-digests.js';
import type { DeliveryMeta, DigestedDecoded, Position } from '../../src/core/records.js';
import { unicodeMarkAt, unicodeMarkedMessage, UTF8_MARK_BYTES } from '../../src/encoding/index.js';
import { Assembler } from './assembler.js';
import { ByteWindow, slicedChunks } from './byte-input.js';
import { failureOf } from './failure.js';
import type { Plan, RecordKind } from './plan.js';
import { RecordDecoder } from './record-decoder.js';

const LF = 0x0a;
const CR = 0x0d;

/** Decodes a delivery: splits records (by line or by length), decodes each, yields a batch per chunk. */
export async function* decodeDelivery(plan: Plan, input: ByteInput, meta: DeliveryMeta, start?: DecodeStart, digests?: RecordDigests): AsyncIterable<DigestedDecoded[]> {
  const s = new Session(plan, meta, start, digests);
  const win = new ByteWindow();
  win.base = start?.offset ?? 0;
  // Only the file's own start can hold a byte-order mark, not a piece's.
  let markLooked = start !== undefined;
  for await (const chunk of slicedChunks(input)) {
    if (chunk.length === 0) continue;
    win.push(chunk);
    const out: DigestedDecoded[] = [];
    if (!markLooked) {
      if (win.available < UTF8_MARK_BYTES) continue;
      markLooked = true;
      s.byteOrderMark(win, out);
    }
    if (!s.stopped) s.split(win, false, out);
    if (out.length) yield out;
    if (s.stopped) return;
  }
  const out: DigestedDecoded[] = [];
  s.split(win, true, out);
  if (!s.stopped) s.finish(out);
  if (out.length) yield out;
}

class Session {
  readonly assembler: Assembler;
  stopped = false;
  private readonly decoders: RecordDecoder[];
  private record = 0;
  private line = 0;
  private readonly maxLine: number;
  private readonly discEnd: number;
  /** Only for a single layout: the records of several are assembled, and checked, together. */
  private readonly digests: RecordDigests | undefined;

  constructor(
    private readonly plan: Plan,
    private readonly meta: DeliveryMeta,
    start?: DecodeStart,
    digests?: RecordDigests,
  ) {
    this.digests = plan.multi ? undefined : digests;
    if (start !== undefined) {
      this.line = start.line - 1;
      this.record = start.record;
    }
    this.decoders = plan.kinds.map((k) => new RecordDecoder(k.layout, plan.codec));
    this.assembler = new Assembler(plan);
    this.maxLine = Math.max(65536, ...plan.kinds.map((k) => k.length * 4));
    this.discEnd = plan.discriminator ? plan.discriminator.start + plan.discriminator.length : 0;
  }

  finish(out: DigestedDecoded[]): void {
    this.assembler.finish(out, { file: this.meta.name, record: this.record });
  }

  /**
   * A UTF-8 byte-order mark at the start of the file is dropped when the layout's code page is
   * UTF-8. A file of lines declared in another ASCII-based code page that starts with a UTF-8 or
   * UTF-16 mark is in that encoding all the same: read as declared, a record with a non-ASCII
   * character would be cut in the wrong places without a word (UTF-16: every record), so the
   * file is refused whole. A file without separators may start with binary fields, whose bytes
   * can be anything: it is left to its layout.
   */
  byteOrderMark(win: ByteWindow, out: DigestedDecoded[]): void {
    const mark = unicodeMarkAt(win.buf, win.pos);
    if (mark === undefined) return;
    const { codec, options } = this.plan;
    if (codec.name === 'utf-8') {
      if (mark.encoding === 'UTF-8') win.pos += UTF8_MARK_BYTES;
      return;
    }
    if (codec.ebcdic || codec.name.startsWith('utf-16') || options.separator === 'none') return;
    const position: Position = { file: this.meta.name, line: 1, record: 0, offset: 0 };
    const message = unicodeMarkedMessage(mark, options.encoding, 'layout');
    out.push({ ...failureOf([{ code: 'file.encoding', message, position }], position, ''), fatal: true });
    this.stopped = true;
  }

  split(win: ByteWindow, final: boolean, out: DigestedDecoded[]): void {
    if (this.plan.options.separator === 'none') this.splitByLength(win, final, out);
    else this.splitLines(win, final, out);
  }

  private splitLines(win: ByteWindow, final: boolean, out: DigestedDecoded[]): void {
    const buf = win.buf;
    const sep = this.plan.options.separator;
    while (!this.stopped && win.pos < buf.length) {
      let nl = buf.indexOf(LF, win.pos);
      if (nl < 0) {
        if (!final) {
          if (win.available > this.maxLine) this.fatal(win.offset, 'record.length', `no line end within ${this.maxLine} bytes (separator ${sep})`, out);
          return;
        }
        nl = buf.length;
      }
      this.line++;
      let end = nl;
      if (sep !== 'lf' && end > win.pos && buf[end - 1] === CR) end--;
      const offset = win.offset;
      const line = buf.subarray(win.pos, end);
      win.pos = nl + 1;
      if (line.length === 0) continue; // blank lines (a trailing newline, a stray CR) carry no record
      const pos: Position = { file: this.meta.name, line: this.line, record: ++this.record, offset };
      const kind = this.kindOf(line, pos, out);
      if (kind) this.lineRecord(kind, line, pos, out);
    }
  }

  private lineRecord(kind: RecordKind, line: Buffer, pos: Position, out: DigestedDecoded[]): void {
    const want = kind.length;
    const mode = this.plan.options.lineLength;
    if (kind.layout.variable) {
      const dec = this.decoders[kind.index];
      const rec = dec.decode(line);
      const bad = mode === 'atLeast' ? dec.used > line.length : dec.used !== line.length && !(mode === 'pad' && dec.used > line.length);
      if (bad && !dec.errors) dec.errors = [{ code: 'record.length', message: `record is ${line.length} bytes, its fields take ${dec.used}` }];
      this.emit(kind, rec, dec, line.length, pos, out);
      return;
    }
    if (line.length !== want) {
      if (line.length < want && mode === 'pad') {
        const padded = Buffer.alloc(want, this.plan.cs.space);
        line.copy(padded);
        line = padded;
      } else if (line.length > want && mode === 'atLeast') {
        line = line.subarray(0, want);
      } else {
        const expect = mode === 'atLeast' ? `at least ${want}` : mode === 'pad' ? `at most ${want}` : `${want}`;
        this.failure(pos, { code: 'record.length', message: `record is ${line.length} bytes, expected ${expect}` }, line, out, kind);
        return;
      }
    }
    this.decodeRecord(kind, line, pos, out);
  }

  private splitByLength(win: ByteWindow, final: boolean, out: DigestedDecoded[]): void {
    while (!this.stopped && win.available > 0) {
      if (win.available < this.discEnd && !final) return;
      const offset = win.offset;
      const pos: Position = { file: this.meta.name, record: this.record + 1, offset };
      const kind = this.plan.discriminator ? this.kindOf(win.buf.subarray(win.pos), pos, out) : this.plan.kinds[0];
      if (!kind) return this.fatal(offset, 'record.type', 'unknown record type: cannot find where the next record starts', out);
      const want = kind.length;
      if (win.available < want && !final) return;
      const bytes = win.buf.subarray(win.pos, win.pos + Math.min(want, win.available));
      if (kind.layout.variable) {
        const dec = this.decoders[kind.index];
        const rec = dec.decode(bytes);
        if (dec.used <= 0 || dec.used > bytes.length) {
          return this.fatal(offset, 'record.length', `file ends inside a record (${bytes.length} bytes left, the record needs ${dec.used})`, out);
        }
        win.pos += dec.used;
        this.record++;
        this.emit(kind, rec, dec, dec.used, pos, out);
        continue;
      }
      if (bytes.length < want) {
        return this.fatal(offset, 'record.length', `file ends inside a record (${bytes.length} bytes left, a record is ${want})`, out);
      }
      win.pos += want;
      this.record++;
      this.decodeRecord(kind, bytes, pos, out);
    }
  }

  private kindOf(bytes: Buffer, pos: Position, out: DigestedDecoded[]): RecordKind | undefined {
    const d = this.plan.discriminator;
    if (!d) return this.plan.kinds[0];
    const key = bytes.toString('latin1', d.start, d.start + d.length);
    const kind = this.plan.byCode.get(key);
    if (!kind && this.plan.options.separator !== 'none') {
      const code = this.plan.codec.decode(bytes.subarray(d.start, d.start + d.length)).text;
      this.failure(pos, { code: 'record.type', message: `unknown record type ${JSON.stringify(code)} (bytes ${d.start + 1}-${d.start + d.length})` }, bytes, out);
    }
    return kind;
  }

  private decodeRecord(kind: RecordKind, bytes: Buffer, pos: Position, out: DigestedDecoded[]): void {
    const digest = this.digests?.of(bytes);
    if (digest !== undefined) {
      const known = this.digests!.known(digest);
      if (known !== 0) {
        out.push({ known, digest, position: pos });
        return;
      }
    }
    const dec = this.decoders[kind.index];
    const rec = dec.decode(bytes);
    this.emit(kind, rec, dec, bytes.length, pos, out, digest);
  }

  private emit(kind: RecordKind, record: ReturnType<RecordDecoder['decode']>, dec: RecordDecoder, length: number, pos: Position, out: DigestedDecoded[], digest?: string): void {
    const raw = dec.raw(length);
    if (!dec.errors) {
      this.assembler.accept(kind, { record, position: pos, raw, digest }, out);
      return;
    }
    const errors = dec.errors.map((e) => ({ ...e, position: pos }));
    this.assembler.accept(kind, failureOf(errors, pos, raw, kind.checks.length > 0), out);
  }

  private failure(pos: Position, detail: DataErrorDetail, bytes: Buffer, out: DigestedDecoded[], kind?: RecordKind): void {
    const raw = kind ? this.rawOf(kind, bytes) : bytes.toString('hex').toUpperCase();
    const f = failureOf([{ ...detail, position: pos }], pos, raw, kind ? kind.checks.length > 0 : false);
    if (kind) this.assembler.accept(kind, f, out);
    else this.assembler.unknown(f, out);
  }

  private rawOf(kind: RecordKind, bytes: Buffer): string {
    return kind.layout.binary ? bytes.toString('hex').toUpperCase() : this.plan.codec.decode(bytes).text;
  }

  private fatal(offset: number, code: DataErrorDetail['code'], message: string, out: DigestedDecoded[]): void {
    const pos: Position = { file: this.meta.name, record: this.record + 1, offset };
    out.push({ ...failureOf([{ code, message, position: pos }], pos, ''), fatal: true });
    this.stopped = true;
  }
}
