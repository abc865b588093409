/** Whether to add the beginning/end-of-sequence ids around an encoding. */
export interface EncodeOptions {
  /** Prepend bosId (default false). */
  bos?: boolean;
  /** Append eosId (default false). */
  eos?: boolean;
}

/** Which algorithm a tokenizer runs. */
export type TokenizerKind = 'llama2c' | 'spm' | 'bpe';

/** Text ↔ token ids for one vocabulary. Ids are indices into the vocabulary. */
export interface Tokenizer {
  readonly kind: TokenizerKind;
  /** Number of ids. */
  readonly vocabSize: number;
  /** Beginning-of-sequence id, or -1 when the vocabulary has none. */
  readonly bosId: number;
  /** End-of-sequence id, or -1 when the vocabulary has none. */
  readonly eosId: number;
  /**
   * Token ids for `text` (no special-token parsing: "<s>" in the text is ordinary characters).
   * @example tok.encode('Once upon a time', { bos: true }) // Int32Array [1, 403, 407, 261, 378]
   */
  encode(text: string, options?: EncodeOptions): Int32Array;
  /**
   * The text of a sequence of ids: control ids (BOS, EOS) give nothing, byte ids give their
   * byte, and a leading dummy-prefix space is dropped, so decode(encode(s)) === s.
   * @example tok.decode([1, 403, 407]) // 'Once upon'
   */
  decode(ids: ArrayLike<number>): string;
  /**
   * The vocabulary entry of `id` as stored (e.g. ' the', '<0x0A>', '▁the', 'Ġthe').
   * @example tok.piece(259) // ' t'
   */
  piece(id: number): string;
  /**
   * The bytes a streaming decoder prints for `id` following `prevId`, as llama2.c's run.c
   * `decode` does: the leading space is dropped right after BOS and byte pieces become one byte.
   * @example tok.decodeNext(1, 403) // bytes of 'Once'
   */
  decodeNext(prevId: number, id: number): Uint8Array;
}

/**
 * Throws when `id` is not an integer in 0..vocabSize-1.
 * @example checkId(5, 512, 'decode')
 */
export function checkId(id: number, vocabSize: number, where: string): void {
  if (!Number.isInteger(id) || id < 0 || id >= vocabSize) {
    throw new Error(`${where}: token id ${id} is out of range; expected 0..${vocabSize - 1}`);
  }
}
