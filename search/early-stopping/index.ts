// The pruner registry: config names an entry; each entry is an options schema and a factory. Decision logic only:
// the engine feeds reports and ends, and stops the evaluations pruned.
import { defineFactory, type Factory } from '../../core/factory.js';
import { ashaOptions, createAshaPruner, type AshaOptions } from './asha.js';
import { createHyperbandPruner, hyperbandOptions, type HyperbandOptions } from './hyperband.js';
import { createMedianPruner, medianOptions, type MedianOptions } from './median.js';
import { createNonePruner, noneOptions, type NoneOptions } from './none.js';
import type { Pruner } from './types.js';

export type { Decision, EvaluationEnd, Pruner, Report } from './types.js';
export { createNonePruner, noneOptions, type NoneOptions } from './none.js';
export { createMedianPruner, medianOptions, nanMedian, type MedianOptions, type MedianState } from './median.js';
export {
  halvingSchedule,
  isPromotable,
  promoteBest,
  rungResource,
  type HalvingLadder,
} from './successive-halving.js';
export {
  ashaOptions,
  createAshaPruner,
  type AshaOptions,
  type AshaPruner,
  type AshaState,
} from './asha.js';
export {
  bracketBudget,
  bracketCount,
  createHyperbandPruner,
  hyperbandOptions,
  type HyperbandOptions,
  type HyperbandPruner,
  type HyperbandState,
} from './hyperband.js';

/** Built-in pruners by config `type`. Each schema is strict and excludes `type`; no entry needs dependencies. */
export const pruners = {
  none: defineFactory<NoneOptions, void, Pruner>(
    'No early stopping: every evaluation runs to its end.',
    noneOptions,
    () => createNonePruner(),
  ),
  median: defineFactory<MedianOptions, void, Pruner>(
    "Median stopping rule (Optuna's MedianPruner): prune when the best value so far is below the completed evaluations' median at this step.",
    medianOptions,
    (options) => createMedianPruner(options),
  ),
  asha: defineFactory<AshaOptions, void, Pruner>(
    'Asynchronous successive halving (Li et al. 2020): at each rung r_min·η^(s+k), go on only in the top 1/η so far.',
    ashaOptions,
    (options) => createAshaPruner(options),
  ),
  hyperband: defineFactory<HyperbandOptions, void, Pruner>(
    'Hyperband (Li et al. 2018): ASHA brackets of different first rungs, each evaluation compared within its bracket.',
    hyperbandOptions,
    (options) => createHyperbandPruner(options),
  ),
} satisfies Record<string, Factory<void, Pruner>>;

export type PrunerType = keyof typeof pruners;
