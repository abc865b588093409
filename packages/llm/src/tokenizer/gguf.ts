import { BpeTokenizer } from './bpe.ts';
import { SpmTokenizer } from './spm.ts';
import type { Tokenizer } from './types.ts';

/** GGUF metadata as a plain map or object (values as a GGUF reader would return them). */
export type GgufMetadata = ReadonlyMap<string, unknown> | Readonly<Record<string, unknown>>;

function getter(meta: GgufMetadata): (key: string) => unknown {
  if (meta instanceof Map) return (key) => meta.get(key);
  const record = meta as Readonly<Record<string, unknown>>;
  return (key) => (Object.hasOwn(record, key) ? record[key] : undefined);
}

function stringArray(value: unknown, key: string): string[] {
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
    throw new Error(`GGUF metadata ${key}: expected an array of strings`);
  }
  return value as string[];
}

function numberArray(value: unknown, key: string, length: number): ArrayLike<number> {
  const ok =
    (Array.isArray(value) && value.every((v) => typeof v === 'number')) ||
    ArrayBuffer.isView(value);
  if (!ok) throw new Error(`GGUF metadata ${key}: expected an array of numbers`);
  const arr = value as ArrayLike<number>;
  if (arr.length !== length) {
    throw new Error(
      `GGUF metadata ${key}: ${arr.length} entries; expected ${length} (one per token)`,
    );
  }
  return arr;
}

function optionalId(value: unknown, key: string): number | undefined {
  if (value === undefined) return undefined;
  const n = typeof value === 'bigint' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n)) {
    throw new Error(`GGUF metadata ${key}: expected an integer token id, got ${String(value)}`);
  }
  return n;
}

/**
 * Builds the tokenizer described by GGUF `tokenizer.ggml.*` metadata: model 'llama'
 * (SentencePiece-style, tokens/scores/token_type) or 'gpt2' (byte-level BPE, tokens/merges,
 * pre-tokenizer from `tokenizer.ggml.pre`: gpt2, llama3/llama-bpe, qwen2). Other models throw.
 * @example tokenizerFromGgufMetadata(new Map([['tokenizer.ggml.model', 'llama'], ...]))
 */
export function tokenizerFromGgufMetadata(meta: GgufMetadata): Tokenizer {
  const get = getter(meta);
  const model = get('tokenizer.ggml.model');
  const tokens = stringArray(get('tokenizer.ggml.tokens'), 'tokenizer.ggml.tokens');
  const typesValue = get('tokenizer.ggml.token_type');
  const tokenTypes =
    typesValue === undefined
      ? undefined
      : numberArray(typesValue, 'tokenizer.ggml.token_type', tokens.length);
  const bosId = optionalId(get('tokenizer.ggml.bos_token_id'), 'tokenizer.ggml.bos_token_id');
  const eosId = optionalId(get('tokenizer.ggml.eos_token_id'), 'tokenizer.ggml.eos_token_id');
  if (model === 'llama') {
    const scoresValue = get('tokenizer.ggml.scores');
    const scores =
      scoresValue === undefined
        ? new Float32Array(tokens.length)
        : numberArray(scoresValue, 'tokenizer.ggml.scores', tokens.length);
    const prefix = get('tokenizer.ggml.add_space_prefix');
    return new SpmTokenizer({
      tokens,
      scores,
      tokenTypes,
      bosId: bosId ?? 1,
      eosId: eosId ?? 2,
      unknownId: optionalId(get('tokenizer.ggml.unknown_token_id'), 'unknown_token_id') ?? 0,
      addSpacePrefix: prefix === undefined ? true : prefix === true,
    });
  }
  if (model === 'gpt2') {
    const pre = get('tokenizer.ggml.pre');
    return new BpeTokenizer({
      tokens,
      merges: stringArray(get('tokenizer.ggml.merges'), 'tokenizer.ggml.merges'),
      tokenTypes,
      bosId,
      eosId,
      pre: typeof pre === 'string' ? pre : undefined,
    });
  }
  throw new Error(
    `GGUF metadata tokenizer.ggml.model is ${JSON.stringify(model)}; supported: 'llama', 'gpt2'`,
  );
}
