// kill -9 a real `elites run` of a bandit scheduler (Gaussian, iso-line and CMA-MAE emitters, inline, proposals asked
// one at a time so that turns and CMA-ES batches straddle checkpoints) at seeded random moments and resume it: the
// final archive equals an uninterrupted run's and every proposal is logged exactly once.
import { describe, expect, it } from 'vitest';
import { SeededRng } from '../../core/rng.js';
import { runScenario, summarise, type Scenario } from '../helpers/kill-harness.js';
import { useRunFiles } from '../helpers/files.js';

const bandit: Scenario = {
  name: 'bandit scheduler, inline',
  compare: true,
  config: (cachePath) => ({
    name: 'kill-bandit',
    seed: 13,
    space: { type: 'vector', dimensions: 10, min: -5.12, max: 5.12, init: { x0: 0, sigma: 0.5 }, bounds: 'none' },
    evaluator: { type: 'sphere' },
    direction: 'maximize',
    search: {
      strategy: 'scheduler',
      scheduler: 'bandit',
      numActive: 3,
      learningRate: 0.05,
      thresholdMin: 0,
      emitters: [
        { type: 'gaussian', count: 2, batchSize: 12, sigma: 0.5 },
        { type: 'iso-line', count: 2, batchSize: 12, isoSigma: 0.3, lineSigma: 0.2 },
        { type: 'es', count: 2, batchSize: 12, sigma0: 0.5, ranker: 'imp', selection: 'mu', restartRule: 20 },
      ],
    },
    archive: {
      type: 'grid',
      dims: [
        { name: 'm1', min: -25.6, max: 25.6, bins: 30 },
        { name: 'm2', min: -25.6, max: 25.6, bins: 30 },
      ],
      qdOffset: 0,
    },
    budget: { evaluations: 60_000 },
    workers: 0,
    cache: { path: cachePath },
    log: { checkpointSeconds: 0.05 }, // checkpoints every 50 ms: many kills land on or near one
  }),
};

describe('kill -9 a bandit scheduler run, then resume (real processes)', () => {
  it('inline: the archive equals an uninterrupted run and the log holds every proposal exactly once', async () => {
    const rounds = await runScenario(bandit, {
      kills: 4,
      rng: SeededRng.fromSeed('scheduler-kill').next,
      maxDelayMs: 900,
      work: useRunFiles(),
    });
    const row = summarise(bandit.name, rounds);
    expect(row.problems).toEqual([]);
    expect(row.kills).toBeGreaterThanOrEqual(4);
    expect(rounds.every((r) => r.log.idsExactlyOnce && r.archiveEqual === true)).toBe(true);
  }, 400_000); // a bound, not a wait: a loaded 2-core machine runs these real processes several times slower
});
