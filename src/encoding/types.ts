/**
 * A text encoding as formats use it: whole-buffer decode/encode that report, rather than hide,
 * bytes that cannot be decoded and characters that cannot be encoded, and a streaming decoder.
 * Codecs are stateless between calls (the streaming decoder holds the only state) and are shared:
 * get them from `textCodec(name)`, never construct one per record.
 */
export interface TextCodec {
  /** Canonical name, e.g. `cp037`, `shift_jis`, `windows-1252`. */
  readonly name: string;
  /** True for single-byte code pages, where byte offsets and character offsets agree. */
  readonly singleByte: boolean;
  /** True for EBCDIC code pages (zoned sign nibbles and spaces differ from ASCII). */
  readonly ebcdic: boolean;
  /**
   * The byte of a space (0x40 in EBCDIC, 0x20 elsewhere): fixed-width padding. For UTF-16 a space
   * is two bytes; there `space` is 0x20 and padding must use `encode(' ')`.
   */
  readonly space: number;
  /** The byte of the digit `0` (0xF0 in EBCDIC, 0x30 elsewhere); digits 1–9 follow it. */
  readonly digitZero: number;
  /**
   * Decodes whole bytes. Every byte (or byte sequence) that could not be decoded becomes one
   * U+FFFD in `text`, and its byte offset (of the sequence's first byte) is listed, ascending,
   * in `invalid`; a U+FFFD the input encodes literally (UTF-8 `EF BF BD`) is not listed.
   * A leading byte-order mark is dropped for UTF-8 and UTF-16.
   */
  decode(bytes: Uint8Array): { text: string; invalid: number[] };
  /**
   * Encodes text. Each character the code page lacks is written as the code page's substitute
   * (`?`, or SUB 0x3F in EBCDIC) and its offset in `text` (UTF-16 index; an astral character is
   * listed once, at its first code unit) is listed, ascending, in `unencodable`. Lone surrogates
   * and U+FFFD are unencodable in every legacy code page; UTF encoders reject lone surrogates.
   */
  encode(text: string): { bytes: Buffer; unencodable: number[] };
  /** A streaming decoder that keeps multi-byte characters split across chunks whole. */
  decoder(): StreamDecoder;
}

/** One stream's decoder: `write` each chunk in order, then `end` once. Not reusable after `end`. */
export interface StreamDecoder {
  /** Decodes a chunk; bytes of an unfinished character are held back for the next chunk. */
  write(chunk: Uint8Array): string;
  /** Flushes: a character left unfinished at the end of the stream decodes as one U+FFFD. */
  end(): string;
  /**
   * Byte offsets (from the start of the stream) of the undecodable sequences found since the
   * last call, ascending; the list is handed over and cleared.
   */
  takeInvalid(): number[];
}

/** Facts about a single-byte code page, for codecs built from a 256-entry table. */
export interface CodePage {
  name: string;
  ebcdic: boolean;
  /** Code unit of each byte; U+FFFD (or -1) marks a byte the code page leaves undefined. */
  table: ArrayLike<number>;
}
