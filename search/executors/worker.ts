// Worker-thread entry for the piscina executor: builds the evaluator from workerData once, then runs tasks.
import { workerData } from 'piscina';
import { createEvaluationRunner } from '../evaluation.js';
import type { EvalTask, EvaluatorSpec, TaskResult } from './executor.js';
import { adoptSharedMemory } from './semaphores.js';

const spec = workerData as EvaluatorSpec;
// Before the evaluator loads: its semaphores must be the ones every other thread uses.
if (spec.sharedMemory !== undefined) adoptSharedMemory(spec.sharedMemory);
const runner = createEvaluationRunner(spec);

/** A warm-up task: load the evaluator and run setup() before any evaluation is timed. */
export interface SetupTask {
  readonly setup: true;
}

/** The main thread enforces the hard timeout by terminating this thread; ctx.signal lets evaluators stop politely first. */
async function runTask(task: EvalTask | SetupTask): Promise<TaskResult | { ok: true; setup: true }> {
  if ('setup' in task) {
    if (setupError !== undefined) {
      const error = setupError;
      setupError = undefined; // reported once; a later task retries setup (it may have been transient)
      throw error;
    }
    await runner.prepare(); // a rejection travels back to the main thread as the task's error
    return { ok: true, setup: true };
  }
  // A timer cleared when the task ends: AbortSignal.timeout() would keep every task's timer (and signal) alive for
  // the whole timeout, tens of megabytes a second at thousands of evaluations a second.
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new DOMException(`evaluation exceeded ${spec.timeoutMs / 1000} s`, 'TimeoutError')), spec.timeoutMs);
  try {
    return await runner.run(task, controller.signal);
  } finally {
    clearTimeout(timer);
  }
}

// Load the evaluator and run setup() while this thread starts: piscina awaits a promised handler before it
// reports the thread ready, so a thread that replaces a terminated one takes no task (and starts no task's
// timeout) until setup is done. A failed setup must not fail the start itself (piscina would stop replacing
// threads): it is reported by the warm-up task, or by the first evaluation as a 'setup failed' failure.
let setupError: unknown;
const ready = runner.prepare().then(
  () => runTask,
  (error: unknown) => {
    setupError = error;
    return runTask;
  },
);
export default ready;
