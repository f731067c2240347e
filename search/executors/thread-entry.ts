// What a piscina evaluation thread exports, shared by the local pool's threads (worker.ts) and `elites worker`'s
// (redis/thread.ts): setup before the thread reports ready, warm-up tasks, and a lane (lane protocol: progress.ts), in
// which the thread runs batch after batch of tasks posted in shared memory, each task with its own timeout
// (task-deadline.ts) and its result kept in the lane's memory as it finishes.
import { receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import type { EvaluationRunner } from '../evaluation.js';
import {
  cloneFailure,
  type ClonedBatch,
  type LaneStart,
  type OverflowResult,
  type ThreadHandler,
} from './batch-message.js';
import type { EvalTask, TaskResult } from './executor.js';
import {
  laneHeader,
  MS,
  OVERFLOW,
  PACKED,
  POSTED,
  READY,
  REPLIED,
  TASKS_AT,
  writeProgress,
  type LaneHeader,
  type ProgressWriter,
} from './progress.js';
import { unpackTasks } from './task-pack.js';
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

  /** Batch after batch, from slot to slot, until the thread is terminated (the pool's close, a timeout) or dies. */
  const runLane = async ({ slots, port }: LaneStart): Promise<undefined> => {
    const headers = slots.map(laneHeader);
    const kept = slots.map((slot, at) => writeProgress(slot, headers[at] as LaneHeader));
    const seen = slots.map(() => 0);
    const deadlines = taskDeadlines(timeoutMs);
    const { words: first } = headers[0] as LaneHeader;
    Atomics.store(first, READY, 1);
    Atomics.notify(first, READY);
    for (let batch = 0; ; batch++) {
      const at = batch % slots.length;
      const header = headers[at] as LaneHeader;
      const progress = kept[at] as ProgressWriter;
      const { words, doubles } = header;
      // Between batches the thread sleeps here, as piscina's idle threads do (unless the next one is posted already).
      while (Atomics.load(words, POSTED) === seen[at]) Atomics.wait(words, POSTED, seen[at] as number);
      const posted = Atomics.load(words, POSTED);
      seen[at] = posted;
      const started = performance.now();
      const tasks = tasksOf(slots[at] as SharedArrayBuffer, header, port);
      // Results with no room left in the slot: they go on the port at the end, and the batch runs on (the next batch
      // may be posted already: a task of this one must not run after it).
      const overflow: TaskResult[] = [];
      progress.begin();
      try {
        for (let index = 0; index < tasks.length; index++) {
          // Without a promise when the evaluator answers at once: a microsecond objective runs its batch in one go.
          const answer = runner.runNow(tasks[index] as EvalTask, deadlines.start());
          const result = answer instanceof Promise ? await answer : answer;
          if (!progress.finish(index, result)) overflow.push(result);
        }
      } finally {
        deadlines.pause();
      }
      if (overflow.length > 0) sendOverflow(port, overflow);
      Atomics.store(words, OVERFLOW, overflow.length > 0 ? 1 : 0);
      doubles[MS] = performance.now() - started;
      Atomics.store(words, REPLIED, posted);
      Atomics.notify(words, REPLIED);
    }
  };

  const handle: ThreadHandler = async (message) => {
    if ('slots' in message) {
      // A lane ends only with its thread: a fault here (never an evaluator's, which is an outcome) is thrown out of
      // the thread, whose death the pool handles like a crash, naming it.
      return runLane(message).catch((error: unknown) => {
        process.nextTick(() => {
          throw error;
        });
        return new Promise<undefined>(() => undefined);
      });
    }
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

/** The posted batch's tasks as the runner takes them: unpacked from the lane's memory, or as cloned on the port. */
function tasksOf(lane: SharedArrayBuffer, { words }: LaneHeader, port: MessagePort): readonly EvalTask[] {
  const packed = Atomics.load(words, PACKED);
  if (packed >= 0) return unpackTasks(lane, TASKS_AT, packed);
  const received = receiveMessageOnPort(port);
  if (received === undefined) throw new Error('a batch was posted on the lane without its tasks');
  const { tasks, unsettled } = received.message as ClonedBatch;
  return unsettled === undefined ? tasks : tasks.map((task) => ({ ...task, unsettled }));
}

/** Results that did not fit in the slot's memory, by structured clone; one that cannot be cloned is a failure. */
function sendOverflow(port: MessagePort, results: readonly TaskResult[]): void {
  try {
    port.postMessage({ overflow: results } satisfies OverflowResult);
  } catch {
    const cloneable = results.map((result): TaskResult => {
      try {
        structuredClone(result);
        return result;
      } catch (error) {
        return { ok: false, failure: cloneFailure(error) };
      }
    });
    port.postMessage({ overflow: cloneable } satisfies OverflowResult);
  }
}
