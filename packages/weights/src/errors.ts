/**
 * A malformed model file: the message names the byte offset where reading stopped and what was
 * expected there, so a user can find the damage with a hex dump.
 * @example throw new WeightsFormatError('GGUF: bad magic', 0, 'the bytes "GGUF"')
 */
export class WeightsFormatError extends Error {
  /** Byte offset from the start of the file where the problem was found. */
  readonly offset: number;
  /** What the reader expected to find at `offset`. */
  readonly expected: string;

  /**
   * Builds the error; the message reads "<problem> at byte <offset>: expected <expected>".
   * @example new WeightsFormatError('GGUF: unknown ggml type 99', 120, 'a ggml type id 0..39')
   */
  constructor(problem: string, offset: number, expected: string) {
    super(`${problem} at byte ${offset}: expected ${expected}`);
    this.name = 'WeightsFormatError';
    this.offset = offset;
    this.expected = expected;
  }
}
