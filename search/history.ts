// Archive statistics over proposals: a bounded series (decimated as it grows) for plots and reports.
import type { ArchiveStats } from '../archive/archive.js';
import type { Counters } from '../archive/store/events.js';
import type { Budget } from './budget.js';
import { fromScore, type Direction } from './types.js';

export interface HistoryPoint {
  readonly proposals: number;
  readonly evaluations: number;
  readonly seconds: number;
  readonly coverage: number;
  readonly qdScore: number;
  /** Best raw fitness so far (direction applied back), null while the archive is empty. */
  readonly best: number | null;
}

export interface History {
  /** A point every `every` proposals; doubled (and the series thinned) when it passes MAX_POINTS. */
  every: number;
  points: HistoryPoint[];
}

const MAX_POINTS = 1000;

export function emptyHistory(budget?: Budget): History {
  const every = budget?.evaluations !== undefined ? Math.max(1, Math.floor(budget.evaluations / 500)) : 100;
  return { every, points: [] };
}

/** Adds a point when the proposal count is a multiple of `every`; deterministic in the proposal count. */
export function recordHistory(history: History, counters: Counters, stats: ArchiveStats, seconds: number, direction: Direction, force = false): void {
  if (!force && counters.proposals % history.every !== 0) return;
  if (history.points.at(-1)?.proposals === counters.proposals) return;
  history.points.push({
    proposals: counters.proposals,
    evaluations: counters.evaluations,
    seconds: Math.round(seconds * 1000) / 1000,
    coverage: stats.coverage,
    qdScore: stats.qdScore,
    best: stats.bestScore === undefined ? null : fromScore(stats.bestScore, direction),
  });
  if (history.points.length > MAX_POINTS) {
    history.every *= 2;
    history.points = history.points.filter((p, i, all) => p.proposals % history.every === 0 || i === all.length - 1);
  }
}
