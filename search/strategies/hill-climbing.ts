// Hill climbing as Plum uses it for prompts (Pan, Xing, Diao et al., arXiv:2311.08364; ALGORITHMS.md §5.2):
// simulated annealing at temperature 0, so only strict improvements move the current point.
import type { z } from 'zod';
import { defineFactory } from '../../core/factory.js';
import { createSimulatedAnnealing, simulatedAnnealingOptions } from './simulated-annealing.js';
import type { Strategy, StrategyDeps } from './strategy.js';

/** Simulated annealing's options without the temperature schedule (`t0`, `tau`): it is fixed at 0. */
export const hillClimbingOptions = simulatedAnnealingOptions.pick({ candidates: true, patience: true });
export type HillClimbingOptions = z.infer<typeof hillClimbingOptions>;

/** Plum's hill climbing: simulated annealing at temperature 0 (only strict improvements are accepted). */
export function createHillClimbing<G>(
  options: z.input<typeof hillClimbingOptions>,
  deps: StrategyDeps<G>,
): Strategy<G> {
  const parsed = hillClimbingOptions.parse(options ?? {});
  return createSimulatedAnnealing({ ...parsed, t0: 0 }, deps, 'hill-climbing');
}

export const hillClimbing = defineFactory(
  'Hill climbing (Plum): the best of m mutants replaces the current point if strictly better; stops after `patience` idle iterations.',
  hillClimbingOptions,
  (options, deps: StrategyDeps<unknown>) => createHillClimbing(options, deps),
);
