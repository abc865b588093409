import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BpeTokenizer, byteToUnicode } from './bpe.ts';
import { tokenizerFromGgufMetadata } from './gguf.ts';
import { Llama2cTokenizer } from './llama2c.ts';
import { mergeSymbols } from './merge-queue.ts';
import { SpmTokenizer, TokenType } from './spm.ts';
import { Utf8Stream, utf8Decode, utf8Encode } from './utf8.ts';

/** A llama2.c-style vocabulary: <unk>, BOS, EOS, 256 byte pieces, then merges in score order. */
const MERGED = [' ', 'a', 'b', 't', 'h', 'e', ' t', 'he', 'th', ' the', 'ab', ' a', 'é', 'é!'];
function llamaPieces(): string[] {
  const bytes = Array.from(
    { length: 256 },
    (_, b) => `<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`,
  );
  return ['<unk>', '\n<s>\n', '\n</s>\n', ...bytes, ...MERGED];
}
function llama2c(): Llama2cTokenizer {
  const pieces = llamaPieces();
  return new Llama2cTokenizer({
    pieceBytes: pieces.map(utf8Encode),
    scores: pieces.map((_, i) => (i < 259 ? 0 : -(i - 259))),
  });
}
const text = fc.oneof(
  fc.string({ unit: fc.constantFrom(...'ab the!é \n\t'.split('')), maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 30 }),
  fc.string({ unit: 'grapheme-ascii', maxLength: 60 }),
);

describe('Llama2cTokenizer', () => {
  const tok = llama2c();
  const id = (piece: string) => llamaPieces().indexOf(piece);

  it('encode(text) adds the dummy-prefix " " and merges best-scoring pairs first', () => {
    expect([...tok.encode('the', { bos: true, eos: true })]).toEqual([1, id(' the'), 2]);
    expect([...tok.encode('ab')]).toEqual([id(' '), id('ab')]);
    expect([...tok.encode('a')]).toEqual([id(' a')]);
    expect([...tok.encode('')]).toEqual([]);
    expect([...tok.encode('', { bos: true })]).toEqual([1]);
  });

  it('encode(text) falls back to byte ids (byte + 3) for characters without a piece', () => {
    expect([...tok.encode('z\n')]).toEqual([id(' '), 0x7a + 3, 0x0a + 3]);
    expect([...tok.encode('€')]).toEqual([id(' '), 0xe2 + 3, 0x82 + 3, 0xac + 3]);
    expect([...tok.encode('é!')]).toEqual([id(' '), id('é'), 0x21 + 3]);
  });

  it('decode(encode(s)) === s for ASCII, unicode and byte-fallback text', () => {
    fc.assert(fc.property(text, (s) => tok.decode(tok.encode(s, { bos: true })) === s));
  });

  it('decodeNext(prev, id) drops the leading space only after BOS and maps <0xNN> to a byte', () => {
    expect(utf8Decode(tok.decodeNext(1, id(' the')))).toBe('the');
    expect(utf8Decode(tok.decodeNext(5, id(' the')))).toBe(' the');
    expect([...tok.decodeNext(1, 0x0a + 3)]).toEqual([0x0a]);
    expect([...tok.decodeNext(1, 3)]).toEqual([]);
    expect(tok.piece(13)).toBe('<0x0A>');
  });

  it('rejects ids outside the vocabulary', () => {
    expect(() => tok.decode([9999])).toThrow(/token id 9999 is out of range/);
    expect(() => tok.piece(-1)).toThrow(/out of range/);
  });
});

describe('SpmTokenizer (GGUF llama vocab)', () => {
  const pieces = llamaPieces();
  const meta = new Map<string, unknown>([
    ['tokenizer.ggml.model', 'llama'],
    ['tokenizer.ggml.tokens', pieces.map((p, i) => (i > 2 ? p.replaceAll(' ', '\u2581') : p))],
    ['tokenizer.ggml.scores', pieces.map((_, i) => (i < 259 ? 0 : -(i - 259)))],
    [
      'tokenizer.ggml.token_type',
      pieces.map((_, i) => (i === 0 ? 2 : i < 3 ? 3 : i < 259 ? 6 : 1)),
    ],
    ['tokenizer.ggml.bos_token_id', 1],
    ['tokenizer.ggml.eos_token_id', 2],
  ]);
  const spm = tokenizerFromGgufMetadata(meta);
  const ref = llama2c();

  it('tokenizerFromGgufMetadata({model: llama}) builds an SpmTokenizer', () => {
    expect(spm).toBeInstanceOf(SpmTokenizer);
    expect(spm.bosId).toBe(1);
    expect(spm.vocabSize).toBe(pieces.length);
  });

  it('encode(text) agrees with the llama2.c encoder on text whose characters all have pieces', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom(...'ab the'.split('')), maxLength: 30 }),
        (s) => {
          expect([...spm.encode(s, { bos: true })]).toEqual([...ref.encode(s, { bos: true })]);
        },
      ),
    );
  });

  it('decode(encode(s)) === s, and control tokens decode to nothing', () => {
    fc.assert(fc.property(text, (s) => spm.decode(spm.encode(s, { bos: true, eos: true })) === s));
    expect(spm.piece(259 + MERGED.indexOf(' the'))).toBe('\u2581the');
  });
});

describe('BpeTokenizer (GGUF gpt2 vocab)', () => {
  const alphabet = byteToUnicode();
  const merges = ['Ġ t', 'h e', 'Ġt he', 'a b', 'Ã ©'];
  const tokens = [...alphabet, 'Ġt', 'he', 'Ġthe', 'ab', 'Ã©', '<|endoftext|>'];
  const bpe = tokenizerFromGgufMetadata({
    'tokenizer.ggml.model': 'gpt2',
    'tokenizer.ggml.tokens': tokens,
    'tokenizer.ggml.merges': merges,
    'tokenizer.ggml.token_type': tokens.map((_, i) => (i === tokens.length - 1 ? 3 : 1)),
    'tokenizer.ggml.bos_token_id': tokens.length - 1,
    'tokenizer.ggml.eos_token_id': tokens.length - 1,
  });

  it('byteToUnicode() maps space to Ġ and is a bijection onto 256 characters', () => {
    expect(alphabet[0x20]).toBe('Ġ');
    expect(alphabet[0x41]).toBe('A');
    expect(new Set(alphabet).size).toBe(256);
  });

  it('encode(text) splits with the GPT-2 regex and merges by rank', () => {
    expect(bpe).toBeInstanceOf(BpeTokenizer);
    expect([...bpe.encode('the the')].map((i) => bpe.piece(i))).toEqual(['t', 'he', 'Ġthe']);
    expect([...bpe.encode('é ab')].map((i) => bpe.piece(i))).toEqual(['Ã©', 'Ġ', 'ab']);
    expect([...bpe.encode('ab', { bos: true })]).toEqual([tokens.length - 1, 256 + 3]);
  });

  it('decode(encode(s)) === s for any text', () => {
    fc.assert(fc.property(text, (s) => bpe.decode(bpe.encode(s, { bos: true })) === s));
  });

  it('tokenizerFromGgufMetadata rejects unknown models and pre-tokenizers by name', () => {
    expect(() =>
      tokenizerFromGgufMetadata({ 'tokenizer.ggml.model': 'rwkv', 'tokenizer.ggml.tokens': [] }),
    ).toThrow(/'rwkv'|"rwkv"/);
    expect(() => new BpeTokenizer({ tokens: ['a'], merges: [], pre: 'deepseek-coder' })).toThrow(
      /deepseek-coder.*gpt2/,
    );
    expect(() => tokenizerFromGgufMetadata({ 'tokenizer.ggml.model': 'llama' })).toThrow(
      /tokenizer.ggml.tokens/,
    );
  });
});

describe('mergeSymbols', () => {
  it('mergeSymbols(texts, priority) equals the quadratic best-pair rescan', () => {
    const priorities = new Map([
      ['ab', 3],
      ['bc', 3],
      ['ca', 1],
      ['aba', 5],
      ['abc', 2],
      ['cab', 4],
    ]);
    const priority = (l: string, r: string) => priorities.get(l + r);
    const naive = (texts: string[]) => {
      const t = texts.slice();
      for (;;) {
        let best = -1;
        for (let i = 0; i + 1 < t.length; i++) {
          const p = priority(t[i], t[i + 1]);
          if (p !== undefined && (best < 0 || p > priority(t[best], t[best + 1])!)) best = i;
        }
        if (best < 0) return t;
        t.splice(best, 2, t[best] + t[best + 1]);
      }
    };
    fc.assert(
      fc.property(fc.array(fc.constantFrom('a', 'b', 'c'), { maxLength: 30 }), (texts) => {
        expect(mergeSymbols(texts, priority)).toEqual(naive(texts));
      }),
    );
  });
});

describe('Utf8Stream', () => {
  it('push() holds back an unfinished character until its last byte arrives', () => {
    const s = new Utf8Stream();
    const bytes = utf8Encode('a€😀');
    const out = [...bytes].map((b) => s.push(Uint8Array.of(b)));
    expect(out.join('')).toBe('a€😀');
    expect(out[1]).toBe('');
    expect(s.push(Uint8Array.of(0xe2))).toBe('');
    expect(s.flush()).toBe('\ufffd');
  });

  it('utf8Decode(utf8Encode(s)) === s for well-formed strings', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme' }), (s) => utf8Decode(utf8Encode(s)) === s));
  });
});

it('TokenType has llama.cpp’s numbering', () => {
  expect(TokenType.byte).toBe(6);
  expect(TokenType.control).toBe(3);
});
