// How the functional-hash cache answers a key: plain caching, aggregation of noisy samples, or counterfactual checks.
import { addSample, singleSample, type CacheEntry, type ResultCache } from '../store/result-cache.js';
import type { TaskResult } from './executors/executor.js';
import type { EvalResult } from '../core/types.js';

export type CacheMode = 'cache' | 'aggregate' | 'counterfactual';

/**
 * What to do with a proposal's key: reuse a result, or evaluate it (as sample `repeat`); `fresh`: really evaluate,
 * with no answer from a fingerprint either (counterfactual checks compare a fresh result with the cached one).
 */
export type CacheLookup = { readonly hit: EvalResult } | { readonly repeat: number; readonly fresh?: boolean };

export interface CachePolicy {
  /** False when caching is off: every proposal is evaluated, duplicates in flight included. */
  readonly enabled: boolean;
  /** Every proposal is evaluated, even a key already in flight (counterfactual checks). */
  readonly evaluatesAll: boolean;
  lookup(key: string): CacheLookup;
  /** Stores a fresh result; returns the result the search should see (the running mean in aggregate mode). */
  record(key: string, task: TaskResult & { ok: true }): { result: EvalResult; collision: boolean };
}

export interface CachePolicyOptions {
  readonly mode: CacheMode;
  readonly maxRepeats: number;
  readonly epsilon: number;
  /** Results whose descriptors do not fit the archive (an older run's dims) are ignored. */
  readonly descriptorCount: number;
}

export function createCachePolicy(cache: ResultCache | undefined, options: CachePolicyOptions): CachePolicy {
  if (!cache) {
    return {
      enabled: false,
      evaluatesAll: true,
      lookup: () => ({ repeat: 0 }),
      record: (_key, task) => ({ result: task.result, collision: false }),
    };
  }
  const usable = (entry: CacheEntry | undefined): entry is CacheEntry =>
    entry !== undefined && (entry.result.descriptors?.length ?? 0) === options.descriptorCount;

  return {
    enabled: true,
    evaluatesAll: options.mode === 'counterfactual',
    lookup(key) {
      if (options.mode === 'counterfactual') return { repeat: 0, fresh: true };
      const entry = cache.byKey(key);
      if (!usable(entry)) return { repeat: 0 };
      switch (options.mode) {
        case 'cache':
          return { hit: entry.result };
        case 'aggregate': // bounded repeats: after maxRepeats samples the mean is trusted
          return entry.n >= options.maxRepeats ? { hit: entry.result } : { repeat: entry.n };
      }
    },
    record(key, task) {
      const previous = cache.byKey(key);
      const fresh = task.result;
      let entry = singleSample(fresh);
      let collision = false;
      if (options.mode === 'aggregate') {
        // Samples are pooled per fingerprint (the same code is the same noisy quantity, whichever key proposed it);
        // a key without a fingerprint pools its own samples.
        const code = task.fingerprint !== undefined ? cache.byFingerprint(task.fingerprint) : undefined;
        const pool = usable(code) ? code : usable(previous) ? previous : undefined;
        if (task.source === 'evaluated') entry = pool ? addSample(pool, fresh) : entry;
        else if (pool) entry = pool;
      }
      if (options.mode === 'counterfactual' && usable(previous))
        collision = Math.abs(previous.result.fitness - fresh.fitness) > options.epsilon;
      void cache.putKey(key, entry);
      if (task.fingerprint !== undefined && task.source === 'evaluated')
        void cache.putFingerprint(task.fingerprint, options.mode === 'aggregate' ? entry : singleSample(fresh));
      return { result: entry.result, collision };
    },
  };
}
