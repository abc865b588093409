// A prompt (prefix) cache: keeps the KV state of prompts already run, and for a new prompt
// restores the state of the longest cached token prefix so only the rest is computed. Entries
// live in a token trie (longest-prefix lookup in O(prompt length)) and are evicted least recently
// used first under a byte budget.

import type { ModelWeights } from './model/weights.ts';
import { createSession, type KvState, type Session, type SessionOptions } from './session.ts';

interface Entry {
  tokens: Int32Array;
  state: KvState;
  /** KV bytes plus 4 bytes per token id. */
  sizeBytes: number;
}

interface TrieNode {
  children: Map<number, TrieNode>;
  /** Entries whose token path passes through (or ends at) this node. */
  count: number;
  /** The entry whose tokens end here, if any. */
  entry: Entry | null;
}

const newNode = (): TrieNode => ({ children: new Map(), count: 0, entry: null });

/** What happened to the prompt's own state after a run. */
export type StoreOutcome = 'new' | 'already-cached' | 'too-large';

/** Options of PromptCache.run. */
export interface PromptCacheRunOptions {
  /** A clock in milliseconds; when given, the result carries `timing`. */
  now?: () => number;
}

/** The outcome of one PromptCache.run. */
export interface PromptCacheResult {
  /** Next-token logits after the last prompt token ([vocabSize]). */
  logits: Float32Array;
  /** Leading tokens whose KV rows came from the cache. */
  reusedTokens: number;
  /** Tokens run through the model (≥ 1: the last token is always computed for its logits). */
  computedTokens: number;
  /** True when reusedTokens > 0. */
  hit: boolean;
  /** Bytes this prompt's entry takes: 2·nLayers·tokens·kvDim·4 for KV plus 4 per token id. */
  entryBytes: number;
  /** 'new' (stored now), 'already-cached' (same tokens were stored) or 'too-large' (> budget). */
  stored: StoreOutcome;
  /** Entries dropped by this run to make room (least recently used first). */
  evicted: number;
  /** Entries dropped because the new one extends them (their tokens are its prefix). */
  superseded: number;
  /** With options.now: restore, prefill (time to first token = restoreMs + prefillMs), store. */
  timing: { restoreMs: number; prefillMs: number; storeMs: number } | null;
}

/** Running totals of a PromptCache. */
export interface PromptCacheStats {
  entries: number;
  bytesUsed: number;
  budgetBytes: number;
  hits: number;
  misses: number;
  evictions: number;
  reusedTokens: number;
  computedTokens: number;
}

/** One stored prompt, as listed by PromptCache.entries (least recently used first). */
export interface PromptCacheEntryInfo {
  tokens: Int32Array;
  sizeBytes: number;
}

/** A prefix cache of KV states for one model, bounded by a byte budget, evicting LRU. */
export class PromptCache {
  readonly budgetBytes: number;
  private model: ModelWeights | null = null;
  private readonly root = newNode();
  /** Entries in recency order: the first is the least recently used. */
  private readonly lru = new Set<Entry>();
  private bytes = 0;
  private hits = 0;
  private misses = 0;
  private evictions = 0;
  private reused = 0;
  private computed = 0;

  /**
   * An empty cache that holds at most budgetBytes of entries (KV state plus token ids).
   * @example const cache = new PromptCache({ budgetBytes: 64 * 1024 * 1024 })
   */
  constructor(options: { budgetBytes: number }) {
    const b = options.budgetBytes;
    if (!(b >= 0) || (!Number.isInteger(b) && b !== Number.POSITIVE_INFINITY)) {
      throw new Error(`PromptCache: budgetBytes ${b}; expected an integer ≥ 0 (or Infinity)`);
    }
    this.budgetBytes = b;
  }

  /**
   * Length of the longest cached prefix of `tokens` that a run would reuse (at most
   * tokens.length − 1), without changing anything.
   * @example cache.peek(tokens) // 200 when a 200-token prefix is cached
   */
  peek(tokens: ArrayLike<number>): number {
    return this.longest(tokens, tokens.length - 1).depth;
  }

  /**
   * Gives `session` the KV state of `tokens` and returns the last position's logits: restores the
   * longest cached prefix (at most tokens.length − 1 tokens), prefills the rest, then stores the
   * whole prompt's state (evicting least recently used entries to fit the budget). The logits
   * equal a cold prefill's bit for bit. All runs must use sessions of the same model.
   * @example const r = cache.run(session, tokenizer.encode(text, { bos: true })); r.reusedTokens
   */
  run(
    session: Session,
    tokens: ArrayLike<number>,
    options: PromptCacheRunOptions = {},
  ): PromptCacheResult {
    const n = tokens.length;
    if (n === 0) throw new Error('PromptCache.run: no tokens given; expected at least one');
    if (n > session.cacheLength) {
      throw new Error(
        `PromptCache.run: ${n} tokens exceed the session's cache of ${session.cacheLength}`,
      );
    }
    if (this.model === null) this.model = session.model;
    else if (this.model !== session.model) {
      throw new Error(
        'PromptCache.run: the session runs a different model than the cached entries; ' +
          'use one PromptCache per model',
      );
    }
    const vocab = session.model.config.vocabSize;
    for (let i = 0; i < n; i++) {
      const t = tokens[i];
      if (!Number.isInteger(t) || t < 0 || t >= vocab) {
        throw new Error(`PromptCache.run: token ${i} is ${t}; expected an id in 0..${vocab - 1}`);
      }
    }
    const ids = Int32Array.from(tokens as ArrayLike<number>);
    const now = options.now;
    const t0 = now?.() ?? 0;
    const { depth, entry } = this.longest(ids, n - 1);
    if (entry !== null && depth > 0) {
      const s = entry.state;
      const rows = depth * s.kvDim;
      // A view of the first `depth` rows: restore copies only those.
      session.restore({
        position: depth,
        kvDim: s.kvDim,
        keys: s.keys.map((k) => k.subarray(0, rows)),
        values: s.values.map((v) => v.subarray(0, rows)),
        sizeBytes: 2 * s.keys.length * rows * 4,
      });
      this.touch(entry);
      this.hits++;
    } else {
      session.truncate(0);
      this.misses++;
    }
    const t1 = now?.() ?? 0;
    const logits = session.prefill(ids.subarray(depth));
    const t2 = now?.() ?? 0;
    this.reused += depth;
    this.computed += n - depth;
    const c = session.model.config;
    const entryBytes = 2 * c.nLayers * n * c.nKvHeads * c.headSize * 4 + 4 * n;
    let stored: StoreOutcome;
    let evicted = 0;
    let superseded = 0;
    const exact = this.exactEntry(ids);
    if (exact !== null) {
      this.touch(exact);
      stored = 'already-cached';
    } else if (entryBytes > this.budgetBytes) {
      stored = 'too-large';
    } else {
      for (const prefix of this.prefixEntries(ids)) {
        this.remove(prefix);
        superseded++;
      }
      for (const old of this.lru) {
        if (this.bytes + entryBytes <= this.budgetBytes) break;
        this.remove(old);
        evicted++;
      }
      this.evictions += evicted;
      this.insert({ tokens: ids, state: session.kvState(), sizeBytes: entryBytes });
      stored = 'new';
    }
    const t3 = now?.() ?? 0;
    return {
      logits,
      reusedTokens: depth,
      computedTokens: n - depth,
      hit: depth > 0,
      entryBytes,
      stored,
      evicted,
      superseded,
      timing: now ? { restoreMs: t1 - t0, prefillMs: t2 - t1, storeMs: t3 - t2 } : null,
    };
  }

  /**
   * Running totals: entries, bytes used, hits, misses, evictions, tokens reused and computed.
   * @example cache.stats().hits
   */
  stats(): PromptCacheStats {
    return {
      entries: this.lru.size,
      bytesUsed: this.bytes,
      budgetBytes: this.budgetBytes,
      hits: this.hits,
      misses: this.misses,
      evictions: this.evictions,
      reusedTokens: this.reused,
      computedTokens: this.computed,
    };
  }

  /**
   * The stored prompts, least recently used first (the next to be evicted).
   * @example cache.entries().map((e) => e.tokens.length)
   */
  entries(): PromptCacheEntryInfo[] {
    return [...this.lru].map((e) => ({ tokens: e.tokens, sizeBytes: e.sizeBytes }));
  }

  /**
   * Drops every entry (totals other than entries and bytes are kept).
   * @example cache.clear()
   */
  clear(): void {
    for (const e of [...this.lru]) this.remove(e);
  }

  private touch(entry: Entry): void {
    this.lru.delete(entry);
    this.lru.add(entry);
  }

  /** Deepest trie node along `tokens` (at most `limit` deep) and an entry passing through it. */
  private longest(
    tokens: ArrayLike<number>,
    limit: number,
  ): { depth: number; entry: Entry | null } {
    let node = this.root;
    let depth = 0;
    while (depth < limit) {
      const child = node.children.get(tokens[depth]);
      if (child === undefined) break;
      node = child;
      depth++;
    }
    if (depth === 0) return { depth: 0, entry: null };
    // Every trie path ends at an entry, so walking down any branch finds one holding this prefix.
    while (node.entry === null) {
      const next = node.children.values().next();
      if (next.done === true) throw new Error('PromptCache: trie path without an entry');
      node = next.value;
    }
    return { depth, entry: node.entry };
  }

  private exactEntry(tokens: Int32Array): Entry | null {
    let node: TrieNode | undefined = this.root;
    for (let i = 0; i < tokens.length && node !== undefined; i++) {
      node = node.children.get(tokens[i]);
    }
    return node?.entry ?? null;
  }

  private prefixEntries(tokens: Int32Array): Entry[] {
    const found: Entry[] = [];
    let node: TrieNode | undefined = this.root;
    for (let i = 0; i < tokens.length - 1; i++) {
      node = node.children.get(tokens[i]);
      if (node === undefined) break;
      if (node.entry !== null) found.push(node.entry);
    }
    return found;
  }

  private insert(entry: Entry): void {
    let node = this.root;
    for (let i = 0; i < entry.tokens.length; i++) {
      let child = node.children.get(entry.tokens[i]);
      if (child === undefined) {
        child = newNode();
        node.children.set(entry.tokens[i], child);
      }
      child.count++;
      node = child;
    }
    node.entry = entry;
    this.lru.add(entry);
    this.bytes += entry.sizeBytes;
  }

  private remove(entry: Entry): void {
    let node = this.root;
    for (let i = 0; i < entry.tokens.length; i++) {
      const child = node.children.get(entry.tokens[i]) as TrieNode;
      child.count--;
      if (child.count === 0) {
        node.children.delete(entry.tokens[i]);
        break;
      }
      node = child;
      if (i === entry.tokens.length - 1) node.entry = null;
    }
    this.lru.delete(entry);
    this.bytes -= entry.sizeBytes;
  }
}

/** Options of measureTtft. */
export interface TtftOptions {
  /** The shared prefix (a system prompt, a document), BOS first. */
  prefix: ArrayLike<number>;
  /** Continuations; each run is prefix ++ suffix. At least one, each non-empty. */
  suffixes: ReadonlyArray<ArrayLike<number>>;
  /** Clock in milliseconds (performance.now in a page or the CLI; a fake in tests). */
  now: () => number;
  /** Session options (cacheLength, blockSize). */
  session?: SessionOptions;
}

/** Time to first token of one prefix ++ suffix, without and with the prefix cached. */
export interface TtftRun {
  suffixTokens: number;
  /** Prefill of the whole prompt from an empty cache, ms. */
  coldMs: number;
  /** Restore of the cached prefix plus prefill of the rest, ms. */
  warmMs: number;
  /** Time the warm run then spent storing its own state (not part of TTFT), ms. */
  storeMs: number;
  reusedTokens: number;
  computedTokens: number;
  /** Whether the warm logits equal the cold logits bit for bit (they must). */
  logitsEqual: boolean;
}

/** What measureTtft found. */
export interface TtftResult {
  prefixTokens: number;
  /** Running the prefix alone once to put it into the cache (cold, and warms up the JIT), ms. */
  primeMs: number;
  runs: TtftRun[];
  coldMeanMs: number;
  warmMeanMs: number;
  /** coldMeanMs / warmMeanMs (Infinity when warm took no measurable time). */
  speedup: number;
}

/**
 * Measures time to first token (prompt in, next-token logits out) for prefix ++ suffix, cold
 * (empty KV cache) against warm (prefix restored from a PromptCache), alternating per suffix on
 * one session. Time comes only from the injected clock.
 * @example measureTtft(model, { prefix, suffixes: [a, b], now: () => performance.now() }).speedup
 */
export function measureTtft(model: ModelWeights, options: TtftOptions): TtftResult {
  const { prefix, suffixes, now } = options;
  if (prefix.length === 0) throw new Error('measureTtft: empty prefix; expected ≥ 1 token');
  if (suffixes.length === 0) throw new Error('measureTtft: no suffixes; expected at least one');
  suffixes.forEach((s, i) => {
    if (s.length === 0) throw new Error(`measureTtft: suffix ${i} is empty; expected ≥ 1 token`);
  });
  const session = createSession(model, options.session);
  const cache = new PromptCache({ budgetBytes: Number.POSITIVE_INFINITY });
  const start = now();
  cache.run(session, prefix);
  const primeMs = now() - start;
  const runs: TtftRun[] = suffixes.map((suffix) => {
    const full = new Int32Array(prefix.length + suffix.length);
    full.set(Array.from(prefix));
    full.set(Array.from(suffix), prefix.length);
    session.truncate(0);
    const c0 = now();
    const cold = session.prefill(full);
    const coldMs = now() - c0;
    const warm = cache.run(session, full, { now });
    const timing = warm.timing as NonNullable<PromptCacheResult['timing']>;
    let equal = cold.length === warm.logits.length;
    for (let i = 0; equal && i < cold.length; i++) {
      equal = Object.is(cold[i], warm.logits[i]);
    }
    return {
      suffixTokens: suffix.length,
      coldMs,
      warmMs: timing.restoreMs + timing.prefillMs,
      storeMs: timing.storeMs,
      reusedTokens: warm.reusedTokens,
      computedTokens: warm.computedTokens,
      logitsEqual: equal,
    };
  });
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const coldMeanMs = mean(runs.map((r) => r.coldMs));
  const warmMeanMs = mean(runs.map((r) => r.warmMs));
  return {
    prefixTokens: prefix.length,
    primeMs,
    runs,
    coldMeanMs,
    warmMeanMs,
    speedup: warmMeanMs > 0 ? coldMeanMs / warmMeanMs : Number.POSITIVE_INFINITY,
  };
}
