/**
 * The `--kl-divergence-base` file of llama.cpp's `llama-perplexity`, byte for byte (all integers
 * and floats little-endian):
 *
 * | offset | size | content |
 * | --- | --- | --- |
 * | 0 | 8 | magic `_logits_` (ASCII, no terminator) |
 * | 8 | 4 | n_ctx (int32; read back as uint32) |
 * | 12 | 4 | n_vocab (int32) |
 * | 16 | 4 | n_chunk (int32) |
 * | 20 | 4·n_ctx·n_chunk | the evaluated tokens (int32), as tokenized: chunk starts are NOT replaced by BOS |
 * | 20 + 4·n_ctx·n_chunk | n_chunk · S | per chunk, S = n_pos · nv · 2 bytes |
 *
 * with n_pos = n_ctx - 1 - floor(n_ctx / 2) scored positions per chunk and
 * nv = 2·ceil(n_vocab / 2) + 4 uint16 words per position: float32 scale (words 0-1), float32
 * min_log_prob (words 2-3), n_vocab uint16 codes, and one zero word of padding when n_vocab is odd.
 * A code c decodes to log p = float(float(scale · c) + min_log_prob).
 */

import { compressLogProbs, kldBaseRowWords } from './softmax.ts';

/** The 8-byte magic at offset 0. */
export const KLD_BASE_MAGIC = '_logits_';

/** Size of the fixed header before the token list, in bytes. */
export const KLD_BASE_HEADER_BYTES = 20;

/** Where each part of a KLD base file sits, from its header fields. */
export interface KldBaseLayout {
  /** Context length of each chunk (tokens). */
  nCtx: number;
  /** Vocabulary size (logits per position). */
  nVocab: number;
  /** Number of chunks stored. */
  nChunk: number;
  /** Scored positions per chunk: nCtx - 1 - floor(nCtx / 2). */
  nPositionsPerChunk: number;
  /** uint16 words per position record (llama.cpp's `nv`). */
  rowWords: number;
  /** Bytes per position record (2 · rowWords). */
  rowBytes: number;
  /** Bytes per chunk of records. */
  chunkBytes: number;
  /** Offset of the first chunk's records. */
  dataOffsetBytes: number;
  /** Size of the whole file. */
  totalBytes: number;
}

/**
 * Computes the layout of a KLD base file from its header fields.
 * @example kldBaseLayout(256, 512, 767).totalBytes // 101311516
 */
export function kldBaseLayout(nCtx: number, nVocab: number, nChunk: number): KldBaseLayout {
  const nPositionsPerChunk = nCtx - 1 - Math.floor(nCtx / 2);
  const rowWords = kldBaseRowWords(nVocab);
  const rowBytes = 2 * rowWords;
  const chunkBytes = nPositionsPerChunk * rowBytes;
  const dataOffsetBytes = KLD_BASE_HEADER_BYTES + 4 * nCtx * nChunk;
  return {
    nCtx,
    nVocab,
    nChunk,
    nPositionsPerChunk,
    rowWords,
    rowBytes,
    chunkBytes,
    dataOffsetBytes,
    totalBytes: dataOffsetBytes + nChunk * chunkBytes,
  };
}

/**
 * Encodes the header and token list of a KLD base file (everything before the first chunk).
 * `tokens` must hold at least nChunk · nCtx ids; the first nChunk · nCtx are written.
 * @example encodeKldBaseHeader({ nCtx: 256, nVocab: 512, nChunk: 767, tokens }).length // 785428
 */
export function encodeKldBaseHeader(header: {
  nCtx: number;
  nVocab: number;
  nChunk: number;
  tokens: Int32Array;
}): Uint8Array {
  const { nCtx, nVocab, nChunk, tokens } = header;
  const nTokens = nCtx * nChunk;
  if (tokens.length < nTokens) {
    throw new Error(
      `encodeKldBaseHeader: ${tokens.length} tokens given, expected at least ` +
        `nChunk × nCtx = ${nChunk} × ${nCtx} = ${nTokens}`,
    );
  }
  const bytes = new Uint8Array(KLD_BASE_HEADER_BYTES + 4 * nTokens);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < 8; i++) bytes[i] = KLD_BASE_MAGIC.charCodeAt(i);
  view.setInt32(8, nCtx, true);
  view.setInt32(12, nVocab, true);
  view.setInt32(16, nChunk, true);
  for (let i = 0; i < nTokens; i++) view.setInt32(KLD_BASE_HEADER_BYTES + 4 * i, tokens[i], true);
  return bytes;
}

/**
 * Compresses one chunk's scored positions into its KLD base records and returns them with each
 * position's NLL (computed in float, as llama.cpp's base run does). `logits` holds the rows for
 * positions floor(nCtx/2) … nCtx-1 starting at `offset` (row j at offset + j·nVocab);
 * `chunkTokens` are the chunk's nCtx original tokens (position j predicts chunkTokens[first+j+1]).
 * @example encodeKldBaseChunk(logits, 0, 256, 512, tokens.subarray(0, 256)).bytes.length // 131064
 */
export function encodeKldBaseChunk(
  logits: Float32Array,
  offset: number,
  nCtx: number,
  nVocab: number,
  chunkTokens: Int32Array,
): { bytes: Uint8Array; nll: Float64Array } {
  const layout = kldBaseLayout(nCtx, nVocab, 1);
  const first = Math.floor(nCtx / 2);
  const bytes = new Uint8Array(layout.chunkBytes);
  const view = new DataView(bytes.buffer);
  const nll = new Float64Array(layout.nPositionsPerChunk);
  for (let j = 0; j < layout.nPositionsPerChunk; j++) {
    const tok = chunkTokens[first + j + 1];
    nll[j] = compressLogProbs(logits, offset + j * nVocab, nVocab, tok, view, j * layout.rowBytes);
  }
  return { bytes, nll };
}

/**
 * What readKldBase reads from: a file handle, an HTTP range reader or a Blob wrapper. Looser than
 * weights' ByteSource (the size may be unknown, reads may be synchronous), which also fits here.
 */
export interface KldBaseSource {
  /** Total size in bytes when known; enables truncation and trailing-byte checks up front. */
  readonly sizeBytes?: number;
  /** Returns `lengthBytes` bytes from `offsetBytes` (fewer only at the end of the data). */
  read(offsetBytes: number, lengthBytes: number): Uint8Array | Promise<Uint8Array>;
}

/** One chunk of a KLD base file, decoded. */
export interface KldBaseChunk {
  /** Chunk index (0-based). */
  chunkIndex: number;
  /** Scored positions in the chunk. */
  nPositions: number;
  /** Per position: the float scale of its codes. */
  scale: Float32Array;
  /** Per position: the float log-prob of code 0. */
  minLogProb: Float32Array;
  /** nPositions × nVocab uint16 codes, row-major, padding removed. */
  codes: Uint16Array;
}

/** An opened KLD base file: header fields, tokens, and per-chunk access. */
export interface KldBaseReader extends KldBaseLayout {
  /** The nChunk · nCtx evaluated tokens, as stored (chunk starts not replaced by BOS). */
  tokens: Int32Array;
  /** Reads and decodes chunk `chunkIndex` (0-based). */
  readChunk(chunkIndex: number): Promise<KldBaseChunk>;
}

const MAX_DIMENSION = 1 << 24;

/**
 * Opens a KLD base file (bytes or a random-access source), validating the header, the token ids
 * and (when the size is known) the total length; errors name the byte offset at fault.
 * @example const base = await readKldBase(bytes); const c0 = await base.readChunk(0)
 */
export async function readKldBase(source: Uint8Array | KldBaseSource): Promise<KldBaseReader> {
  const src: KldBaseSource =
    source instanceof Uint8Array
      ? { sizeBytes: source.length, read: (o, n) => source.subarray(o, o + n) }
      : source;
  const size = src.sizeBytes;
  if (size !== undefined && size < KLD_BASE_HEADER_BYTES) {
    throw new Error(
      `KLD base: the file is ${size} bytes; its header needs ${KLD_BASE_HEADER_BYTES} ` +
        `(magic '${KLD_BASE_MAGIC}', n_ctx, n_vocab, n_chunk)`,
    );
  }
  const head = await readExact(src, 0, KLD_BASE_HEADER_BYTES, 'the header');
  const magic = String.fromCharCode(...head.subarray(0, 8));
  if (magic !== KLD_BASE_MAGIC) {
    throw new Error(
      `KLD base: offset 0: expected magic '${KLD_BASE_MAGIC}', found ${JSON.stringify(magic)}; ` +
        'this is not a llama-perplexity --kl-divergence-base file',
    );
  }
  const hv = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const nCtx = hv.getUint32(8, true);
  const nVocab = hv.getInt32(12, true);
  const nChunk = hv.getInt32(16, true);
  if (nCtx < 3 || nCtx > MAX_DIMENSION) {
    throw new Error(`KLD base: offset 8: n_ctx = ${nCtx}, expected 3 … ${MAX_DIMENSION}`);
  }
  if (nVocab < 1 || nVocab > MAX_DIMENSION) {
    throw new Error(`KLD base: offset 12: n_vocab = ${nVocab}, expected 1 … ${MAX_DIMENSION}`);
  }
  if (nChunk < 0) throw new Error(`KLD base: offset 16: n_chunk = ${nChunk}, expected ≥ 0`);
  const layout = kldBaseLayout(nCtx, nVocab, nChunk);
  if (!Number.isSafeInteger(layout.totalBytes)) {
    throw new Error(`KLD base: header n_ctx ${nCtx}, n_chunk ${nChunk} imply an impossible size`);
  }
  if (size !== undefined && size !== layout.totalBytes) {
    if (size < layout.totalBytes) {
      const complete = Math.max(
        0,
        Math.floor((size - layout.dataOffsetBytes) / Math.max(1, layout.chunkBytes)),
      );
      const where =
        size < layout.dataOffsetBytes
          ? `the token list (offsets 20 … ${layout.dataOffsetBytes - 1}) is cut at offset ${size}`
          : `chunk ${complete} (from offset ${layout.dataOffsetBytes + complete * layout.chunkBytes}) is incomplete`;
      throw new Error(
        `KLD base: the file is truncated: ${size} bytes, expected ${layout.totalBytes} ` +
          `(header + ${nChunk} chunks of ${layout.chunkBytes} bytes); ${where}`,
      );
    }
    throw new Error(
      `KLD base: ${size - layout.totalBytes} unexpected trailing bytes from offset ` +
        `${layout.totalBytes} (n_chunk = ${nChunk} chunks end there)`,
    );
  }
  const tokenBytes = await readExact(
    src,
    KLD_BASE_HEADER_BYTES,
    4 * nCtx * nChunk,
    'the token list',
  );
  const tv = new DataView(tokenBytes.buffer, tokenBytes.byteOffset, tokenBytes.byteLength);
  const tokens = new Int32Array(nCtx * nChunk);
  for (let i = 0; i < tokens.length; i++) {
    const t = tv.getInt32(4 * i, true);
    if (t < 0 || t >= nVocab) {
      throw new Error(
        `KLD base: offset ${KLD_BASE_HEADER_BYTES + 4 * i}: token ${i} (chunk ` +
          `${Math.floor(i / nCtx)}, position ${i % nCtx}) is ${t}, outside the vocabulary ` +
          `[0, ${nVocab})`,
      );
    }
    tokens[i] = t;
  }

  async function readChunk(chunkIndex: number): Promise<KldBaseChunk> {
    if (!Number.isInteger(chunkIndex) || chunkIndex < 0 || chunkIndex >= nChunk) {
      throw new Error(`KLD base: chunk ${chunkIndex} does not exist (the file has ${nChunk})`);
    }
    const start = layout.dataOffsetBytes + chunkIndex * layout.chunkBytes;
    const bytes = await readExact(src, start, layout.chunkBytes, `chunk ${chunkIndex}`);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const n = layout.nPositionsPerChunk;
    const scale = new Float32Array(n);
    const minLogProb = new Float32Array(n);
    const codes = new Uint16Array(n * nVocab);
    for (let j = 0; j < n; j++) {
      const row = j * layout.rowBytes;
      const s = view.getFloat32(row, true);
      const m = view.getFloat32(row + 4, true);
      if (!(s >= 0 && s < Number.POSITIVE_INFINITY) || !Number.isFinite(m)) {
        throw new Error(
          `KLD base: offset ${start + row}: chunk ${chunkIndex} position ${j} has scale ${s} ` +
            `and min_log_prob ${m}; expected a finite scale ≥ 0 and a finite min_log_prob`,
        );
      }
      scale[j] = s;
      minLogProb[j] = m;
      const out = j * nVocab;
      for (let i = 0; i < nVocab; i++) codes[out + i] = view.getUint16(row + 8 + 2 * i, true);
    }
    return { chunkIndex, nPositions: n, scale, minLogProb, codes };
  }

  return { ...layout, tokens, readChunk };
}

async function readExact(
  src: KldBaseSource,
  offset: number,
  length: number,
  what: string,
): Promise<Uint8Array> {
  const bytes = await src.read(offset, length);
  if (bytes.length < length) {
    throw new Error(
      `KLD base: the file ends inside ${what}: wanted ${length} bytes at offset ${offset}, ` +
        `got ${bytes.length} (it ends at offset ${offset + bytes.length})`,
    );
  }
  return bytes.length === length ? bytes : bytes.subarray(0, length);
}
