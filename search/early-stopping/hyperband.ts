// Hyperband (Li et al., JMLR 2018, arXiv:1603.06560) as brackets of ASHA, as Optuna's HyperbandPruner
// (optuna/pruners/_hyperband.py): each evaluation is assigned to one bracket and competes only inside it.
import { z } from 'zod';
import { lazySchema } from '../../core/lazy-schema.js';
import { ashaState, buildAsha } from './asha.js';
import { rungResource } from './successive-halving.js';
import { checkReport, idData, markFinished, parsePrunerState } from './protocol.js';
import type { Decision, EvaluationEnd, Pruner, Report } from './types.js';

const NAME = 'hyperband pruner';

export const hyperbandOptions = lazySchema(() =>
  z
    .strictObject({
      /** r_min: the first rung of bracket 0, the most aggressive (Optuna `min_resource`). */
      minResource: z.number().positive().default(1),
      /** R: the resource of a full evaluation; sets the number of brackets (Optuna `max_resource`, no 'auto'). */
      maxResource: z.number().positive(),
      /** η (Optuna `reduction_factor`, default 3 there too). */
      reductionFactor: z.number().int().min(2).default(3),
      /** Passed to every bracket's ASHA (Optuna `bootstrap_count`). */
      bootstrapCount: z.number().int().min(0).default(0),
    })
    .refine((o) => o.maxResource > o.minResource, {
      message: 'maxResource must exceed minResource (with one rung or none there is nothing to stop early)',
      path: ['maxResource'],
    }),
);
export type HyperbandOptions = z.infer<typeof hyperbandOptions>;

const hyperbandState = (brackets: number) =>
  z.strictObject({
    /** Each bracket's ASHA state, bracket 0 first. */
    brackets: z.array(ashaState).length(brackets),
    finished: z.array(idData),
  });
export type HyperbandState = z.infer<ReturnType<typeof hyperbandState>>;

/** A Hyperband pruner that also tells which bracket an evaluation is in. */
export interface HyperbandPruner extends Pruner {
  /** Number of brackets, ⌊log_η(R/r_min)⌋ + 1. */
  readonly brackets: number;
  /** Each bracket's share of evaluations, in Optuna's units (its trial allocation budget). */
  readonly budgets: readonly number[];
  /** The bracket of an evaluation, 0 (first rung at r_min) to brackets − 1; a pure function of the id. */
  bracketOf(id: number): number;
}

/** ⌊log_η(R/r_min)⌋ + 1 counted by exact multiplication (Optuna's floating log can land one short at exact powers). */
export function bracketCount(minResource: number, maxResource: number, reductionFactor: number): number {
  let n = 1;
  while (rungResource(minResource, reductionFactor, n, 0) <= maxResource) n++;
  return n;
}

/** Optuna's trial allocation budget of bracket b of n: ⌈n·η^s/(s + 1)⌉ with s = n − 1 − b (Hyperband's n_i). */
export function bracketBudget(bracket: number, brackets: number, reductionFactor: number): number {
  const s = brackets - 1 - bracket;
  return Math.ceil((brackets * reductionFactor ** s) / (s + 1));
}

// frac(id·φ⁻¹) (a Weyl sequence) spreads consecutive ids evenly over [0, 1): every prefix of ids meets each bracket
// close to its share, where Optuna's crc32(study name, trial number) is only right on average.
const INVERSE_GOLDEN_RATIO = (Math.sqrt(5) - 1) / 2;

/**
 * Hyperband as Optuna runs it, checked against `HyperbandPruner`: n = ⌊log_η(R/r_min)⌋ + 1 brackets; bracket b is an
 * ASHA with minEarlyStoppingRate b (first rung r_min·η^b), so bracket 0 stops earliest and the last, whose first
 * rung may be R itself, may stop nothing. Each evaluation is assigned to one bracket in proportion to the brackets'
 * budgets ⌈n·η^s/(s + 1)⌉, s = n − 1 − b, and its reports are decided by that bracket alone, against the values
 * recorded there only. Two differences from Optuna, both deliberate: the bracket is a function of the id alone (the
 * point frac(id·φ⁻¹) in [0, 1) cut in proportion to the budgets, where Optuna cuts crc32 of the study name and trial
 * number modulo the summed budget), and a bracket's rungs stop below R (an evaluation that reached R has nothing
 * left to save; Optuna's brackets have no cap, but its auto R, the largest step seen + 1, is never reached).
 * @throws {ZodError} when the options do not validate.
 */
export function createHyperbandPruner(options: z.input<typeof hyperbandOptions>): HyperbandPruner {
  const { minResource, maxResource, reductionFactor, bootstrapCount } = hyperbandOptions.parse(options);
  const brackets = bracketCount(minResource, maxResource, reductionFactor);
  const budgets = Array.from({ length: brackets }, (_, b) => bracketBudget(b, brackets, reductionFactor));
  const total = budgets.reduce((a, b) => a + b, 0);
  const make = () =>
    Array.from({ length: brackets }, (_, b) =>
      buildAsha({ minResource, reductionFactor, minEarlyStoppingRate: b, bootstrapCount, maxResource }),
    );
  let asha = make();
  let finished = new Set<number>();

  function bracketOf(id: number): number {
    const u = id * INVERSE_GOLDEN_RATIO;
    let point = (u - Math.floor(u)) * total;
    for (let b = 0; b < brackets; b++) {
      point -= budgets[b]!;
      if (point < 0) return b;
    }
    return brackets - 1; // only if rounding put the point at the very end
  }

  return {
    brackets,
    budgets,
    bracketOf,
    report(report: Report): Decision {
      checkReport(NAME, report, finished);
      return asha[bracketOf(report.id)]!.report(report);
    },
    finish(id: number, end: EvaluationEnd): void {
      markFinished(NAME, finished, id);
      asha[bracketOf(id)]!.finish(id, end);
    },
    state(): HyperbandState {
      return { brackets: asha.map((a) => a.state()), finished: [...finished] };
    },
    restore(state: unknown): void {
      const s = parsePrunerState(NAME, hyperbandState(brackets), state);
      const restored = make();
      restored.forEach((a, b) => a.restore(s.brackets[b]));
      asha = restored;
      finished = new Set(s.finished);
    },
  };
}
