import type { ModelWeights } from './model/weights.ts';
import { Sampler, type SamplerOptions } from './sample.ts';
import { createSession } from './session.ts';
import type { Tokenizer } from './tokenizer/types.ts';
import { concatBytes, Utf8Stream } from './tokenizer/utf8.ts';

/** One generated (or forced prompt) token as run.c prints it. */
export interface GeneratedToken {
  id: number;
  /** Position of this token in the sequence (BOS is 0). */
  position: number;
  /** True for prompt tokens (forced, not sampled). */
  fromPrompt: boolean;
  /** The bytes printed for it (run.c decode + safe_printf; may be empty). */
  bytes: Uint8Array;
  /** Newly completed text (UTF-8 characters split across tokens appear when complete). */
  text: string;
}

/** What to generate. */
export interface GenerateOptions extends SamplerOptions {
  /** Prompt text, encoded with BOS (default ''). */
  prompt?: string;
  /** Forward passes (run.c -n): the sequence gets up to steps tokens after BOS. 0 or > seqLen
   * means seqLen. Default 256. */
  steps?: number;
  /** Called for every printed token, prompt tokens included. */
  onToken?: (token: GeneratedToken) => void;
  /** Ids that end generation when produced (not printed). Default: [bosId], as run.c. */
  stopIds?: readonly number[];
}

/** The outcome of generate. */
export interface GenerationResult {
  /** Every token of the sequence: BOS, prompt, generated. */
  ids: Int32Array;
  /** The prompt's encoding (BOS first). */
  promptIds: Int32Array;
  /** The printed text (run.c stdout without its final newline). */
  text: string;
  /** The printed bytes (run.c stdout without its final newline). */
  bytes: Uint8Array;
  /** True when a stop id ended generation before `steps`. */
  stopped: boolean;
}

function printable(bytes: Uint8Array): Uint8Array {
  if (bytes.length !== 1) return bytes;
  const b = bytes[0];
  const ok = (b >= 0x20 && b <= 0x7e) || (b >= 0x09 && b <= 0x0d);
  return ok ? bytes : new Uint8Array(0);
}

/**
 * Runs llama2.c run.c's generate loop: encode the prompt with BOS, force the prompt tokens, then
 * sample (greedy at temperature 0) until `steps` positions or a stop id, printing each token with
 * run.c's decode and safe_printf rules. The prompt is prefilled in one batch (bit-identical to
 * stepping it).
 * @example generate(model, tokenizer, { prompt: 'Once upon a time', steps: 256, temperature: 0 }).text
 */
export function generate(
  model: ModelWeights,
  tokenizer: Tokenizer,
  options: GenerateOptions = {},
): GenerationResult {
  const steps = generateSteps(model, tokenizer, options);
  for (;;) {
    const next = steps.next();
    if (next.done) return next.value;
    options.onToken?.(next.value);
  }
}

/**
 * The generate() loop one token at a time: yields each printed token (prompt tokens first) and
 * returns the same GenerationResult, so a caller can pause, stream or stop between tokens. The
 * token sequence and text are identical to generate() with the same options (onToken is ignored).
 * Stopping early (return()) leaves no state behind.
 * @example for (const t of generateSteps(model, tok, { prompt: 'Once', temperature: 0 })) log(t.text)
 */
export function* generateSteps(
  model: ModelWeights,
  tokenizer: Tokenizer,
  options: Omit<GenerateOptions, 'onToken'> = {},
): Generator<GeneratedToken, GenerationResult, void> {
  const seqLen = model.config.seqLen;
  let steps = options.steps ?? 256;
  if (!Number.isInteger(steps) || steps < 0) {
    throw new Error(`generate: steps ${steps}; expected an integer ≥ 0`);
  }
  if (steps === 0 || steps > seqLen) steps = seqLen;
  const sampler = new Sampler(options);
  const promptIds = tokenizer.encode(options.prompt ?? '', { bos: true });
  const stops = new Set(options.stopIds ?? [tokenizer.bosId]);
  const session = createSession(model);
  const stream = new Utf8Stream();
  const ids: number[] = [promptIds[0]];
  const printed: Uint8Array[] = [];
  let text = '';
  const k = promptIds.length;
  const lastPromptLogits = session.prefill(promptIds.subarray(0, Math.min(k, steps)));
  let token = promptIds[0];
  let pos = 0;
  let stopped = false;
  while (pos < steps) {
    let next: number;
    if (pos < k - 1) next = promptIds[pos + 1];
    else next = sampler.sample(pos === k - 1 ? lastPromptLogits : session.step(token));
    pos++;
    if (stops.has(next)) {
      stopped = true;
      break;
    }
    ids.push(next);
    const bytes = printable(tokenizer.decodeNext(token, next));
    const piece = stream.push(bytes);
    printed.push(bytes);
    text += piece;
    yield { id: next, position: pos, fromPrompt: pos < k, bytes, text: piece };
    token = next;
  }
  text += stream.flush();
  return { ids: Int32Array.from(ids), promptIds, text, bytes: concatBytes(printed), stopped };
}
