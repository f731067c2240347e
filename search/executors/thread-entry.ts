// What a piscina evaluation thread exports, shared by the local pool's threads (worker.ts) and `elites worker`'s
// (redis/thread.ts): setup before the thread reports ready, warm-up tasks, and messages of tasks run one after another,
// each with its own timeout (task-deadline.ts) and its result kept in the message's shared progress as it finishes.
import type { EvaluationRunner } from '../evaluation.js';
import type { BatchMessage, BatchReply, ThreadHandler } from './batch-message.js';
import type { TaskResult } from './executor.js';
import { writeProgress } from './progress.js';
import { taskDeadlines } from './task-deadline.js';

export type { SetupTask, ThreadHandler } from './batch-message.js';

/**
 * The thread's default export. piscina awaits a promised handler before it reports the thread ready, so a thread
 * that replaces a terminated one takes no task (and starts no task's timeout) until setup is done. A failed setup
 * must not fail the start itself (piscina would stop replacing threads): the warm-up task reports it, or the first
 * evaluation as a 'setup failed' failure.
 */
export function threadEntry(runner: EvaluationRunner, timeoutMs: number): Promise<ThreadHandler> {
  let setupError: unknown;
  const runBatch = async ({ tasks, unsettled, progress, sentAt }: BatchMessage): Promise<BatchReply> => {
    const kept = writeProgress(progress, sentAt);
    const deadlines = taskDeadlines(timeoutMs);
    const results: TaskResult[] = [];
    const started = performance.now();
    kept.begin();
    try {
      for (const [index, task] of tasks.entries()) {
        // Without a promise when the evaluator answers at once: a microsecond objective runs its message in one go.
        const answer = runner.runNow(unsettled === undefined ? task : { ...task, unsettled }, deadlines.start());
        const result = answer instanceof Promise ? await answer : answer;
        results.push(result);
        if (!kept.finish(index, result)) break; // no room to keep the next one safe: the pool sends the rest again
      }
    } finally {
      deadlines.stop();
    }
    return { results, ms: performance.now() - started };
  };
  const handle: ThreadHandler = async (message) => {
    if (!('setup' in message)) return runBatch(message);
    if (setupError !== undefined) {
      const error = setupError;
      setupError = undefined; // reported once; a later task retries setup (it may have been transient)
      throw error;
    }
    await runner.warmUp(); // a rejection travels back to the main thread as the task's error
    return { ok: true, setup: true };
  };
  return runner.warmUp().then(
    () => handle,
    (error: unknown) => {
      setupError = error;
      return handle;
    },
  );
}
