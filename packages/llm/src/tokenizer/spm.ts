import { mergeSymbols } from './merge-queue.ts';
import { checkId, type EncodeOptions, type Tokenizer } from './types.ts';
import { concatBytes, utf8Decode, utf8Encode } from './utf8.ts';

/** GGUF `tokenizer.ggml.token_type` values (llama.cpp's llama_token_type). */
export const TokenType = {
  undefined: 0,
  normal: 1,
  unknown: 2,
  control: 3,
  userDefined: 4,
  unused: 5,
  byte: 6,
} as const;

/** A SentencePiece-style vocabulary as GGUF stores it (spaces written as U+2581 '▁'). */
export interface SpmVocab {
  tokens: readonly string[];
  scores: ArrayLike<number>;
  /** Per token, a TokenType value; missing means all normal. */
  tokenTypes?: ArrayLike<number>;
  bosId?: number;
  eosId?: number;
  unknownId?: number;
  /** Prepend '▁' to the text before encoding (SentencePiece's dummy prefix). Default true. */
  addSpacePrefix?: boolean;
}

const SPACE_MARK = '\u2581';
const UNKNOWN_MARK = utf8Encode('\u2585');
const EMPTY = new Uint8Array(0);

/**
 * SentencePiece-style BPE as llama.cpp runs it for GGUF `tokenizer.ggml.model = 'llama'`: spaces
 * become '▁', a '▁' dummy prefix is added, the text is split into characters, adjacent pairs whose
 * concatenation is a token are merged by highest score (leftmost on ties), and characters left
 * without a token fall back to `<0xNN>` byte tokens (or the unknown token).
 */
export class SpmTokenizer implements Tokenizer {
  readonly kind = 'spm' as const;
  readonly vocabSize: number;
  readonly bosId: number;
  readonly eosId: number;
  private readonly tokens: readonly string[];
  private readonly scores: Float64Array;
  private readonly types: Uint8Array;
  private readonly ids = new Map<string, number>();
  private readonly byteIds = new Int32Array(256).fill(-1);
  private readonly bytes: Uint8Array[];
  private readonly unknownId: number;
  private readonly addSpacePrefix: boolean;

  /**
   * Builds the tokenizer from GGUF-style arrays.
   * @example new SpmTokenizer({ tokens, scores, tokenTypes, bosId: 1, eosId: 2 })
   */
  constructor(vocab: SpmVocab) {
    const n = vocab.tokens.length;
    if (vocab.scores.length !== n) {
      throw new Error(`spm tokenizer: ${n} tokens but ${vocab.scores.length} scores`);
    }
    if (vocab.tokenTypes && vocab.tokenTypes.length !== n) {
      throw new Error(`spm tokenizer: ${n} tokens but ${vocab.tokenTypes.length} token types`);
    }
    this.vocabSize = n;
    this.tokens = vocab.tokens;
    this.scores = Float64Array.from(vocab.scores, (s) => Math.fround(s));
    this.types = Uint8Array.from(
      { length: n },
      (_, i) => vocab.tokenTypes?.[i] ?? TokenType.normal,
    );
    this.bosId = vocab.bosId ?? -1;
    this.eosId = vocab.eosId ?? -1;
    this.unknownId = vocab.unknownId ?? -1;
    this.addSpacePrefix = vocab.addSpacePrefix ?? true;
    for (let i = n - 1; i >= 0; i--) this.ids.set(vocab.tokens[i], i);
    this.bytes = vocab.tokens.map((token, id) => {
      const type = this.types[id];
      if (type === TokenType.byte) {
        const m = /^<0x([0-9A-Fa-f]{2})>$/.exec(token);
        if (!m) throw new Error(`spm tokenizer: byte token ${id} is '${token}'; expected <0xNN>`);
        const b = Number.parseInt(m[1], 16);
        if (this.byteIds[b] < 0) this.byteIds[b] = id;
        return Uint8Array.of(b);
      }
      if (type === TokenType.control || type === TokenType.unused) return EMPTY;
      if (type === TokenType.unknown) return UNKNOWN_MARK;
      return utf8Encode(token.replaceAll(SPACE_MARK, ' '));
    });
    for (let b = 0; b < 256; b++) {
      if (this.byteIds[b] < 0) {
        const id = this.ids.get(`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`);
        if (id !== undefined) this.byteIds[b] = id;
      }
    }
  }

  /**
   * Token ids of `text` (no special-token parsing).
   * @example tok.encode('Hi', { bos: true })
   */
  encode(text: string, options: EncodeOptions = {}): Int32Array {
    const out: number[] = [];
    if (options.bos) out.push(this.requireSpecial(this.bosId, 'BOS'));
    if (text.length > 0) {
      const escaped = (this.addSpacePrefix ? ` ${text}` : text).replaceAll(' ', SPACE_MARK);
      const symbols = Array.from(escaped);
      const merged = mergeSymbols(symbols, (l, r) => {
        const id = this.ids.get(l + r);
        return id === undefined ? undefined : this.scores[id];
      });
      for (const symbol of merged) {
        const id = this.ids.get(symbol);
        if (id !== undefined) {
          out.push(id);
          continue;
        }
        for (const b of utf8Encode(symbol)) {
          const byteId = this.byteIds[b] >= 0 ? this.byteIds[b] : this.unknownId;
          if (byteId < 0) {
            throw new Error(
              `spm tokenizer: '${symbol}' has no token, no <0x${b.toString(16)}> byte token ` +
                'and no unknown token',
            );
          }
          out.push(byteId);
        }
      }
    }
    if (options.eos) out.push(this.requireSpecial(this.eosId, 'EOS'));
    return Int32Array.from(out);
  }

  private requireSpecial(id: number, name: string): number {
    if (id < 0 || id >= this.vocabSize) {
      throw new Error(`spm tokenizer: ${name} requested but the vocabulary has no ${name} id`);
    }
    return id;
  }

  /**
   * Text of `ids`: '▁' becomes ' ', byte tokens their byte, control tokens nothing, and the first
   * piece loses one leading space when a dummy prefix is in use.
   * @example tok.decode(tok.encode('a b')) // 'a b'
   */
  decode(ids: ArrayLike<number>): string {
    const chunks: Uint8Array[] = [];
    let first = true;
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i];
      checkId(id, this.vocabSize, 'spm tokenizer decode');
      const bytes = this.bytes[id];
      if (bytes.length === 0) continue;
      const strip =
        first && this.addSpacePrefix && this.types[id] !== TokenType.byte && bytes[0] === 0x20;
      chunks.push(strip ? bytes.subarray(1) : bytes);
      first = false;
    }
    return utf8Decode(concatBytes(chunks));
  }

  /**
   * The token text as stored (with '▁').
   * @example tok.piece(3) // '<0x00>'
   */
  piece(id: number): string {
    checkId(id, this.vocabSize, 'spm tokenizer piece');
    return this.tokens[id];
  }

  /**
   * Bytes printed for `id` after `prevId`: its text with the leading space dropped after BOS.
   * @example tok.decodeNext(tok.bosId, id)
   */
  decodeNext(prevId: number, id: number): Uint8Array {
    checkId(id, this.vocabSize, 'spm tokenizer decodeNext');
    const bytes = this.bytes[id];
    const strip =
      prevId === this.bosId &&
      this.addSpacePrefix &&
      this.types[id] !== TokenType.byte &&
      bytes[0] === 0x20;
    return strip ? bytes.subarray(1) : bytes;
  }
}
