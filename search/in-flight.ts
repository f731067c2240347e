// The in-flight table: a proposal's key is answered by the cache, shared with the same key in flight, or submitted.
import type { CachePolicy } from './cache-policy.js';
import type { EvalTask, Executor, TaskResult } from './executors/executor.js';
import { answerOf, type Answer } from './answer.js';
import { fidelityKey, type Proposal } from './strategies/strategy.js';
import type { Space } from '../core/types.js';
import type { LoggedSample } from '../store/events.js';
import type { Writable } from '../core/objects.js';

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
  /** Starts answering `ps`, in order; their answers come out of `take()`/`next()`, at once for cache hits. */
  submitAll(ps: readonly Proposal<G>[]): void;
  /** The oldest answer not yet taken, if one is ready. */
  take(): Answer<G> | undefined;
  /** The oldest answer not yet taken, waiting for one; undefined once the stop signal is set. */
  next(): Promise<Answer<G> | undefined>;
  /** Answers arriving after this are dropped: their proposals are in the final checkpoint. */
  close(): void;
}

/** A task to run and the proposals waiting for its result (more than one when they share its key in flight). */
interface Submission<G> {
  readonly task: EvalTask;
  /** Undefined with the cache off: nothing is looked up or recorded under it. */
  readonly key: string | undefined;
  readonly waiting: Proposal<G>[];
}

/**
 * A task with the cache off (a `runBatch` executor's): its key (then only the seed of ctx.rng) is hashed if the
 * evaluator draws from ctx.rng. The thread pool reads the key itself before a task crosses to a thread (structured
 * clone copies own properties, not this getter).
 */
class LazyKeyTask<G> implements EvalTask {
  private computed: string | undefined;
  readonly repeat = 0;
  declare readonly fidelity?: number;
  declare readonly sample?: number;

  constructor(
    private readonly proposal: Proposal<G>,
    private readonly space: Space<G>,
  ) {
    if (proposal.fidelity) Object.assign(this, { fidelity: proposal.fidelity.level, sample: proposal.fidelity.sample });
  }

  get id(): number {
    return this.proposal.id;
  }

  get genome(): G {
    return this.proposal.genome;
  }

  get key(): string {
    this.computed ??= fidelityKey(this.space.key(this.proposal.genome), this.proposal.fidelity);
    return this.computed;
  }
}

/**
 * Invariant: with the cache on, at most one task per key is running; every proposal that asks for that key while it
 * runs gets the task's result as a key hit (one evaluation, one cache record). With the cache off, a key is computed
 * only if the evaluator draws from ctx.rng (its seed): hashing a genome costs more than a cheap objective.
 */
export function createInFlight<G>(deps: InFlightDeps<G>): InFlight<G> {
  const { space, cache, executor, stop } = deps;
  const sharing = new Map<string, Proposal<G>[]>(); // key in flight → the proposals waiting for its result
  const done: Answer<G>[] = [];
  let head = 0; // done[head…] are not yet taken (an index, not shift(): O(1) per answer)
  let wake: (() => void) | undefined;
  let closed = false;
  const complete = (answer: Answer<G>): void => {
    if (closed) return;
    done.push(answer);
    const waiting = wake;
    wake = undefined; // one wake-up per wait, not one per answer that arrives while it is pending
    waiting?.();
  };
  const onStop = (): void => wake?.();
  stop?.addEventListener('abort', onStop);

  /** A cache answer (completed at once), or the task to run for `p`. */
  const prepare = (p: Proposal<G>): Submission<G> | undefined => {
    if (!cache.enabled) {
      const task: EvalTask = executor.runBatch
        ? new LazyKeyTask(p, space)
        : { id: p.id, genome: p.genome, key: fidelityKey(space.key(p.genome), p.fidelity), repeat: 0, ...stageOf(p) };
      return { task, key: undefined, waiting: [p] };
    }
    const key = fidelityKey(space.key(p.genome), p.fidelity);
    const group = cache.evaluatesAll ? undefined : sharing.get(key);
    if (group) return void group.push(p);
    const lookup = cache.lookup(key, executor.looksUpKeys);
    if ('hit' in lookup)
      return void complete({
        proposal: p,
        ok: true,
        result: lookup.hit,
        source: 'key',
        ...(lookup.sample ? { sample: lookup.sample } : {}),
      });
    const waiting = [p];
    if (!cache.evaluatesAll) sharing.set(key, waiting);
    const task: Writable<EvalTask> = { id: p.id, genome: p.genome, key, repeat: lookup.repeat, ...stageOf(p) };
    if (lookup.fresh) task.fresh = true;
    if (lookup.lookUpKey) task.lookUpKey = true;
    return { task, key, waiting };
  };

  /** A task's result: recorded in the cache (when on), then every proposal waiting for it answered. */
  const finish = (s: Submission<G>, result: TaskResult): void => {
    if (s.key !== undefined) sharing.delete(s.key);
    if (closed) return;
    let task = result;
    let sample: LoggedSample | undefined;
    let persist: (() => Promise<void>) | undefined;
    // A key the worker found in the committed cache is there already: nothing to record.
    if (task.ok && s.key !== undefined && task.source !== 'key') {
      const recorded = cache.record(s.key, task);
      if (recorded.collision) deps.onCollision();
      task = { ...task, result: recorded.result };
      ({ sample, persist } = recorded);
    }
    const { waiting } = s;
    for (let i = 0; i < waiting.length; i++)
      complete(answerOf(waiting[i] as Proposal<G>, task, i === 0, sample, persist));
  };

  return {
    submitAll(ps) {
      const runs: Submission<G>[] = [];
      for (const p of ps) {
        const s = prepare(p);
        if (s) runs.push(s);
      }
      if (runs.length === 0) return;
      if (executor.runBatch) {
        const results = executor.runBatch(runs.map((s) => s.task));
        if (results instanceof Promise) void results.then((rs) => rs.forEach((r, i) => finish(runs[i]!, r)));
        else results.forEach((r, i) => finish(runs[i]!, r));
        return;
      }
      for (const s of runs) void executor.submit(s.task).then((r) => finish(s, r));
    },
    take() {
      if (head === done.length) return undefined;
      const answer = done[head++];
      if (head === done.length) {
        done.length = 0;
        head = 0;
      }
      return answer;
    },
    async next() {
      while (head === done.length) {
        if (stop?.aborted) return undefined; // work in flight is not waited for: it is checkpointed as pending
        await new Promise<void>((resolve) => (wake = resolve));
      }
      wake = undefined;
      return this.take();
    },
    close() {
      closed = true;
      stop?.removeEventListener('abort', onStop);
    },
  };
}

/** A task's fidelity fields from its proposal's (racing); none for most runs. */
function stageOf<G>(p: Proposal<G>): { fidelity?: number; sample?: number } {
  return p.fidelity ? { fidelity: p.fidelity.level, sample: p.fidelity.sample } : {};
}
