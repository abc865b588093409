/**
 * Language-model benchmark: prompt processing (prefill) and generation tokens/s of the float32
 * engine of @explorables/llm on stories260K and on a stories15M-shaped model with seeded random
 * weights, against llama.cpp (through node-llama-cpp, on the same model written as a GGUF)
 * measured in the same run, plus a tight matrix-multiply microbenchmark and the fraction of its
 * FLOP/s that the forward pass reaches.
 *
 * Method. One thread of ours is timed in CPU time of this process (process.cpuUsage), as the
 * other sections. Lanes that use several threads (our 2-worker pool, llama.cpp with 2 threads)
 * are timed on the wall clock, because CPU time would bill llama.cpp's spinning threads and would
 * not show what parallelism buys. Each repetition runs every lane once, in an order rotating from
 * one repetition to the next; each ratio divides two lanes of the same repetition (paired) before
 * the median.
 */

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import {
  llama2cToGguf,
  readLlama2cCheckpoint,
  readLlama2cTokenizer,
  writeGguf,
  writeLlama2cCheckpoint,
  writeLlama2cTokenizer,
} from '@explorables/weights';
import { createChunkPool } from '../packages/cli/src/parallel/pool.ts';
import { perplexity } from '../packages/llm/src/eval/perplexity.ts';
import type { ModelConfig } from '../packages/llm/src/model/config.ts';
import { matmul } from '../packages/llm/src/model/kernels.ts';
import { randomModel } from '../packages/llm/src/model/test-model.ts';
import {
  llama2cFromModel,
  type ModelWeights,
  modelFromLlama2c,
} from '../packages/llm/src/model/weights.ts';
import { argmax } from '../packages/llm/src/sample.ts';
import { createSession, type Session } from '../packages/llm/src/session.ts';
import { Llama2cTokenizer } from '../packages/llm/src/tokenizer/llama2c.ts';
import {
  loadAverageNow,
  machineFacts,
  type SectionReport,
  type Summary,
  spread,
  summarize,
  type Table,
} from './report.ts';

/** Options of the llm benchmark. */
export interface LlmBenchOptions {
  /** Fewer repetitions and chunks, for a smoke run. */
  quick: boolean;
  /** The command line, recorded with the results. */
  command: string;
  /** Progress lines (to stderr). */
  log: (line: string) => void;
}

const NA = '—';
/** Context per chunk, tokens (llama-perplexity -c 256 in the shared reference). */
const N_CTX = 256;
/** Chunks of the shared text at c = 256 (196,604 tokens). */
const FULL_CHUNKS = 767;
/** llama-perplexity's wall time over the whole text, 2 threads (shared README figure). */
const LLAMA_CPP_PPL_SECONDS = 27;
/** run.c's single-threaded generation speed on stories260K (figure quoted in the issue). */
const RUN_C_GEN_TOKS = 2500;
/** Positions per forward block in our lanes. */
const BLOCK = 128;
const WORKERS = 2;
const THREADS = 2;
const SHAPE_15M = {
  dim: 288,
  hiddenDim: 768,
  nLayers: 6,
  nHeads: 6,
  nKvHeads: 6,
  vocabSize: 32000,
  seqLen: 256,
} as const;

interface Plan {
  reps: number;
  /** Chunks per repetition of the single-thread perplexity lane (stories260K). */
  pplChunks1: number;
  /** Chunks per repetition of the pool perplexity lane (stories260K). */
  pplChunksPool: number;
  /** Repetitions of the 15M lanes (each is seconds long). */
  reps15: number;
  /** Generation steps on the 15M shape. */
  genSteps15: number;
}

function planFor(quick: boolean): Plan {
  return quick
    ? { reps: 2, pplChunks1: 2, pplChunksPool: 4, reps15: 1, genSteps15: 32 }
    : { reps: 4, pplChunks1: 6, pplChunksPool: 16, reps15: 3, genSteps15: 64 };
}

// ── Timing helpers (as in quant.bench.ts) ──

function makeGc(): (options?: { type: 'minor' | 'major' }) => void {
  try {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as (options?: { type: 'minor' | 'major' }) => void;
    return (options) => gc(options);
  } catch {
    return () => {};
  }
}
const gc = makeGc();

async function settle(): Promise<void> {
  gc({ type: 'minor' });
  await new Promise((resolve) => setTimeout(resolve, 25));
}

/** CPU time of this process in ms (user + system, all threads). */
function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/** Tokens per CPU second of a synchronous call that processes `tokens` tokens. */
function perCpuSecond(tokens: number, run: () => void): number {
  const t0 = cpuMs();
  run();
  return tokens / ((cpuMs() - t0) / 1000);
}

/** Tokens per CPU second of an asynchronous call that runs on this thread (idle workers aside). */
async function perCpuSecondAsync(tokens: number, run: () => Promise<unknown>): Promise<number> {
  const t0 = cpuMs();
  await run();
  return tokens / ((cpuMs() - t0) / 1000);
}

/** Tokens per wall-clock second of an asynchronous call. */
async function perWallSecond(tokens: number, run: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await run();
  return tokens / ((performance.now() - t0) / 1000);
}

// ── FLOPs ──

/**
 * Floating-point operations (a multiply-add counts 2) of one forward pass over positions
 * 0..tokens-1 with classifier rows for `logitRows` of them: the matmuls (2 × parameters) plus
 * attention (q·k and the weighted sum of values, 2 × headSize each, per head and cached key).
 */
function forwardFlops(c: ModelConfig, tokens: number, logitRows: number): number {
  const qDim = c.nHeads * c.headSize;
  const kvDim = c.nKvHeads * c.headSize;
  const perLayer = c.dim * qDim + 2 * c.dim * kvDim + qDim * c.dim + 3 * c.dim * c.hiddenDim;
  const keysSeen = (tokens * (tokens + 1)) / 2;
  const attention = c.nLayers * c.nHeads * 4 * c.headSize * keysSeen;
  return 2 * perLayer * c.nLayers * tokens + attention + 2 * c.vocabSize * c.dim * logitRows;
}

// ── Our lanes ──

/** Prefill of one chunk with only the last position's logits (llama.cpp's prompt processing). */
function prefill(session: Session, tokens: Int32Array): void {
  session.truncate(0);
  session.prefill(tokens);
}

/** Greedy generation from BOS for `steps` forward passes. */
function generateGreedy(session: Session, steps: number, bos: number): void {
  session.truncate(0);
  let token = bos;
  for (let i = 0; i < steps; i++) token = argmax(session.step(token));
}

/** In-process EvalChunk with modelEvalChunk's recipe and one reused session. */
function inProcessEvalChunk(model: ModelWeights) {
  const session = createSession(model, { cacheLength: N_CTX, blockSize: BLOCK });
  return (tokens: Int32Array, info: { firstOutputPosition: number }) => {
    session.truncate(0);
    const first = info.firstOutputPosition;
    if (first > 0) session.prefill(tokens.subarray(0, first));
    return session.prefill(tokens.subarray(first), { allLogits: true });
  };
}

/** The best float32 matmul of this engine on a [64 × 288]·[288 × 768] product, GFLOP/s (CPU). */
function matmulGflops(minMs: number): number {
  const n = 288;
  const d = 768;
  const positions = 64;
  const w = randomModel({ ...SHAPE_15M, nLayers: 1, vocabSize: 4 }, 9).layers[0].w1;
  const x = new Float32Array(positions * n);
  for (let i = 0; i < x.length; i++) x[i] = Math.sin(i);
  const out = new Float32Array(positions * d);
  let calls = 0;
  const t0 = cpuMs();
  let ms = 0;
  do {
    matmul(out, x, w, positions, n, d);
    calls++;
    ms = cpuMs() - t0;
  } while (ms < minMs);
  return (2 * n * d * positions * calls) / (ms / 1000) / 1e9;
}

// ── llama.cpp through node-llama-cpp ──

interface LlamaCppLane {
  /** Prompt tokens/s (wall clock) of one 256-token batch. */
  prompt(tokens: Int32Array): Promise<number>;
  /** Generated tokens/s (wall clock), greedy from BOS. */
  generate(count: number, bos: number): Promise<number>;
  dispose(): Promise<void>;
}

type NodeLlamaCpp = typeof import('node-llama-cpp');
type Llama = Awaited<ReturnType<NodeLlamaCpp['getLlama']>>;

async function loadLlamaCpp(): Promise<{ lib: NodeLlamaCpp; llama: Llama }> {
  const lib = await import('node-llama-cpp');
  const llama = await lib.getLlama({
    gpu: false,
    build: 'never',
    logLevel: lib.LlamaLogLevel.error,
  });
  return { lib, llama };
}

async function llamaCppLane(llama: Llama, modelPath: string): Promise<LlamaCppLane> {
  const model = await llama.loadModel({ modelPath });
  const context = await model.createContext({
    contextSize: N_CTX,
    batchSize: N_CTX,
    threads: THREADS,
    sequences: 1,
  });
  const sequence = context.getSequence();
  type Token = Parameters<typeof sequence.evaluateWithoutGeneratingNewTokens>[0][number];
  return {
    async prompt(tokens) {
      await sequence.clearHistory();
      const ids = Array.from(tokens) as Token[];
      return perWallSecond(tokens.length, () => sequence.evaluateWithoutGeneratingNewTokens(ids));
    },
    async generate(count, bos) {
      await sequence.clearHistory();
      return perWallSecond(count, async () => {
        let n = 0;
        for await (const _ of sequence.evaluate([bos as Token], { temperature: 0 })) {
          if (++n >= count) break;
        }
      });
    },
    async dispose() {
      await context.dispose();
      await model.dispose();
    },
  };
}

// ── Models ──

function sharedDir(kind: 'models' | 'data', env: string): string {
  const benchDir = fileURLToPath(new URL('.', import.meta.url));
  return process.env[env] ?? `${benchDir}../../shared/${kind}`;
}

/** A 32000-token llama2.c tokenizer: <unk>, <s>, </s>, 256 byte tokens, then dummy pieces. */
function dummyTokenizerBytes(vocabSize: number): Uint8Array {
  const pieces: string[] = ['<unk>', '\n<s>\n', '\n</s>\n'];
  for (let b = 0; b < 256; b++) pieces.push(`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`);
  while (pieces.length < vocabSize) pieces.push(`p${pieces.length}`);
  return writeLlama2cTokenizer({ pieces, scores: new Float32Array(vocabSize) });
}

// ── Formatting ──

function toks(s: Summary): string {
  const m = s.median;
  return `${m >= 100 ? m.toFixed(0) : m.toFixed(1)} tok/s ${spread(s)}`;
}

function ratioCell(s: Summary | undefined): string {
  if (!s) return NA;
  return `${s.median.toFixed(2)}× (${s.min.toFixed(2)}–${s.max.toFixed(2)})`;
}

const med = (xs: number[]) => (xs.length > 0 ? summarize(xs).median : Number.NaN);
const sum = (xs: number[]) => (xs.length > 0 ? summarize(xs) : undefined);
const pairs = (a: number[], b: number[]) => sum(a.map((x, i) => x / b[i]).filter(Number.isFinite));

/** Runs the llm section and returns its report. */
export async function runLlmBench(options: LlmBenchOptions): Promise<SectionReport> {
  const { log } = options;
  const facts = machineFacts();
  const plan = planFor(options.quick);
  const started = performance.now();
  const outDir = fileURLToPath(new URL('./out/', import.meta.url));
  mkdirSync(outDir, { recursive: true });

  // Models and token streams.
  const modelsDir = sharedDir('models', 'EXPLORABLES_MODELS');
  const dataDir = sharedDir('data', 'EXPLORABLES_DATA');
  const have260 =
    existsSync(`${modelsDir}/stories260K.bin`) &&
    existsSync(`${modelsDir}/tok512.bin`) &&
    existsSync(`${dataDir}/tinystories-valid-400k.txt`);
  let m260: ModelWeights | undefined;
  let text260: Int32Array = new Int32Array(0);
  let gguf260 = '';
  if (have260) {
    const ckptBytes = readFileSync(`${modelsDir}/stories260K.bin`);
    const tokBytes = readFileSync(`${modelsDir}/tok512.bin`);
    const checkpoint = readLlama2cCheckpoint(ckptBytes);
    m260 = modelFromLlama2c(checkpoint);
    const vocab = readLlama2cTokenizer(tokBytes, 512);
    const text = readFileSync(`${dataDir}/tinystories-valid-400k.txt`, 'utf8');
    text260 = new Llama2cTokenizer(vocab).encode(text, { bos: true });
    gguf260 = `${outDir}stories260K-F32.gguf`;
    writeFileSync(gguf260, writeGguf(llama2cToGguf(checkpoint, vocab)));
    log(`llm: stories260K loaded, text ${text260.length} tokens, GGUF ${gguf260}`);
  } else {
    log(`llm: stories260K or the shared text not found under ${modelsDir}, ${dataDir}`);
  }
  const m15 = randomModel(SHAPE_15M, 15);
  const gguf15 = `${outDir}random-15M-shape-F32.gguf`;
  {
    const ckpt = readLlama2cCheckpoint(
      writeLlama2cCheckpoint(llama2cFromModel(m15), { version: 0 }),
    );
    const vocab = readLlama2cTokenizer(dummyTokenizerBytes(32000), 32000);
    writeFileSync(gguf15, writeGguf(llama2cToGguf(ckpt, vocab)));
  }
  const prompt15 = new Int32Array(N_CTX);
  for (let i = 0; i < N_CTX; i++) prompt15[i] = i === 0 ? 1 : 259 + ((i * 7919) % 31000);
  log(`llm: 15M-shape model (seeded random weights) and GGUF ${gguf15} ready`);

  // llama.cpp.
  let llamaError = '';
  let lib: { llama: Llama } | undefined;
  try {
    lib = await loadLlamaCpp();
  } catch (error) {
    llamaError = error instanceof Error ? error.message.split('\n')[0] : String(error);
    log(`llm: node-llama-cpp not available (${llamaError})`);
  }
  const lc260 = lib && m260 ? await llamaCppLane(lib.llama, gguf260) : undefined;
  const lc15 = lib ? await llamaCppLane(lib.llama, gguf15) : undefined;

  // Our pools (started once; their start-up is not timed).
  const pool260 = m260 ? createChunkPool(m260, { workers: WORKERS, blockSize: BLOCK }) : undefined;
  const pool15 = createChunkPool(m15, { workers: WORKERS, blockSize: BLOCK });
  const chunk260 = (c: number) => {
    const t = text260.slice(c * N_CTX, (c + 1) * N_CTX);
    t[0] = 1;
    return t;
  };

  // Sessions and warm-up.
  const s260 = m260 ? createSession(m260, { cacheLength: N_CTX, blockSize: BLOCK }) : undefined;
  const s15 = createSession(m15, { cacheLength: N_CTX, blockSize: BLOCK });
  const eval260 = m260 ? inProcessEvalChunk(m260) : undefined;
  if (s260 && pool260) {
    for (let i = 0; i < 3; i++) prefill(s260, chunk260(i));
    generateGreedy(s260, 64, 1);
    await Promise.all(
      [0, 1, 2, 3].map((c) =>
        pool260.evalChunk(chunk260(c), { chunkIndex: c, firstOutputPosition: 128 }),
      ),
    );
  }
  prefill(s15, prompt15.subarray(0, 64));
  generateGreedy(s15, 8, 1);
  await Promise.all(
    [0, 1].map((c) =>
      pool15.evalChunk(prompt15.subarray(0, 32), { chunkIndex: c, firstOutputPosition: 31 }),
    ),
  );
  if (lc260) await lc260.prompt(chunk260(0));
  if (lc15) await lc15.prompt(prompt15);
  log('llm: warmed up');

  const samples = {
    mm: [] as number[],
    pre260: [] as number[],
    prePool260: [] as number[],
    preLc260: [] as number[],
    gen260: [] as number[],
    genLc260: [] as number[],
    ppl1: [] as number[],
    pplPool: [] as number[],
    pre15: [] as number[],
    prePool15: [] as number[],
    preLc15: [] as number[],
    gen15: [] as number[],
    genLc15: [] as number[],
  };

  // ── stories260K and the matmul microbenchmark ──
  for (let r = 0; r < plan.reps; r++) {
    const t0 = performance.now();
    const lanes: Array<() => Promise<void>> = [
      async () => {
        samples.mm.push(matmulGflops(300));
      },
    ];
    if (s260 && pool260 && eval260) {
      const base = 8 + r * 40;
      lanes.push(
        async () => {
          samples.pre260.push(
            perCpuSecond(N_CTX * 4, () => {
              for (let c = 0; c < 4; c++) prefill(s260, chunk260(base + c));
            }),
          );
        },
        async () => {
          const chunks = Array.from({ length: 2 * WORKERS }, (_, c) => base + c);
          samples.prePool260.push(
            await perWallSecond(N_CTX * chunks.length, () =>
              Promise.all(
                chunks.map((c) =>
                  pool260.evalChunk(chunk260(c), { chunkIndex: c, firstOutputPosition: 255 }),
                ),
              ),
            ),
          );
        },
        async () => {
          samples.gen260.push(perCpuSecond(N_CTX, () => generateGreedy(s260, N_CTX, 1)));
        },
        async () => {
          // The perplexity pipeline in process: chunk tokens, forward, log-softmax, sums.
          const tokens = text260.subarray(0, plan.pplChunks1 * N_CTX + 1);
          samples.ppl1.push(
            await perCpuSecondAsync(plan.pplChunks1 * N_CTX, () =>
              perplexity({ tokens, nCtx: N_CTX, nVocab: 512, bosId: 1, evalChunk: eval260 }),
            ),
          );
        },
        async () => {
          const tokens = text260.subarray(0, plan.pplChunksPool * N_CTX + 1);
          samples.pplPool.push(
            await perWallSecond(plan.pplChunksPool * N_CTX, () =>
              perplexity({
                tokens,
                nCtx: N_CTX,
                nVocab: 512,
                bosId: 1,
                evalChunk: pool260.lookahead({ tokens, nCtx: N_CTX, bosId: 1 }),
              }),
            ),
          );
        },
      );
      if (lc260) {
        lanes.push(
          async () => {
            const rates: number[] = [];
            for (let c = 0; c < 4; c++) rates.push(await lc260.prompt(chunk260(base + c)));
            samples.preLc260.push(summarize(rates).median);
          },
          async () => {
            samples.genLc260.push(await lc260.generate(N_CTX - 1, 1));
          },
        );
      }
    }
    for (let k = 0; k < lanes.length; k++) {
      await settle();
      await lanes[(k + r) % lanes.length]();
    }
    log(
      `  stories260K repetition ${r + 1}/${plan.reps} (${((performance.now() - t0) / 1000).toFixed(1)} s)`,
    );
  }

  // ── 15M shape ──
  for (let r = 0; r < plan.reps15; r++) {
    const t0 = performance.now();
    const lanes: Array<() => Promise<void>> = [
      async () => {
        samples.pre15.push(perCpuSecond(N_CTX, () => prefill(s15, prompt15)));
      },
      async () => {
        const chunks = Array.from({ length: WORKERS }, (_, c) => c);
        samples.prePool15.push(
          await perWallSecond(N_CTX * WORKERS, () =>
            Promise.all(
              chunks.map((c) =>
                pool15.evalChunk(prompt15, { chunkIndex: c, firstOutputPosition: N_CTX - 1 }),
              ),
            ),
          ),
        );
      },
      async () => {
        samples.gen15.push(
          perCpuSecond(plan.genSteps15, () => generateGreedy(s15, plan.genSteps15, 1)),
        );
      },
    ];
    if (lc15) {
      lanes.push(
        async () => {
          const rates: number[] = [];
          for (let k = 0; k < 3; k++) rates.push(await lc15.prompt(prompt15));
          samples.preLc15.push(summarize(rates).median);
        },
        async () => {
          samples.genLc15.push(await lc15.generate(plan.genSteps15, 1));
        },
      );
    }
    for (let k = 0; k < lanes.length; k++) {
      await settle();
      await lanes[(k + r) % lanes.length]();
    }
    log(
      `  15M-shape repetition ${r + 1}/${plan.reps15} (${((performance.now() - t0) / 1000).toFixed(1)} s)`,
    );
  }

  await pool260?.close();
  await pool15.close();
  await lc260?.dispose();
  await lc15?.dispose();

  // ── Tables ──
  const cell = (xs: number[]) => (xs.length > 0 ? toks(summarize(xs)) : NA);
  const mm = summarize(samples.mm);
  const fraction = (xs: number[], flopsPerToken: number) =>
    xs.length > 0 ? `${((med(xs) * flopsPerToken) / 1e9 / mm.median).toFixed(2)}` : NA;
  const flops260Pre = m260 ? forwardFlops(m260.config, N_CTX, 1) / N_CTX : 0;
  const flops260Gen = m260 ? forwardFlops(m260.config, N_CTX, N_CTX) / N_CTX : 0;
  const flops15Pre = forwardFlops(m15.config, N_CTX, 1) / N_CTX;
  const flops15Gen = forwardFlops(m15.config, plan.genSteps15, plan.genSteps15) / plan.genSteps15;
  const lcNote = lc15 ? '' : ` (node-llama-cpp not available: ${llamaError})`;

  const rows260: string[][] = m260
    ? [
        [
          'prefill, 256-token chunks, last logits',
          `${cell(samples.pre260)} (CPU)`,
          `${cell(samples.prePool260)} (wall)`,
          samples.preLc260.length > 0 ? `${cell(samples.preLc260)} (wall)` : NA,
          ratioCell(pairs(samples.pre260, samples.preLc260)),
          ratioCell(pairs(samples.prePool260, samples.preLc260)),
          fraction(samples.pre260, flops260Pre),
        ],
        [
          'perplexity pipeline, c = 256 (logits of the scored half, log-softmax, sums)',
          `${cell(samples.ppl1)} (CPU)`,
          `${cell(samples.pplPool)} (wall)`,
          NA,
          NA,
          NA,
          NA,
        ],
        [
          `generation, greedy from BOS, ${N_CTX} steps (llama.cpp: ${N_CTX - 1} tokens)`,
          `${cell(samples.gen260)} (CPU)`,
          NA,
          samples.genLc260.length > 0 ? `${cell(samples.genLc260)} (wall)` : NA,
          ratioCell(pairs(samples.gen260, samples.genLc260)),
          NA,
          fraction(samples.gen260, flops260Gen),
        ],
      ]
    : [['stories260K', 'not available (shared files missing)', NA, NA, NA, NA, NA]];
  const rows15: string[][] = [
    [
      'prefill, 256 tokens, last logits',
      `${cell(samples.pre15)} (CPU)`,
      `${cell(samples.prePool15)} (wall)`,
      samples.preLc15.length > 0 ? `${cell(samples.preLc15)} (wall)` : NA,
      ratioCell(pairs(samples.pre15, samples.preLc15)),
      ratioCell(pairs(samples.prePool15, samples.preLc15)),
      fraction(samples.pre15, flops15Pre),
    ],
    [
      `generation, greedy from BOS, ${plan.genSteps15} steps`,
      `${cell(samples.gen15)} (CPU)`,
      NA,
      samples.genLc15.length > 0 ? `${cell(samples.genLc15)} (wall)` : NA,
      ratioCell(pairs(samples.gen15, samples.genLc15)),
      NA,
      fraction(samples.gen15, flops15Gen),
    ],
  ];
  const head = [
    'workload',
    'ours, 1 thread',
    `ours, pool of ${WORKERS} workers`,
    `llama.cpp, ${THREADS} threads`,
    'ours 1 thread ÷ llama.cpp',
    'ours pool ÷ llama.cpp',
    'fraction of matmul FLOP/s (1 thread)',
  ];
  const fullSeconds = (rate: number) => (FULL_CHUNKS * N_CTX) / rate;
  const pplRows: string[][] = m260
    ? [
        [
          'ours, 1 thread (perplexity pipeline)',
          samples.ppl1.length > 0 ? `${fullSeconds(med(samples.ppl1)).toFixed(0)} s` : NA,
          `extrapolated from ${plan.pplChunks1} chunks per repetition`,
        ],
        [
          `ours, pool of ${WORKERS} workers (perplexity pipeline)`,
          samples.pplPool.length > 0 ? `${fullSeconds(med(samples.pplPool)).toFixed(0)} s` : NA,
          `extrapolated from ${plan.pplChunksPool} chunks per repetition`,
        ],
        [
          `llama.cpp via node-llama-cpp, ${THREADS} threads, same run`,
          samples.preLc260.length > 0 ? `${fullSeconds(med(samples.preLc260)).toFixed(0)} s` : NA,
          'prompt processing of 256-token chunks only (no log-softmax), extrapolated',
        ],
        [
          'llama-perplexity, 2 threads (reference figure)',
          `${LLAMA_CPP_PPL_SECONDS} s`,
          'shared llamacpp-ppl README: whole text, not measured in this run',
        ],
      ]
    : [];
  const tables: Table[] = [
    {
      title:
        'stories260K (dim 64, 5 layers, 8 heads / 4 kv heads of 8, vocab 512): tokens/s ' +
        `(median ± half the min–max range over ${plan.reps} repetitions) and paired ratios`,
      head,
      rows: rows260,
    },
    ...(pplRows.length > 0
      ? [
          {
            title: `stories260K perplexity over the shared text (${FULL_CHUNKS} chunks of ${N_CTX} tokens): estimated wall time`,
            head: ['runner', 'time for all 767 chunks', 'how'],
            rows: pplRows,
          },
        ]
      : []),
    {
      title:
        'stories15M shape, seeded random weights (dim 288, hidden 768, 6 layers, 6 heads, ' +
        `vocab 32000, seq_len 256): tokens/s over ${plan.reps15} repetitions${lcNote}`,
      head,
      rows: rows15,
    },
    {
      title: 'Matrix-multiply microbenchmark (one thread, CPU time)',
      head: ['kernel', 'GFLOP/s', 'FLOPs per token, forward (prefill 256 / generation)'],
      rows: [
        [
          '`matmul` of model/kernels.ts (wasm SIMD, weights resident), [64 × 288]·[288 × 768] float32, double sums',
          `${mm.median.toFixed(2)} ${spread(mm)}`,
          `stories260K ${(flops260Pre / 1e6).toFixed(2)} M / ${(flops260Gen / 1e6).toFixed(2)} M; ` +
            `15M shape ${(flops15Pre / 1e6).toFixed(1)} M / ${(flops15Gen / 1e6).toFixed(1)} M`,
        ],
      ],
    },
  ];

  // ── Prose ──
  const poolRatio15 = pairs(samples.prePool15, samples.preLc15);
  const one15 = pairs(samples.pre15, samples.preLc15);
  const goal15 =
    poolRatio15 === undefined
      ? '**not measured** (node-llama-cpp not available)'
      : `${poolRatio15.median >= 0.25 ? '**met**' : '**not met**'} with the ${WORKERS}-worker ` +
        `pool (${ratioCell(poolRatio15)}); one thread reaches ${ratioCell(one15)}`;
  const pplPool = samples.pplPool.length > 0 ? fullSeconds(med(samples.pplPool)) : Number.NaN;
  const pplLc = samples.preLc260.length > 0 ? fullSeconds(med(samples.preLc260)) : Number.NaN;
  const goal260 = Number.isFinite(pplPool)
    ? `${pplPool < LLAMA_CPP_PPL_SECONDS ? '**met**' : '**not met**'} against the reference ` +
      `figure (${pplPool.toFixed(0)} s estimated against ${LLAMA_CPP_PPL_SECONDS} s)` +
      (Number.isFinite(pplLc)
        ? `; against node-llama-cpp in this run, ${pplPool < pplLc ? 'faster' : 'slower'} ` +
          `(${pplPool.toFixed(0)} s against ${pplLc.toFixed(0)} s of prompt processing)`
        : '')
    : '**not measured** (stories260K not available)';
  const gen260 = samples.gen260.length > 0 ? med(samples.gen260) : Number.NaN;
  const load1 = (text: string) => Number(text.split(' / ')[0]);
  const busy = Math.max(load1(facts.loadAverage), load1(loadAverageNow())) > facts.cores;

  const method = [
    options.quick
      ? '**Quick smoke run** (`--quick`): few repetitions, not the reference numbers.'
      : 'Reference run.',
    '',
    'Ours is the float32 engine of `@explorables/llm` (`createSession`; blocks of ' +
      `${BLOCK} positions; every float op rounded as run.c does, sums in doubles). One thread is ` +
      'timed in CPU time of this process; the pool (`packages/cli/src/parallel`, worker threads ' +
      'sharing the weights through a SharedArrayBuffer, whole chunks round-robin) and llama.cpp ' +
      `(node-llama-cpp 3.21.1, \`getLlama({ gpu: false, build: 'never' })\`, a context of ` +
      `${N_CTX} with batch ${N_CTX} and ${THREADS} threads, default F16 KV cache) on the wall ` +
      'clock, since both use two cores. llama.cpp reads the same weights: stories260K converted ' +
      'with `llama2cToGguf` + `writeGguf` of @explorables/weights, and the 15M-shape model ' +
      '(seeded random weights; speed does not depend on the values) written the same way with ' +
      'a synthesised 32000-token tokenizer (byte tokens and dummy pieces). Prefill evaluates a ' +
      `${N_CTX}-token chunk from an empty cache and computes the last position's logits only ` +
      '(as llama.cpp’s prompt processing); the pool lanes evaluate ' +
      `${2 * WORKERS} (stories260K) or ${WORKERS} (15M) chunks at once. The perplexity lanes run ` +
      '`perplexity()` itself (logits of the scored half, log-softmax, running sums) over the ' +
      'first chunks of the shared TinyStories text, the pool through `pool.lookahead`, and ' +
      `extrapolate linearly to all ${FULL_CHUNKS} chunks. Generation is greedy from BOS, one ` +
      '`step` per token (node-llama-cpp: `sequence.evaluate` at temperature 0, which adds a ' +
      'native round trip per token). Each repetition runs every lane once in a rotating ' +
      'order; ratios are paired within a repetition. FLOPs per token count 2 × the ' +
      'multiply-adds of the matmuls (classifier only for the rows whose logits are computed) ' +
      'plus attention (4 × headSize per head and cached key); the fraction divides the forward ' +
      'pass’s FLOP/s by the microbenchmark’s, both one thread, same run.',
  ].join('\n');

  const meaning = [
    `- Goal ≥ 0.25 of llama.cpp's prompt tokens/s on ${THREADS} threads for the 15M shape: ${goal15}.`,
    `- Goal: beat llama.cpp outright on stories260K perplexity: ${goal260}.`,
    `- stories260K generation: ${Number.isFinite(gen260) ? gen260.toFixed(0) : NA} tok/s on one ` +
      `thread, against about ${RUN_C_GEN_TOKS} tok/s for run.c single-threaded (a figure quoted ` +
      'in the issue, not measured here).',
    '',
    'Where the time goes: every matmul runs in a WebAssembly SIMD kernel (model/wasm/): each ' +
      'f64x2 lane is a different position summing in index order with separately rounded ' +
      'multiply and add, so its outputs equal the JavaScript kernel bit for bit, 3.5–4.8× ' +
      'faster on batched shapes. Weight matrices are copied into wasm memory on first use and ' +
      'stay there, so a single-token step (one lane idle) still beats the JS kernel, with no ' +
      'copy per call. ' +
      'What remains on stories260K is attention at head size 8 (q·k and weighted-value loops ' +
      'and one `Math.exp` per key per head, about 5,100 per token at c = 256, kept exact so ' +
      'greedy decoding stays run.c-exact). llama.cpp multiplies with AVX2 FMA in float32 on ' +
      'both cores; on stories260K it pays per-operation and thread-synchronisation overhead ' +
      'that is large next to so small a model.',
    '',
    `Load average when the section ended: ${loadAverageNow()}; wall-clock lanes share the ` +
      'machine with whatever else runs.' +
      (busy
        ? ` **The machine was busy** (1-minute load average above its ${facts.cores} cores at ` +
          'the start or the end): the two-thread lanes (our pool, llama.cpp, whose threads ' +
          'wait for each other at every operation) lose most when a thread is descheduled, so ' +
          'their numbers and the ratios built on them understate an idle machine; rerun there.'
        : ''),
  ].join('\n');

  log(`llm: done in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  return {
    id: 'llm',
    heading: 'Language model: prompt and generation tokens/s against llama.cpp',
    facts,
    endLoadAverage: loadAverageNow(),
    command: options.command,
    method,
    tables,
    meaning,
  };
}
