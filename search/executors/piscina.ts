// Thread-pool executor on piscina: a hung evaluation is stopped by terminating its worker; a crash is a failure outcome.
import { Piscina } from 'piscina';
import { PluginError } from '../../core/errors.js';
import { describeThrown } from '../plugins.js';
import { compiledEntry } from './compiled-entry.js';
import type { Failure } from '../strategies/strategy.js';
import type { EvalTask, EvaluatorSpec, Executor, TaskResult } from './executor.js';
import { sharedMemory } from '../../core/semaphores.js';
import { unsettledFingerprints } from '../../store/result-cache.js';

/** Grace beyond the evaluator's own timeout (ctx.signal) before the thread is terminated. */
const HARD_TIMEOUT_GRACE_MS = 250;

export interface PiscinaExecutor extends Executor {
  /** Worker threads alive now (replacements of terminated or crashed ones included, ready or not). */
  liveThreads(): number;
  /** Threads that have finished their setup and are waiting for a task. */
  idleThreads(): number;
}

export interface PiscinaExecutorOptions {
  /** Heap limit of each worker (V8 old generation, MB): an evaluation that passes it is a 'crashed' failure. */
  readonly memoryMb?: number;
  /** Another thread entry with worker.ts's protocol (`elites worker` uses redis/thread.js); default worker.js. */
  readonly filename?: string;
}

/**
 * A task is handed to piscina only when a thread is ready and idle, and its timeout starts then: a thread that
 * replaces a terminated or crashed one first loads the evaluator and runs setup() (worker.ts), and that time
 * is not charged to the task waiting for it. A task that waits too long for a thread fails as a timeout.
 */
export function createPiscinaExecutor(
  spec: EvaluatorSpec,
  threads: number,
  options: PiscinaExecutorOptions = {},
): PiscinaExecutor {
  const pool = new Piscina({
    filename: options.filename ?? compiledEntry('worker.js'),
    workerData: { ...spec, sharedMemory: sharedMemory() } satisfies EvaluatorSpec, // one set of semaphores for all threads
    minThreads: threads,
    maxThreads: threads,
    concurrentTasksPerWorker: 1,
    idleTimeout: Number.POSITIVE_INFINITY,
    ...(options.memoryMb !== undefined ? { resourceLimits: { maxOldGenerationSizeMb: options.memoryMb } } : {}),
    // Worker stdout/stderr go to ours; evaluators may log.
  });
  // A crashed worker emits 'error' on the pool; the task's promise carries the failure, so this only keeps the process alive.
  pool.on('error', () => undefined);
  const running = new Set<AbortController>();
  const waiting: { readonly go: () => void; readonly cancel: (failure: Failure) => void }[] = [];
  let closed = false;
  let setupMs = 0;

  // Hand waiting tasks to ready, idle threads. If piscina has fewer threads than asked (it stops replacing threads
  // that fail while starting), hand one over anyway: piscina starts a thread for a task it cannot place.
  const pump = (): void => {
    while (waiting.length > 0 && (pool.idleThreads > 0 || pool.threads.length < threads)) waiting.shift()?.go();
  };
  pool.on('workerCreate', () => queueMicrotask(pump));

  // A worker thread reads the cache's committed data only; this thread's results not yet committed go with the task,
  // taken as it is handed over, so a worker answers a fingerprint as this thread would at that moment (one worker ⇒
  // the same answers as inline). Few: a fingerprint put leaves the list when its commit lands (milliseconds), and only
  // evaluated results put one. In an `elites worker` process the spec's cache is the main machine's: nothing here.
  const withUnsettled = (task: EvalTask): EvalTask => {
    if (spec.cache === undefined) return task;
    const unsettled = unsettledFingerprints(spec.cache);
    return unsettled.length === 0 ? task : { ...task, unsettled };
  };

  const runOnThread = async (task: EvalTask): Promise<TaskResult> => {
    const controller = new AbortController();
    running.add(controller);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort(); // piscina terminates the thread running this task and starts a fresh one
    }, spec.timeoutMs + HARD_TIMEOUT_GRACE_MS);
    try {
      return (await pool.run(withUnsettled(task), { signal: controller.signal })) as TaskResult;
    } catch (error) {
      if (timedOut)
        return {
          ok: false,
          failure: {
            kind: 'timeout',
            message: `evaluation exceeded ${spec.timeoutMs / 1000} s; its worker was terminated and replaced`,
          },
        };
      if (closed)
        return { ok: false, failure: { kind: 'crashed', message: 'run stopped before the evaluation finished' } };
      return { ok: false, failure: crashFailure(error, options.memoryMb) };
    } finally {
      clearTimeout(timer);
      running.delete(controller);
      queueMicrotask(pump);
    }
  };

  return {
    size: threads,
    liveThreads: () => pool.threads.length,
    idleThreads: () => pool.idleThreads,
    async start() {
      const started = performance.now();
      // One warm-up task per thread (piscina hands each to an idle worker; setup() is memoised per worker).
      const warmUps = Array.from({ length: threads }, () => pool.run({ setup: true }));
      try {
        await Promise.all(warmUps);
      } catch (error) {
        await Promise.allSettled(warmUps);
        const cause = crashFailure(error, options.memoryMb).message.replace(/^worker crashed: /, '');
        throw new PluginError(
          `evaluator setup failed in a worker: ${cause}`,
          'Fix setup() in the evaluator module (it runs once per worker, with evaluator.options).',
          { cause: error },
        );
      }
      setupMs = performance.now() - started;
    },
    submit(task): Promise<TaskResult> {
      if (closed) return Promise.resolve({ ok: false, failure: { kind: 'crashed', message: 'executor closed' } });
      if (waiting.length === 0 && pool.idleThreads > 0) return runOnThread(task);
      // No thread free: wait for one (a replacement finishing its setup), but not for ever.
      return new Promise<TaskResult>((resolve) => {
        const maxWaitMs = spec.timeoutMs + Math.max(10_000, 3 * setupMs);
        const entry = {
          go: () => {
            clearTimeout(giveUp);
            void runOnThread(task).then(resolve);
          },
          cancel: (failure: Failure) => {
            clearTimeout(giveUp);
            resolve({ ok: false, failure });
          },
        };
        const giveUp = setTimeout(() => {
          waiting.splice(waiting.indexOf(entry), 1);
          entry.cancel({
            kind: 'timeout',
            message: `no worker thread became free within ${Math.round(maxWaitMs / 1000)} s (a replacement thread may be stuck in setup())`,
          });
        }, maxWaitMs);
        waiting.push(entry);
        pump();
      });
    },
    async close() {
      closed = true;
      for (const entry of waiting.splice(0))
        entry.cancel({ kind: 'crashed', message: 'run stopped before the evaluation started' });
      for (const controller of running) controller.abort();
      await pool.destroy();
    },
  };
}

/** What a thread's death says about the evaluation it was running. */
function crashFailure(error: unknown, memoryMb: number | undefined): Failure {
  const code = (error as { code?: unknown } | null)?.code;
  const message = describeThrown(error);
  if (code === 'ERR_WORKER_OUT_OF_MEMORY' || /out of memory|heap limit|memory limit/i.test(message)) {
    return {
      kind: 'crashed',
      message: `worker ran out of memory (workerMemoryMb: ${memoryMb ?? 'default'}): ${message}; the thread was replaced`,
    };
  }
  const exit = /worker exited with code:? (-?\d+)/.exec(message);
  if (exit)
    return {
      kind: 'crashed',
      message: `worker exited with code ${exit[1]} (process.exit() in an evaluator ends its worker thread); the thread was replaced`,
    };
  if ((error as { name?: unknown } | null)?.name === 'DataCloneError' || /could not be cloned/.test(message)) {
    return {
      kind: 'invalid',
      message: `a value could not be passed between threads (structured clone): ${message}; genomes and results must be plain data`,
    };
  }
  return { kind: 'crashed', message: `worker crashed: ${message}` };
}
