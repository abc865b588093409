/**
 * Encodes `text` as UTF-8 into `out` starting at byte 0 and returns the byte length, or -1 when
 * `out` is too small. Lone surrogates become U+FFFD, as TextEncoder does.
 * @example encodeUtf8Into('é', new Uint8Array(4)) // 2 (bytes 0xc3 0xa9)
 */
export function encodeUtf8Into(text: string, out: Uint8Array): number {
  let pos = 0;
  const cap = out.length;
  for (let i = 0; i < text.length; i++) {
    let code = text.charCodeAt(i);
    if (code < 0x80) {
      if (pos >= cap) return -1;
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
      if (pos + 2 > cap) return -1;
      out[pos++] = 0xc0 | (code >> 6);
      out[pos++] = 0x80 | (code & 0x3f);
    } else if (code < 0x10000) {
      if (pos + 3 > cap) return -1;
      out[pos++] = 0xe0 | (code >> 12);
      out[pos++] = 0x80 | ((code >> 6) & 0x3f);
      out[pos++] = 0x80 | (code & 0x3f);
    } else {
      if (pos + 4 > cap) return -1;
      out[pos++] = 0xf0 | (code >> 18);
      out[pos++] = 0x80 | ((code >> 12) & 0x3f);
      out[pos++] = 0x80 | ((code >> 6) & 0x3f);
      out[pos++] = 0x80 | (code & 0x3f);
    }
  }
  return pos;
}

let scratch = new Uint8Array(256);

/**
 * The UTF-8 bytes of `text` in a shared scratch buffer (valid until the next call) and their length.
 * Used by hot paths that hash strings without allocating per key.
 */
export function utf8Scratch(text: string): { bytes: Uint8Array; length: number } {
  if (text.length * 3 > scratch.length) scratch = new Uint8Array(text.length * 3);
  const length = encodeUtf8Into(text, scratch);
  return { bytes: scratch, length };
}
