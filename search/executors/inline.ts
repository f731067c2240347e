// Inline executor (workers: 0): evaluations run on the main thread, one at a time; used for determinism and cheap objectives.
import type { ResultCache } from '../../store/result-cache.js';
import { PluginError } from '../../core/errors.js';
import { createEvaluationRunner, type ProgressSink } from '../evaluation.js';
import type { EvalTask, EvaluatorSpec, Executor, TaskResult } from './executor.js';
import type { Evaluator } from '../../core/types.js';

/**
 * A timeout here can only stop an evaluator that awaits (or checks ctx.signal): a synchronous endless loop
 * blocks the main thread. Use `workers ≥ 1` for evaluators that may hang. `loaded`: the main thread's evaluator, when
 * it has one already (it is then not loaded again). `progress`: where the evaluations' ctx.report()s go (a pruner).
 */
export function createInlineExecutor(
  spec: EvaluatorSpec,
  cache?: ResultCache,
  loaded?: Evaluator<unknown>,
  batch = 1,
  progress?: ProgressSink,
): Executor {
  const runner = createEvaluationRunner(spec, cache, loaded, progress);
  // One watchdog and one abort signal for all tasks: tasks run one at a time, and a timer or an
  // AbortController per task would cost more than a cheap objective. A timeout aborts the shared
  // signal and starts a fresh one for the tasks after it.
  let controller = new AbortController();
  let current: { deadline: number; expire: (r: TaskResult) => void } | undefined;
  let watchdog: NodeJS.Timeout | undefined;
  const check = (): void => {
    if (current && performance.now() > current.deadline) {
      controller.abort();
      controller = new AbortController();
      current.expire({
        ok: false,
        failure: { kind: 'timeout', message: `evaluation exceeded ${spec.timeoutMs / 1000} s` },
      });
    }
  };
  /** Awaits evaluations that did not answer at once, under the watchdog: a timeout resolves to a timeout failure. */
  const watched = <T>(running: Promise<T>, timeoutMs = spec.timeoutMs): Promise<T | TaskResult> => {
    if (!watchdog) {
      watchdog = setInterval(check, Math.min(250, Math.max(5, spec.timeoutMs / 4)));
      watchdog.unref();
    }
    return new Promise<T | TaskResult>((resolve) => {
      current = { deadline: performance.now() + timeoutMs, expire: resolve };
      running.then(resolve, (error: unknown) =>
        resolve({ ok: false, failure: { kind: 'threw', message: String(error) } }),
      );
    }).finally(() => {
      current = undefined;
    });
  };
  /** The rest of a batch once task `i` has awaited: each task awaited under the watchdog, in order. */
  const finishWatched = async (
    tasks: readonly EvalTask[],
    i: number,
    running: Promise<TaskResult>,
    results: TaskResult[],
  ): Promise<readonly TaskResult[]> => {
    results.push(await watched(running));
    for (let j = i + 1; j < tasks.length; j++) {
      const r = runner.runNow(tasks[j] as EvalTask, controller.signal);
      results.push(r instanceof Promise ? await watched(r) : r);
    }
    return results;
  };
  return {
    size: batch,
    async start() {
      try {
        await runner.warmUp();
      } catch (error) {
        throw new PluginError(
          `evaluator setup failed: ${(error as Error).message}`,
          'Fix setup() in the evaluator module (it runs once per worker, with evaluator.options).',
          { cause: error },
        );
      }
    },
    submit(task) {
      return watched(runner.run(task, controller.signal));
    },
    runBatch(tasks) {
      // A synchronous evaluator answers here and now: no promise, no timer. One that awaits runs under the watchdog
      // (a whole evaluateBatch call gets the timeout of its tasks together).
      const batched = runner.runBatchNow(tasks, controller.signal);
      if (batched instanceof Promise)
        return watched(batched, spec.timeoutMs * tasks.length).then((r) =>
          Array.isArray(r) ? r : tasks.map(() => r as TaskResult),
        );
      if (batched) return batched;
      const results: TaskResult[] = [];
      for (let i = 0; i < tasks.length; i++) {
        const r = runner.runNow(tasks[i] as EvalTask, controller.signal);
        if (r instanceof Promise) return finishWatched(tasks, i, r, results);
        results.push(r);
      }
      return results;
    },
    async close() {
      clearInterval(watchdog);
      controller.abort();
    },
  };
}
