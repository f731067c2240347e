// Median stopping rule as Optuna's MedianPruner (PercentilePruner at the 50th percentile, optuna/pruners/_percentile.py):
// prune an evaluation whose best value so far is below the median of the completed evaluations' values at its step.
import { z } from 'zod';
import { lazySchema } from '../../core/lazy-schema.js';
import {
  checkReport,
  decodeValue,
  encodeValue,
  idData,
  markFinished,
  parsePrunerState,
  stepData,
  valueData,
} from './protocol.js';
import type { Decision, EvaluationEnd, Pruner, Report } from './types.js';

const NAME = 'median pruner';

export const medianOptions = lazySchema(() =>
  z.strictObject({
    /** No pruning until this many evaluations have completed (Optuna `n_startup_trials`; pruned and failed do not count). */
    nStartupTrials: z.number().int().min(0).default(5),
    /** No pruning while the evaluation's last step is below this; the first check is at this step (Optuna `n_warmup_steps`). */
    nWarmupSteps: z.number().min(0).default(0),
    /**
     * Checks fall at nWarmupSteps + k·intervalSteps; a check with no report exactly there happens at the first report
     * past it (Optuna `interval_steps`, there an integer ≥ 1; here any positive number, exact for integers).
     */
    intervalSteps: z.number().positive().default(1),
    /** Fewest completed evaluations with a value at the step for a decision; fewer: continue (Optuna `n_min_trials`). */
    nMinTrials: z.number().int().min(1).default(1),
  }),
);
export type MedianOptions = z.infer<typeof medianOptions>;

const medianState = lazySchema(() =>
  z.strictObject({
    /** Evaluations that finished 'complete', whether or not they reported. */
    completed: z.number().int().min(0),
    /** Completed evaluations' values by step, in completion order. */
    completedAtStep: z.array(z.tuple([stepData, z.array(valueData)])),
    /** Running evaluations' reports, in arrival order (a repeated step is not stored). */
    running: z.array(z.tuple([idData, z.array(z.tuple([stepData, valueData]))])),
    finished: z.array(idData),
  }),
);
export type MedianState = z.infer<typeof medianState>;

/**
 * The median of the non-NaN values, NaN when there are none. On finite values this is bit for bit numpy's
 * nanpercentile(values, 50) (its midpoint is b − (b − a)·0.5); with ±Infinity numpy's interpolation gives NaN even
 * where the median is defined (it does for [1, 2, ∞]), here the middle element or the plain midpoint.
 */
export function nanMedian(values: readonly number[]): number {
  const sorted = values.filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  if (n % 2 === 1) return sorted[(n - 1) / 2]!;
  const a = sorted[n / 2 - 1]!;
  const b = sorted[n / 2]!;
  return Number.isFinite(a) && Number.isFinite(b) ? b - (b - a) * 0.5 : (a + b) / 2;
}

/**
 * Optuna's median rule, checked against optuna/pruners/_percentile.py (`PercentilePruner.prune`). At a report of
 * evaluation t, with s = t's largest step reported so far (Optuna's `last_step`), in this order:
 * 1. continue while no evaluation has completed or fewer than `nStartupTrials` have (only 'complete' counts);
 * 2. continue while s < `nWarmupSteps`;
 * 3. continue unless this is the first report at or past a check point: with c = ⌊(s − w)/i⌋·i + w, the largest
 *    other step t reported must be below c (Optuna's `_is_first_in_interval_step`);
 * 4. prune when every value t reported is NaN (Optuna: `nanmax` is NaN);
 * 5. take the values at exactly step s of the completed evaluations (not pruned, failed or running ones, and not
 *    their best so far: the raw value at s); continue when fewer than `nMinTrials` (NaN counted, as Optuna does);
 * 6. prune iff t's best value over all its reports (NaN ignored) is strictly below their median (NaN ignored; an
 *    all-NaN median continues).
 * @throws {ZodError} when the options do not validate.
 */
export function createMedianPruner(options: z.input<typeof medianOptions> = {}): Pruner {
  const { nStartupTrials, nWarmupSteps, intervalSteps, nMinTrials } = medianOptions.parse(options ?? {});
  let completed = 0;
  let completedAtStep = new Map<number, number[]>();
  let running = new Map<number, Map<number, number>>();
  let finished = new Set<number>();

  function isFirstInInterval(step: number, steps: Iterable<number>): boolean {
    const checkpoint = Math.floor((step - nWarmupSteps) / intervalSteps) * intervalSteps + nWarmupSteps;
    let previous = -1;
    for (const s of steps) if (s !== step && s > previous) previous = s;
    return previous < checkpoint;
  }

  function decide(reports: ReadonlyMap<number, number>): Decision {
    if (completed === 0 || completed < nStartupTrials) return 'continue';
    let step = -1;
    for (const s of reports.keys()) if (s > step) step = s;
    if (step < nWarmupSteps || !isFirstInInterval(step, reports.keys())) return 'continue';
    let best = Number.NaN;
    for (const v of reports.values()) if (!Number.isNaN(v) && (Number.isNaN(best) || v > best)) best = v;
    if (Number.isNaN(best)) return 'prune';
    const others = completedAtStep.get(step) ?? [];
    if (others.length < nMinTrials) return 'continue';
    // A NaN median compares false: continue, as Optuna does.
    return best < nanMedian(others) ? 'prune' : 'continue';
  }

  return {
    report(report: Report): Decision {
      checkReport(NAME, report, finished);
      let reports = running.get(report.id);
      if (!reports) running.set(report.id, (reports = new Map()));
      if (!reports.has(report.step)) reports.set(report.step, report.value);
      return decide(reports);
    },
    finish(id: number, end: EvaluationEnd): void {
      markFinished(NAME, finished, id);
      const reports = running.get(id);
      running.delete(id);
      if (end !== 'complete') return;
      completed++;
      for (const [step, value] of reports ?? []) {
        const values = completedAtStep.get(step);
        if (values) values.push(value);
        else completedAtStep.set(step, [value]);
      }
    },
    state(): MedianState {
      return {
        completed,
        completedAtStep: [...completedAtStep].map(([step, values]) => [step, values.map(encodeValue)]),
        running: [...running].map(([id, reports]) => [id, [...reports].map(([s, v]) => [s, encodeValue(v)])]),
        finished: [...finished],
      };
    },
    restore(state: unknown): void {
      const s = parsePrunerState(NAME, medianState, state);
      completed = s.completed;
      completedAtStep = new Map(s.completedAtStep.map(([step, values]) => [step, values.map(decodeValue)]));
      running = new Map(
        s.running.map(([id, reports]) => [id, new Map(reports.map(([st, v]) => [st, decodeValue(v)]))]),
      );
      finished = new Set(s.finished);
    },
  };
}
