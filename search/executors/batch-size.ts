// How many tasks go to a thread in one message: about MESSAGE_MS of work by the running estimate of one task's time,
// so a microsecond objective is not dominated by messaging and a one-second objective still goes one task at a time.

/**
 * Work per message: long enough that what the main thread spends per message (its wake-up, the results, the run log's
 * commit of that turn: about a millisecond of CPU when the cores are busy, taken from the evaluating threads on a
 * machine with as many threads as cores) is small beside it, short enough to keep results flowing (the next message
 * already waits beside the running one: piscina.ts). 20 ms: on 2 cores, a 1 ms evaluator's 2 threads ran 4,000
 * evaluations in 2.26–2.30 s against 2.41–2.47 s at 5 ms (bench/workers.ts, 2 rounds each).
 */
export const MESSAGE_MS = 20;
/** Weight of the newest message in the running estimate. */
const NEWEST = 0.3;

export interface BatchSizer {
  /** A message's tasks took `ms` in the thread (a timed-out one counts its timeout). */
  observe(tasks: number, ms: number): void;
  /** Tasks for the next message: 1 until a message has been measured, at most `limit`. */
  size(limit: number): number;
  /** True once a message has been measured, when `count` tasks take at most one message's work. */
  fits(count: number): boolean;
}

export function createBatchSizer(messageMs = MESSAGE_MS): BatchSizer {
  let perTaskMs: number | undefined;
  return {
    observe(tasks, ms) {
      if (tasks <= 0 || !(ms >= 0)) return;
      const latest = ms / tasks;
      perTaskMs = perTaskMs === undefined ? latest : (1 - NEWEST) * perTaskMs + NEWEST * latest;
    },
    size(limit) {
      if (perTaskMs === undefined) return 1;
      return Math.max(1, Math.min(limit, Math.floor(messageMs / Math.max(perTaskMs, 1e-6))));
    },
    fits(count) {
      return perTaskMs !== undefined && count * perTaskMs <= messageMs;
    },
  };
}
