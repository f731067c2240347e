// Early stopping across threads: worker threads post their evaluations' ctx.report()s to the main thread, whose
// pruner answers; a 'prune' is stored in shared memory, where the worker's ctx.shouldStop() reads it at once.
import { BroadcastChannel } from 'node:worker_threads';
import type { ProgressSink, ReportChannelSpec } from './executor.js';

/** Decision slots, by proposal id modulo this: far more than the evaluations ever in flight at once. */
const SLOTS = 4096;

/** The pool's end of the channel. */
export interface ReportChannel {
  readonly spec: ReportChannelSpec;
  /** Stops proposal `id`'s evaluation: for a decision taken elsewhere (an `elites worker`'s run, in its main process). */
  prune(id: number): void;
  close(): void;
}

/** The main thread's end: reports go to `sink`, and its 'prune' decisions to the shared slots. */
export function openReportChannel(sink: ProgressSink): ReportChannel {
  const spec: ReportChannelSpec = {
    name: `elites-reports-${process.pid}-${Math.random().toString(36).slice(2)}`,
    decisions: new SharedArrayBuffer(4 * SLOTS),
  };
  const decisions = new Int32Array(spec.decisions);
  const prune = (id: number): void => void Atomics.store(decisions, id % SLOTS, id + 1);
  const channel = new BroadcastChannel(spec.name);
  channel.onmessage = (event: unknown) => {
    const [id, step, value] = (event as { data: [number, number, number] }).data;
    if (sink.report(id, step, value) === 'prune') prune(id);
  };
  channel.unref(); // the run's own work keeps the process alive, not this channel
  return { spec, prune, close: () => channel.close() };
}

/**
 * A worker thread's end: a report is posted (the decision comes back later, through shared memory), and an evaluation
 * should stop once its slot holds its id.
 */
export function reportSinkOf(spec: ReportChannelSpec): ProgressSink {
  const decisions = new Int32Array(spec.decisions);
  const channel = new BroadcastChannel(spec.name);
  channel.unref();
  return {
    report(id, step, value) {
      channel.postMessage([id, step, value]);
      return 'continue';
    },
    stopped: (id) => Atomics.load(decisions, id % SLOTS) === id + 1,
  };
}
