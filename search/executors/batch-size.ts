// How many tasks go to a thread in one message: about MESSAGE_MS of work by the running estimate of one task's time,
// so a microsecond objective is not dominated by messaging and a one-second objective still goes one task at a time.

/**
 * Work per message: long enough that a message's round trip (tens of µs on a quiet machine, a millisecond or more when
 * the cores are busy and the main thread waits to be scheduled) is small beside it, short enough to keep results flowing.
 */
export const MESSAGE_MS = 5;
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
