// One message's progress, in memory shared by the pool and the thread running it: how many tasks are done, when the
// running one started, and the done tasks' results. The pool reads it when the thread dies or is terminated mid-message
// (a timeout, a crash): the results of the tasks already done are kept, not lost with the thread, and the running
// task's timeout counts from its own start, not from when the message was sent.
import type { TaskResult } from './executor.js';
import { readRecord, writeRecord } from './result-record.js';

// Int32 words: tasks done; start of the running task (ms after the message was sent). Then the results, one record
// each (result-record.ts).
const DONE = 0;
const STARTED = 1;
const HEADER_BYTES = 8;
/** A message's room for results: one that does not fit ends the message early (the reply carries it). */
export const PROGRESS_BYTES = 128 * 1024;

/** Milliseconds on a clock that the main thread and every worker thread share. */
export function clock(): number {
  return performance.timeOrigin + performance.now();
}

/** Pool side: a buffer ready for a new message (buffers of messages that ended normally are used again). */
export function resetProgress(buffer: SharedArrayBuffer): void {
  const header = new Int32Array(buffer, 0, 2);
  Atomics.store(header, DONE, 0);
  Atomics.store(header, STARTED, 0);
}

export interface ProgressReader {
  /** Tasks done: their results are readable. */
  done(): number;
  /** When the running task (index `done()`) started, on `clock()`; the send time until the thread has begun. */
  startedAt(): number;
  /** The results of the first `count` done tasks. */
  results(count: number): TaskResult[];
}

export function readProgress(buffer: SharedArrayBuffer, sentAt: number): ProgressReader {
  const header = new Int32Array(buffer, 0, 2);
  return {
    done: () => Atomics.load(header, DONE),
    startedAt: () => sentAt + Atomics.load(header, STARTED),
    results(count) {
      const bytes = Buffer.from(buffer);
      const out: TaskResult[] = [];
      let offset = HEADER_BYTES;
      for (let i = 0; i < count; i++) {
        const { result, next } = readRecord(bytes, offset);
        out.push(result);
        offset = next;
      }
      return out;
    },
  };
}

export interface ProgressWriter {
  /** Before the first task. */
  begin(): void;
  /**
   * Keeps task `index`'s result and marks the next task started. False when it does not fit: the thread then ends
   * the message, and its reply carries the result.
   */
  finish(index: number, result: TaskResult): boolean;
}

/** Thread side. */
export function writeProgress(buffer: SharedArrayBuffer, sentAt: number): ProgressWriter {
  const header = new Int32Array(buffer, 0, 2);
  const bytes = Buffer.from(buffer);
  let offset = HEADER_BYTES;
  const markStart = (): void => {
    Atomics.store(header, STARTED, Math.max(0, Math.round(clock() - sentAt)));
  };
  return {
    begin: markStart,
    finish(index, result) {
      const next = writeRecord(bytes, offset, result);
      if (next === undefined) return false;
      offset = next;
      // The next start before the count: a pool that sees the new count never times that task from the previous start.
      markStart();
      Atomics.store(header, DONE, index + 1);
      return true;
    },
  };
}
