// Worker-thread entry for the piscina executor: builds the evaluator from workerData once, then runs tasks.
import { workerData } from 'piscina';
import { createEvaluationRunner } from '../evaluation.js';
import type { EvalTask, EvaluatorSpec, TaskResult } from './executor.js';

const spec = workerData as EvaluatorSpec;
const runner = createEvaluationRunner(spec);

/** A warm-up task: load the evaluator and run setup() before any evaluation is timed. */
export interface SetupTask {
  readonly setup: true;
}

/** The main thread enforces the hard timeout by terminating this thread; ctx.signal lets evaluators stop politely first. */
export default async function runTask(task: EvalTask | SetupTask): Promise<TaskResult | { ok: true; setup: true }> {
  if ('setup' in task) {
    await runner.prepare(); // a rejection travels back to the main thread as the task's error
    return { ok: true, setup: true };
  }
  return runner.run(task, AbortSignal.timeout(spec.timeoutMs));
}
