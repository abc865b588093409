import { mergeSymbols } from './merge-queue.ts';
import { checkId, type EncodeOptions, type Tokenizer } from './types.ts';
import { concatBytes, utf8Decode, utf8Encode } from './utf8.ts';

/** The data of a llama2.c tokenizer.bin (as returned by @explorables/weights' reader). */
export interface Llama2cVocab {
  /** Each piece's raw bytes (spaces are ASCII spaces; byte pieces are the text `<0xNN>`). */
  pieceBytes: readonly Uint8Array[];
  /** Each piece's merge score. */
  scores: ArrayLike<number>;
}

/** run.c hard-codes these ids. */
const BOS = 1;
const EOS = 2;
/** run.c's initial best_score: pairs scoring at or below it never merge. */
const MIN_SCORE = -1e10;
const EMPTY = new Uint8Array(0);

function binary(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]);
  return s;
}

function bytePieceValue(bytes: Uint8Array): number {
  // sscanf(piece, "<0x%02hhX>", &b) == 1: "<0x" followed by one or two hex digits.
  if (bytes.length < 4 || bytes[0] !== 0x3c || bytes[1] !== 0x30 || bytes[2] !== 0x78) return -1;
  let value = -1;
  for (let i = 3; i < Math.min(5, bytes.length); i++) {
    const d = hexDigit(bytes[i]);
    if (d < 0) break;
    value = value < 0 ? d : value * 16 + d;
  }
  return value;
}

function hexDigit(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  return -1;
}

/**
 * llama2.c's tokenizer, encoding exactly as run.c's `encode` (dummy-prefix " " token for non-empty
 * text, per-UTF-8-character lookup with byte fallback id = byte + 3, then repeated merges of the
 * best-scoring adjacent pair, leftmost on ties; BOS = 1, EOS = 2) and decoding as run.c's `decode`.
 * One deliberate difference: a NUL byte is encoded as byte token 3 instead of ending the text.
 */
export class Llama2cTokenizer implements Tokenizer {
  readonly kind = 'llama2c' as const;
  readonly vocabSize: number;
  readonly bosId = BOS;
  readonly eosId = EOS;
  private readonly keys: string[];
  private readonly scores: Float64Array;
  private readonly ids = new Map<string, number>();
  private readonly decoded: Uint8Array[];
  private readonly isByte: Uint8Array;
  private readonly dummyPrefix: number;

  /**
   * Builds the tokenizer from a tokenizer.bin's pieces and scores (the first piece wins when two
   * are equal; run.c's bsearch would pick either).
   * @example new Llama2cTokenizer(readLlama2cTokenizer(bytes, 512))
   */
  constructor(vocab: Llama2cVocab) {
    const n = vocab.pieceBytes.length;
    if (n !== vocab.scores.length) {
      throw new Error(`llama2.c tokenizer: ${n} pieces but ${vocab.scores.length} scores`);
    }
    if (n < 3) throw new Error(`llama2.c tokenizer: ${n} pieces; expected at least 3`);
    this.vocabSize = n;
    this.keys = vocab.pieceBytes.map(binary);
    this.scores = Float64Array.from(vocab.scores, (s) => Math.fround(s));
    for (let i = n - 1; i >= 0; i--) this.ids.set(this.keys[i], i);
    this.dummyPrefix = this.ids.get(' ') ?? -1;
    this.isByte = new Uint8Array(n);
    this.decoded = vocab.pieceBytes.map((bytes, id) => {
      const b = bytePieceValue(bytes);
      if (b < 0) return bytes;
      this.isByte[id] = 1;
      return Uint8Array.of(b);
    });
  }

  /**
   * Token ids of `text`, identical to run.c's `encode(text, bos, eos)`.
   * @example tok.encode('Once upon a time', { bos: true }) // [1, 403, 407, 261, 378]
   */
  encode(text: string, options: EncodeOptions = {}): Int32Array {
    return this.encodeBytes(utf8Encode(text), options);
  }

  /**
   * Like encode, over raw bytes (which need not be valid UTF-8).
   * @example tok.encodeBytes(new Uint8Array([0x0a])) // [410, 13]
   */
  encodeBytes(bytes: Uint8Array, options: EncodeOptions = {}): Int32Array {
    const initial: string[] = [];
    if (options.bos) initial.push(this.keys[BOS]);
    if (bytes.length > 0) {
      if (this.dummyPrefix < 0) {
        throw new Error('llama2.c tokenizer: the vocabulary has no " " piece for the dummy prefix');
      }
      initial.push(' ');
    }
    let start = 0;
    for (let i = 0; i < bytes.length; i++) {
      if ((bytes[i] & 0xc0) !== 0x80) start = i;
      const length = i - start + 1;
      const following = i + 1 < bytes.length ? bytes[i + 1] : 0;
      if ((following & 0xc0) === 0x80 && length < 4) continue;
      const key = binary(bytes.subarray(start, i + 1));
      if (this.ids.has(key)) initial.push(key);
      else {
        for (let j = start; j <= i; j++) {
          const id = bytes[j] + 3;
          if (id >= this.vocabSize) {
            throw new Error(
              `llama2.c tokenizer: byte 0x${bytes[j].toString(16)} at offset ${j} needs byte ` +
                `token ${id}, beyond the ${this.vocabSize}-piece vocabulary`,
            );
          }
          initial.push(this.keys[id]);
        }
      }
      start = i + 1;
    }
    const merged = mergeSymbols(initial, (l, r) => {
      const id = this.ids.get(l + r);
      if (id === undefined) return undefined;
      const score = this.scores[id];
      return score > MIN_SCORE ? score : undefined;
    });
    const out = new Int32Array(merged.length + (options.eos ? 1 : 0));
    for (let i = 0; i < merged.length; i++) out[i] = this.ids.get(merged[i])!;
    if (options.eos) out[merged.length] = EOS;
    return out;
  }

  /**
   * Text of `ids`: BOS/EOS give nothing, byte pieces give their byte, and the first piece loses its
   * leading space (the dummy prefix).
   * @example tok.decode(tok.encode('café')) // 'café'
   */
  decode(ids: ArrayLike<number>): string {
    const chunks: Uint8Array[] = [];
    let first = true;
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i];
      checkId(id, this.vocabSize, 'llama2.c tokenizer decode');
      if (id === BOS || id === EOS) continue;
      const bytes = this.decoded[id];
      const strip = first && !this.isByte[id] && bytes[0] === 0x20;
      chunks.push(strip ? bytes.subarray(1) : bytes);
      first = false;
    }
    return utf8Decode(concatBytes(chunks));
  }

  /**
   * The piece of `id` as stored in tokenizer.bin (decoded as UTF-8).
   * @example tok.piece(13) // '<0x0A>'
   */
  piece(id: number): string {
    checkId(id, this.vocabSize, 'llama2.c tokenizer piece');
    return utf8Decode(Uint8Array.from(this.keys[id], (c) => c.charCodeAt(0)));
  }

  /**
   * run.c's `decode(prev_token, token)`: drops the piece's leading space after BOS, turns
   * `<0xNN>` into that byte (byte 0 prints nothing).
   * @example tok.decodeNext(1, 403) // bytes of 'Once'
   */
  decodeNext(prevId: number, id: number): Uint8Array {
    checkId(id, this.vocabSize, 'llama2.c tokenizer decodeNext');
    const raw = Uint8Array.from(this.keys[id], (c) => c.charCodeAt(0));
    const piece = prevId === BOS && raw[0] === 0x20 ? raw.subarray(1) : raw;
    const b = bytePieceValue(piece);
    if (b === 0) return EMPTY;
    return b > 0 ? Uint8Array.of(b) : piece;
  }
}
