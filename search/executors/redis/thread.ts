// Evaluation-thread entry for `elites worker` (piscina): the same runner as the local pool's threads (worker.ts),
// with level-2 lookups answered by the run's main process instead of a local LMDB file.
import { workerData } from 'piscina';
import { createEvaluationRunner } from '../../evaluation.js';
import type { EvalTask, EvaluatorSpec, TaskResult } from '../executor.js';
import { adoptSharedMemory } from '../semaphores.js';
import { bridgedCache } from './fingerprint.js';

/** How long a thread waits for a fingerprint answer before it evaluates anyway. */
const LOOKUP_TIMEOUT_MS = 2000;

// `spec.cache` is the main process's cache (its path means nothing here): present means lookups are wanted.
const spec = workerData as EvaluatorSpec;
if (spec.sharedMemory !== undefined) adoptSharedMemory(spec.sharedMemory);
const runner = createEvaluationRunner(spec, spec.cache !== undefined ? bridgedCache(LOOKUP_TIMEOUT_MS) : undefined);

async function runTask(task: EvalTask | { readonly setup: true }): Promise<TaskResult | { ok: true; setup: true }> {
  if ('setup' in task) {
    if (setupError !== undefined) {
      const error = setupError;
      setupError = undefined; // reported once; a later task retries setup
      throw error;
    }
    await runner.prepare();
    return { ok: true, setup: true };
  }
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new DOMException(`evaluation exceeded ${spec.timeoutMs / 1000} s`, 'TimeoutError')), spec.timeoutMs);
  try {
    return await runner.run(task, controller.signal);
  } finally {
    clearTimeout(timer);
  }
}

// As in worker.ts: setup before the thread reports ready; a failed setup is reported by the warm-up task.
let setupError: unknown;
const ready = runner.prepare().then(
  () => runTask,
  (error: unknown) => {
    setupError = error;
    return runTask;
  },
);
export default ready;
