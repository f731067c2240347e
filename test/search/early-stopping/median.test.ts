// Median pruner: every decision on hand-made learning curves, against Optuna's PercentilePruner rules at 50%.
import { describe, expect, it } from 'vitest';
import { createMedianPruner, nanMedian, pruners, type Pruner } from '../../../search/early-stopping/index.js';
import { complete, curve } from './helpers.js';

/** Five completed curves over steps 0–3; the medians at steps 0, 1, 2, 3 are 0.3, 0.4, 0.5, 0.6 (middle elements). */
const FIVE = [
  [0.1, 0.2, 0.3, 0.4],
  [0.2, 0.3, 0.4, 0.5],
  [0.3, 0.4, 0.5, 0.6],
  [0.4, 0.5, 0.6, 0.7],
  [0.5, 0.6, 0.7, 0.8],
];
const withFive = (options: Parameters<typeof createMedianPruner>[0] = {}): Pruner => {
  const p = createMedianPruner(options);
  FIVE.forEach((values, id) => complete(p, id, values));
  return p;
};

describe('median pruner', () => {
  it('prunes only when the best value so far is strictly below the median at the step', () => {
    const p = withFive();
    // Step 0: 0.3 = the median → continue (strictly below prunes). Step 1: best max(0.3, 0.35) = 0.35 < 0.4 → prune.
    expect(curve(p, 10, [0.3, 0.35])).toEqual(['continue', 'prune']);
    // Best so far carries a dip: 0.5 at step 0, then 0.35, 0.45 (best 0.5 ≥ 0.4, = 0.5), 0.55 (best 0.55 < 0.6).
    expect(curve(p, 11, [0.5, 0.35, 0.45, 0.55])).toEqual(['continue', 'continue', 'continue', 'prune']);
    // Just below at step 0.
    expect(curve(p, 12, [0.29])).toEqual(['prune']);
  });

  it('compares with the completed values at exactly that step, not their best so far', () => {
    // Completed curves fall: medians 0.7 at step 0 (their best so far stays 0.7 at step 1) but 0.3 at step 1.
    const p = createMedianPruner({ nWarmupSteps: 1 });
    [0.5, 0.6, 0.7, 0.8, 0.9].forEach((v, id) => complete(p, id, [v, v - 0.4]));
    // Warm-up hides step 0; at step 1 the best 0.35 ≥ 0.3 goes on (against their best so far it would be pruned).
    expect(curve(p, 10, [0.1, 0.35])).toEqual(['continue', 'continue']);
    // The evaluation's own best over all its steps counts, not its last value: 0.9 then 0.05 goes on.
    expect(curve(p, 11, [0.9, 0.05])).toEqual(['continue', 'continue']);
    expect(curve(p, 12, [0.1, 0.25])).toEqual(['continue', 'prune']);
  });

  it('does not prune before nStartupTrials evaluations completed; pruned and failed ones do not count', () => {
    const p = createMedianPruner(); // nStartupTrials 5
    FIVE.slice(0, 4).forEach((values, id) => complete(p, id, values));
    complete(p, 4, [0.9, 0.9, 0.9, 0.9], 'pruned');
    complete(p, 5, [0.9, 0.9, 0.9, 0.9], 'failed');
    expect(curve(p, 10, [-1, -1, -1, -1])).toEqual(['continue', 'continue', 'continue', 'continue']);
    complete(p, 6, FIVE[4]!);
    expect(curve(p, 11, [-1])).toEqual(['prune']);
    // The median is over the five completed ones only (the pruned and failed 0.9s are not in it): 0.3 goes on.
    expect(curve(p, 12, [0.3, 0.4])).toEqual(['continue', 'continue']);
  });

  it('never prunes with no completed evaluation, even with nStartupTrials 0 (Optuna returns early)', () => {
    const p = createMedianPruner({ nStartupTrials: 0 });
    complete(p, 0, [5, 5], 'pruned');
    expect(curve(p, 1, [-1, -1])).toEqual(['continue', 'continue']);
    expect(curve(p, 4, [Number.NaN])).toEqual(['continue']); // not even all-NaN
    // A completion that never reported counts for start-up but gives no values: still no median, continue.
    p.finish(2, 'complete');
    expect(curve(p, 3, [-1])).toEqual(['continue']);
  });

  it('waits for nWarmupSteps: the first check is at step = nWarmupSteps', () => {
    const p = withFive({ nWarmupSteps: 2 });
    expect(curve(p, 10, [-1, -1, -1])).toEqual(['continue', 'continue', 'prune']);
  });

  it('checks only at the first report at or past each nWarmupSteps + k·intervalSteps', () => {
    const p = createMedianPruner({ nWarmupSteps: 2, intervalSteps: 3 });
    const steps = Array.from({ length: 10 }, (_, s) => s);
    for (let id = 0; id < 5; id++)
      complete(
        p,
        id,
        steps.map(() => id),
      ); // medians 2 at every step
    // Every step: checks at 2, 5 and 8 only (the pruner decides; stopping is the engine's business).
    const everyStep = curve(
      p,
      10,
      steps.map(() => 0),
    );
    expect(steps.filter((s) => everyStep[s] === 'prune')).toEqual([2, 5, 8]);
    // Sparse steps 0, 4, 6, 7, 9: 4 is the first past 2, 6 the first past 5, 7 is not, 9 the first past 8.
    expect(curve(p, 11, [0, 0, 0, 0, 0], [0, 4, 6, 7, 9])).toEqual(['continue', 'prune', 'prune', 'continue', 'prune']);
  });

  it('continues when fewer than nMinTrials completed evaluations reported at the step', () => {
    const p = createMedianPruner({ nStartupTrials: 1, nMinTrials: 2 });
    complete(p, 0, [1, 1, 1]);
    complete(p, 1, [1, 1]);
    // Steps 0 and 1 have two completed values, step 2 only one, step 5 none.
    expect(curve(p, 10, [0, 0, 0])).toEqual(['prune', 'prune', 'continue']);
    expect(curve(p, 11, [0], [1])).toEqual(['prune']);
    expect(curve(p, 12, [0], [2])).toEqual(['continue']);
    expect(curve(p, 13, [0], [5])).toEqual(['continue']);
    // The step is the largest reported so far (Optuna's last_step): a late report of step 0 is judged at step 2.
    expect(curve(p, 14, [0, 0], [2, 0])).toEqual(['continue', 'continue']);
  });

  it('takes the midpoint of the two middle values for an even count', () => {
    const p = createMedianPruner({ nStartupTrials: 4 });
    [0, 1, 2, 10].forEach((v, id) => complete(p, id, [v]));
    expect(curve(p, 10, [1.25])).toEqual(['prune']);
    expect(curve(p, 11, [1.5])).toEqual(['continue']);
    expect(nanMedian([0, 1, 2, 10])).toBe(1.5);
    expect(nanMedian([0.1, 0.7])).toBe(0.7 - (0.7 - 0.1) * 0.5); // numpy's rounding of the midpoint
    expect(nanMedian([3, Number.NaN, 1])).toBe(2);
    expect(nanMedian([1, 2, Infinity])).toBe(2);
    expect(nanMedian([Number.NaN])).toBeNaN();
  });

  it('handles NaN as Optuna: an all-NaN evaluation is pruned, completed NaNs leave the median but count for nMinTrials', () => {
    const p = createMedianPruner({ nStartupTrials: 3, nMinTrials: 3 });
    complete(p, 0, [Number.NaN, 1]);
    complete(p, 1, [0.5, Number.NaN]);
    complete(p, 2, [0.75, Number.NaN]);
    // Step 0: three values (one NaN) → median of 0.5, 0.75 = 0.625.
    expect(curve(p, 10, [0.6])).toEqual(['prune']);
    expect(curve(p, 11, [0.625])).toEqual(['continue']);
    expect(curve(p, 12, [Number.NaN])).toEqual(['prune']);
    // Step 1 holds 1, NaN, NaN: median 1. A NaN report after a number: the best is that number.
    expect(curve(p, 13, [1, Number.NaN])).toEqual(['continue', 'continue']);
    expect(curve(p, 14, [0.75, Number.NaN])).toEqual(['continue', 'prune']);
  });

  it('keeps the first value of a repeated step, and a repeat is not a new check point', () => {
    const p = withFive({ intervalSteps: 2 });
    expect(p.report({ id: 10, step: 0, value: 0.9 })).toBe('continue');
    expect(p.report({ id: 10, step: 0, value: -5 })).toBe('continue');
    expect(p.report({ id: 10, step: 1, value: -5 })).toBe('continue'); // not a check point
    const q = withFive({ intervalSteps: 2 });
    expect(q.report({ id: 10, step: 0, value: -5 })).toBe('prune');
    expect(q.report({ id: 10, step: 0, value: 0.9 })).toBe('prune');
  });

  it('throws on protocol misuse', () => {
    const p = withFive();
    expect(() => p.report({ id: 3, step: 5, value: 1 })).toThrow(/evaluation 3 reported after it finished/);
    expect(() => p.finish(3, 'complete')).toThrow(/finished twice/);
    expect(() => p.report({ id: 9, step: -1, value: 1 })).toThrow(/step must be a finite number ≥ 0/);
    expect(() => p.report({ id: 9, step: Number.NaN, value: 1 })).toThrow(/step/);
    expect(() => p.report({ id: 1.5, step: 1, value: 1 })).toThrow(/id must be an integer/);
    expect(() => p.report({ id: 9, step: 1, value: 1 })).not.toThrow();
  });

  it('validates its options', () => {
    const make = (o: unknown) => () => pruners.median.create(o, undefined);
    expect(make({ nStartupTrials: -1 })).toThrow(/nStartupTrials/);
    expect(make({ nWarmupSteps: -1 })).toThrow(/nWarmupSteps/);
    expect(make({ intervalSteps: 0 })).toThrow(/intervalSteps/);
    expect(make({ nMinTrials: 0 })).toThrow(/nMinTrials/);
    expect(make({ percentile: 25 })).toThrow(/percentile/);
    expect(make(undefined)).not.toThrow();
    expect(make({ nStartupTrials: 0, nWarmupSteps: 2.5, intervalSteps: 0.5 })).not.toThrow();
  });
});
