import { WeightsFormatError } from '../errors.ts';
import { utf8Decode, utf8Encode } from '../utf8.ts';
import { dataView } from './bytes.ts';

/** A llama2.c tokenizer.bin: per id, the piece's raw bytes and its merge score. */
export interface Llama2cTokenizerFile {
  /** The header's max_token_length (bytes); run.c sizes its merge buffer from it. */
  maxTokenLength: number;
  /** Each piece decoded as UTF-8 (invalid bytes become U+FFFD; use pieceBytes for exact data). */
  pieces: string[];
  /** Each piece's raw bytes as stored. */
  pieceBytes: Uint8Array[];
  /** Each piece's score (higher merges first). */
  scores: Float32Array;
}

/**
 * Parses a llama2.c tokenizer file (int32 max_token_length, then per id: float32 score, int32
 * length, length bytes) holding exactly `vocabSize` entries; every length is checked against the
 * bytes left before anything is sliced.
 * @example readLlama2cTokenizer(tok512Bytes, 512).pieces[259] // ' t'
 */
export function readLlama2cTokenizer(bytes: Uint8Array, vocabSize: number): Llama2cTokenizerFile {
  if (!Number.isInteger(vocabSize) || vocabSize <= 0) {
    throw new Error(`llama2.c tokenizer: vocabSize is ${vocabSize}; expected a positive integer`);
  }
  if (bytes.byteLength < 4 + 8 * vocabSize) {
    throw new WeightsFormatError(
      `llama2.c tokenizer: file is ${bytes.byteLength} bytes`,
      bytes.byteLength,
      `at least ${4 + 8 * vocabSize} bytes, which ${vocabSize} entries need`,
    );
  }
  const view = dataView(bytes);
  const maxTokenLength = view.getInt32(0, true);
  if (maxTokenLength < 0) {
    throw new WeightsFormatError(
      `llama2.c tokenizer: max_token_length is ${maxTokenLength}`,
      0,
      'a length >= 0',
    );
  }
  const scores = new Float32Array(vocabSize);
  const pieceBytes: Uint8Array[] = [];
  const pieces: string[] = [];
  let offset = 4;
  for (let id = 0; id < vocabSize; id++) {
    if (offset + 8 > bytes.byteLength) {
      throw new WeightsFormatError(
        `llama2.c tokenizer: entry ${id} is cut off (${bytes.byteLength - offset} bytes left)`,
        offset,
        '8 bytes (score, length)',
      );
    }
    scores[id] = view.getFloat32(offset, true);
    const length = view.getInt32(offset + 4, true);
    offset += 8;
    if (length < 0 || length > bytes.byteLength - offset) {
      throw new WeightsFormatError(
        `llama2.c tokenizer: entry ${id} has length ${length}`,
        offset - 4,
        `a length in 0..${bytes.byteLength - offset} (the bytes left)`,
      );
    }
    const raw = bytes.slice(offset, offset + length);
    pieceBytes.push(raw);
    pieces.push(utf8Decode(raw));
    offset += length;
  }
  if (offset !== bytes.byteLength) {
    throw new WeightsFormatError(
      `llama2.c tokenizer: ${bytes.byteLength - offset} bytes left after ${vocabSize} entries`,
      offset,
      'the end of the file (is vocabSize right?)',
    );
  }
  return { maxTokenLength, pieces, pieceBytes, scores };
}

/**
 * Serialises pieces (strings as UTF-8, or raw bytes) and scores into llama2.c's tokenizer format;
 * max_token_length defaults to the longest piece in bytes.
 * @example writeLlama2cTokenizer({ pieces: ['<unk>', 'a'], scores: [0, -1] })
 */
export function writeLlama2cTokenizer(tokenizer: {
  pieces?: readonly string[];
  pieceBytes?: readonly Uint8Array[];
  scores: ArrayLike<number>;
  maxTokenLength?: number;
}): Uint8Array {
  const raw = tokenizer.pieceBytes ?? (tokenizer.pieces ?? []).map(utf8Encode);
  if (raw.length !== tokenizer.scores.length) {
    throw new Error(
      `llama2.c tokenizer writer: ${raw.length} pieces but ${tokenizer.scores.length} scores`,
    );
  }
  let size = 4;
  let longest = 0;
  for (const r of raw) {
    size += 8 + r.length;
    longest = Math.max(longest, r.length);
  }
  const out = new Uint8Array(size);
  const view = dataView(out);
  view.setInt32(0, tokenizer.maxTokenLength ?? longest, true);
  let offset = 4;
  for (let i = 0; i < raw.length; i++) {
    view.setFloat32(offset, tokenizer.scores[i], true);
    view.setInt32(offset + 4, raw[i].length, true);
    out.set(raw[i], offset + 8);
    offset += 8 + raw[i].length;
  }
  return out;
}
