import {
  type ByteSource,
  bytesSource,
  LLAMA2C_MAGIC,
  readGguf,
  readLlama2cCheckpoint,
  WeightsFormatError,
} from '@explorables/weights';
import { tokenizerFromGgufMetadata } from '../tokenizer/gguf.ts';
import type { Tokenizer } from '../tokenizer/types.ts';
import { loadGguf, plainGgufMetadata } from './gguf.ts';
import { llama2cTokenizerFor, loadLlama2c, MISSING_LLAMA2C_TOKENIZER } from './llama2c.ts';
import type { LoadedModel, LoadModelOptions, ModelFormat } from './types.ts';

/** What the first bytes of a file say it is. */
export type SniffedFormat = ModelFormat | 'llama2c-ak42' | 'safetensors';

/**
 * Tells a model file's container from its first bytes: 'gguf' (magic "GGUF"), 'llama2c-ak42'
 * (llama2.c versions 1–2, magic "ak42"), 'safetensors' (8-byte header length, then '{'), else
 * 'llama2c' (the legacy headerless layout).
 * @example sniffModelFormat(new TextEncoder().encode('GGUF')) // 'gguf'
 */
export function sniffModelFormat(head: Uint8Array): SniffedFormat {
  if (head.length >= 4) {
    const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
    if (head[0] === 0x47 && head[1] === 0x47 && head[2] === 0x55 && head[3] === 0x46) return 'gguf';
    if (view.getUint32(0, true) === LLAMA2C_MAGIC) return 'llama2c-ak42';
    if (head.length >= 9 && head[8] === 0x7b && view.getUint32(4, true) === 0) return 'safetensors';
  }
  return 'llama2c';
}

function asSource(input: Uint8Array | ByteSource): ByteSource {
  return input instanceof Uint8Array ? bytesSource(input) : input;
}

async function readAll(input: Uint8Array | ByteSource, what: string): Promise<Uint8Array> {
  if (input instanceof Uint8Array) return input;
  const bytes = await input.read(0, input.sizeBytes);
  if (bytes.length !== input.sizeBytes) {
    throw new Error(`${what}: read ${bytes.length} of ${input.sizeBytes} bytes (the file shrank?)`);
  }
  return bytes;
}

/**
 * Opens a model for the engine: a GGUF (architecture 'llama'; every tensor dequantized to float32
 * through the quant package, F32/F16/BF16 and every quantized type it implements; outlier side
 * tables in the metadata applied; tokenizer from the metadata) or a llama2.c checkpoint (legacy or
 * "ak42", with its tokenizer.bin as options.tokenizer). Errors name what was wrong: a truncated
 * file (its size and the size expected), a tokenizer whose size differs from the model's
 * vocabulary (both numbers), an unsupported architecture or tensor type.
 * @example const { model, tokenizer, meta } = await loadModel(bytes, { tokenizer: tokBytes })
 */
export async function loadModel(
  input: Uint8Array | ByteSource,
  options: LoadModelOptions = {},
): Promise<LoadedModel> {
  const source = asSource(input);
  const head = await source.read(0, Math.min(16, source.sizeBytes));
  const format = sniffModelFormat(head);
  if (format === 'safetensors') {
    throw new Error(
      'this is a safetensors file; loadModel reads GGUF and llama2.c checkpoints (convert it to ' +
        'GGUF first)',
    );
  }
  const tokenizerBytes =
    options.tokenizer === undefined ? undefined : await readAll(options.tokenizer, 'tokenizer');
  if (format === 'gguf') {
    return loadGguf(source, options, async (vocabSize) =>
      tokenizerBytes === undefined ? undefined : llama2cTokenizerFor(tokenizerBytes, vocabSize),
    );
  }
  if (tokenizerBytes === undefined) {
    throw new Error(MISSING_LLAMA2C_TOKENIZER);
  }
  options.onProgress?.({
    phase: 'header',
    bytesRead: 0,
    totalBytes: source.sizeBytes,
    tensorsDone: 0,
    tensorCount: 0,
  });
  const bytes = await readAll(source, 'llama2.c checkpoint');
  return loadLlama2c(bytes, tokenizerBytes, options);
}

/** The result of loadTokenizer. */
export interface LoadedTokenizer {
  tokenizer: Tokenizer;
  /** The model's vocabulary size (the tokenizer was checked against it). */
  vocabSize: number;
  format: ModelFormat;
}

/**
 * Only the tokenizer of a model: from a GGUF's metadata (reading just the header, however large
 * the file), or for a llama2.c checkpoint its tokenizer.bin, checked against the vocabulary size
 * in the checkpoint's header.
 * @example const { tokenizer } = await loadTokenizer(ggufSource)
 */
export async function loadTokenizer(
  input: Uint8Array | ByteSource,
  options: Pick<LoadModelOptions, 'tokenizer'> = {},
): Promise<LoadedTokenizer> {
  const source = asSource(input);
  const head = await source.read(0, Math.min(16, source.sizeBytes));
  const format = sniffModelFormat(head);
  const tokenizerBytes =
    options.tokenizer === undefined ? undefined : await readAll(options.tokenizer, 'tokenizer');
  if (format === 'gguf') {
    let file: Awaited<ReturnType<typeof readGguf>>;
    try {
      file = await readGguf(source);
    } catch (error) {
      if (error instanceof WeightsFormatError) {
        throw new Error(`GGUF model is truncated or malformed: ${error.message}`);
      }
      throw error;
    }
    const meta = plainGgufMetadata(file);
    const rows = file.tensor('token_embd.weight')?.dims[1];
    const tokens = meta.get('tokenizer.ggml.tokens');
    const vocabSize = rows ?? (Array.isArray(tokens) ? tokens.length : 0);
    const tokenizer =
      tokenizerBytes === undefined
        ? tokenizerFromGgufMetadata(meta)
        : llama2cTokenizerFor(tokenizerBytes, vocabSize);
    if (tokenizer.vocabSize !== vocabSize) {
      throw new Error(
        `the tokenizer has ${tokenizer.vocabSize} tokens but the model's vocabulary is ` +
          `${vocabSize}; the tokenizer does not match the model`,
      );
    }
    return { tokenizer, vocabSize, format: 'gguf' };
  }
  if (format === 'safetensors') {
    throw new Error('this is a safetensors file; GGUF and llama2.c checkpoints carry a tokenizer');
  }
  if (tokenizerBytes === undefined) {
    throw new Error(MISSING_LLAMA2C_TOKENIZER);
  }
  let checkpoint: ReturnType<typeof readLlama2cCheckpoint>;
  try {
    checkpoint = readLlama2cCheckpoint(await readAll(source, 'llama2.c checkpoint'));
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new Error(`llama2.c checkpoint is truncated or malformed: ${why}`);
  }
  const vocabSize = checkpoint.config.vocabSize;
  return {
    tokenizer: llama2cTokenizerFor(tokenizerBytes, vocabSize),
    vocabSize,
    format: 'llama2c',
  };
}
