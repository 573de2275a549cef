import { isUtf8, transcode } from 'node:buffer';
import { byteChunks, decodeSlices, type ByteInput, type LineSplit } from '../../src/core/format.js';
import type { CsvOptions } from './options.js';
import { plainLineStops } from './plain-lines.js';
import { startsWithUtf8Mark, textCodec, unicodeMarkAt, UTF8_MARK_BYTES, type UnicodeMark } from '../../src/encoding/index.js';
import { loneSurrogates } from '../../src/encoding/surrogates.js';

/**
 * Bytes ready for csv-parse, always UTF-8: BOM stripped, UTF-16 and legacy code pages decoded and
 * re-encoded. (csv-parse reads UTF-16LE too, but a record's raw text is read back from these
 * bytes as UTF-8, so UTF-16 goes through UTF-8 like the rest.) `suspect` turns true once a U+FFFD in the text may stand for an undecodable
 * byte rather than a literal U+FFFD in the input; from then on every U+FFFD in a value is reported.
 */
export interface ParserFeed {
  suspect: boolean;
  /**
   * The Unicode byte-order mark a delivery declared in a legacy code page starts with: it is in
   * that encoding, and read as declared its text would come out wrong. Known by the first slice.
   */
  unicodeMark: UnicodeMark | undefined;
  slices: AsyncIterable<Buffer>;
}

type Kind = 'utf8' | 'utf16le' | 'utf16be' | 'utf16' | 'legacy';

function kindOf(encoding: string): Kind {
  const e = encoding.toLowerCase().replace(/[^a-z0-9]/g, '');
  if (e === 'utf8') return 'utf8';
  if (e === 'utf16le' || e === 'ucs2') return 'utf16le';
  if (e === 'utf16be') return 'utf16be';
  if (e === 'utf16') return 'utf16';
  // Another name the codecs know for UTF-8 (unicode-1-1-utf-8) is UTF-8 here too.
  return textCodec(encoding).name === 'utf-8' ? 'utf8' : 'legacy';
}

/** Fails early (at create) for an encoding nobody knows; the ConfigError is the caller's to build. */
export function checkEncoding(encoding: string): void {
  if (kindOf(encoding) === 'legacy') textCodec(encoding);
}

/** True when a byte in 0x80–0x9F is there: where Windows-1252 and Latin-1 differ. */
function hasC1(b: Buffer): boolean {
  for (let i = 0; i < b.length; i++) if (b[i] >= 0x80 && b[i] <= 0x9f) return true;
  return false;
}

/** Length of an unfinished UTF-8 sequence at the end of `b` (0 when the last character is whole). */
function utf8Tail(b: Buffer): number {
  for (let back = 1; back <= Math.min(3, b.length); back++) {
    const byte = b[b.length - back];
    if ((byte & 0xc0) === 0x80) continue;
    const need = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    return need > back ? back : 0;
  }
  return 0;
}

/** Opens a delivery's bytes for csv-parse in the declared encoding. */
export function openFeed(input: ByteInput, encoding: string): ParserFeed {
  const feed: ParserFeed = { suspect: false, unicodeMark: undefined, slices: undefined as never };
  feed.slices = produce(feed, input, kindOf(encoding), encoding);
  return feed;
}

async function* produce(feed: ParserFeed, input: ByteInput, declared: Kind, name: string): AsyncIterable<Buffer> {
  let kind = declared;
  let head: Buffer | undefined = Buffer.alloc(0);
  let carry: Buffer | undefined;
  /** A high surrogate that ended the last chunk's text: a pair cut between chunks is written whole. */
  let high = '';
  /** Whole UTF-16LE code units as UTF-8; a lone surrogate (written as U+FFFD) makes the feed suspect. */
  const utf16Text = (units: Buffer, final: boolean): Buffer => {
    let text = high + units.toString('utf16le');
    high = '';
    const last = text.charCodeAt(text.length - 1);
    if (!final && last >= 0xd800 && last <= 0xdbff) {
      high = text.slice(-1);
      text = text.slice(0, -1);
    }
    if (!feed.suspect && loneSurrogates(text).length > 0) feed.suspect = true;
    return Buffer.from(text, 'utf8');
  };
  const codec = declared === 'legacy' ? textCodec(name) : undefined;
  const decoder = codec?.decoder();
  // Latin-1 bytes, and Windows-1252 bytes outside 0x80–0x9F, are their own code points: Node's
  // native transcode turns them into UTF-8 without a JavaScript string in between.
  const latin1Like = codec?.name === 'iso-8859-1' ? 'all' : codec?.name === 'windows-1252' ? 'outside-c1' : undefined;
  feed.suspect = declared === 'legacy';

  const convert = (chunk: Buffer): Buffer => {
    if (latin1Like && (latin1Like === 'all' || !hasC1(chunk))) return transcode(chunk, 'latin1', 'utf8');
    if (decoder) return Buffer.from(decoder.write(chunk), 'utf8');
    if (kind === 'utf16le' || kind === 'utf16be') {
      // Whole code units only: an odd byte waits in `carry` for the next chunk.
      const all = carry ? Buffer.concat([carry, chunk]) : chunk;
      const even = all.length & ~1;
      carry = even < all.length ? Buffer.from(all.subarray(even)) : undefined;
      // swap16 works in place: copy so the caller's buffer is never changed.
      return utf16Text(kind === 'utf16be' ? Buffer.from(all.subarray(0, even)).swap16() : all.subarray(0, even), false);
    }
    if (kind === 'utf8' && !feed.suspect) {
      const all = carry ? Buffer.concat([carry, chunk]) : chunk;
      const tail = utf8Tail(all);
      carry = tail ? Buffer.from(all.subarray(all.length - tail)) : undefined;
      if (!isUtf8(all.subarray(0, all.length - tail))) feed.suspect = true;
    }
    return chunk;
  };

  // Text read from a stream with an encoding set is taken as UTF-8, as csv-parse takes strings.
  for await (const chunk of byteChunks(input, (text) => Buffer.from(text, 'utf8'))) {
    if (head !== undefined) {
      // The BOM decides the encoding, so hold bytes back until the longest (UTF-8's) is there.
      head = Buffer.concat([head, chunk]);
      if (head.length < UTF8_MARK_BYTES) continue;
      const rest = sniff(head);
      head = undefined;
      for (const s of decodeSlices(convert(rest))) if (s.length) yield s;
      continue;
    }
    for (const s of decodeSlices(convert(chunk))) if (s.length) yield s;
  }
  if (head !== undefined && head.length) for (const s of decodeSlices(convert(sniff(head)))) yield s;
  const last = decoder?.end();
  if (last) yield Buffer.from(last, 'utf8');
  if (kind === 'utf16le' || kind === 'utf16be') {
    // A high surrogate still waiting is a lone one; an odd last byte is one U+FFFD more.
    const lone = utf16Text(Buffer.alloc(0), true);
    if (lone.length) yield lone;
    if (carry?.length) {
      feed.suspect = true;
      yield Buffer.from(REPLACEMENT);
    }
  }
  // An unfinished character at the very end (its bytes went with the last chunk): csv-parse turns
  // it into U+FFFD, reported as such.
  if (kind === 'utf8' && carry && carry.length) feed.suspect = true;

  function sniff(bytes: Buffer): Buffer {
    if (declared === 'legacy') feed.unicodeMark = unicodeMarkAt(bytes);
    else {
      if (startsWithUtf8Mark(bytes)) {
        kind = 'utf8';
        bytes = bytes.subarray(UTF8_MARK_BYTES);
      } else if (bytes[0] === 0xff && bytes[1] === 0xfe) {
        kind = 'utf16le';
        bytes = bytes.subarray(2);
      } else if (bytes[0] === 0xfe && bytes[1] === 0xff) {
        kind = 'utf16be';
        bytes = bytes.subarray(2);
      } else if (kind === 'utf16') {
        kind = 'utf16le';
      }
    }
    return bytes;
  }
}

/**
 * When a CSV delivery may be decoded in pieces cut after line feeds: an encoding in which byte
 * 0x0A is a line feed and nothing else, and LF among the record delimiters. A piece is accepted
 * (written by hand: no CSV library says where it may be cut) only when no record in it can span
 * lines or read differently after earlier bytes: no quote character, no comment mark, no CR,
 * and for UTF-8 nothing that decodes to U+FFFD (whose reporting depends on earlier bytes).
 */
export function lineSplit(o: CsvOptions): LineSplit | undefined {
  const kind = kindOf(o.encoding);
  const codec = kind === 'legacy' ? textCodec(o.encoding).name : undefined;
  if (!(kind === 'utf8' || codec === 'iso-8859-1' || codec === 'windows-1252')) return undefined;
  const stops = plainLineStops(o);
  if (stops === undefined || (kind !== 'utf8' && stops.some((c) => c.charCodeAt(0) > 0x7f))) return undefined;
  const stopBytes = stops.map((c) => Buffer.from(c, kind === 'utf8' ? 'utf8' : 'latin1'));
  return {
    headerLines: o.header ? 1 : 0,
    accepts(piece) {
      if (stopBytes.some((m) => piece.includes(m))) return false;
      return kind !== 'utf8' || (isUtf8(piece) && !piece.includes(REPLACEMENT));
    },
  };
}

const REPLACEMENT = Buffer.from('\ufffd', 'utf8');
