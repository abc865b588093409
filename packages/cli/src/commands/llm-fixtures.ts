// A tiny random llama2.c model with its tokenizer (and the same model as GGUF), as files, for the
// tests of the model verbs (generate, tokenize, perplexity).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  llama2cToGguf,
  readLlama2cCheckpoint,
  readLlama2cTokenizer,
  writeGguf,
  writeLlama2cCheckpoint,
  writeLlama2cTokenizer,
} from '@explorables/weights';

/** A tiny random llama2.c model (vocab 300 with byte fallback) and its tokenizer, as files. */
export function tinyModelFiles(
  dir: string,
  vocab = 300,
): { model: string; tok: string; gguf: string } {
  let s = 12345;
  const rand = (n: number, scale: number) =>
    Float32Array.from({ length: n }, () => {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      return ((s / 2 ** 32) * 2 - 1) * scale;
    });
  const [dim, hidden, layers, kv] = [16, 32, 1, 8];
  const per = (n: number, scale: number) => Array.from({ length: layers }, () => rand(n, scale));
  const norms = () => Array.from({ length: layers }, () => rand(dim, 0.1).map((v) => 1 + v));
  const emb = rand(vocab * dim, 1);
  const checkpoint = writeLlama2cCheckpoint({
    config: {
      dim,
      hiddenDim: hidden,
      nLayers: layers,
      nHeads: 2,
      nKvHeads: 1,
      vocabSize: vocab,
      seqLen: 64,
      sharedClassifier: true,
    },
    tensors: {
      tokenEmbedding: emb,
      rmsAtt: norms(),
      wq: per(dim * dim, 0.3),
      wk: per(kv * dim, 0.3),
      wv: per(kv * dim, 0.3),
      wo: per(dim * dim, 0.3),
      rmsFfn: norms(),
      w1: per(hidden * dim, 0.3),
      w2: per(dim * hidden, 0.2),
      w3: per(hidden * dim, 0.3),
      rmsFinal: rand(dim, 0.1).map((v) => 1 + v),
      wcls: emb,
    },
  });
  const pieces = ['<unk>', '\n<s>\n', '\n</s>\n'];
  for (let b = 0; b < 256; b++) pieces.push(`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`);
  pieces.push(' ');
  for (let c = 0; pieces.length < vocab; c++) {
    const letter = String.fromCharCode(97 + (c % 26));
    pieces.push(c < 26 ? letter : ` ${letter}`);
  }
  const tok = writeLlama2cTokenizer({
    pieces,
    scores: pieces.map((_, i) => (i < 259 ? 0 : 259 - i)),
  });
  const paths = {
    model: join(dir, 'tiny.bin'),
    tok: join(dir, 'tiny-tok.bin'),
    gguf: join(dir, 'tiny.gguf'),
  };
  writeFileSync(paths.model, checkpoint);
  writeFileSync(paths.tok, tok);
  const gguf = writeGguf(
    llama2cToGguf(readLlama2cCheckpoint(checkpoint), readLlama2cTokenizer(tok, vocab)),
  );
  writeFileSync(paths.gguf, gguf);
  return paths;
}
