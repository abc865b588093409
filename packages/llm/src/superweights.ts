// Finding "super weights" (Yu et al., "The Super Weight in Large Language Models", 2024): single
// weights of an MLP's down projection that, multiplied by a massive activation spike at the down
// projection's input (Sun et al., "Massive Activations in LLMs", 2024), write a massive value into
// one channel of the residual stream. The weight sits at W_down[row = the output channel of the
// spike][col = the input channel of the spike].

import type { ModelWeights } from './model/weights.ts';
import { createSession } from './session.ts';
import { traceForward } from './trace/trace.ts';

/** Options of findSuperWeights. */
export interface SuperWeightOptions {
  /** Token sequences to run (each with BOS first if the model expects it); at least one. */
  prompts: ReadonlyArray<ArrayLike<number>>;
  /** How many candidates to return, best first (default 5). */
  topK?: number;
}

/** Where the down projection's input peaked for one channel. */
export interface ActivationSpike {
  /** Index into options.prompts. */
  prompt: number;
  /** Position inside that prompt. */
  position: number;
  /** Input channel of the down projection (a column of W_down). */
  channel: number;
  /** The signed activation silu(w1·x)·(w3·x). */
  value: number;
}

/** One candidate super weight, located as Yu et al. locate them. */
export interface SuperWeightCandidate {
  layer: number;
  /** Output channel of ffn_down (the residual-stream channel it writes). */
  row: number;
  /** Input channel of ffn_down (the spiking hidden channel). */
  col: number;
  /** W_down[row][col]. */
  weight: number;
  /** The largest |input| seen in column `col` over every prompt and position. */
  activationSpike: ActivationSpike;
  /** |spike| divided by the mean |input| of this layer's down projection (all channels). */
  spikeToMeanRatio: number;
  /** The down projection's output at the spike's position: its largest |channel|. */
  outputSpike: { channel: number; value: number };
  /** True when `row` is the channel of outputSpike (the weight makes the output spike). */
  rowIsOutputSpike: boolean;
  /** weight · activationSpike.value: what this one product adds to channel `row`. */
  contribution: number;
  /** |contribution|; candidates are ranked by it. */
  score: number;
}

function hiddenCapture(model: ModelWeights, prompt: ArrayLike<number>): Float32Array {
  return traceForward(model, prompt, {
    capture: {
      embeddings: false,
      qkv: false,
      attention: false,
      mlp: false,
      mlpHidden: true,
      logits: 'none',
      probabilities: false,
    },
  }).mlpHidden;
}

/**
 * Runs the prompts, finds per layer and hidden channel the largest |activation| at the down
 * projection's input, pairs it with the down-projection row whose weight turns it into the
 * largest output, and returns the topK (layer, row, col) by |weight · activation|.
 * @example findSuperWeights(model, { prompts: [tokenizer.encode('Once upon', { bos: true })] })[0]
 */
export function findSuperWeights(
  model: ModelWeights,
  options: SuperWeightOptions,
): SuperWeightCandidate[] {
  const { prompts } = options;
  const topK = options.topK ?? 5;
  if (!Number.isInteger(topK) || topK < 1) {
    throw new Error(`findSuperWeights: topK ${topK}; expected a positive integer`);
  }
  if (prompts.length === 0) {
    throw new Error('findSuperWeights: no prompts given; expected at least one token sequence');
  }
  const { nLayers, hiddenDim, dim } = model.config;
  const peakAbs = new Float64Array(nLayers * hiddenDim).fill(-1);
  const peak: ActivationSpike[] = new Array(nLayers * hiddenDim);
  const sumAbs = new Float64Array(nLayers);
  let positions = 0;
  prompts.forEach((prompt, p) => {
    const hidden = hiddenCapture(model, prompt);
    const T = prompt.length;
    positions += T;
    for (let l = 0; l < nLayers; l++) {
      for (let t = 0; t < T; t++) {
        const o = (l * T + t) * hiddenDim;
        for (let ch = 0; ch < hiddenDim; ch++) {
          const v = hidden[o + ch];
          const a = Math.abs(v);
          sumAbs[l] += a;
          const k = l * hiddenDim + ch;
          if (a > peakAbs[k]) {
            peakAbs[k] = a;
            peak[k] = { prompt: p, position: t, channel: ch, value: v };
          }
        }
      }
    }
  });
  const ranked: Array<Omit<SuperWeightCandidate, 'outputSpike' | 'rowIsOutputSpike'>> = [];
  for (let l = 0; l < nLayers; l++) {
    const w = model.layers[l].w2;
    const mean = sumAbs[l] / (positions * hiddenDim);
    for (let ch = 0; ch < hiddenDim; ch++) {
      const spike = peak[l * hiddenDim + ch];
      let row = 0;
      for (let r = 1; r < dim; r++) {
        if (Math.abs(w[r * hiddenDim + ch]) > Math.abs(w[row * hiddenDim + ch])) row = r;
      }
      const weight = w[row * hiddenDim + ch];
      const contribution = weight * spike.value;
      ranked.push({
        layer: l,
        row,
        col: ch,
        weight,
        activationSpike: spike,
        spikeToMeanRatio: mean > 0 ? Math.abs(spike.value) / mean : 0,
        contribution,
        score: Math.abs(contribution),
      });
    }
  }
  ranked.sort((a, b) => b.score - a.score || a.layer - b.layer || a.col - b.col);
  const top = ranked.slice(0, topK);
  // Second pass, only over the prompts the winners came from: the down projection's output at
  // the spike's position, to see whether the candidate's row is where the output spikes.
  const hiddenByPrompt = new Map<number, Float32Array>();
  return top.map((cand) => {
    const { prompt, position } = cand.activationSpike;
    let hidden = hiddenByPrompt.get(prompt);
    if (hidden === undefined) {
      hidden = hiddenCapture(model, prompts[prompt]);
      hiddenByPrompt.set(prompt, hidden);
    }
    const T = prompts[prompt].length;
    const x = hidden.subarray((cand.layer * T + position) * hiddenDim);
    const w = model.layers[cand.layer].w2;
    let channel = 0;
    let value = 0;
    for (let r = 0; r < dim; r++) {
      let y = 0;
      for (let j = 0; j < hiddenDim; j++) y += w[r * hiddenDim + j] * x[j];
      if (Math.abs(y) > Math.abs(value)) {
        value = y;
        channel = r;
      }
    }
    return {
      ...cand,
      outputSpike: { channel, value },
      rowIsOutputSpike: channel === cand.row,
    };
  });
}

/** Perplexity of a model over some texts, with the sums behind it. */
export interface TextPerplexity {
  /** exp(meanNll). */
  ppl: number;
  /** Mean negative log-likelihood per predicted token, nats. */
  meanNll: number;
  /** Tokens predicted: Σ (length − 1) over the texts. */
  predicted: number;
}

/**
 * Perplexity of `texts` (token arrays, each run from an empty cache): every token after the first
 * is predicted from the ones before it; log-softmax in double precision over float32 logits.
 * @example textPerplexity(model, [tokenizer.encode('Once upon a time', { bos: true })]).ppl
 */
export function textPerplexity(
  model: ModelWeights,
  texts: ReadonlyArray<ArrayLike<number>>,
): TextPerplexity {
  const vocab = model.config.vocabSize;
  let nll = 0;
  let predicted = 0;
  for (const text of texts) {
    if (text.length < 2) continue;
    const logits = createSession(model).prefill(text, { allLogits: true });
    for (let t = 0; t + 1 < text.length; t++) {
      const o = t * vocab;
      let max = Number.NEGATIVE_INFINITY;
      for (let i = 0; i < vocab; i++) max = Math.max(max, logits[o + i]);
      let sum = 0;
      for (let i = 0; i < vocab; i++) sum += Math.exp(logits[o + i] - max);
      nll += Math.log(sum) + max - logits[o + text[t + 1]];
      predicted++;
    }
  }
  if (predicted === 0) {
    throw new Error('textPerplexity: no text has two or more tokens; nothing to predict');
  }
  const meanNll = nll / predicted;
  return { ppl: Math.exp(meanNll), meanNll, predicted };
}
