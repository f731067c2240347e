// How the functional-hash cache answers a key: plain caching, aggregation of noisy samples, or counterfactual checks.
import type { CacheEntry, ResultCache } from '../store/result-cache.js';
import { addSample, singleSample } from '../store/cache-entry.js';
import { fromEvent, type LoggedSample, type RunEvent } from '../store/events.js';
import type { TaskResult } from './executors/executor.js';
import type { EvalResult } from '../core/types.js';

export type CacheMode = 'cache' | 'aggregate' | 'counterfactual';

/**
 * What to do with a proposal's key: reuse a result, or evaluate it (as sample `repeat`); `fresh`: really evaluate,
 * with no answer from a fingerprint either (counterfactual checks compare a fresh result with the cached one).
 */
export type CacheLookup =
  | { readonly hit: EvalResult; readonly sample?: LoggedSample }
  | { readonly repeat: number; readonly fresh?: boolean; readonly lookUpKey?: boolean };

export interface CachePolicy {
  /** False when caching is off: every proposal is evaluated, duplicates in flight included. */
  readonly enabled: boolean;
  /** Every proposal is evaluated, even a key already in flight (counterfactual checks). */
  readonly evaluatesAll: boolean;
  /**
   * With `elsewhere` (the executor's workers read the committed cache: Executor.looksUpKeys), plain caching reads only
   * this thread's uncommitted puts and a miss says `lookUpKey`: the task's worker looks the key up.
   */
  lookup(key: string, elsewhere?: boolean): CacheLookup;
  /**
   * Stores a fresh result; returns the result the search should see (the running mean in aggregate mode) and, for an
   * evaluation in aggregate mode, the sample it added (logged with its event).
   */
  record(
    key: string,
    task: TaskResult & { ok: true },
  ): { result: EvalResult; collision: boolean; sample?: LoggedSample; persist?: () => Promise<void> };
  /**
   * Resume: sets every pool of samples that `events` (the whole log) added to back to its last logged state, so the
   * number of samples behind each mean is the number of logged events for it whatever the kill interrupted (a
   * sample whose event never committed, or an event whose cache write did not). Resolves to the pools corrected.
   */
  restore(events: Iterable<RunEvent>): Promise<number>;
}

export interface CachePolicyOptions {
  readonly mode: CacheMode;
  readonly maxRepeats: number;
  readonly epsilon: number;
  /** Results whose descriptors do not fit the archive (an older run's dims) are ignored. */
  readonly descriptorCount: number;
  /** Likewise the objectives: a cached result without the objectives the config asks for does not answer. */
  readonly objectiveCount?: number;
}

/** A cached entry answers this run only with the descriptors and objectives its config asks for (an older run's dims). */
export function usableEntry(
  entry: CacheEntry | undefined,
  run: { readonly descriptorCount: number; readonly objectiveCount?: number },
): entry is CacheEntry {
  return (
    entry !== undefined &&
    (entry.result.descriptors?.length ?? 0) === run.descriptorCount &&
    (!run.objectiveCount || entry.result.objectives?.length === run.objectiveCount)
  );
}

export function createCachePolicy(cache: ResultCache | undefined, options: CachePolicyOptions): CachePolicy {
  if (!cache) {
    return {
      enabled: false,
      evaluatesAll: true,
      lookup: () => ({ repeat: 0 }),
      record: (_key, task) => ({ result: task.result, collision: false }),
      restore: async () => 0,
    };
  }
  const usable = (entry: CacheEntry | undefined): entry is CacheEntry => usableEntry(entry, options);

  return {
    enabled: true,
    evaluatesAll: options.mode === 'counterfactual',
    lookup(key, elsewhere) {
      if (options.mode === 'counterfactual') return { repeat: 0, fresh: true };
      if (elsewhere && options.mode === 'cache') {
        const held = cache.heldByKey(key);
        return usable(held) ? { hit: held.result } : { repeat: 0, lookUpKey: true };
      }
      const entry = cache.byKey(key);
      if (!usable(entry)) return { repeat: 0 };
      switch (options.mode) {
        case 'cache':
          return { hit: entry.result };
        case 'aggregate': // bounded repeats: after maxRepeats samples the mean is trusted
          return entry.n >= options.maxRepeats
            ? { hit: entry.result, sample: loggedState(`k:${key}`, entry) }
            : { repeat: entry.n };
      }
    },
    record(key, task) {
      // Plain caching reads nothing back: a second lookup per evaluation was a tenth of a cheap objective's run.
      const previous = options.mode === 'cache' ? undefined : cache.byKey(key);
      const fresh = task.result;
      let collision = false;
      if (options.mode === 'counterfactual' && usable(previous))
        collision = Math.abs(previous.result.fitness - fresh.fitness) > options.epsilon;
      if (options.mode !== 'aggregate') {
        const entry = singleSample(fresh);
        void cache.putKey(key, entry);
        if (task.fingerprint !== undefined && task.source === 'evaluated')
          void cache.putFingerprint(task.fingerprint, entry);
        return { result: fresh, collision };
      }
      // Samples are pooled per fingerprint (the same code is the same noisy quantity, whichever key proposed it);
      // a key without a fingerprint pools its own samples.
      const pool = task.fingerprint !== undefined ? cache.byFingerprint(task.fingerprint) : previous;
      if (task.source !== 'evaluated') {
        // A fingerprint answer: the pool's mean, with this genome's own descriptors and metrics (describe()).
        const entry = usable(pool)
          ? { ...pool, result: { ...fresh, fitness: pool.result.fitness } }
          : singleSample(fresh);
        void cache.putKey(key, entry);
        const p = task.fingerprint !== undefined ? `f:${task.fingerprint}` : `k:${key}`;
        return { result: entry.result, collision, sample: loggedState(p, entry) };
      }
      // A new sample: seen at once by this run, written once its event has committed (the engine calls persist).
      const entry = usable(pool) ? addSample(pool, fresh) : singleSample(fresh);
      const writes = [cache.stage('k', key, entry)];
      if (task.fingerprint !== undefined) writes.push(cache.stage('f', task.fingerprint, entry));
      const p = task.fingerprint !== undefined ? `f:${task.fingerprint}` : `k:${key}`;
      const persist = async (): Promise<void> => void (await Promise.all(writes.map((write) => write())));
      return { result: entry.result, collision, sample: loggedState(p, entry), persist };
    },
    async restore(events) {
      if (options.mode !== 'aggregate') return 0; // only aggregate mode logs samples: no pass over a long log
      const last = new Map<string, CacheEntry>();
      for (const e of events) {
        const r = fromEvent(e);
        if (r.ok && r.sample)
          last.set(r.sample.p, { result: r.result, n: r.sample.n, m2: r.sample.m2, latest: r.sample.x });
      }
      const writes: Promise<void>[] = [];
      for (const [p, entry] of last) {
        const id = p.slice(2);
        const held = p.startsWith('f:') ? cache.byFingerprint(id) : cache.byKey(id);
        if (held?.n === entry.n && held.result.fitness === entry.result.fitness) continue;
        writes.push(p.startsWith('f:') ? cache.putFingerprint(id, entry) : cache.putKey(id, entry));
      }
      await Promise.all(writes);
      return writes.length;
    },
  };
}

/** The statistics of pool `p` as an event logs them (aggregate mode). */
function loggedState(p: string, entry: CacheEntry): LoggedSample {
  return { p, n: entry.n, m2: entry.m2, x: entry.latest };
}
