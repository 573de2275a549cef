// Placeholder until the encoding module lands: the contract the formats code against.
export interface TextCodec {
  /** Canonical name, e.g. `cp037`, `shift_jis`, `windows-1252`. */
  readonly name: string;
  /** True for single-byte code pages, where byte offsets and character offsets agree. */
  readonly singleByte: boolean;
  /** True for EBCDIC code pages (zoned sign nibbles and spaces differ from ASCII). */
  readonly ebcdic: boolean;
  /** Decodes whole bytes; `invalid` lists the byte offsets that could not be decoded. */
  decode(bytes: Uint8Array): { text: string; invalid: number[] };
  /** Encodes text; `unencodable` lists the character offsets the code page lacks. */
  encode(text: string): { bytes: Buffer; unencodable: number[] };
  /** A streaming decoder that keeps multi-byte characters split across chunks whole. */
  decoder(): { write(chunk: Uint8Array): string; end(): string };
}
export declare function textCodec(name: string): TextCodec;
