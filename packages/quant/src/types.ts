/**
 * One ggml tensor type: how many floats form a block, how many bytes a block takes, and its
 * reference quantizer and dequantizer. Rows are quantized on their own; blocks never straddle rows.
 */
export interface GgmlType {
  /** ggml's spelling: 'f32', 'f16', 'bf16', 'q8_0', 'q4_0', 'q4_K', 'mxfp4', 'iq4_nl', … */
  readonly name: string;
  /** The ggml_type enum value written in GGUF tensor infos. */
  readonly id: number;
  /** Elements per block (1 for f32/f16/bf16, 32, or 256 for K-quants). */
  readonly blockSize: number;
  /** Bytes per block. */
  readonly typeSizeBytes: number;
  /** Whether quantizeRow changes its output when given an importance matrix. */
  readonly usesImatrix: boolean;
  /**
   * Quantizes one row: `src.length` is a multiple of blockSize and `dst.length` is exactly
   * src.length / blockSize * typeSizeBytes. `imatrix` (one weight per column) is used when the type
   * supports it, exactly as ggml's quantize_row_<t>_impl does.
   */
  quantizeRow(src: Float32Array, dst: Uint8Array, imatrix?: Float32Array): void;
  /** Dequantizes one row of blocks into `dst` (length = blocks × blockSize), as ggml's to_float. */
  dequantizeRow(src: Uint8Array, dst: Float32Array): void;
}
