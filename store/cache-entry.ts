// What the result cache holds for a key or fingerprint, and how a new sample folds into it: plain data, no LMDB, so
// a thread that only folds samples (search/cache-policy.ts) does not load the cache's native module.
import type { EvalResult } from '../core/types.js';

/** What the cache holds for a key or fingerprint: a result, and in aggregate mode the running statistics of its samples. */
export interface CacheEntry {
  readonly result: EvalResult;
  /** Samples folded into `result.fitness` (1 in plain caching). */
  readonly n: number;
  /** Σ of squared deviations (Welford), for the variance of noisy evaluations. */
  readonly m2: number;
  /** Fitness of the most recent sample. */
  readonly latest: number;
}

/** A cache entry holding one sample. */
export function singleSample(result: EvalResult): CacheEntry {
  return { result, n: 1, m2: 0, latest: result.fitness };
}

/** Folds a new sample into an entry (Welford's running mean and M2); the entry's fitness becomes the mean. */
export function addSample(entry: CacheEntry, sample: EvalResult): CacheEntry {
  const n = entry.n + 1;
  const delta = sample.fitness - entry.result.fitness;
  const mean = entry.result.fitness + delta / n;
  const m2 = entry.m2 + delta * (sample.fitness - mean);
  return { result: { ...sample, fitness: mean }, n, m2, latest: sample.fitness };
}
