/** Little-endian helpers shared by the llama2.c readers and writers. */

const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/**
 * `count` float32 values starting at `offsetBytes` of `bytes`: a zero-copy view when the data is
 * 4-byte aligned on a little-endian host, else a copy.
 * @example float32At(bytes, 28, 64).length // 64
 */
export function float32At(bytes: Uint8Array, offsetBytes: number, count: number): Float32Array {
  const absolute = bytes.byteOffset + offsetBytes;
  if (LITTLE_ENDIAN_HOST && absolute % 4 === 0) {
    return new Float32Array(bytes.buffer, absolute, count);
  }
  const out = new Float32Array(count);
  const view = new DataView(bytes.buffer, absolute, count * 4);
  for (let i = 0; i < count; i++) out[i] = view.getFloat32(i * 4, true);
  return out;
}

/**
 * A DataView over the whole of `bytes` (same memory).
 * @example dataView(bytes).getInt32(0, true)
 */
export function dataView(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
