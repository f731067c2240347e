// Thread-pool executor on piscina: a hung evaluation is stopped by terminating its worker; a crash is a failure outcome.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import { PluginError } from '../errors.js';
import { fail } from '../evaluation.js';
import type { EvaluatorSpec, Executor, TaskResult } from './executor.js';

/** Grace beyond the evaluator's own timeout (ctx.signal) before the thread is terminated. */
const HARD_TIMEOUT_GRACE_MS = 250;

/** Workers run compiled JS (Node 20 cannot run .ts workers); from the TS sources we point at dist/. */
export function workerFilename(): string {
  const sibling = new URL('./worker.js', import.meta.url);
  if (existsSync(fileURLToPath(sibling))) return fileURLToPath(sibling);
  const built = new URL('../../dist/search/executors/worker.js', import.meta.url);
  if (existsSync(fileURLToPath(built))) return fileURLToPath(built);
  throw new Error('compiled worker not found: run `npm run build` first');
}

export function createPiscinaExecutor(spec: EvaluatorSpec, threads: number): Executor {
  const pool = new Piscina({
    filename: workerFilename(),
    workerData: spec,
    minThreads: threads,
    maxThreads: threads,
    concurrentTasksPerWorker: 1,
    idleTimeout: Number.POSITIVE_INFINITY,
    // Worker stdout/stderr go to ours; evaluators may log.
  });
  // A crashed worker emits 'error' on the pool; the task's promise carries the failure, so this only keeps the process alive.
  pool.on('error', () => undefined);
  const running = new Set<AbortController>();
  let closed = false;

  return {
    size: threads,
    async start() {
      // One warm-up task per thread (piscina hands each to an idle worker; setup() is memoised per worker).
      const warmUps = Array.from({ length: threads }, () => pool.run({ setup: true }));
      try {
        await Promise.all(warmUps);
      } catch (error) {
        await Promise.allSettled(warmUps);
        throw new PluginError(`evaluator setup failed in a worker: ${(error as Error).message}`, 'Fix setup() in the evaluator module (it runs once per worker, with evaluator.options).', { cause: error });
      }
    },
    async submit(task): Promise<TaskResult> {
      if (closed) return { ok: false, failure: { kind: 'crashed', message: 'executor closed' } };
      const controller = new AbortController();
      running.add(controller);
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        controller.abort(); // piscina terminates the thread running this task and starts a fresh one
      }, spec.timeoutMs + HARD_TIMEOUT_GRACE_MS);
      try {
        return (await pool.run(task, { signal: controller.signal })) as TaskResult;
      } catch (error) {
        if (timedOut) return { ok: false, failure: { kind: 'timeout', message: `evaluation exceeded ${spec.timeoutMs / 1000} s; its worker was terminated and replaced` } };
        if (closed) return { ok: false, failure: { kind: 'crashed', message: 'run stopped before the evaluation finished' } };
        return fail('crashed', error, 'worker crashed: ');
      } finally {
        clearTimeout(timer);
        running.delete(controller);
      }
    },
    async close() {
      closed = true;
      for (const controller of running) controller.abort();
      await pool.destroy();
    },
  };
}
