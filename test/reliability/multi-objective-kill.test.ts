// kill -9 real `elites run`s of the multi-objective searches (MOME: MAP-Elites over a mome archive; NSGA-II over a
// pareto archive, its generations straddling checkpoints) at seeded random moments and resume them: every member of
// every front equals an uninterrupted run's, and every proposal is logged exactly once.
import { describe, expect, it } from 'vitest';
import { SeededRng } from '../../core/rng.js';
import { runScenario, summarise, type Scenario } from '../helpers/kill-harness.js';
import { fixturePlugin, useRunFiles } from '../helpers/files.js';

const common = (cachePath: string) => ({
  seed: 17,
  space: { type: 'vector', dimensions: 2, min: 0, max: 1 },
  evaluator: { module: fixturePlugin('two-objectives.mjs') },
  objectives: { directions: ['minimize' as const, 'minimize' as const], names: ['f1', 'f2'], reference: [1.1, 2.1] },
  workers: 0,
  cache: { path: cachePath },
  log: { checkpointSeconds: 0.05 }, // checkpoints every 50 ms: many kills land on or near one
});

const mome: Scenario = {
  name: 'mome, inline',
  compare: true,
  config: (cachePath) => ({
    name: 'kill-mome',
    ...common(cachePath),
    search: { strategy: 'map-elites', initialRandom: 50 },
    archive: {
      type: 'mome',
      frontCapacity: 10,
      dims: [
        { name: 'a', min: 0, max: 1, bins: 4 },
        { name: 'b', min: 0, max: 1, bins: 4 },
      ],
    },
    budget: { evaluations: 25_000 },
  }),
};

const nsga2: Scenario = {
  name: 'nsga2, inline',
  compare: true,
  config: (cachePath) => ({
    name: 'kill-nsga2',
    ...common(cachePath),
    space: {
      type: 'vector',
      dimensions: 2,
      min: 0,
      max: 1,
      mutation: { type: 'polynomial', eta: 20 },
      crossover: { type: 'sbx', eta: 15 },
    },
    search: { strategy: 'nsga2', populationSize: 40 },
    archive: { type: 'pareto', capacity: 200 },
    budget: { evaluations: 15_000 },
  }),
};

describe('kill -9 multi-objective runs, then resume (real processes)', () => {
  it.each([mome, nsga2])(
    '$name: the fronts equal an uninterrupted run and the log holds every proposal once',
    async (scenario) => {
      const rounds = await runScenario(scenario, {
        kills: 3,
        rng: SeededRng.fromSeed(`kill-${scenario.name}`).next,
        maxDelayMs: 900,
        work: useRunFiles(),
      });
      const row = summarise(scenario.name, rounds);
      expect(row.problems).toEqual([]);
      expect(row.kills).toBeGreaterThanOrEqual(3);
      expect(rounds.every((r) => r.log.idsExactlyOnce && r.archiveEqual === true)).toBe(true);
    },
    400_000,
  ); // a bound, not a wait: a loaded 2-core machine runs these real processes several times slower
});
