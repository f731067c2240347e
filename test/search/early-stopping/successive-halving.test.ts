// Successive halving, the rule races and the ASHA pruner share: its ladder, its synchronous and asynchronous
// promotion, and that the two agree on a complete rung.
import { describe, expect, it } from 'vitest';
import { SeededRng } from '../../../core/rng.js';
import { halvingSchedule, isPromotable, promoteBest, rungResource } from '../../../search/early-stopping/index.js';
import { raceStages } from '../../../search/strategies/racing.js';

describe('successive halving', () => {
  it('schedules rungs at r_min·η^k keeping ⌊n/η^(k+1)⌋, the last rung one (Jamieson & Talwalkar, Algorithm 1)', () => {
    expect(halvingSchedule({ minResource: 2048, reductionFactor: 4, rungs: 3 }, 64)).toEqual([
      { resource: 2048, keep: 16 },
      { resource: 8192, keep: 4 },
      { resource: 32768, keep: 1 },
    ]);
    // Fewer candidates than η^k: at least one goes on.
    expect(halvingSchedule({ minResource: 1, reductionFactor: 3, rungs: 4 }, 5).map((r) => r.keep)).toEqual([
      1, 1, 1, 1,
    ]);
    expect(halvingSchedule({ minResource: 1, reductionFactor: 3, rungs: 4 }, 5).map((r) => r.resource)).toEqual(
      [0, 1, 2, 3].map((k) => rungResource(1, 3, 0, k)),
    );
  });

  it('promotes the best of a complete rung in the order given among ties, whatever order they completed in', () => {
    const entries = [
      { id: 0, v: 0.5 },
      { id: 1, v: 0.9 },
      { id: 2, v: 0.5 },
      { id: 3, v: 0.7 },
    ];
    const byValue = (a: { v: number }, b: { v: number }) => b.v - a.v;
    expect(promoteBest(entries, 3, byValue).map((e) => e.id)).toEqual([1, 3, 0]);
    expect(promoteBest(entries, 10, byValue)).toHaveLength(4);
  });

  it('decides a complete rung as the asynchronous rule would if every value had arrived first (distinct values)', () => {
    const rng = SeededRng.fromSeed('halving');
    for (let trial = 0; trial < 200; trial++) {
      const n = 1 + Math.floor(rng.next() * 40);
      const eta = 2 + Math.floor(rng.next() * 4);
      const values = Array.from({ length: n }, () => rng.next());
      const keep = Math.max(1, Math.floor(n / eta));
      const synchronous = new Set(promoteBest(values, keep, (a, b) => b - a));
      const asynchronous = new Set(values.filter((v) => isPromotable(v, values, eta)));
      expect(asynchronous).toEqual(synchronous);
    }
  });

  it('gives a race its stages from the ladder, or as listed', () => {
    expect(raceStages({ minFidelity: 100, reductionFactor: 4, stages: 2, sample: 'fresh' }, 16)).toEqual([
      { fidelity: 100, survivors: 4, sample: 'fresh' },
      { fidelity: 400, survivors: 1, sample: 'fresh' },
    ]);
    const listed = [{ fidelity: 1, survivors: 1, sample: 'fixed' as const }];
    expect(raceStages(listed, 16)).toBe(listed);
  });
});
