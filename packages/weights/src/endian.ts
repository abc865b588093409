/** True on little-endian hosts (all common ones), where typed arrays match file byte order. */
export const HOST_IS_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Copies `count` little-endian items of `itemSizeBytes` each, starting at `bytes[start]`, into a
 * fresh ArrayBuffer in host byte order, ready to wrap in a typed array (bits preserved, NaN
 * payloads included).
 * @example new Float32Array(copyLittleEndian(bytes, 16, 3, 4)) // three float32 values
 */
export function copyLittleEndian(
  bytes: Uint8Array,
  start: number,
  count: number,
  itemSizeBytes: number,
): ArrayBuffer {
  const copy = bytes.slice(start, start + count * itemSizeBytes);
  if (!HOST_IS_LITTLE_ENDIAN && itemSizeBytes > 1) reverseItems(copy, itemSizeBytes);
  return copy.buffer;
}

/**
 * The little-endian bytes of a typed array's items (a view when the host is little-endian, else a
 * byte-swapped copy).
 * @example littleEndianBytes(new Uint16Array([1])) // Uint8Array [1, 0]
 */
export function littleEndianBytes(
  items: ArrayBufferView & { BYTES_PER_ELEMENT: number },
): Uint8Array {
  const view = new Uint8Array(items.buffer, items.byteOffset, items.byteLength);
  if (HOST_IS_LITTLE_ENDIAN || items.BYTES_PER_ELEMENT === 1) return view;
  const copy = view.slice();
  reverseItems(copy, items.BYTES_PER_ELEMENT);
  return copy;
}

function reverseItems(bytes: Uint8Array, itemSizeBytes: number): void {
  for (let i = 0; i < bytes.length; i += itemSizeBytes) {
    bytes.subarray(i, i + itemSizeBytes).reverse();
  }
}
