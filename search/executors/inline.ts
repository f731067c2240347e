// Inline executor (workers: 0): evaluations run on the main thread, one at a time; used for determinism and cheap objectives.
import type { ResultCache } from '../../archive/store/result-cache.js';
import { createEvaluationRunner } from '../evaluation.js';
import type { EvaluatorSpec, Executor, TaskResult } from './executor.js';

/**
 * A timeout here can only stop an evaluator that awaits (or checks ctx.signal): a synchronous endless loop
 * blocks the main thread. Use `workers ≥ 1` for evaluators that may hang.
 */
export function createInlineExecutor(spec: EvaluatorSpec, cache?: ResultCache): Executor {
  const runner = createEvaluationRunner(spec, cache);
  // One watchdog for all tasks: a timer per task would cost more than a cheap objective.
  let current: { controller: AbortController; deadline: number; expire: (r: TaskResult) => void } | undefined;
  let watchdog: NodeJS.Timeout | undefined;
  const check = (): void => {
    if (current && performance.now() > current.deadline) {
      current.controller.abort();
      current.expire({ ok: false, failure: { kind: 'timeout', message: `evaluation exceeded ${spec.timeoutMs / 1000} s` } });
    }
  };
  return {
    size: 1,
    submit(task) {
      if (!watchdog) {
        watchdog = setInterval(check, Math.min(250, Math.max(5, spec.timeoutMs / 4)));
        watchdog.unref();
      }
      const controller = new AbortController();
      return new Promise<TaskResult>((resolve) => {
        current = { controller, deadline: performance.now() + spec.timeoutMs, expire: resolve };
        runner.run(task, controller.signal).then(resolve, (error: unknown) => resolve({ ok: false, failure: { kind: 'threw', message: String(error) } }));
      }).finally(() => {
        current = undefined;
      });
    },
    async close() {
      clearInterval(watchdog);
      current?.controller.abort();
      await runner.close();
    },
  };
}
