// Inline executor (workers: 0): evaluations run on the main thread, one at a time; used for determinism and cheap objectives.
import type { ResultCache } from '../../store/result-cache.js';
import { PluginError } from '../../core/errors.js';
import { createEvaluationRunner } from '../evaluation.js';
import type { EvaluatorSpec, Executor, TaskResult } from './executor.js';
import type { Evaluator } from '../../core/types.js';

/**
 * A timeout here can only stop an evaluator that awaits (or checks ctx.signal): a synchronous endless loop
 * blocks the main thread. Use `workers ≥ 1` for evaluators that may hang. `loaded`: the main thread's evaluator, when
 * it has one already (it is then not loaded again).
 */
export function createInlineExecutor(spec: EvaluatorSpec, cache?: ResultCache, loaded?: Evaluator<unknown>): Executor {
  const runner = createEvaluationRunner(spec, cache, loaded);
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
  return {
    size: 1,
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
      if (!watchdog) {
        watchdog = setInterval(check, Math.min(250, Math.max(5, spec.timeoutMs / 4)));
        watchdog.unref();
      }
      return new Promise<TaskResult>((resolve) => {
        current = { deadline: performance.now() + spec.timeoutMs, expire: resolve };
        runner
          .run(task, controller.signal)
          .then(resolve, (error: unknown) =>
            resolve({ ok: false, failure: { kind: 'threw', message: String(error) } }),
          );
      }).finally(() => {
        current = undefined;
      });
    },
    async close() {
      clearInterval(watchdog);
      controller.abort();
      await runner.close();
    },
  };
}
