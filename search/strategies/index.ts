// The strategy registry: config `search.strategy` names an entry; each entry is an options schema and a factory.
import type { Factory } from '../factory.js';
import { evopress } from './evopress.js';
import { ga } from './ga.js';
import { mapElites } from './map-elites.js';
import { oneCommaLambda, onePlusLambda } from './one-plus-lambda.js';
import { random } from './random.js';
import { regularizedEvolution } from './regularized-evolution.js';
import type { Strategy, StrategyDeps } from './strategy.js';

export type { Failure, FailureKind, Fidelity, Outcome, Proposal, ResultSource, Strategy, StrategyDeps } from './strategy.js';
export { fidelityKey } from './strategy.js';
export { createEvopress, evopressOptions, type EvopressOptions, type EvopressState } from './evopress.js';
export { Race, raceStageOptions, type RaceStage, type RaceState } from './racing.js';
export { createGa, gaOptions, type GaOptions, type GaState } from './ga.js';
export { createMapElites, mapElitesOptions, type MapElitesOptions, type MapElitesState } from './map-elites.js';
export {
  createOneCommaLambda,
  createOnePlusLambda,
  onePlusLambdaOptions,
  type OnePlusLambdaOptions,
  type OnePlusLambdaState,
  type Selection,
} from './one-plus-lambda.js';
export { createRandom, randomOptions, type RandomOptions, type RandomState } from './random.js';
export {
  createRegularizedEvolution,
  regularizedEvolutionOptions,
  type RegularizedEvolutionOptions,
  type RegularizedEvolutionState,
} from './regularized-evolution.js';
export { canMutateWithRate, type MutateWithRate } from './select.js';

export const strategies = {
  'map-elites': mapElites,
  ga,
  'regularized-evolution': regularizedEvolution,
  'one-plus-lambda': onePlusLambda,
  'one-comma-lambda': oneCommaLambda,
  random,
  evopress,
} satisfies Record<string, Factory<StrategyDeps<unknown>, Strategy<unknown>>>;

export type StrategyName = keyof typeof strategies;
