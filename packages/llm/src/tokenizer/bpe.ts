import { mergeSymbols } from './merge-queue.ts';
import { TokenType } from './spm.ts';
import { checkId, type EncodeOptions, type Tokenizer } from './types.ts';
import { concatBytes, utf8Decode, utf8Encode } from './utf8.ts';

/** Pre-tokenizer regexes by GGUF `tokenizer.ggml.pre` name. */
const PRE_TOKENIZERS: Record<string, RegExp> = {
  gpt2: /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu,
  llama3:
    /'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD]|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+/gu,
  qwen2:
    /'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD]|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+/gu,
};
const PRE_ALIASES: Record<string, string> = {
  default: 'gpt2',
  gpt2: 'gpt2',
  'gpt-2': 'gpt2',
  llama3: 'llama3',
  'llama-bpe': 'llama3',
  'llama-v3': 'llama3',
  qwen2: 'qwen2',
};

/** The `tokenizer.ggml.pre` names BpeTokenizer understands. */
export const SUPPORTED_BPE_PRE_TOKENIZERS: readonly string[] = Object.keys(PRE_ALIASES);

/** A GPT-2-style byte-level BPE vocabulary as GGUF stores it. */
export interface BpeVocab {
  /** Token texts in the byte-to-unicode alphabet (e.g. 'Ġthe'). */
  tokens: readonly string[];
  /** Merge rules "left right", highest priority first. */
  merges: readonly string[];
  tokenTypes?: ArrayLike<number>;
  bosId?: number;
  eosId?: number;
  /** GGUF `tokenizer.ggml.pre`; default 'gpt2'. */
  pre?: string;
}

/**
 * GPT-2's reversible byte → printable-character map: printable Latin-1 bytes map to themselves,
 * the other 68 to U+0100 upwards in byte order.
 * @example byteToUnicode()[0x20] // 'Ġ'
 */
export function byteToUnicode(): string[] {
  const out: string[] = new Array(256);
  let extra = 0;
  for (let b = 0; b < 256; b++) {
    const printable = (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || b >= 0xae;
    out[b] = String.fromCharCode(printable ? b : 256 + extra++);
  }
  return out;
}

/**
 * Byte-level BPE (GGUF `tokenizer.ggml.model = 'gpt2'`): split the text with the pre-tokenizer
 * regex, map each piece's UTF-8 bytes to GPT-2's printable alphabet, then merge adjacent symbols
 * by merge rank (lowest first, leftmost on ties). Supported pre-tokenizers: gpt2 (default),
 * llama3 (alias llama-bpe), qwen2. No special-token parsing.
 */
export class BpeTokenizer implements Tokenizer {
  readonly kind = 'bpe' as const;
  readonly vocabSize: number;
  readonly bosId: number;
  readonly eosId: number;
  private readonly tokens: readonly string[];
  private readonly ids = new Map<string, number>();
  private readonly ranks = new Map<string, number>();
  private readonly byteChar = byteToUnicode();
  private readonly bytes: Uint8Array[];
  private readonly pre: RegExp;
  /** llama3 looks a whole pre-token up before merging (llama.cpp's ignore_merges). */
  private readonly ignoreMerges: boolean;

  /**
   * Builds the tokenizer; throws on an unknown pre-tokenizer name.
   * @example new BpeTokenizer({ tokens, merges, pre: 'gpt2' })
   */
  constructor(vocab: BpeVocab) {
    const n = vocab.tokens.length;
    const preName = PRE_ALIASES[vocab.pre ?? 'gpt2'];
    if (preName === undefined) {
      throw new Error(
        `bpe tokenizer: pre-tokenizer '${vocab.pre}' is not supported; expected one of ` +
          SUPPORTED_BPE_PRE_TOKENIZERS.join(', '),
      );
    }
    this.pre = PRE_TOKENIZERS[preName];
    this.ignoreMerges = preName === 'llama3';
    this.vocabSize = n;
    this.tokens = vocab.tokens;
    this.bosId = vocab.bosId ?? -1;
    this.eosId = vocab.eosId ?? -1;
    for (let i = n - 1; i >= 0; i--) this.ids.set(vocab.tokens[i], i);
    vocab.merges.forEach((merge, rank) => {
      const space = merge.indexOf(' ', 1);
      if (space < 0) throw new Error(`bpe tokenizer: merge ${rank} '${merge}' has no space`);
      const key = `${merge.slice(0, space)} ${merge.slice(space + 1)}`;
      if (!this.ranks.has(key)) this.ranks.set(key, rank);
    });
    const charByte = new Map<string, number>();
    this.byteChar.forEach((c, b) => {
      charByte.set(c, b);
    });
    this.bytes = vocab.tokens.map((token, id) => {
      const type = vocab.tokenTypes?.[id] ?? TokenType.normal;
      if (type === TokenType.control || type === TokenType.unused) return new Uint8Array(0);
      if (type === TokenType.userDefined) return utf8Encode(token);
      const out: number[] = [];
      for (const c of token) {
        const b = charByte.get(c);
        if (b === undefined) out.push(...utf8Encode(c));
        else out.push(b);
      }
      return Uint8Array.from(out);
    });
  }

  /**
   * Token ids of `text` (no special-token parsing).
   * @example tok.encode('Hello world')
   */
  encode(text: string, options: EncodeOptions = {}): Int32Array {
    const out: number[] = [];
    if (options.bos) out.push(this.requireSpecial(this.bosId, 'BOS'));
    let last = 0;
    for (const m of text.matchAll(this.pre)) {
      if (m.index > last) this.encodeWord(text.slice(last, m.index), out);
      if (m[0].length > 0) this.encodeWord(m[0], out);
      last = m.index + m[0].length;
    }
    if (last < text.length) this.encodeWord(text.slice(last), out);
    if (options.eos) out.push(this.requireSpecial(this.eosId, 'EOS'));
    return Int32Array.from(out);
  }

  private encodeWord(word: string, out: number[]): void {
    const symbols = Array.from(utf8Encode(word), (b) => this.byteChar[b]);
    const whole = this.ignoreMerges ? this.ids.get(symbols.join('')) : undefined;
    if (whole !== undefined) {
      out.push(whole);
      return;
    }
    const merged = mergeSymbols(symbols, (l, r) => {
      const rank = this.ranks.get(`${l} ${r}`);
      return rank === undefined ? undefined : -rank;
    });
    for (const symbol of merged) {
      const id = this.ids.get(symbol);
      if (id !== undefined) {
        out.push(id);
        continue;
      }
      for (const c of symbol) {
        const single = this.ids.get(c);
        if (single === undefined) {
          throw new Error(`bpe tokenizer: no token for byte symbol '${c}' in '${word}'`);
        }
        out.push(single);
      }
    }
  }

  private requireSpecial(id: number, name: string): number {
    if (id < 0 || id >= this.vocabSize) {
      throw new Error(`bpe tokenizer: ${name} requested but the vocabulary has no ${name} id`);
    }
    return id;
  }

  /**
   * Text of `ids`: each token's bytes (control tokens give nothing), decoded as UTF-8.
   * @example tok.decode(tok.encode('héllo')) // 'héllo'
   */
  decode(ids: ArrayLike<number>): string {
    const chunks: Uint8Array[] = [];
    for (let i = 0; i < ids.length; i++) {
      checkId(ids[i], this.vocabSize, 'bpe tokenizer decode');
      chunks.push(this.bytes[ids[i]]);
    }
    return utf8Decode(concatBytes(chunks));
  }

  /**
   * The token text as stored (GPT-2 alphabet, e.g. 'Ġthe').
   * @example tok.piece(id)
   */
  piece(id: number): string {
    checkId(id, this.vocabSize, 'bpe tokenizer piece');
    return this.tokens[id];
  }

  /**
   * The bytes of `id` (byte-level BPE has no dummy prefix to drop; may be part of a character).
   * @example tok.decodeNext(-1, id)
   */
  decodeNext(_prevId: number, id: number): Uint8Array {
    checkId(id, this.vocabSize, 'bpe tokenizer decodeNext');
    return this.bytes[id];
  }
}
