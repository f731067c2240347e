// QD statistics: the incremental tracker agrees with the direct definition, and the default offset is the lowest score seen.
import { describe, expect, it } from 'vitest';
import { computeArchiveStats, QdStatsTracker, type RankedEntry } from '../../archive/stats.js';
import { rngFromSeed } from '../../core/rng.js';

describe('QD statistics', () => {
  it('computes coverage, qdScore and best directly', () => {
    const elites = [
      { id: 1, score: 2 },
      { id: 2, score: 5 },
      { id: 3, score: -1 },
    ];
    // Offset = min score = −1: (2+1) + (5+1) + (−1+1) = 9.
    expect(computeArchiveStats(elites, 12)).toEqual({
      size: 3,
      cells: 12,
      coverage: 0.25,
      qdScore: 9,
      qdOffset: -1,
      bestScore: 5,
      bestId: 2,
    });
    expect(computeArchiveStats(elites, 12, -3)).toMatchObject({ qdScore: 15, qdOffset: -3 });
    expect(computeArchiveStats([], 4)).toEqual({
      size: 0,
      cells: 4,
      coverage: 0,
      qdScore: 0,
      qdOffset: 0,
      bestScore: undefined,
      bestId: undefined,
    });
  });

  it('tracks the offset as the lowest score observed, rejected ones included', () => {
    const tracker = new QdStatsTracker(10);
    expect(tracker.offset()).toBe(0);
    tracker.observe(4);
    tracker.insert({ id: 1, score: 4 });
    tracker.observe(-6); // a rejected candidate
    expect(tracker.stats()).toMatchObject({ size: 1, qdOffset: -6, qdScore: 10, bestId: 1 });
  });

  it('agrees with the direct computation through many inserts and replacements', () => {
    const rng = rngFromSeed('tracker');
    const tracker = new QdStatsTracker(50, -100);
    const cells = new Map<number, RankedEntry>();
    for (let id = 0; id < 5_000; id++) {
      const entry = { id, score: 1_000 * rng() - 500, tiebreak: [Math.floor(3 * rng())] };
      const cell = Math.floor(50 * rng());
      tracker.observe(entry.score);
      const previous = cells.get(cell);
      if (!previous || entry.score > previous.score) {
        tracker.insert(entry, previous);
        cells.set(cell, entry);
      }
    }
    const expected = computeArchiveStats(cells.values(), 50, -100);
    const actual = tracker.stats();
    expect(actual.qdScore).toBeCloseTo(expected.qdScore, 8);
    expect({ ...actual, qdScore: 0 }).toEqual({ ...expected, qdScore: 0 });
  });

  it('keeps the running sum exact over a million replacements', () => {
    const tracker = new QdStatsTracker(1, 0);
    let previous = { id: 0, score: 0.1 };
    tracker.insert(previous);
    for (let id = 1; id <= 1_000_000; id++) {
      const entry = { id, score: 0.1 + id * 1e-7 };
      tracker.insert(entry, previous);
      previous = entry;
    }
    expect(tracker.qdScore()).toBeCloseTo(previous.score, 13);
  });
});
