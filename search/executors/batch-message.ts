// What the thread pool and its threads say to each other through piscina: a warm-up, or the start of a lane, a
// long-lived task through which the thread then takes batch after batch of tasks in shared memory (progress.ts).
import type { MessagePort } from 'node:worker_threads';
import type { UnsettledFingerprints } from '../../store/result-cache.js';
import { describeThrown } from '../plugins.js';
import type { Failure } from '../strategies/strategy.js';
import type { EvalTask, TaskResult } from './executor.js';

/** A warm-up: load the evaluator and run setup() before any evaluation is timed. */
export interface SetupTask {
  readonly setup: true;
}

/**
 * Runs batches posted in the lane's slots (progress.ts) until the thread is terminated: batch n in slot n % count, so
 * the pool can post a batch while the thread runs the one before it. `port` carries what does not fit.
 */
export interface LaneStart {
  readonly slots: readonly SharedArrayBuffer[];
  readonly port: MessagePort;
}

/** A batch whose tasks go by structured clone on the lane's port (genomes that are not typed arrays, or too large). */
export interface ClonedBatch {
  readonly tasks: readonly EvalTask[];
  /** The main thread's fingerprint puts not yet committed when the batch was sent: every task's `unsettled`. */
  readonly unsettled?: UnsettledFingerprints;
}

/** On the lane's port from the thread: the results that did not fit in the slot's memory, in order (progress.ts OVERFLOW). */
export interface OverflowResult {
  readonly overflow: readonly TaskResult[];
}

export type ThreadHandler = (message: LaneStart | SetupTask) => Promise<{ ok: true; setup: true } | undefined>;

/** What a value that structured clone refuses (a genome or a result that is not plain data) makes of its task. */
export function cloneFailure(error: unknown): Failure {
  return {
    kind: 'invalid',
    message: `a value could not be passed between threads (structured clone): ${describeThrown(error)}; genomes and results must be plain data`,
  };
}
