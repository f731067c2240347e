// A lane slot's shared memory (a lane has two: piscina.ts): what the pool and the thread running the lane
// (thread-entry.ts) say to each other about the batch of tasks in the slot, and the batch's progress: how many tasks
// are done, when the running one started, and the done tasks' results. The pool reads the results from here when the
// thread says the batch is done, and also when the thread dies or is terminated mid-batch (a timeout, a crash): the
// results of the tasks already done are kept, not lost with the thread, and the running task's timeout counts from
// its own start, not from when the batch was sent. After the results, the batch's tasks when they were packed
// (task-pack.ts).
import { RecordReader, RecordWriter } from './result-record.js';
import type { TaskResult } from './executor.js';

// Int32 words.
/** The pool's count of batches posted: the thread runs a batch when it changes. */
export const POSTED = 0;
/** The thread's count of batches done: the pool waits for it to reach POSTED. */
export const REPLIED = 1;
/** Tasks of the batch done: their results are kept. */
const DONE = 2;
/** When the running task started, in ms after the batch was sent. */
const STARTED = 3;
/** Tasks packed in the lane's memory (task-pack.ts), or −1: the batch came on the lane's port (structured clone). */
export const PACKED = 4;
/**
 * The results kept here: the first KEPT tasks'; −1 while every done task's result is here (to the batch's end, unless
 * one does not fit). Set as soon as a result does not fit (the results from there on go on the port at the batch's end).
 */
export const KEPT = 5;
/** The thread's reply: 1 when the results of the tasks from KEPT on came on the port, in one message. */
export const OVERFLOW = 6;
/** 1 once the thread has taken the lane (it has finished its setup): the pool posts batches to it from then on. */
export const READY = 7;
// Float64 words (from byte 32).
/** When the batch was sent, on `clock()`. */
export const SENT_AT = 4;
/** The thread's reply: milliseconds it spent on the batch (the pool sizes its next batches from it). */
export const MS = 5;

const HEADER_BYTES = 64;
/** A batch's room for results: one that does not fit ends the batch early (it comes on the port). */
export const RESULT_BYTES = 128 * 1024;
/** Where the packed tasks go, and their room: a batch that does not fit goes on the port. */
export const TASKS_AT = HEADER_BYTES + RESULT_BYTES;
export const TASK_BYTES = 128 * 1024;
export const LANE_BYTES = TASKS_AT + TASK_BYTES;

const origin = performance.timeOrigin; // this thread's: read once (a getter)

/** Milliseconds on a clock that the main thread and every worker thread share. */
export function clock(): number {
  return origin + performance.now();
}

type WaitAsync = (
  words: Int32Array,
  index: number,
  value: number,
) => { readonly async: false; readonly value: string } | { readonly async: true; readonly value: Promise<string> };
/** Atomics.waitAsync (ES2024, in Node since 16; the project's lib is ES2023). */
const waitAsync = (Atomics as unknown as { waitAsync: WaitAsync }).waitAsync;

/**
 * Calls `then` once word `index` is no longer `value`: soon when it is not now, else when the other side notifies.
 * Without keeping the process alive: a lane's running piscina task does (piscina refs a busy thread).
 */
export function whenChanged(words: Int32Array, index: number, value: number, then: () => void): void {
  const waiting = waitAsync(words, index, value);
  if (!waiting.async) {
    queueMicrotask(then);
    return;
  }
  void waiting.value.then(() => {
    // A notify wakes every wait on the word, also one set after the store it announces was read: the word may still
    // hold `value` (the notify was for the store before), so wait again.
    if (Atomics.load(words, index) === value) whenChanged(words, index, value, then);
    else then();
  });
}

/** The words and doubles of a lane's header. */
export interface LaneHeader {
  readonly words: Int32Array;
  readonly doubles: Float64Array;
}

export function laneHeader(buffer: SharedArrayBuffer): LaneHeader {
  return { words: new Int32Array(buffer, 0, 8), doubles: new Float64Array(buffer, 0, 8) };
}

/** Pool side, before a batch is posted: its progress starts at nothing done, sent now. */
export function resetProgress({ words, doubles }: LaneHeader, sentAt: number): void {
  Atomics.store(words, DONE, 0);
  Atomics.store(words, KEPT, -1);
  Atomics.store(words, STARTED, 0);
  doubles[SENT_AT] = sentAt;
}

export interface ProgressReader {
  /** Tasks done. */
  done(): number;
  /** Of the done tasks, those whose results are here (the others' are on their way on the port, or lost with the thread). */
  kept(): number;
  /** When the running task (index `done()`) started, on `clock()`; the send time until the thread has begun. */
  startedAt(): number;
  /** The results of the first `count` done tasks; read once. */
  results(count: number): TaskResult[];
}

export function readProgress(buffer: SharedArrayBuffer, { words, doubles }: LaneHeader): ProgressReader {
  const records = new RecordReader(buffer, HEADER_BYTES);
  return {
    done: () => Atomics.load(words, DONE),
    kept() {
      const done = Atomics.load(words, DONE);
      const kept = Atomics.load(words, KEPT);
      return kept >= 0 ? Math.min(done, kept) : done;
    },
    startedAt: () => (doubles[SENT_AT] as number) + Atomics.load(words, STARTED),
    results(count) {
      records.reset(HEADER_BYTES);
      const out = new Array<TaskResult>(count);
      for (let i = 0; i < count; i++) out[i] = records.next();
      return out;
    },
  };
}

export interface ProgressWriter {
  /** Before the first task of the batch just posted. */
  begin(): void;
  /**
   * Task `index` is done: its result kept here, and the next task marked started. False when the result does not fit
   * (or an earlier one did not): the task still counts as done, KEPT says where the kept results end, and the thread
   * sends that result and every later one on the port when the batch ends.
   */
  finish(index: number, result: TaskResult): boolean;
}

/** Thread side: one per lane, `begin` for each batch. */
export function writeProgress(buffer: SharedArrayBuffer, { words, doubles }: LaneHeader): ProgressWriter {
  let sentAt = 0;
  let full = false;
  const records = new RecordWriter(buffer, HEADER_BYTES, TASKS_AT);
  const markStart = (): void => {
    Atomics.store(words, STARTED, Math.max(0, Math.round(clock() - sentAt)));
  };
  return {
    begin() {
      sentAt = doubles[SENT_AT] as number;
      records.reset(HEADER_BYTES);
      full = false;
      markStart();
    },
    finish(index, result) {
      const kept = !full && records.write(result);
      if (!kept && !full) {
        full = true;
        Atomics.store(words, KEPT, index); // before the count: a pool that sees the count knows where results are
      }
      // The next start before the count: a pool that sees the new count never times that task from the previous start.
      markStart();
      Atomics.store(words, DONE, index + 1);
      return kept;
    },
  };
}
