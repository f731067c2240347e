// Hyperband: Optuna's bracket count and budgets, a deterministic bracket per id, decisions only within a bracket.
import { describe, expect, it } from 'vitest';
import { SeededRng } from '../../../core/rng.js';
import {
  bracketBudget,
  bracketCount,
  createAshaPruner,
  createHyperbandPruner,
  type Decision,
  pruners,
} from '../../../search/early-stopping/index.js';

/** The first `n` ids of bracket `b`. */
const idsIn = (bracketOf: (id: number) => number, b: number, n: number) => {
  const out: number[] = [];
  for (let id = 0; out.length < n; id++) if (bracketOf(id) === b) out.push(id);
  return out;
};

describe('hyperband pruner', () => {
  it("has Optuna's bracket count and budgets", () => {
    // Optuna's HyperbandPruner(min_resource, max_resource, reduction_factor): n_brackets and trial allocation budgets.
    const h = createHyperbandPruner({ minResource: 1, maxResource: 81, reductionFactor: 3 });
    expect(h.brackets).toBe(5);
    expect(h.budgets).toEqual([81, 34, 15, 8, 5]);
    expect(createHyperbandPruner({ minResource: 2, maxResource: 50, reductionFactor: 2 }).budgets).toEqual([
      16, 10, 7, 5, 5,
    ]);
    expect(bracketCount(1, 80, 3)).toBe(4);
    expect(bracketCount(1, 81, 3)).toBe(5);
    // Exact powers count exactly (Optuna's floor(math.log(243, 3)) + 1 is 5).
    expect(bracketCount(1, 243, 3)).toBe(6);
    expect(bracketBudget(0, 6, 3)).toBe(243);
  });

  it('assigns each id a bracket that depends on the id alone, in proportion to the budgets', () => {
    const a = createHyperbandPruner({ maxResource: 81 });
    const b = createHyperbandPruner({ maxResource: 81 });
    b.report({ id: 7, step: 1, value: 1 }); // history does not move assignments
    const total = 143;
    const counts = [0, 0, 0, 0, 0];
    let worst = 0;
    for (let id = 0; id < total * 100; id++) {
      const bracket = a.bracketOf(id);
      expect(b.bracketOf(id)).toBe(bracket);
      counts[bracket]!++;
      // Every prefix of ids meets every bracket within 3 evaluations of its share.
      for (let k = 0; k < 5; k++) worst = Math.max(worst, Math.abs(counts[k]! - ((id + 1) * a.budgets[k]!) / total));
    }
    expect(worst).toBeLessThan(3);
    expect(Math.max(...counts.map((c, k) => Math.abs(c - 100 * a.budgets[k]!)))).toBeLessThanOrEqual(1);
    expect(new Set(Array.from({ length: 40 }, (_, id) => a.bracketOf(id))).size).toBe(5); // mixed early on
  });

  it('compares an evaluation only with its own bracket', () => {
    const h = createHyperbandPruner({ minResource: 1, maxResource: 81, reductionFactor: 3 });
    const [a, b] = idsIn(h.bracketOf, 0, 2) as [number, number];
    const [c, d] = idsIn(h.bracketOf, 1, 2) as [number, number];
    const [e] = idsIn(h.bracketOf, 4, 1) as [number];
    // Bracket 0: rungs at 1, 3, 9, 27. b loses to a at rung 0.
    expect(h.report({ id: a, step: 1, value: 0.9 })).toBe('continue');
    expect(h.report({ id: b, step: 1, value: 0.1 })).toBe('prune');
    // Bracket 1: rungs at 3, 9, 27; nothing at 1, and a's 0.9 at rung 3 of bracket 0 is not c's competition.
    expect(h.report({ id: a, step: 3, value: 0.9 })).toBe('continue');
    expect(h.report({ id: c, step: 1, value: 0 })).toBe('continue');
    expect(h.report({ id: c, step: 3, value: 0 })).toBe('continue');
    expect(h.report({ id: d, step: 3, value: -1 })).toBe('prune');
    // Bracket 4 would have its first rung at 81 = R: it never stops anything.
    for (let step = 1; step < 81; step++) expect(h.report({ id: e, step, value: -100 })).toBe('continue');
  });

  it('decides exactly as one ASHA per bracket fed only its own evaluations', () => {
    const options = { minResource: 1, maxResource: 100, reductionFactor: 3 };
    const h = createHyperbandPruner(options);
    const asha = Array.from({ length: h.brackets }, (_, b) =>
      createAshaPruner({ ...options, minEarlyStoppingRate: b }),
    );
    const rng = SeededRng.fromSeed('hyperband-brackets');
    const steps = new Map<number, number>();
    const live = Array.from({ length: 60 }, (_, id) => id);
    let prunes = 0;
    while (live.length > 0) {
      const id = live[Math.floor(rng.next() * live.length)]!;
      const step = (steps.get(id) ?? 0) + 1 + Math.floor(rng.next() * 3);
      steps.set(id, step);
      const value = Math.floor(rng.next() * 8) / 8;
      const decision: Decision = h.report({ id, step, value });
      expect(asha[h.bracketOf(id)]!.report({ id, step, value })).toBe(decision);
      if (decision === 'prune' || step >= 99) {
        prunes += decision === 'prune' ? 1 : 0;
        h.finish(id, decision === 'prune' ? 'pruned' : 'complete');
        live.splice(live.indexOf(id), 1);
      }
    }
    expect(prunes).toBeGreaterThan(10);
  });

  it('validates its options', () => {
    const make = (o: unknown) => () => pruners.hyperband.create(o, undefined);
    expect(make({})).toThrow(/maxResource/);
    expect(make({ maxResource: 1 })).toThrow(/maxResource must exceed minResource/);
    expect(make({ maxResource: 10, reductionFactor: 1 })).toThrow(/reductionFactor/);
    expect(make({ maxResource: 10, minEarlyStoppingRate: 1 })).toThrow(/minEarlyStoppingRate/);
    expect(make({ maxResource: 10, bootstrapCount: -1 })).toThrow(/bootstrapCount/);
    expect(make({ maxResource: 1.5 })).not.toThrow();
  });
});
