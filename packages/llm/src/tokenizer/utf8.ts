// UTF-8 conversion for the tokenizers: engines have no TextEncoder/TextDecoder in their lib.

import { utf8Decode } from '@explorables/weights';

// Lenient UTF-8 (bad sequences become U+FFFD), shared with the llama2.c tokenizer reader.
export { utf8Decode, utf8Encode } from '@explorables/weights';

/**
 * Concatenates byte chunks into one array.
 * @example concatBytes([Uint8Array.of(1), Uint8Array.of(2)]) // Uint8Array [1, 2]
 */
export function concatBytes(chunks: readonly Uint8Array[]): Uint8Array {
  let size = 0;
  for (const c of chunks) size += c.length;
  const out = new Uint8Array(size);
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.length;
  }
  return out;
}

/**
 * Incremental UTF-8 decoding: push byte chunks, get back the complete characters so far; an
 * unfinished multi-byte character waits for the next chunk.
 * @example const s = new Utf8Stream(); s.push(Uint8Array.of(0xc3)) + s.push(Uint8Array.of(0xa9)) // 'é'
 */
export class Utf8Stream {
  private pending = new Uint8Array(0);

  /**
   * Decodes `bytes` after any held-back bytes; returns the text of the complete characters.
   * @example stream.push(Uint8Array.of(0x41)) // 'A'
   */
  push(bytes: Uint8Array): string {
    const all = this.pending.length === 0 ? bytes : concatBytes([this.pending, bytes]);
    const cut = completeLength(all);
    this.pending = all.slice(cut);
    return utf8Decode(all.subarray(0, cut));
  }

  /**
   * Returns held-back bytes of an unfinished character as U+FFFD and empties the stream.
   * @example stream.flush() // ''
   */
  flush(): string {
    const rest = this.pending;
    this.pending = new Uint8Array(0);
    return utf8Decode(rest);
  }
}

/** Length of the prefix of `bytes` that does not end inside an unfinished UTF-8 sequence. */
function completeLength(bytes: Uint8Array): number {
  const n = bytes.length;
  for (let back = 1; back <= Math.min(3, n); back++) {
    const b = bytes[n - back];
    if ((b & 0xc0) === 0x80) continue;
    const need =
      b >= 0xf0 && b <= 0xf4 ? 4 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xc2 && b <= 0xdf ? 2 : 1;
    return need > back ? n - back : n;
  }
  return n;
}
