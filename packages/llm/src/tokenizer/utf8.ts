// UTF-8 conversion for the tokenizers: engines have no TextEncoder/TextDecoder in their lib.

/**
 * Decodes UTF-8 bytes to a string; invalid sequences become U+FFFD (one per maximal bad prefix).
 * @example utf8Decode(new Uint8Array([0xc3, 0xa9])) // 'é'
 */
export function utf8Decode(bytes: Uint8Array): string {
  let out = '';
  let i = 0;
  while (i < bytes.length) {
    const b0 = bytes[i];
    if (b0 < 0x80) {
      out += String.fromCharCode(b0);
      i++;
      continue;
    }
    let need = 0;
    let code = 0;
    let min = 0;
    if (b0 >= 0xc2 && b0 <= 0xdf) {
      need = 1;
      code = b0 & 0x1f;
      min = 0x80;
    } else if (b0 >= 0xe0 && b0 <= 0xef) {
      need = 2;
      code = b0 & 0x0f;
      min = 0x800;
    } else if (b0 >= 0xf0 && b0 <= 0xf4) {
      need = 3;
      code = b0 & 0x07;
      min = 0x10000;
    } else {
      out += '\ufffd';
      i++;
      continue;
    }
    let j = 1;
    for (; j <= need && i + j < bytes.length; j++) {
      const b = bytes[i + j];
      if ((b & 0xc0) !== 0x80) break;
      code = (code << 6) | (b & 0x3f);
    }
    if (j <= need || code < min || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) {
      out += '\ufffd';
      i += Math.max(1, j);
      continue;
    }
    out += String.fromCodePoint(code);
    i += need + 1;
  }
  return out;
}

/**
 * Encodes a string as UTF-8 (lone surrogates become U+FFFD, as TextEncoder does).
 * @example utf8Encode('é') // Uint8Array [0xc3, 0xa9]
 */
export function utf8Encode(text: string): Uint8Array {
  const out = new Uint8Array(text.length * 3);
  let pos = 0;
  for (let i = 0; i < text.length; i++) {
    let code = text.charCodeAt(i);
    if (code < 0x80) {
      out[pos++] = code;
      continue;
    }
    if (code >= 0xd800 && code <= 0xdfff) {
      const next = i + 1 < text.length ? text.charCodeAt(i + 1) : 0;
      if (code <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        code = 0x10000 + ((code - 0xd800) << 10) + (next - 0xdc00);
        i++;
      } else {
        code = 0xfffd;
      }
    }
    if (code < 0x800) {
      out[pos++] = 0xc0 | (code >> 6);
      out[pos++] = 0x80 | (code & 0x3f);
    } else if (code < 0x10000) {
      out[pos++] = 0xe0 | (code >> 12);
      out[pos++] = 0x80 | ((code >> 6) & 0x3f);
      out[pos++] = 0x80 | (code & 0x3f);
    } else {
      out[pos++] = 0xf0 | (code >> 18);
      out[pos++] = 0x80 | ((code >> 12) & 0x3f);
      out[pos++] = 0x80 | ((code >> 6) & 0x3f);
      out[pos++] = 0x80 | (code & 0x3f);
    }
  }
  return out.slice(0, pos);
}

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
