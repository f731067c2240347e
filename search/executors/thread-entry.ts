// What a piscina evaluation thread exports, shared by the local pool's threads (worker.ts) and `elites worker`'s
// (redis/thread.ts): setup before the thread reports ready, warm-up tasks, and each task's own timeout signal.
import type { EvaluationRunner } from '../evaluation.js';
import type { EvalTask, TaskResult } from './executor.js';

/** A warm-up task: load the evaluator and run setup() before any evaluation is timed. */
export interface SetupTask {
  readonly setup: true;
}

export type ThreadHandler = (task: EvalTask | SetupTask) => Promise<TaskResult | { ok: true; setup: true }>;

/**
 * The thread's default export. piscina awaits a promised handler before it reports the thread ready, so a thread
 * that replaces a terminated one takes no task (and starts no task's timeout) until setup is done. A failed setup
 * must not fail the start itself (piscina would stop replacing threads): the warm-up task reports it, or the first
 * evaluation as a 'setup failed' failure.
 */
export function threadEntry(runner: EvaluationRunner, timeoutMs: number): Promise<ThreadHandler> {
  let setupError: unknown;
  // The main thread enforces the hard timeout by terminating this thread; ctx.signal lets evaluators stop politely first.
  const runTask: ThreadHandler = async (task) => {
    if ('setup' in task) {
      if (setupError !== undefined) {
        const error = setupError;
        setupError = undefined; // reported once; a later task retries setup (it may have been transient)
        throw error;
      }
      await runner.warmUp(); // a rejection travels back to the main thread as the task's error
      return { ok: true, setup: true };
    }
    // A timer cleared when the task ends: AbortSignal.timeout() would keep every task's timer (and signal) alive for
    // the whole timeout, tens of megabytes a second at thousands of evaluations a second.
    const controller = new AbortController();
    const timer = setTimeout(
      () => controller.abort(new DOMException(`evaluation exceeded ${timeoutMs / 1000} s`, 'TimeoutError')),
      timeoutMs,
    );
    try {
      return await runner.run(task, controller.signal);
    } finally {
      clearTimeout(timer);
    }
  };
  return runner.warmUp().then(
    () => runTask,
    (error: unknown) => {
      setupError = error;
      return runTask;
    },
  );
}
