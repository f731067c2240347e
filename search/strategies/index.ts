// The strategy registry: config `search.strategy` names an entry; each entry is an options schema and a factory.
import type { Factory } from '../../core/factory.js';
import { cmaMae } from './cma-mae.js';
import { cmaMe } from './cma-me.js';
import { evopress } from './evopress.js';
import { ga } from './ga.js';
import { gga } from './gga.js';
import { harmony } from './harmony.js';
import { mapElites } from './map-elites.js';
import { nsga2 } from './nsga2.js';
import { oneCommaLambda } from './one-comma-lambda.js';
import { onePlusLambda } from './one-plus-lambda.js';
import { random } from './random.js';
import { scheduler } from './scheduler.js';
import { regularizedEvolution } from './regularized-evolution.js';
import { hillClimbing } from './hill-climbing.js';
import { simulatedAnnealing } from './simulated-annealing.js';
import { tabuSearch } from './tabu.js';
import { thresholdAccepting } from './threshold-accepting.js';
import type { Strategy, StrategyDeps } from './strategy.js';

export type {
  Failure,
  FailureKind,
  Fidelity,
  Outcome,
  Proposal,
  ResultSource,
  Strategy,
  StrategyDeps,
} from './strategy.js';
export { fidelityKey } from './strategy.js';
export { cmaMaeOptions, createCmaMae, type CmaMaeOptions } from './cma-mae.js';
export { cmaMeOptions, createCmaMe, type CmaMeOptions } from './cma-me.js';
export { createEvopress, evopressOptions, type EvopressOptions, type EvopressState } from './evopress.js';
export { Race, raceStageOptions, type RaceStage, type RaceState } from './racing.js';
export { createGa, gaOptions, type GaOptions, type GaState } from './ga.js';
export { createMapElites, mapElitesOptions, type MapElitesOptions, type MapElitesState } from './map-elites.js';
export { createNsga2, nsga2Options, type Nsga2Options, type Nsga2State } from './nsga2.js';
export { createOneCommaLambda } from './one-comma-lambda.js';
export {
  createOnePlusLambda,
  onePlusLambdaOptions,
  type OnePlusLambdaOptions,
  type OnePlusLambdaState,
  type Selection,
} from './one-plus-lambda.js';
export { createRandom, randomOptions, type RandomOptions, type RandomState } from './random.js';
export { createSchedulerStrategy, schedulerOptions, type SchedulerOptions } from './scheduler.js';
export {
  createRegularizedEvolution,
  regularizedEvolutionOptions,
  type RegularizedEvolutionOptions,
  type RegularizedEvolutionState,
} from './regularized-evolution.js';
export { createGga, ggaOptions, hasLength, type GgaOptions, type GgaState, type HasLength } from './gga.js';
export { createHarmony, harmonyOptions, type HarmonyOptions, type HarmonyState } from './harmony.js';
export { LocalSearch, type LocalSearchRules, type LocalSearchState } from './local-search.js';
export { createHillClimbing, hillClimbingOptions, type HillClimbingOptions } from './hill-climbing.js';
export {
  createSimulatedAnnealing,
  simulatedAnnealingOptions,
  type SimulatedAnnealingOptions,
  type SimulatedAnnealingState,
} from './simulated-annealing.js';
export { createTabu, tabuOptions, type TabuOptions, type TabuState } from './tabu.js';
export {
  accepts,
  createThresholdAccepting,
  hasRemovals,
  thresholdAcceptingOptions,
  type Removals,
  type ThresholdAcceptingOptions,
  type ThresholdAcceptingState,
} from './threshold-accepting.js';

export const strategies = {
  'map-elites': mapElites,
  ga,
  'regularized-evolution': regularizedEvolution,
  'one-plus-lambda': onePlusLambda,
  'one-comma-lambda': oneCommaLambda,
  random,
  evopress,
  gga,
  'threshold-accepting': thresholdAccepting,
  'simulated-annealing': simulatedAnnealing,
  'hill-climbing': hillClimbing,
  tabu: tabuSearch,
  harmony,
  'cma-me': cmaMe,
  'cma-mae': cmaMae,
  scheduler,
  nsga2,
} satisfies Record<string, Factory<StrategyDeps<unknown>, Strategy<unknown>>>;

export type StrategyName = keyof typeof strategies;
