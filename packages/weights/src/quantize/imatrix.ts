// llama.cpp's importance-matrix file (the legacy `.dat` written by llama-imatrix and read by
// llama-quantize --imatrix): per tensor, the mean of x² of its input column over the calibration
// text, times the number of calls; llama-quantize divides by that count again on load.

import { WeightsFormatError } from '../errors.ts';
import { utf8Decode, utf8Encode } from '../utf8.ts';

/** An importance matrix: one weight per input column, by tensor name. */
export interface ImatrixFile {
  readonly entries: ReadonlyMap<string, Float32Array>;
  /** Number of chunks the matrix was computed over, when the file records it. */
  readonly lastCall?: number;
  /** The calibration text's file name, when the file records it. */
  readonly dataset?: string;
}

/**
 * Parses a llama.cpp legacy imatrix file (int32 n_entries; per entry int32 name length, name,
 * int32 ncall, int32 nval, nval float32; then optionally int32 last_call, int32 length, dataset
 * name), dividing each entry by its ncall exactly as llama-quantize does.
 * @example readImatrixDat(bytes).entries.get('blk.0.attn_q.weight')
 */
export function readImatrixDat(bytes: Uint8Array): ImatrixFile {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = 0;
  const need = (n: number, what: string) => {
    if (pos + n > bytes.length) {
      throw new WeightsFormatError(
        `imatrix: file ends at byte ${bytes.length} inside ${what} at byte offset ${pos}; expected ${n} more bytes`,
        pos,
        what,
      );
    }
  };
  const int32 = (what: string) => {
    need(4, what);
    const v = view.getInt32(pos, true);
    pos += 4;
    return v;
  };
  const nEntries = int32('the entry count');
  // Each entry takes at least 12 bytes, so a count beyond that is corrupt (and never allocated).
  if (nEntries < 0 || nEntries > (bytes.length - 4) / 12) {
    throw new WeightsFormatError(
      `imatrix: entry count ${nEntries} at byte offset 0 does not fit a ${bytes.length}-byte file`,
      0,
      'a plausible entry count',
    );
  }
  const entries = new Map<string, Float32Array>();
  for (let e = 0; e < nEntries; e++) {
    const len = int32('a name length');
    if (len <= 0 || len > 4096) {
      throw new WeightsFormatError(
        `imatrix: name length ${len} at byte offset ${pos - 4}; expected 1..4096`,
        pos - 4,
        'a name length of 1..4096',
      );
    }
    need(len, 'a tensor name');
    const name = utf8Decode(bytes.subarray(pos, pos + len));
    pos += len;
    const ncall = int32('a call count');
    const nval = int32('a value count');
    if (nval < 0 || nval * 4 > bytes.length - pos) {
      throw new WeightsFormatError(
        `imatrix: value count ${nval} for '${name}' at byte offset ${pos - 4} runs past the end`,
        pos - 4,
        'a value count that fits the file',
      );
    }
    const values = new Float32Array(nval);
    for (let i = 0; i < nval; i++) values[i] = view.getFloat32(pos + 4 * i, true);
    pos += 4 * nval;
    if (ncall > 0) for (let i = 0; i < nval; i++) values[i] = Math.fround(values[i] / ncall);
    entries.set(name, values);
  }
  if (pos + 4 > bytes.length) return { entries };
  const lastCall = int32('the chunk count');
  if (pos + 4 > bytes.length) return { entries, lastCall };
  const len = int32('the dataset name length');
  if (len < 0 || pos + len > bytes.length) return { entries, lastCall };
  const dataset = utf8Decode(bytes.subarray(pos, pos + len));
  return { entries, lastCall, dataset };
}

/**
 * Writes an imatrix in llama.cpp's legacy format; values are stored multiplied by `ncall` the way
 * llama-imatrix stores its sums, so readImatrixDat returns them unchanged.
 * @example writeImatrixDat(new Map([['w', new Float32Array([1, 2])]]), { ncall: 1 })
 */
export function writeImatrixDat(
  entries: ReadonlyMap<string, Float32Array>,
  options: { readonly ncall?: number; readonly dataset?: string } = {},
): Uint8Array {
  const ncall = options.ncall ?? 1;
  const dataset = utf8Encode(options.dataset ?? '');
  let size = 4 + 8 + dataset.length;
  const names = [...entries.keys()].map((n) => utf8Encode(n));
  names.forEach((n, i) => {
    size += 12 + n.length + 4 * [...entries.values()][i].length;
  });
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  let pos = 0;
  view.setInt32(pos, entries.size, true);
  pos += 4;
  let i = 0;
  for (const values of entries.values()) {
    const name = names[i++];
    view.setInt32(pos, name.length, true);
    out.set(name, pos + 4);
    pos += 4 + name.length;
    view.setInt32(pos, ncall, true);
    view.setInt32(pos + 4, values.length, true);
    pos += 8;
    for (const v of values) {
      view.setFloat32(pos, Math.fround(v * ncall), true);
      pos += 4;
    }
  }
  view.setInt32(pos, ncall, true);
  view.setInt32(pos + 4, dataset.length, true);
  out.set(dataset, pos + 8);
  return out;
}
