// Worker-thread entry for the piscina executor: builds the evaluator from workerData once, then runs tasks.
import { workerData } from 'piscina';
import { createEvaluationRunner } from '../evaluation.js';
import type { EvalTask, EvaluatorSpec, TaskResult } from './executor.js';

const spec = workerData as EvaluatorSpec;
const runner = createEvaluationRunner(spec);

/** The main thread enforces the hard timeout by terminating this thread; ctx.signal lets evaluators stop politely first. */
export default async function runTask(task: EvalTask): Promise<TaskResult> {
  return runner.run(task, AbortSignal.timeout(spec.timeoutMs));
}
