import { readLlama2cCheckpoint, readLlama2cTokenizer } from '@explorables/weights';
import type { ModelConfig } from '../model/config.ts';
import { type ModelWeights, modelFromLlama2c } from '../model/weights.ts';
import type { MessagePortLike, MethodSpec } from '../rpc/protocol.ts';
import { transfer } from '../rpc/protocol.ts';
import {
  type CallContext,
  type Implementation,
  type RpcServer,
  type ServeOptions,
  serve,
} from '../rpc/server.ts';
import { createSession } from '../session.ts';
import { Llama2cTokenizer } from '../tokenizer/llama2c.ts';
import type { Tokenizer } from '../tokenizer/types.ts';
import { generateSteps } from './steps.ts';

/** The bytes of a llama2.c model and its tokenizer, as fetched (they are moved to the worker). */
export interface LoadModelArgs {
  /** The llama2.c checkpoint file (e.g. stories260K.bin). */
  checkpoint: ArrayBuffer;
  /** The llama2.c tokenizer file (e.g. tok512.bin). */
  tokenizer: ArrayBuffer;
  /** A name to report back (e.g. the file name); default 'model'. */
  name?: string;
}

/** Where loading is: each phase is reported once when it starts, then 'ready' at fraction 1. */
export interface WorkerLoadProgress {
  phase: 'checkpoint' | 'tokenizer' | 'model' | 'ready';
  /** 0..1 of the loading work. */
  fraction: number;
}

/** What was loaded. */
export interface ModelInfo {
  name: string;
  config: ModelConfig;
  /** Number of weights (a tied classifier counted once). */
  parameterCount: number;
  checkpointSizeBytes: number;
  tokenizerSizeBytes: number;
  bosId: number;
  eosId: number;
}

/** Text to tokenize. */
export interface TokenizeArgs {
  text: string;
  /** Prepend BOS (default false). */
  bos?: boolean;
  /** Append EOS (default false). */
  eos?: boolean;
}

/** Token ids and, for each, its vocabulary piece. */
export interface Tokenized {
  ids: Int32Array;
  pieces: string[];
}

/** Ids to turn back into text. */
export interface DecodeArgs {
  ids: Int32Array | number[];
}

/** What to generate (run.c's options: greedy at temperature 0). */
export interface GenerateRequest {
  /** Prompt text, encoded with BOS (default ''). */
  prompt?: string;
  /** Positions to run after BOS (0 or more than the context: the whole context). Default 256. */
  steps?: number;
  /** 0 = greedy (default 1, as run.c). */
  temperature?: number;
  /** Nucleus threshold (default 0.9). */
  topp?: number;
  /** Keep only the k most likely tokens (0 = off). */
  topk?: number;
  /** Seed of run.c's generator; needed when temperature > 0. */
  seed?: number;
}

/** One printed token, streamed while generating (prompt tokens first). */
export interface TokenEvent {
  id: number;
  /** Position in the sequence (BOS is 0). */
  position: number;
  /** True for forced prompt tokens. */
  fromPrompt: boolean;
  /** The text this token completes (may be '' while a UTF-8 character is split). */
  text: string;
}

/** The outcome of a finished generation. */
export interface GenerateSummary {
  /** Every id: BOS, prompt, generated. */
  ids: Int32Array;
  promptTokenCount: number;
  /** Tokens sampled by the model (not forced from the prompt). */
  generatedTokenCount: number;
  /** The printed text (run.c stdout without its final newline). */
  text: string;
  /** True when the model produced a stop id (BOS) before `steps`. */
  stopped: boolean;
}

/** Ids to run through the model from an empty cache. */
export interface LogitsArgs {
  ids: Int32Array | number[];
  /** Return the logits of every position, not only the last (default false). */
  all?: boolean;
}

/** Next-token logits after a prefill. */
export interface LogitsResult {
  /** [count][vocabSize] row-major: position i's row predicts token i + 1. */
  logits: Float32Array;
  vocabSize: number;
  /** Rows in `logits`: ids.length with `all`, else 1. */
  count: number;
}

/** Positions prefilled so far. */
export interface PrefillProgress {
  done: number;
  total: number;
}

/** The methods the LLM worker serves. */
export interface LlmProtocol {
  loadModel: MethodSpec<LoadModelArgs, ModelInfo, WorkerLoadProgress>;
  tokenize: MethodSpec<TokenizeArgs, Tokenized>;
  decode: MethodSpec<DecodeArgs, string>;
  generate: MethodSpec<GenerateRequest, GenerateSummary, TokenEvent>;
  logits: MethodSpec<LogitsArgs, LogitsResult, PrefillProgress>;
}

/** Positions per prefill chunk in `logits`; cancellation and progress happen between chunks. */
export const PREFILL_CHUNK = 64;

function parameterCount(model: ModelWeights): number {
  let n = model.tokenEmbedding.length + model.outputNorm.length;
  if (model.output !== model.tokenEmbedding) n += model.output.length;
  for (const l of model.layers) {
    n += l.attnNorm.length + l.ffnNorm.length;
    n += l.wq.length + l.wk.length + l.wv.length + l.wo.length;
    n += l.w1.length + l.w2.length + l.w3.length;
  }
  return n;
}

function bytesOf(value: unknown, field: string): Uint8Array {
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  if (value instanceof Uint8Array) return value;
  throw new Error(`loadModel: ${field} is ${typeof value}; expected an ArrayBuffer of the file`);
}

/**
 * The LLM engine behind the worker's RPC: holds one loaded model and tokenizer and answers
 * loadModel, tokenize, decode, generate (streaming TokenEvents, cancellable between tokens) and
 * logits (chunked prefill, cancellable between chunks).
 */
export class LlmService {
  private model: ModelWeights | undefined;
  private tokenizer: Tokenizer | undefined;

  /** The loaded model, if any. */
  get loaded(): { model: ModelWeights; tokenizer: Tokenizer } | undefined {
    return this.model && this.tokenizer
      ? { model: this.model, tokenizer: this.tokenizer }
      : undefined;
  }

  /**
   * The RPC implementation (bind it to a port with serve, or use serveLlm).
   * @example serve<LlmProtocol>(port, new LlmService().implementation())
   */
  implementation(): Implementation<LlmProtocol> {
    return {
      loadModel: (args, ctx) => this.loadModel(args, ctx),
      tokenize: (args) => this.tokenize(args),
      decode: (args) => this.need('decode').tokenizer.decode(args.ids),
      generate: (args, ctx) => this.generate(args, ctx),
      logits: (args, ctx) => this.logits(args, ctx),
    };
  }

  private need(method: string): { model: ModelWeights; tokenizer: Tokenizer } {
    const loaded = this.loaded;
    if (!loaded) throw new Error(`${method}: no model is loaded; call loadModel first`);
    return loaded;
  }

  private async loadModel(
    args: LoadModelArgs,
    ctx: CallContext<WorkerLoadProgress>,
  ): Promise<ModelInfo> {
    const checkpointBytes = bytesOf(args?.checkpoint, 'checkpoint');
    const tokenizerBytes = bytesOf(args?.tokenizer, 'tokenizer');
    ctx.progress({ phase: 'checkpoint', fraction: 0 });
    const checkpoint = readLlama2cCheckpoint(checkpointBytes);
    await ctx.checkpoint();
    ctx.progress({ phase: 'tokenizer', fraction: 0.6 });
    const vocab = readLlama2cTokenizer(tokenizerBytes, checkpoint.config.vocabSize);
    const tokenizer = new Llama2cTokenizer(vocab);
    await ctx.checkpoint();
    ctx.progress({ phase: 'model', fraction: 0.8 });
    const model = modelFromLlama2c(checkpoint);
    // Replace the previous model only once the new one is complete.
    this.model = model;
    this.tokenizer = tokenizer;
    ctx.progress({ phase: 'ready', fraction: 1 });
    return {
      name: args.name ?? 'model',
      config: { ...model.config },
      parameterCount: parameterCount(model),
      checkpointSizeBytes: checkpointBytes.byteLength,
      tokenizerSizeBytes: tokenizerBytes.byteLength,
      bosId: tokenizer.bosId,
      eosId: tokenizer.eosId,
    };
  }

  private tokenize(args: TokenizeArgs) {
    const { tokenizer } = this.need('tokenize');
    if (typeof args?.text !== 'string') {
      throw new Error(`tokenize: text is ${typeof args?.text}; expected a string`);
    }
    const ids = tokenizer.encode(args.text, { bos: args.bos ?? false, eos: args.eos ?? false });
    const pieces = Array.from(ids, (id) => tokenizer.piece(id));
    return transfer<Tokenized>({ ids, pieces }, [ids.buffer]);
  }

  private async generate(args: GenerateRequest, ctx: CallContext<TokenEvent>) {
    const { model, tokenizer } = this.need('generate');
    const steps = generateSteps(model, tokenizer, {
      prompt: args.prompt ?? '',
      steps: args.steps ?? 256,
      temperature: args.temperature ?? 1,
      topp: args.topp ?? 0.9,
      topk: args.topk ?? 0,
      seed: args.seed,
    });
    let generated = 0;
    for (;;) {
      const step = steps.next();
      if (step.done) {
        const r = step.value;
        const summary: GenerateSummary = {
          ids: r.ids,
          promptTokenCount: r.promptIds.length,
          generatedTokenCount: generated,
          text: r.text,
          stopped: r.stopped,
        };
        return transfer(summary, [r.ids.buffer]);
      }
      const t = step.value;
      if (!t.fromPrompt) generated++;
      ctx.progress({ id: t.id, position: t.position, fromPrompt: t.fromPrompt, text: t.text });
      // Between tokens: let a cancel message in, and stop before computing the next one.
      await ctx.checkpoint();
    }
  }

  private async logits(args: LogitsArgs, ctx: CallContext<PrefillProgress>) {
    const { model } = this.need('logits');
    const ids = args?.ids;
    if (!ids || ids.length === 0) throw new Error('logits: ids is empty; expected at least one id');
    if (ids.length > model.config.seqLen) {
      throw new Error(
        `logits: ${ids.length} ids exceed the model context of ${model.config.seqLen} positions`,
      );
    }
    const vocab = model.config.vocabSize;
    const all = args.all === true;
    const total = ids.length;
    const session = createSession(model);
    const out = new Float32Array((all ? total : 1) * vocab);
    for (let start = 0; start < total; start += PREFILL_CHUNK) {
      const end = Math.min(total, start + PREFILL_CHUNK);
      const chunk = Array.prototype.slice.call(ids, start, end) as number[];
      const rows = session.prefill(chunk, { allLogits: all });
      if (all) out.set(rows, start * vocab);
      else if (end === total) out.set(rows);
      ctx.progress({ done: end, total });
      if (end < total) await ctx.checkpoint();
    }
    return transfer<LogitsResult>({ logits: out, vocabSize: vocab, count: all ? total : 1 }, [
      out.buffer,
    ]);
  }
}

/**
 * Serves a fresh LlmService on `port` (inside a worker: the worker's global scope).
 * @example serveLlm(self as unknown as MessagePortLike)
 */
export function serveLlm(port: MessagePortLike, options: ServeOptions = {}): RpcServer {
  return serve<LlmProtocol>(port, new LlmService().implementation(), options);
}
