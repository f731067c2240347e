// The in-flight table: a proposal's key is answered by the cache, shared with the same key in flight, or submitted.
import type { CachePolicy } from './cache-policy.js';
import type { Executor } from './executors/executor.js';
import { answerOf, type Answer } from './answer.js';
import { fidelityKey, type Proposal } from './strategies/strategy.js';
import type { Space } from '../core/types.js';
import type { LoggedSample } from '../store/events.js';

export interface InFlightDeps<G> {
  readonly space: Space<G>;
  readonly cache: CachePolicy;
  readonly executor: Executor;
  /** Counterfactual mode: a fresh result disagreed with the cached one. */
  readonly onCollision: () => void;
  /** Wakes a waiting `next()`, which then answers undefined. */
  readonly stop?: AbortSignal;
}

export interface InFlight<G> {
  /** Starts answering `p`; its answer comes out of `next()`, at once for a cache hit. */
  submit(p: Proposal<G>): void;
  /** The oldest answer not yet taken, waiting for one; undefined once the stop signal is set. */
  next(): Promise<Answer<G> | undefined>;
  /** Answers arriving after this are dropped: their proposals are in the final checkpoint. */
  close(): void;
}

/**
 * Invariant: with the cache on, at most one task per key is running; every proposal that asks for that key while it
 * runs gets the task's result as a key hit (one evaluation, one cache record).
 */
export function createInFlight<G>(deps: InFlightDeps<G>): InFlight<G> {
  const { space, cache, executor, stop } = deps;
  const sharing = new Map<string, Proposal<G>[]>(); // key in flight → the proposals waiting for its result
  const done: Answer<G>[] = [];
  let wake: (() => void) | undefined;
  let closed = false;
  const complete = (answer: Answer<G>): void => {
    if (closed) return;
    done.push(answer);
    wake?.();
  };
  const onStop = (): void => wake?.();
  stop?.addEventListener('abort', onStop);

  return {
    submit(p) {
      const key = fidelityKey(space.key(p.genome), p.fidelity);
      const group = cache.evaluatesAll ? undefined : sharing.get(key);
      if (group) return void group.push(p);
      const lookup = cache.lookup(key);
      if ('hit' in lookup)
        return complete({
          proposal: p,
          ok: true,
          result: lookup.hit,
          source: 'key',
          ...(lookup.sample ? { sample: lookup.sample } : {}),
        });
      const waiting = [p];
      if (!cache.evaluatesAll) sharing.set(key, waiting);
      const stage = p.fidelity ? { fidelity: p.fidelity.level, sample: p.fidelity.sample } : {};
      const fresh = lookup.fresh ? { fresh: true } : {};
      void executor
        .submit({ id: p.id, genome: p.genome, key, repeat: lookup.repeat, ...stage, ...fresh })
        .then((task) => {
          sharing.delete(key);
          if (closed) return;
          let sample: LoggedSample | undefined;
          let persist: (() => Promise<void>) | undefined;
          if (task.ok) {
            const recorded = cache.record(key, task);
            if (recorded.collision) deps.onCollision();
            task = { ...task, result: recorded.result };
            ({ sample, persist } = recorded);
          }
          waiting.forEach((q, i) => complete(answerOf(q, task, i === 0, sample, persist)));
        });
    },
    async next() {
      while (done.length === 0) {
        if (stop?.aborted) return undefined; // work in flight is not waited for: it is checkpointed as pending
        await new Promise<void>((resolve) => (wake = resolve));
      }
      wake = undefined;
      return done.shift();
    },
    close() {
      closed = true;
      stop?.removeEventListener('abort', onStop);
    },
  };
}
