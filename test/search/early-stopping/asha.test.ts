// ASHA: every decision on hand-made reports, against Optuna's SuccessiveHalvingPruner rules (top max(1, ⌊n/η⌋)).
import { describe, expect, it } from 'vitest';
import {
  type AshaState,
  createAshaPruner,
  isPromotable,
  pruners,
  rungResource,
} from '../../../search/early-stopping/index.js';
import { curve } from './helpers.js';

const rungIds = (state: AshaState) => state.rungs.map((rung) => rung.map(([id]) => id));

describe('asha pruner', () => {
  it('η = 3, r_min = 1: nine arrivals at rung 0, then the promoted ones at rung 1', () => {
    const p = createAshaPruner({ reductionFactor: 3, minResource: 1 });
    const values = [0.5, 0.2, 0.8, 0.1, 0.9, 0.3, 0.7, 0.4, 0.75];
    // Step 0 is below the first rung (resource 1): nobody is judged or recorded.
    values.forEach((v, id) => expect(p.report({ id, step: 0, value: v - 10 })).toBe('continue'));
    expect(p.state().rungs).toEqual([]);
    // k = max(1, ⌊n/3⌋): n = 1, 2 → best only; n = 3 → 0.8 is best; n = 4, 5 → best; n = 6 → top 2 (0.9, 0.8);
    // n = 7, 8 → top 2; n = 9 → top 3 (0.9, 0.8, 0.75): the late 0.75 goes on, the earlier 0.7 did not.
    const rung0 = values.map((value, id) => p.report({ id, step: 1, value }));
    expect(rung0).toEqual([
      'continue',
      'prune',
      'continue',
      'prune',
      'continue',
      'prune',
      'prune',
      'prune',
      'continue',
    ]);
    // Between rungs nothing is decided: a worse value at step 2 goes on.
    expect(p.report({ id: 4, step: 2, value: -1 })).toBe('continue');
    // Rung 1 (resource 3) in arrival order 4, 0, 2, 8: n < η all along, so only the best so far goes on.
    const rung1 = [
      [4, 0.7],
      [0, 0.55],
      [2, 0.85],
      [8, 0.8],
    ].map(([id, value]) => p.report({ id: id!, step: 3, value: value! }));
    expect(rung1).toEqual(['continue', 'prune', 'continue', 'prune']);
    expect(rungIds(p.state())).toEqual([
      [0, 1, 2, 3, 4, 5, 6, 7, 8],
      [4, 0, 2, 8],
    ]);
  });

  it('promotes the top ⌊n/η⌋ at a later rung, with the value at the rung (not the best so far)', () => {
    const p = createAshaPruner({ reductionFactor: 2 });
    // η = 2, rungs at 1, 2, 4. Everyone reports 1 at step 1; ties at the threshold all go on.
    for (let id = 0; id < 6; id++) expect(p.report({ id, step: 1, value: 1 })).toBe('continue');
    // Rung 1 (step 2): 0.4, 0.6, 0.5, 0.9, 0.1, 0.55 → n = 1 best; 2: top 1; 3: top 1; 4: top 2; 5: top 2; 6: top 3.
    const rung1 = [0.4, 0.6, 0.5, 0.9, 0.1, 0.55].map((value, id) => p.report({ id, step: 2, value }));
    expect(rung1).toEqual(['continue', 'continue', 'prune', 'continue', 'prune', 'continue']);
  });

  it('promotes every value tied with the k-th best, whatever the order', () => {
    const p = createAshaPruner({ reductionFactor: 3 });
    const decisions = [0.9, 0.9, 0.5, 0.9, 0.2, 0.1].map((value, id) => p.report({ id, step: 1, value }));
    // n = 6 → k = 2, threshold 0.9: three 0.9s go on, more than ⌊6/3⌋ (Optuna's `value >= threshold`).
    expect(decisions).toEqual(['continue', 'continue', 'prune', 'continue', 'prune', 'prune']);
    expect(isPromotable(0.9, [0.9, 0.9, 0.9, 0.5, 0.2, 0.1], 3)).toBe(true);
    expect(isPromotable(0.5, [0.9, 0.9, 0.9, 0.5, 0.2, 0.1], 3)).toBe(false);
    expect(isPromotable(0.5, [0.5], 3)).toBe(true);
  });

  it('is asynchronous: the same values in another order get other decisions', () => {
    const ascending = createAshaPruner({ reductionFactor: 3 });
    const descending = createAshaPruner({ reductionFactor: 3 });
    const up = [0.1, 0.2, 0.3, 0.4].map((value, id) => ascending.report({ id, step: 1, value }));
    const down = [0.4, 0.3, 0.2, 0.1].map((value, id) => descending.report({ id, step: 1, value }));
    expect(up).toEqual(['continue', 'continue', 'continue', 'continue']);
    expect(down).toEqual(['continue', 'prune', 'prune', 'prune']);
  });

  it('decides a report past several rungs rung by rung with the same value', () => {
    const p = createAshaPruner({ reductionFactor: 3 });
    expect(p.report({ id: 0, step: 1, value: 0.5 })).toBe('continue');
    expect(p.report({ id: 0, step: 3, value: 0.5 })).toBe('continue');
    // Id 1 jumps to step 10 (past rungs 1, 3 and 9): best at rung 0 and at rung 1, recorded at rung 2 as well.
    expect(p.report({ id: 1, step: 10, value: 0.6 })).toBe('continue');
    // Id 2 jumps too but loses at rung 0 and is recorded there only.
    expect(p.report({ id: 2, step: 10, value: 0.4 })).toBe('prune');
    expect(rungIds(p.state())).toEqual([[0, 1, 2], [0, 1], [1]]);
  });

  it('skips the first minEarlyStoppingRate rungs', () => {
    const p = createAshaPruner({ reductionFactor: 3, minEarlyStoppingRate: 1 });
    expect(rungResource(1, 3, 1, 0)).toBe(3);
    expect(p.report({ id: 0, step: 3, value: 0.9 })).toBe('continue');
    expect(curve(p, 1, [0.1, 0.1, 0.1, 0.1], [0, 1, 2, 3])).toEqual(['continue', 'continue', 'continue', 'prune']);
  });

  it('scales rungs by minResource', () => {
    const p = createAshaPruner({ minResource: 5, reductionFactor: 2 });
    expect(p.report({ id: 0, step: 5, value: 1 })).toBe('continue');
    expect(curve(p, 1, [0, 0], [4, 5])).toEqual(['continue', 'prune']);
    // Rung 1 is at 10: id 0 at 9 is between rungs, at 10 it is the first there.
    expect(curve(p, 0, [0, 0], [9, 10])).toEqual(['continue', 'continue']);
    expect(rungIds(p.state())).toEqual([[0, 1], [0]]);
  });

  it('prunes the first bootstrapCount arrivals at a rung', () => {
    const p = createAshaPruner({ reductionFactor: 2, bootstrapCount: 2 });
    const decisions = [0.9, 0.8, 0.7, 0.95].map((value, id) => p.report({ id, step: 1, value }));
    expect(decisions).toEqual(['prune', 'prune', 'prune', 'continue']);
  });

  it('has no rung at or above maxResource', () => {
    const capped = createAshaPruner({ reductionFactor: 3, maxResource: 9 });
    const uncapped = createAshaPruner({ reductionFactor: 3 });
    for (const p of [capped, uncapped]) {
      expect(p.report({ id: 0, step: 9, value: 1 })).toBe('continue'); // first at every rung it passes
      expect(curve(p, 1, [2, 2], [1, 3])).toEqual(['continue', 'continue']);
    }
    // At 9 the capped pruner has no rung (9 is the whole budget); the uncapped one compares with id 0 there.
    expect(capped.report({ id: 1, step: 9, value: 0 })).toBe('continue');
    expect(uncapped.report({ id: 1, step: 9, value: 0 })).toBe('prune');
    expect(rungIds(capped.state())).toEqual([
      [0, 1],
      [0, 1],
    ]);
    expect(rungIds(uncapped.state())).toEqual([
      [0, 1],
      [0, 1],
      [0, 1],
    ]);
  });

  it('prunes NaN at a rung without recording it; NaN between rungs goes on', () => {
    const p = createAshaPruner();
    expect(p.report({ id: 0, step: 0, value: Number.NaN })).toBe('continue');
    expect(p.report({ id: 0, step: 1, value: Number.NaN })).toBe('prune');
    expect(p.report({ id: 1, step: 1, value: -100 })).toBe('continue');
    expect(rungIds(p.state())).toEqual([[1]]);
  });

  it('judges the value at the largest step reported: repeats and late lower steps do not replace it', () => {
    const p = createAshaPruner();
    // Optuna ignores a repeated step and judges last_step's value: the NaN at step 1 stays.
    expect(p.report({ id: 0, step: 1, value: Number.NaN })).toBe('prune');
    expect(p.report({ id: 0, step: 1, value: 0.5 })).toBe('prune');
    expect(p.report({ id: 1, step: 2, value: Number.NaN })).toBe('prune');
    expect(p.report({ id: 1, step: 1, value: 0.5 })).toBe('prune');
    expect(p.state().rungs).toEqual([]);
  });

  it('keeps the values of finished evaluations as competition', () => {
    const p = createAshaPruner({ reductionFactor: 3 });
    expect(p.report({ id: 0, step: 1, value: 0.9 })).toBe('continue');
    p.finish(0, 'failed');
    expect(p.report({ id: 1, step: 1, value: 0.8 })).toBe('prune');
    p.finish(1, 'pruned');
    expect(() => p.report({ id: 1, step: 2, value: 1 })).toThrow(/reported after it finished/);
  });

  it('validates its options', () => {
    const make = (o: unknown) => () => pruners.asha.create(o, undefined);
    expect(make({ reductionFactor: 1 })).toThrow(/reductionFactor/);
    expect(make({ reductionFactor: 2.5 })).toThrow(/reductionFactor/);
    expect(make({ minResource: 0 })).toThrow(/minResource/);
    expect(make({ minEarlyStoppingRate: -1 })).toThrow(/minEarlyStoppingRate/);
    expect(make({ bootstrapCount: -1 })).toThrow(/bootstrapCount/);
    expect(make({ maxResource: 3, minEarlyStoppingRate: 1 })).toThrow(/maxResource must exceed the first rung/);
    expect(make({ eta: 3 })).toThrow(/eta/);
    expect(make({ maxResource: 3.5, minEarlyStoppingRate: 1 })).not.toThrow();
    expect(make(undefined)).not.toThrow();
  });
});
