// Thread-pool executor on piscina: tasks go to idle threads in small messages; a hung evaluation is stopped by
// terminating its thread, a crash is a failure outcome, and neither loses the results of its message's other tasks.
import { Piscina } from 'piscina';
import { PluginError } from '../../core/errors.js';
import { describeThrown } from '../plugins.js';
import type { BatchMessage, BatchReply } from './batch-message.js';
import { createBatchSizer } from './batch-size.js';
import { compiledEntry } from './compiled-entry.js';
import type { Failure } from '../strategies/strategy.js';
import type { EvalTask, EvaluatorSpec, Executor, TaskResult } from './executor.js';
import { clock, PROGRESS_BYTES, readProgress, resetProgress, type ProgressReader } from './progress.js';
import { sharedMemory } from '../../core/semaphores.js';
import { unsettledFingerprints } from '../../store/result-cache.js';
import type { ProgressSink } from '../evaluation.js';
import { openReportChannel } from './report-channel.js';

/** Grace beyond the evaluator's own timeout (ctx.signal) before the thread is terminated. */
const HARD_TIMEOUT_GRACE_MS = 250;

export interface PiscinaExecutor extends Executor {
  /** Worker threads alive now (replacements of terminated or crashed ones included, ready or not). */
  liveThreads(): number;
  /** Threads that have finished their setup and are waiting for a task. */
  idleThreads(): number;
  /** Messages sent to threads so far, and the tasks they carried (a task sent again after a thread died counts again). */
  sent(): { readonly messages: number; readonly tasks: number };
  /**
   * Stops proposal `id`'s running evaluation as if `options.progress` had answered 'prune' to its last report: for
   * decisions taken elsewhere (an `elites worker` forwards reports to its run's main process). No effect without
   * `options.progress`.
   */
  prune(id: number): void;
}

export interface PiscinaExecutorOptions {
  /** Heap limit of each worker (V8 old generation, MB): an evaluation that passes it is a 'crashed' failure. */
  readonly memoryMb?: number;
  /** Another thread entry with worker.ts's protocol (`elites worker` uses redis/thread.js); default worker.js. */
  readonly filename?: string;
  /**
   * Tasks in flight per thread (an integer ≥ 1, default 1): `size` is threads × batch. Queued tasks go to an idle
   * thread up to `batch` in one message, fewer when the measured evaluation time is large (batch-size.ts).
   */
  readonly batch?: number;
  /** The work a message aims to carry, by the measured time per task (default batch-size.ts MESSAGE_MS). */
  readonly messageMs?: number;
  /** Where the threads' evaluations' ctx.report()s go (the run's pruner); decisions come back through shared memory. */
  readonly progress?: ProgressSink;
}

/** A submitted task and where its result goes; `alone`: it goes in a message of its own (see `failed`). */
interface Queued {
  readonly task: EvalTask;
  readonly resolve: (result: TaskResult) => void;
  readonly alone?: boolean;
}

/** One message on its way through a thread. */
interface Flight {
  readonly entries: readonly Queued[];
  readonly buffer: SharedArrayBuffer;
  readonly progress: ProgressReader;
  readonly controller: AbortController;
  timer?: NodeJS.Timeout;
  /** The task the pool terminated the thread for (its timeout passed); `entries.length` when the reply was overdue. */
  timedOut?: number;
}

/**
 * Tasks wait in a queue; when a thread is ready and idle it gets the oldest of them in one message, and a task's
 * timeout starts when the thread starts it. A thread that replaces a terminated or crashed one first loads the
 * evaluator and runs setup() (worker.ts), and that time is not charged to any task. With one thread, results resolve
 * in the order the tasks were submitted.
 */
export function createPiscinaExecutor(
  spec: EvaluatorSpec,
  threads: number,
  options: PiscinaExecutorOptions = {},
): PiscinaExecutor {
  const batch = options.batch ?? 1;
  if (!Number.isInteger(batch) || batch < 1) throw new RangeError(`batch must be an integer ≥ 1, got ${batch}`);
  const reports = options.progress ? openReportChannel(options.progress) : undefined;
  const pool = new Piscina({
    filename: options.filename ?? compiledEntry('worker.js'),
    workerData: {
      ...spec,
      sharedMemory: sharedMemory(), // one set of semaphores for all threads
      ...(reports ? { reports: reports.spec } : {}),
    } satisfies EvaluatorSpec,
    minThreads: threads,
    maxThreads: threads,
    concurrentTasksPerWorker: 1, // a thread runs one message at a time, its tasks one after another
    idleTimeout: Number.POSITIVE_INFINITY,
    ...(options.memoryMb !== undefined ? { resourceLimits: { maxOldGenerationSizeMb: options.memoryMb } } : {}),
    // Worker stdout/stderr go to ours; evaluators may log.
  });
  // A crashed worker emits 'error' on the pool; the task's promise carries the failure, so this only keeps the process alive.
  pool.on('error', () => undefined);
  const queue: Queued[] = [];
  const flights = new Set<Flight>();
  const spareBuffers: SharedArrayBuffer[] = [];
  const sizer = createBatchSizer(options.messageMs);
  const sent = { messages: 0, tasks: 0 };
  let closed = false;
  let setupMs = 0;
  let pumpScheduled = false;
  let stall: NodeJS.Timeout | undefined;
  // Level-2 lookups see the main thread's puts up to the moment a message is sent, not those of the results of the
  // tasks before them in the same message: a fingerprinting evaluator with a cache gets one task per message, so it
  // answers as today (and as inline with one thread). Known from the first result that is not a failure.
  let fingerprints: boolean | undefined = spec.cache === undefined ? false : undefined;

  const stopped = (when: 'started' | 'finished'): TaskResult => ({
    ok: false,
    failure: { kind: 'crashed', message: `run stopped before the evaluation ${when}` },
  });
  const maxWaitMs = (): number => spec.timeoutMs + Math.max(10_000, 3 * setupMs);

  // After this turn's microtasks: results of a message resolve together and the engine submits their successors one
  // by one, so the next message to the thread that just replied carries them all.
  const schedulePump = (): void => {
    if (pumpScheduled || closed) return;
    pumpScheduled = true;
    setImmediate(pump);
  };
  // Queued tasks to ready, idle threads, shared evenly. If piscina has fewer threads than asked (it stops replacing
  // threads that fail while starting), send one anyway: piscina starts a thread for a message it cannot place.
  const pump = (): void => {
    pumpScheduled = false;
    while (queue.length > 0 && !closed) {
      const idle = pool.idleThreads;
      if (idle === 0 && pool.threads.length >= threads) break;
      const limit = fingerprints === false ? sizer.size(batch) : 1;
      send(take(Math.min(limit, Math.ceil(queue.length / Math.max(1, idle)))));
    }
    watchStall();
  };
  const take = (count: number): Queued[] => {
    if (queue[0]?.alone) return queue.splice(0, 1);
    let n = 1;
    while (n < count && n < queue.length && !queue[n]?.alone) n++;
    return queue.splice(0, n);
  };

  // A task waits in the queue while the threads are busy; only when no message is out at all (every thread is
  // starting) is it waiting for a thread that may never come: a replacement stuck in setup(). Not for ever, then.
  const watchStall = (): void => {
    if (queue.length === 0 || flights.size > 0 || closed) {
      clearTimeout(stall);
      stall = undefined;
      return;
    }
    stall ??= setTimeout(() => {
      stall = undefined;
      const message = `no worker thread became free within ${Math.round(maxWaitMs() / 1000)} s (a replacement thread may be stuck in setup())`;
      for (const entry of queue.splice(0)) entry.resolve({ ok: false, failure: { kind: 'timeout', message } });
    }, maxWaitMs());
  };

  const send = (entries: Queued[]): void => {
    const buffer = spareBuffers.pop() ?? new SharedArrayBuffer(PROGRESS_BYTES);
    resetProgress(buffer);
    const sentAt = clock();
    const flight: Flight = {
      entries,
      buffer,
      progress: readProgress(buffer, sentAt),
      controller: new AbortController(),
    };
    flights.add(flight);
    sent.messages++;
    sent.tasks += entries.length;
    // A worker thread reads the cache's committed data only; this thread's results not yet committed go with the
    // message, taken as it is sent, so a worker answers a fingerprint as this thread would at that moment. Few: a
    // fingerprint put leaves the list when its commit lands (milliseconds). In an `elites worker` process the spec's
    // cache is the main machine's: nothing here.
    const unsettled = spec.cache === undefined ? [] : unsettledFingerprints(spec.cache);
    const message: BatchMessage = {
      tasks: entries.map((e) => e.task),
      progress: buffer,
      sentAt,
      ...(unsettled.length > 0 ? { unsettled } : {}),
    };
    watchDeadline(flight);
    pool.run(message, { signal: flight.controller.signal }).then(
      (reply: BatchReply) => landed(flight, reply),
      (error: unknown) => failed(flight, error),
    );
  };

  // One timer per message, due when the running task's hard timeout passes (the thread stores each task's start).
  const watchDeadline = (flight: Flight): void => {
    const running = flight.progress.done(); // before the start: a start read after it is never an earlier task's
    const wait = flight.progress.startedAt() + spec.timeoutMs + HARD_TIMEOUT_GRACE_MS - clock();
    if (wait > 0) {
      flight.timer = setTimeout(watchDeadline, wait, flight);
      return;
    }
    flight.timedOut = running;
    flight.controller.abort(); // piscina terminates the thread running this message and starts a fresh one
  };

  const settle = (flight: Flight): void => {
    clearTimeout(flight.timer);
    flights.delete(flight);
  };
  const deliver = (entry: Queued | undefined, result: TaskResult): void => {
    if (fingerprints === undefined && result.ok) fingerprints = result.fingerprint !== undefined;
    entry?.resolve(result);
  };
  /** Tasks of a message that were not started go back to the head of the queue (one thread: submission order kept). */
  const requeue = (entries: readonly Queued[]): void => {
    if (entries.length === 0) return;
    if (closed) for (const entry of entries) entry.resolve(stopped('started'));
    else queue.unshift(...entries);
  };

  const landed = (flight: Flight, reply: BatchReply): void => {
    settle(flight);
    if (spareBuffers.length <= threads) spareBuffers.push(flight.buffer); // its thread has let go of it
    sizer.observe(reply.results.length, reply.ms);
    reply.results.forEach((result, i) => deliver(flight.entries[i], result));
    requeue(flight.entries.slice(reply.results.length));
    schedulePump();
  };

  // The thread died or was terminated mid-message: the tasks done keep their results, the one running fails, the
  // rest are sent again.
  const failed = (flight: Flight, error: unknown): void => {
    settle(flight);
    const { entries } = flight;
    const done = Math.min(flight.timedOut ?? flight.progress.done(), entries.length);
    flight.progress.results(done).forEach((result, i) => deliver(entries[i], result));
    const running = entries[done];
    const rest = entries.slice(done + 1);
    if (running === undefined) {
      // every task done: nothing was lost
    } else if (flight.timedOut !== undefined) {
      sizer.observe(1, spec.timeoutMs);
      running.resolve({
        ok: false,
        failure: {
          kind: 'timeout',
          message: `evaluation exceeded ${spec.timeoutMs / 1000} s; its worker was terminated and replaced`,
        },
      });
      requeue(rest);
    } else if (closed) {
      running.resolve(stopped('finished'));
      requeue(rest);
    } else if (isCloneError(error) && rest.length > 0) {
      // The message could not be sent (a genome that is not plain data): each task alone, so only that one fails.
      requeue(entries.slice(done).map((entry) => ({ ...entry, alone: true })));
    } else {
      running.resolve({ ok: false, failure: crashFailure(error, options.memoryMb) });
      requeue(rest);
    }
    schedulePump();
  };
  pool.on('workerCreate', schedulePump);

  return {
    size: threads * batch,
    liveThreads: () => pool.threads.length,
    idleThreads: () => pool.idleThreads,
    sent: () => ({ ...sent }),
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
      return new Promise<TaskResult>((resolve) => {
        queue.push({ task, resolve });
        schedulePump();
      });
    },
    prune: (id) => reports?.prune(id),
    async close() {
      closed = true;
      clearTimeout(stall);
      for (const entry of queue.splice(0)) entry.resolve(stopped('started'));
      for (const flight of flights) flight.controller.abort();
      await pool.destroy();
      reports?.close();
    },
  };
}

function isCloneError(error: unknown): boolean {
  return (
    (error as { name?: unknown } | null)?.name === 'DataCloneError' || /could not be cloned/.test(describeThrown(error))
  );
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
  if (isCloneError(error)) {
    return {
      kind: 'invalid',
      message: `a value could not be passed between threads (structured clone): ${message}; genomes and results must be plain data`,
    };
  }
  return { kind: 'crashed', message: `worker crashed: ${message}` };
}
