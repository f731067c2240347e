// The (1+1)-EA through the whole engine against theory: 1,000 seeded runs on OneMax, n = 100, rate 1/n
// (ALGORITHMS.md §6.3: E[T] = 1,069.54 generations after the first point, i.e. 1,070.54 proposals, SD ≈ 336).
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseRunConfig } from '../../search/config.js';
import { runSearch } from '../../search/run.js';
import { useRunFiles } from '../helpers/files.js';

const RUNS = 1000;
const CONCURRENT = 4;
const EXPECTED_PROPOSALS = 1070.54;
const SD = 336;
// Only distinct points are evaluated by a perfect cache: 0.578 of the proposals, by an independent simulation.
const EXPECTED_EVALUATION_SHARE = 0.578;

describe('(1+1)-EA on OneMax through the engine', () => {
  it(`takes ${EXPECTED_PROPOSALS} proposals on average and evaluates only distinct points`, async () => {
    const dir = useRunFiles();
    let proposals = 0;
    let evaluations = 0;
    const perRun: number[] = [];
    // Runs go CONCURRENT at a time (their start-up and commits wait on the disk), on one cache file in which each
    // seed's evaluator version is a namespace of its own: every run starts on an empty cache, as a fresh file would.
    const runOne = async (seed: number): Promise<void> => {
      const config = parseRunConfig(
        {
          name: 'onemax',
          seed,
          space: { type: 'bitstring', length: 100 },
          evaluator: { type: 'onemax', version: `seed-${seed}` },
          search: { strategy: 'one-plus-lambda', lambda: 1, mutationRate: 0.01 },
          archive: { type: 'grid', dims: [{ name: 'ones', min: 0, max: 100, bins: 101 }] },
          budget: { evaluations: 100_000, targetFitness: 100 },
          workers: 0,
          cache: { path: join(dir, 'cache.mdb') },
        },
        dir,
      );
      const s = await runSearch(config, { out: join(dir, `run-${seed}`) });
      expect(s.stopReason).toBe('target');
      expect(s.best?.fitness).toBe(100);
      perRun[seed] = s.proposals;
      proposals += s.proposals;
      evaluations += s.evaluations;
    };
    let nextSeed = 0;
    const lane = async (): Promise<void> => {
      while (nextSeed < RUNS) await runOne(nextSeed++);
    };
    await Promise.all(Array.from({ length: CONCURRENT }, lane));
    expect(perRun.filter((n) => n > 0)).toHaveLength(RUNS);
    const mean = proposals / RUNS;
    const tolerance = (4 * SD) / Math.sqrt(RUNS);
    console.info(
      `(1+1)-EA OneMax n=100: mean ${mean.toFixed(2)} proposals over ${RUNS} runs (expected ${EXPECTED_PROPOSALS} ± ${tolerance.toFixed(1)}); evaluations/proposals ${(evaluations / proposals).toFixed(4)}`,
    );
    expect(Math.abs(mean - EXPECTED_PROPOSALS)).toBeLessThan(tolerance);
    expect(Math.abs(evaluations / proposals - EXPECTED_EVALUATION_SHARE)).toBeLessThan(0.02);
    // The spread matches too (a wrong acceptance rule shifts the SD long before the mean).
    const sd = Math.sqrt(perRun.reduce((a, x) => a + (x - mean) ** 2, 0) / (RUNS - 1));
    expect(Math.abs(sd - SD)).toBeLessThan(40);
  }, 600_000);
});
