// What the thread pool and its threads say to each other: a warm-up, or a message of tasks that the thread runs one
// after another, and the reply with their results and the time they took.
import type { UnsettledFingerprints } from '../../store/result-cache.js';
import type { EvalTask, TaskResult } from './executor.js';

/** A warm-up: load the evaluator and run setup() before any evaluation is timed. */
export interface SetupTask {
  readonly setup: true;
}

/** Tasks for one thread, run in order; the results of those done are kept in `progress` as each finishes (progress.ts). */
export interface BatchMessage {
  readonly tasks: readonly EvalTask[];
  /** The main thread's fingerprint puts not yet committed when the message was sent: every task's `unsettled`. */
  readonly unsettled?: UnsettledFingerprints;
  readonly progress: SharedArrayBuffer;
  /** When the message was sent (progress.ts `clock()`): the running task's start is stored relative to it. */
  readonly sentAt: number;
}

export interface BatchReply {
  /** The results of the first tasks, in order: all of them unless `progress` filled up (the rest were not started). */
  readonly results: readonly TaskResult[];
  /** Milliseconds the thread spent on them: the pool sizes its next messages from it. */
  readonly ms: number;
}

export type ThreadHandler = (message: BatchMessage | SetupTask) => Promise<BatchReply | { ok: true; setup: true }>;
