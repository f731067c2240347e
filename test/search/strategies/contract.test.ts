// Every registered strategy passes the strategy contract with example options.
import { describe, expect, it } from 'vitest';
import { strategies, type StrategyName } from '../../../search/strategies/index.js';
import type { Space } from '../../../core/types.js';
import { strategyContract, type StrategyHarness } from '../../../testing/strategy.js';
import { bitArchive, bitSpace, oneMax, type Bits } from './fixtures.js';
import { createGridArchive } from '../../../archive/grid.js';
import { createVectorSpace } from '../../../spaces/vector.js';
import { pruningArchive, pruningDescriptors, pruningFitness, pruningSpace } from './pruning-problem.js';

const n = 12;

/** Example options per registry key, chosen so each strategy leaves its start-up phase within the suite's runs. */
const examples: Record<StrategyName, unknown> = {
  'map-elites': { initialRandom: 10, crossoverRate: 0.3 },
  nsga2: { populationSize: 8 },
  ga: { populationSize: 8, tournamentSize: 2 },
  'regularized-evolution': { populationSize: 8, sampleSize: 3 },
  'one-plus-lambda': { lambda: 3, mutationRate: 1 / n, selfAdjusting: { F: 1.5, s: 1, maxLambda: 6 } },
  'one-comma-lambda': { lambda: 4 },
  random: {},
  evopress: {
    offspring: 5,
    stages: [
      { fidelity: 0.25, survivors: 3 },
      { fidelity: 0.5, survivors: 2 },
      { fidelity: 1, survivors: 1, sample: 'fixed' },
    ],
  },
  gga: { populationSize: 6, offspring: 8 },
  'threshold-accepting': { threshold: 0.9, order: 'random' },
  'simulated-annealing': { candidates: 3, t0: 2, tau: 3 },
  'hill-climbing': { candidates: 3, patience: 2 },
  tabu: { candidates: 3, tabuSize: 3 },
  harmony: { memorySize: 5 },
  'cma-me': { emitters: 3, batchSize: 4, sigma0: 0.3, restartRule: 2 },
  'cma-mae': { emitters: 2, batchSize: 6, sigma0: 0.5, ranker: '2rd', restartRule: 'no_improvement' },
  scheduler: {
    scheduler: 'bandit',
    numActive: 2,
    learningRate: 0.1,
    thresholdMin: -10,
    emitters: [
      { type: 'gaussian', batchSize: 3, sigma: 0.2 },
      { type: 'iso-line', batchSize: 3 },
      { type: 'es', count: 2, batchSize: 4, restartRule: 2 },
    ],
  },
};

const harness = (): StrategyHarness => ({
  space: bitSpace(n) as Space<unknown>,
  archive: bitArchive(n) as unknown as StrategyHarness['archive'],
  evaluate: (g) => oneMax(g as Bits),
});

/** A prompt-pruning harness (token-mask space with removals) for strategies the bit strings cannot serve. */
const pruningHarness = (): StrategyHarness => {
  const space = pruningSpace();
  return {
    space: space as Space<unknown>,
    archive: pruningArchive() as unknown as StrategyHarness['archive'],
    evaluate: (g) => ({
      fitness: pruningFitness(space, g as never),
      descriptors: pruningDescriptors(space, g as never),
    }),
  };
};

/** A 4-d vector space over a 5×5 grid of (x0 + x1, x2 + x3), for the CMA-ES emitters. */
const vectorHarness = (): StrategyHarness => {
  const space = createVectorSpace({ dimensions: 4, min: -2, max: 2, bounds: 'reflect' });
  const dims = ['a', 'b'].map((name) => ({ name, min: -4, max: 4, bins: 5 }));
  return {
    space: space as unknown as Space<unknown>,
    archive: createGridArchive<unknown>({ dims }),
    evaluate: (g) => {
      const x = g as Float64Array;
      return { fitness: -x.reduce((s, v) => s + (v - 0.5) ** 2, 0), descriptors: [x[0]! + x[1]!, x[2]! + x[3]!] };
    },
  };
};

/** Two objectives of the bit strings (ones, and ones in the first half against the second), for NSGA-II. */
const twoObjectiveHarness = (): StrategyHarness => {
  const h = harness();
  return {
    ...h,
    objectiveCount: 2,
    evaluate: (g) => {
      const bits = g as Bits;
      const result = oneMax(bits);
      let first = 0;
      for (let i = 0; i < n / 2; i++) first += bits[i] ? 1 : 0;
      return { ...result, objectives: [result.fitness, first - (result.fitness - first)] };
    },
  };
};

/** Strategies that need a space capability the bit strings lack run the contract on another space. */
const harnesses: Partial<Record<StrategyName, () => StrategyHarness>> = {
  'threshold-accepting': pruningHarness, // needs removals(g)
  'cma-me': vectorHarness, // samples real vectors
  'cma-mae': vectorHarness,
  scheduler: vectorHarness,
  nsga2: twoObjectiveHarness, // needs objectives
};

describe('strategy registry', () => {
  it('has example options for every entry', () => {
    expect(Object.keys(examples).sort()).toEqual(Object.keys(strategies).sort());
  });

  it.each(Object.entries(strategies))('%s: has a summary and accepts its example options', (name, factory) => {
    expect(factory.summary.length).toBeGreaterThan(0);
    expect(factory.options.safeParse(examples[name as StrategyName]).success).toBe(true);
  });

  it.each(Object.keys(strategies))('%s: rejects unknown option keys', (name) => {
    expect(strategies[name as StrategyName].options.safeParse({ strategy: name, nope: 1 }).success).toBe(false);
  });
});

describe.each(Object.keys(strategies) as StrategyName[])('%s', (name) => {
  strategyContract(name, (deps) => strategies[name].create(examples[name], deps), harnesses[name] ?? harness);
});

/** The prompt-search strategies also pass on the token-mask space, where mutants often repeat a key and pruning runs out. */
const promptStrategies: StrategyName[] = ['gga', 'simulated-annealing', 'hill-climbing', 'tabu', 'harmony'];
describe.each(promptStrategies)('%s on a token-mask space', (name) => {
  strategyContract(`${name} (token-mask)`, (deps) => strategies[name].create(examples[name], deps), pruningHarness);
});
