// Archive statistics over proposals: a bounded series (decimated as it grows) for plots and reports. The stored
// shape (History) is in store/events.ts; this is how the engine fills it.
import type { ArchiveStats } from '../archive/archive.js';
import type { Counters, History } from '../store/events.js';
import type { Budget } from './budget.js';
import { fromScore, type Direction } from '../core/types.js';

const MAX_POINTS = 1000;

export function emptyHistory(budget?: Budget): History {
  const every = budget?.evaluations !== undefined ? Math.max(1, Math.floor(budget.evaluations / 500)) : 100;
  return { every, points: [] };
}

/** Adds a point when the proposal count is a multiple of `every`; deterministic in the proposal count. */
export function recordHistory(
  history: History,
  counters: Counters,
  statsNow: () => ArchiveStats,
  secondsNow: () => number,
  direction: Direction,
  force = false,
): void {
  if (!force && counters.proposals % history.every !== 0) return;
  if (history.points.at(-1)?.proposals === counters.proposals) return;
  const stats = statsNow(); // only for a point: the stats and the clock are read once every `every` proposals
  const seconds = secondsNow();
  history.points.push({
    proposals: counters.proposals,
    evaluations: counters.evaluations,
    seconds: Math.round(seconds * 1000) / 1000,
    coverage: stats.coverage,
    qdScore: stats.qdScore,
    best: stats.bestScore === undefined ? null : fromScore(stats.bestScore, direction),
    ...(stats.hypervolume !== undefined ? { hypervolume: stats.hypervolume } : {}),
  });
  if (history.points.length > MAX_POINTS) {
    history.every *= 2;
    history.points = history.points.filter((p, i, all) => p.proposals % history.every === 0 || i === all.length - 1);
  }
}
