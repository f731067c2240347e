// Thread-pool executor on piscina: each thread runs one lane, a long-lived piscina task through which it takes batch
// after batch of tasks in shared memory (progress.ts). A hung evaluation is stopped by terminating its thread, a crash
// is a failure outcome, and neither loses the results of its batch's other tasks.
//
// A lane has two slots, each with room for a batch: while a thread runs the batch in one, the pool may post the next
// in the other (only while tasks are quick: see `ahead`), so the thread goes on at once instead of waiting, batch
// after batch, for the main thread to notice its reply and post again (most of a millisecond when every core is
// busy, which is most of what is lost to messaging with millisecond objectives).
//
// Why lanes, not a piscina message per batch: a message costs the main thread tens of microseconds (piscina's task
// bookkeeping, an abort listener, the port's event dispatch) and an event-loop turn before its thread can take the
// next one. With a microsecond objective the main thread is the bottleneck, so that is throughput lost. A lane's batch
// costs a few stores and one futex wake; its results are read straight from shared memory, at once when the engine
// hands over its next batch if the thread has finished (no event-loop turn), else when the thread's notify arrives.
import { MessageChannel, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { PluginError } from '../../core/errors.js';
import { describeThrown } from '../plugins.js';
import { cloneFailure, type ClonedBatch, type LaneStart, type OverflowResult } from './batch-message.js';
import { createBatchSizer } from './batch-size.js';
import { compiledEntry } from './compiled-entry.js';
import type { Failure } from '../strategies/strategy.js';
import type { EvalTask, EvaluatorSpec, Executor, TaskResult } from './executor.js';
import {
  clock,
  LANE_BYTES,
  laneHeader,
  MS,
  OVERFLOW,
  PACKED,
  POSTED,
  READY,
  readProgress,
  REPLIED,
  resetProgress,
  TASK_BYTES,
  TASKS_AT,
  whenChanged,
  type LaneHeader,
  type ProgressReader,
} from './progress.js';
import { MessageMemory, packedBytes, packTasks } from './task-pack.js';
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
  /** Batches sent to threads so far, and the tasks they carried (a task sent again after a thread died counts again). */
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
   * Tasks per message (an integer ≥ 1, default 1). Queued tasks go to an idle thread up to `batch` in one batch,
   * fewer when the measured evaluation time is large (batch-size.ts). `size` is threads × batch, twice that above 1
   * (see `inFlightPerThread`).
   */
  readonly batch?: number;
  /** The work a batch aims to carry, by the measured time per task (default batch-size.ts MESSAGE_MS). */
  readonly messageMs?: number;
  /** Where the threads' evaluations' ctx.report()s go (the run's pruner); decisions come back through shared memory. */
  readonly progress?: ProgressSink;
}

/** Where results go: one submitted task's promise, or a batch's (runBatch), by the task's index in it. */
interface ResultSink {
  put(index: number, result: TaskResult): void;
}

/** A submitted task and where its result goes; `alone`: it goes in a batch of its own (see `cloneFailed`). */
interface Queued {
  readonly task: EvalTask;
  readonly to: ResultSink;
  readonly index: number;
  readonly alone?: boolean;
}

const answer = (entry: Queued, result: TaskResult): void => entry.to.put(entry.index, result);

/** The results of a runBatch call's tasks, resolved together once the last one is in. */
class BatchResults implements ResultSink {
  private readonly results: TaskResult[];
  private left: number;

  constructor(
    count: number,
    private readonly resolve: (results: readonly TaskResult[]) => void,
  ) {
    this.results = new Array<TaskResult>(count);
    this.left = count;
  }

  put(index: number, result: TaskResult): void {
    this.results[index] = result;
    if (--this.left === 0) this.resolve(this.results);
  }
}

/** One of a lane's slots: its shared memory and the batch in it. */
interface Slot {
  readonly memory: MessageMemory;
  readonly header: LaneHeader;
  readonly progress: ProgressReader;
  /** Batches posted to this slot so far: the thread's REPLIED in it reaches this when the last is done. */
  posted: number;
  flight: Flight | undefined;
}

/**
 * One thread's lane: its slots, the main end of its port, and the batches on their way through it. Batch n goes to
 * slot n % 2; the thread runs them in that order, so the batches in flight are `answered` … `posted` − 1.
 */
interface Lane {
  readonly slots: readonly [Slot, Slot];
  readonly port: MessagePort;
  /** Aborting it terminates the lane's thread (piscina replaces it). */
  readonly controller: AbortController;
  /** Batches whose results were delivered (or that failed with the thread). */
  answered: number;
  /** The hard-timeout check (watchDeadline). */
  timer: NodeJS.Timeout | undefined;
}

/** Batches posted to the lane so far, in all slots. */
const posted = (lane: Lane): number => lane.slots[0].posted + lane.slots[1].posted;
const inFlight = (lane: Lane): number => posted(lane) - lane.answered;
/** The slot of the lane's batch `n` (counted from 0 over both slots). */
const slotOf = (lane: Lane, n: number): Slot => lane.slots[n % 2] as Slot;
/** The slot of the oldest batch in flight (the one the thread runs, unless it has replied). */
const oldest = (lane: Lane): Slot => slotOf(lane, lane.answered);

/** A batch on its way through a lane. */
interface Flight {
  readonly entries: readonly Queued[];
  /** A wait for the thread's notify is set (tend). */
  awaited?: boolean;
  /** The task the pool terminated the thread for (its timeout passed); `entries.length` when the batch was overdue. */
  timedOut?: number;
}

/**
 * Tasks wait in a queue; when a thread's lane is ready and idle it gets the oldest of them in one batch, and a task's
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
    filename: options.filename ?? compiledEntry('worker-entry.cjs'),
    workerData: {
      ...spec,
      sharedMemory: sharedMemory(), // one set of semaphores for all threads
      ...(reports ? { reports: reports.spec } : {}),
    } satisfies EvaluatorSpec,
    minThreads: threads,
    maxThreads: threads,
    concurrentTasksPerWorker: 1, // a thread runs its lane (or a warm-up), its tasks one after another
    idleTimeout: Number.POSITIVE_INFINITY,
    ...(options.memoryMb !== undefined ? { resourceLimits: { maxOldGenerationSizeMb: options.memoryMb } } : {}),
    // Worker stdout/stderr go to ours; evaluators may log.
  });
  // A crashed worker emits 'error' on the pool; the lane's promise carries the failure, so this only keeps the process alive.
  pool.on('error', () => undefined);
  const queue: Queued[] = [];
  const lanes = new Set<Lane>();
  const sizer = createBatchSizer(options.messageMs);
  const sent = { messages: 0, tasks: 0 };
  /** 'starting' while start()'s warm-ups run (they need idle threads: no lane yet); 'started' once lanes run. */
  let phase: 'new' | 'starting' | 'started' = 'new';
  let closed = false;
  let setupMs = 0;
  let tendScheduled = false;
  let stall: NodeJS.Timeout | undefined;
  // Level-2 lookups see the main thread's puts up to the moment a batch is sent, not those of the results of the
  // tasks before them in the same batch: a fingerprinting evaluator with a cache gets one task per batch, so it
  // answers as today (and as inline with one thread). Known from the first result that is not a failure.
  let fingerprints: boolean | undefined = spec.cache === undefined ? false : undefined;

  const stopped = (when: 'started' | 'finished'): TaskResult => ({
    ok: false,
    failure: { kind: 'crashed', message: `run stopped before the evaluation ${when}` },
  });
  const maxWaitMs = (): number => spec.timeoutMs + Math.max(10_000, 3 * setupMs);
  const ready = (lane: Lane): boolean => Atomics.load(lane.slots[0].header.words, READY) === 1;
  /**
   * Batches a lane may hold: a second waits in its other slot only while tasks are quick (two fit in one message's
   * work), where the thread's wait for the next batch is worth saving; slower tasks stay in the queue for whichever
   * thread is free first. A fingerprinting evaluator gets one (its look-ups see the puts made until its batch is sent).
   */
  const ahead = (): number => (fingerprints === false && sizer.fits(2) ? 2 : 1);

  // A thread for each lane; one that dies is replaced by piscina ('workerCreate'), and the replacement gets a lane.
  const startLane = (): void => {
    const slot = (): Slot => {
      const memory = new MessageMemory(new SharedArrayBuffer(LANE_BYTES));
      const header = laneHeader(memory.buffer);
      return { memory, header, progress: readProgress(memory.buffer, header), posted: 0, flight: undefined };
    };
    const { port1, port2 } = new MessageChannel();
    const lane: Lane = {
      slots: [slot(), slot()],
      port: port1,
      controller: new AbortController(),
      answered: 0,
      timer: undefined,
    };
    lanes.add(lane);
    const start: LaneStart = { slots: lane.slots.map((s) => s.memory.buffer), port: port2 };
    pool.run(start, { transferList: [port2], signal: lane.controller.signal }).then(
      () => laneEnded(lane, new Error('the lane ended')), // never: a lane ends with its thread
      (error: unknown) => laneEnded(lane, error),
    );
    // Once its thread has taken it (after setup): queued tasks go to it.
    whenChanged(lane.slots[0].header.words, READY, 0, scheduleTend);
  };

  // After this turn's microtasks (setImmediate: once the main thread has nothing left to run, or the engine yields):
  // batches finished by now are answered, and queued tasks go to idle lanes (results of a batch resolve together and
  // the engine submits their successors one by one, so the next batch carries them all). Only then does a batch still
  // running get a wait for its thread's notify: one answered before the main thread ever runs out of work (the engine
  // hands over its next batch first: runBatch) costs no wait at all.
  const scheduleTend = (): void => {
    if (tendScheduled || closed) return;
    tendScheduled = true;
    setImmediate(tend);
  };
  const tend = (): void => {
    tendScheduled = false;
    for (const lane of lanes) replied(lane);
    pump();
    for (const lane of lanes) {
      if (inFlight(lane) === 0) continue;
      const slot = oldest(lane); // the next reply comes from here; a wait for the one after is set once it is in
      const flight = slot.flight as Flight;
      if (flight.awaited) continue;
      flight.awaited = true;
      whenChanged(slot.header.words, REPLIED, slot.posted - 1, () => {
        replied(lane);
        if (queue.length > 0) pump(); // tasks that waited for this lane go now; those its results bring, next
        scheduleTend();
      });
    }
  };
  // Queued tasks to ready lanes, idle ones first: all in one batch while they fit in one by the measured time per
  // task (a batch more costs more than it gains), else shared evenly. If piscina has fewer threads than asked (it
  // stops replacing threads that fail while starting), a lane anyway: piscina starts a thread for a task it cannot
  // place.
  const pump = (): void => {
    while (queue.length > 0 && !closed) {
      const most = ahead();
      let idle = 0;
      let open = 0;
      let next: Lane | undefined;
      for (const lane of lanes) {
        const load = inFlight(lane);
        if (load >= most || !ready(lane)) continue;
        open++;
        if (load === 0) idle++;
        if (next === undefined || load < inFlight(next)) next = lane;
      }
      if (idle === 0) {
        if (phase === 'new') {
          begin();
          break;
        }
        if (phase === 'started' && lanes.size < threads && pool.threads.length < threads) startLane();
      }
      if (next === undefined) break;
      const limit = fingerprints === false ? sizer.size(batch) : 1;
      const share = Math.ceil(queue.length / (idle > 0 ? idle : open));
      post(next, take(queue.length <= limit ? queue.length : Math.min(limit, share)));
    }
    watchStall();
  };
  const take = (count: number): Queued[] => {
    if (queue[0]?.alone) return queue.splice(0, 1);
    let n = 1;
    while (n < count && n < queue.length && !queue[n]?.alone) n++;
    return queue.splice(0, n);
  };

  // A task waits in the queue while the threads are busy; only when no batch is out at all (every thread is
  // starting) is it waiting for a thread that may never come: a replacement stuck in setup(). Not for ever, then.
  const watchStall = (): void => {
    let busy = false;
    for (const lane of lanes) busy ||= inFlight(lane) > 0;
    if (queue.length === 0 || busy || closed) {
      clearTimeout(stall);
      stall = undefined;
      return;
    }
    stall ??= setTimeout(() => {
      stall = undefined;
      const message = `no worker thread became free within ${Math.round(maxWaitMs() / 1000)} s (a replacement thread may be stuck in setup())`;
      for (const entry of queue.splice(0)) answer(entry, { ok: false, failure: { kind: 'timeout', message } });
    }, maxWaitMs());
  };

  /**
   * Posts `entries` to a lane's next slot (free: the lane holds fewer batches than it may): packed in the slot's memory
   * when their genomes are typed arrays, else on the lane's port.
   */
  const post = (lane: Lane, entries: Queued[]): void => {
    const tasks = entries.map((e) => e.task);
    const slot = slotOf(lane, posted(lane));
    const { words } = slot.header;
    // A worker thread reads the cache's committed data only; this thread's results not yet committed go with the
    // batch, taken as it is sent, so a worker answers a fingerprint as this thread would at that moment. Few: a
    // fingerprint put leaves the list when its commit lands (milliseconds). In an `elites worker` process the spec's
    // cache is the main machine's: nothing here.
    const unsettled = spec.cache === undefined ? [] : unsettledFingerprints(spec.cache);
    const bytes = unsettled.length === 0 ? packedBytes(tasks) : undefined;
    if (bytes !== undefined && bytes <= TASK_BYTES) {
      packTasks(tasks, slot.memory, TASKS_AT);
      Atomics.store(words, PACKED, tasks.length);
    } else {
      const cloned: ClonedBatch = { tasks: tasks.map(plainTask), ...(unsettled.length > 0 ? { unsettled } : {}) };
      try {
        lane.port.postMessage(cloned);
      } catch (error) {
        cloneFailed(entries, error);
        return;
      }
      Atomics.store(words, PACKED, -1);
    }
    slot.flight = { entries };
    sent.messages++;
    sent.tasks += entries.length;
    resetProgress(slot.header, clock());
    Atomics.store(words, POSTED, ++slot.posted);
    Atomics.notify(words, POSTED);
    // Due no sooner than this batch's first task can pass its hard timeout; one armed for an earlier batch fires
    // sooner and is armed again from there.
    lane.timer ??= setTimeout(watchDeadline, spec.timeoutMs + HARD_TIMEOUT_GRACE_MS, lane);
  };

  /**
   * A batch that structured clone refused (a genome that is not plain data): each task alone, so only that one fails.
   */
  const cloneFailed = (entries: readonly Queued[], error: unknown): void => {
    if (entries.length > 1) queue.unshift(...entries.map((entry) => ({ ...entry, alone: true })));
    else for (const entry of entries) answer(entry, { ok: false, failure: cloneFailure(error) });
  };

  // One timer per lane, due when the running task's hard timeout passes (the thread stores each task's start). Not
  // made for every batch: while batches follow one another it fires about once per timeout and is armed again.
  const watchDeadline = (lane: Lane): void => {
    lane.timer = undefined;
    const slot = runningSlot(lane);
    if (slot === undefined) return; // idle, or every batch replied: the next batch arms it
    const { progress } = slot;
    const running = progress.done(); // before the start: a start read after it is never an earlier task's
    const wait = progress.startedAt() + spec.timeoutMs + HARD_TIMEOUT_GRACE_MS - clock();
    if (wait > 0) {
      lane.timer = setTimeout(watchDeadline, wait, lane);
      return;
    }
    (slot.flight as Flight).timedOut = running;
    lane.controller.abort(); // piscina terminates the lane's thread and starts a fresh one
  };
  /** The slot whose batch the thread runs (or is about to): the oldest in flight that has not replied. */
  const runningSlot = (lane: Lane): Slot | undefined => {
    for (let n = lane.answered, end = posted(lane); n < end; n++) {
      const slot = slotOf(lane, n);
      if (Atomics.load(slot.header.words, REPLIED) !== slot.posted) return slot;
    }
    return undefined;
  };

  const deliver = (entry: Queued | undefined, result: TaskResult): void => {
    if (fingerprints === undefined && result.ok) fingerprints = result.fingerprint !== undefined;
    if (entry !== undefined) answer(entry, result);
  };
  /** Tasks of a batch that were not started go back to the head of the queue (one thread: submission order kept). */
  const requeue = (entries: readonly Queued[]): void => {
    if (entries.length === 0) return;
    if (closed) for (const entry of entries) answer(entry, stopped('started'));
    else queue.unshift(...entries);
  };

  /**
   * The lane's batches its thread has finished, oldest first: results from shared memory (those that did not fit
   * from the port).
   */
  const replied = (lane: Lane): void => {
    while (inFlight(lane) > 0) {
      const slot = oldest(lane);
      if (Atomics.load(slot.header.words, REPLIED) !== slot.posted) return;
      answerSlot(lane, slot);
    }
  };
  const answerSlot = (lane: Lane, slot: Slot): void => {
    const { entries } = slot.flight as Flight;
    slot.flight = undefined;
    lane.answered++;
    const { words, doubles } = slot.header;
    const kept = slot.progress.kept();
    const results = slot.progress.results(kept);
    const overflow =
      Atomics.load(words, OVERFLOW) === 1
        ? ((receiveMessageOnPort(lane.port)?.message as OverflowResult | undefined)?.overflow ?? [])
        : [];
    const ran = kept + overflow.length;
    sizer.observe(ran, doubles[MS] as number);
    for (let i = 0; i < results.length; i++) deliver(entries[i], results[i] as TaskResult);
    for (let i = 0; i < overflow.length; i++) deliver(entries[kept + i], overflow[i] as TaskResult);
    requeue(entries.slice(ran)); // none, unless the port's message went missing: then they run again
  };

  // The lane's thread died or was terminated: the tasks done keep their results, the one running fails, the rest
  // are sent again.
  const laneEnded = (lane: Lane, error: unknown): void => {
    replied(lane); // a batch finished before the thread died keeps all its results
    lanes.delete(lane);
    lane.port.close();
    clearTimeout(lane.timer);
    // The batch the thread ran when it died, and the one after it (not started: the thread runs them in order).
    const running = inFlight(lane) > 0 ? oldest(lane) : undefined;
    const next = inFlight(lane) > 1 ? slotOf(lane, lane.answered + 1) : undefined;
    // Waits for its thread's notifies end too (else they would hold the lane): values no thread writes wake them.
    for (const { header } of lane.slots) {
      Atomics.store(header.words, REPLIED, -1);
      Atomics.notify(header.words, REPLIED);
    }
    Atomics.store(lane.slots[0].header.words, READY, -1);
    Atomics.notify(lane.slots[0].header.words, READY);
    if (next?.flight !== undefined) requeue(next.flight.entries); // first: the running batch's rest goes before it
    if (running?.flight !== undefined) failed(running, running.flight, error);
    scheduleTend();
  };
  const failed = (slot: Slot, flight: Flight, error: unknown): void => {
    const { entries } = flight;
    const done = Math.min(flight.timedOut ?? slot.progress.done(), entries.length);
    // Results that did not fit in the slot would have come on the port at the batch's end: lost with the thread,
    // so those tasks run again (ahead of the rest, in order).
    const kept = Math.min(done, slot.progress.kept());
    slot.progress.results(kept).forEach((result, i) => deliver(entries[i], result));
    const running = entries[done]; // undefined: every task was done
    if (running !== undefined) answer(running, runningFailure(flight, error));
    requeue([...entries.slice(kept, done), ...entries.slice(done + 1)]);
  };
  /** What the task the thread was running when it ended gets: a timeout, the run's stop, or the crash. */
  const runningFailure = (flight: Flight, error: unknown): TaskResult => {
    if (flight.timedOut !== undefined) {
      sizer.observe(1, spec.timeoutMs);
      const message = `evaluation exceeded ${spec.timeoutMs / 1000} s; its worker was terminated and replaced`;
      return { ok: false, failure: { kind: 'timeout', message } };
    }
    return closed ? stopped('finished') : { ok: false, failure: crashFailure(error, options.memoryMb) };
  };
  /** A lane for every thread. Without start() first (no warm-up), a thread sets its evaluator up on its first task. */
  const begin = (): void => {
    phase = 'started';
    while (lanes.size < threads) startLane();
  };
  pool.on('workerCreate', () => {
    if (phase === 'started' && !closed && lanes.size < threads) startLane();
    scheduleTend();
  });

  /**
   * The engine's batch in one promise instead of one per task. Batches the threads have finished by now are answered
   * first, without waiting for the event loop to deliver their notify: a main thread that never runs out of answers
   * never waits for one.
   */
  const runBatch = (tasks: readonly EvalTask[]): Promise<readonly TaskResult[]> => {
    if (closed || tasks.length === 0) return Promise.resolve(tasks.map(closedResult));
    return new Promise<readonly TaskResult[]>((resolve) => {
      for (const lane of lanes) replied(lane);
      const to = new BatchResults(tasks.length, resolve);
      for (let index = 0; index < tasks.length; index++) queue.push({ task: tasks[index] as EvalTask, to, index });
      pump();
      scheduleTend();
    });
  };

  return {
    size: threads * inFlightPerThread(batch),
    looksUpKeys: spec.cache !== undefined,
    liveThreads: () => pool.threads.length,
    idleThreads() {
      let idle = 0;
      for (const lane of lanes) if (inFlight(lane) === 0 && ready(lane)) idle++;
      return idle;
    },
    sent: () => ({ ...sent }),
    async start() {
      if (phase !== 'new') return; // tasks came first: their lanes run already
      phase = 'starting';
      const begun = performance.now();
      // One warm-up task per thread (piscina hands each to an idle worker; setup() is memoised per worker).
      const warmUps = Array.from({ length: threads }, () => pool.run({ setup: true }));
      try {
        await Promise.all(warmUps);
      } catch (error) {
        phase = 'new';
        await Promise.allSettled(warmUps);
        const cause = crashFailure(error, options.memoryMb).message.replace(/^worker crashed: /, '');
        throw new PluginError(
          `evaluator setup failed in a worker: ${cause}`,
          'Fix setup() in the evaluator module (it runs once per worker, with evaluator.options).',
          { cause: error },
        );
      }
      setupMs = performance.now() - begun;
      begin();
    },
    submit(task): Promise<TaskResult> {
      if (closed) return Promise.resolve(closedResult());
      return new Promise<TaskResult>((resolve) => {
        queue.push({ task, to: { put: (_, result) => resolve(result) }, index: 0 });
        scheduleTend();
      });
    },
    /**
     * Offered only while a thread's whole batch fits in one by the measured time per task: results then arrive a
     * batch at a time anyway, so waiting for the last one delays none. A slower evaluator (or a fingerprinting one,
     * one task per batch) gets its results one by one through `submit`.
     */
    get runBatch() {
      return fingerprints === false && sizer.fits(batch) ? runBatch : undefined;
    },
    prune: (id) => reports?.prune(id),
    async close() {
      closed = true;
      clearTimeout(stall);
      for (const entry of queue.splice(0)) answer(entry, stopped('started'));
      for (const lane of lanes) if (inFlight(lane) > 0) lane.controller.abort();
      await pool.destroy();
      reports?.close();
    },
  };
}

/**
 * Tasks the engine keeps in flight per thread. Above 1, two batches: one the thread runs while the main thread takes
 * the other's results and asks for the next, so neither waits for the other (with one batch per thread, the main
 * thread idled while the thread ran it, and the thread while the main thread told and asked: a microsecond objective
 * on 2 threads ran at 0.7× inline). A lane has a slot for each (`ahead`); with slow tasks the second waits in the
 * queue for whichever thread is free first. Batch 1, one task per message: an evaluation long enough to need no
 * overlap, and a proposal asked later is asked from a fuller archive.
 */
export function inFlightPerThread(batch: number): number {
  return batch > 1 ? 2 * batch : 1;
}

/** A task as structured clone copies it whole: one of a class (in-flight.ts's lazy key) as its plain fields. */
function plainTask(task: EvalTask): EvalTask {
  if (Object.getPrototypeOf(task) === Object.prototype) return task;
  const { id, genome, key, repeat, fidelity, sample, fresh, lookUpKey, unsettled } = task;
  return {
    id,
    genome,
    key,
    repeat,
    ...(fidelity === undefined ? {} : { fidelity }),
    ...(sample === undefined ? {} : { sample }),
    ...(fresh === undefined ? {} : { fresh }),
    ...(lookUpKey === undefined ? {} : { lookUpKey }),
    ...(unsettled === undefined ? {} : { unsettled }),
  };
}

function closedResult(): TaskResult {
  return { ok: false, failure: { kind: 'crashed', message: 'executor closed' } };
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
  if (isCloneError(error)) return cloneFailure(error);
  return { kind: 'crashed', message: `worker crashed: ${message}` };
}
