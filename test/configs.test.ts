// Every ready-to-run config in configs/ validates and runs end to end with a tiny budget.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRunConfig } from '../search/config.js';
import { runSearch } from '../search/run.js';
import { repoRoot, sharedModelCache, useRunFiles } from './helpers/files.js';

const files = readdirSync(join(repoRoot, 'configs')).filter((f) => /\.(ya?ml|json)$/.test(f));

describe('configs/', () => {
  it('holds the quickstart and a config per benchmark', () => {
    expect(files).toEqual(
      expect.arrayContaining([
        'quickstart.yaml',
        'onemax.yaml',
        'leading-ones.yaml',
        'binval.yaml',
        'sphere-map-elites.yaml',
        'rastrigin.yaml',
        'arm-cvt.yaml',
        'pyribs-sphere-cma-mae.yaml',
        'pyribs-sphere-map-elites.yaml',
        'pyribs-sphere-line-map-elites.yaml',
      ]),
    );
  });

  it.each(files)('%s runs with a tiny budget', async (file) => {
    const dir = useRunFiles();
    let config = loadRunConfig(join(repoRoot, 'configs', file), { evaluations: 300 });
    // Model-backed evaluators run their tiny model here: the default one trains for minutes on first use.
    if (config.evaluator.type === 'pruning') {
      const held = (config.evaluator.options as { validationOffset?: number }).validationOffset;
      const options = {
        ...config.evaluator.options,
        model: 'tiny',
        cacheDir: sharedModelCache,
        calibrationTokens: 1024,
        validationTokens: 1024,
        ...(held ? { validationOffset: 1024 } : {}), // the tiny model's split is short: past the first 1,024 still
        testTokens: 1024,
      };
      config = {
        ...config,
        evaluator: { ...config.evaluator, options },
        budget: { evaluations: 30 },
        search: {
          ...config.search,
          ...(config.search.strategy === 'ga' ? { populationSize: 10 } : { initialRandom: 10 }),
        },
      };
    }
    if (config.evaluator.type === 'sparsity') {
      const options = {
        ...config.evaluator.options,
        model: 'tiny',
        cacheDir: sharedModelCache,
        calibrationTokens: 1024,
        validationTokens: 1024,
        testTokens: 1024,
      };
      const space = { ...config.space, model: 'tiny' };
      config = {
        ...config,
        space,
        evaluator: { ...config.evaluator, options },
        budget: { evaluations: 30 },
        search: { ...config.search, offspring: 4 },
      };
    }
    if (config.evaluator.type === 'prompt') {
      // The LLM configs read their server from the environment: here they run on the offline stand-in scorer.
      const options = {
        ...config.evaluator.options,
        scorer: 'offline',
        devExamples: 20,
        testExamples: 20,
        responseCache: false,
      };
      config = {
        ...config,
        evaluator: { ...config.evaluator, options },
        budget: { evaluations: 60 },
        workers: Math.min(config.workers, 2),
      };
    }
    if (config.evaluator.type === 'kernel') {
      // Real gcc and real timings: a small GEMM, one sample per configuration, a dozen proposals (seconds, not minutes);
      // cold operands, where the config asks for them, in 1 MiB (4 copies of B) rather than 256.
      const cold = (config.evaluator.options as { coldMiB?: number }).coldMiB ? { coldMiB: 1 } : {};
      const options = {
        ...config.evaluator.options,
        shape: 'square-256',
        repeats: 1,
        warmup: 0,
        minSampleMs: 0,
        ...cold,
      };
      config = {
        ...config,
        evaluator: { ...config.evaluator, options },
        budget: { evaluations: 12 },
        search: { ...config.search, ...(config.search.strategy === 'map-elites' ? { initialRandom: 6 } : {}) },
      };
    }
    if (config.evaluator.type === 'automl') {
      // Real tfjs training on a few hundred MNIST digits for one epoch: seconds, not the config's minutes.
      const options = {
        ...config.evaluator.options,
        trainExamples: 300,
        validationExamples: 100,
        testExamples: 100,
        maxEpochs: 1,
      };
      config = {
        ...config,
        evaluator: { ...config.evaluator, options },
        budget: { evaluations: 6 },
        search: { ...config.search, populationSize: 3, sampleSize: 2 },
      };
    }
    const s = await runSearch(
      { ...config, cache: { ...config.cache, path: join(dir, 'cache.mdb') } },
      { out: join(dir, 'run') },
    );
    expect(s.status).toBe('done');
    expect(s.failures).toBeLessThan(s.proposals / 3); // random formulas may score NaN: a recorded failure
    expect(s.proposals).toBeGreaterThan(0);
    expect(s.proposals).toBeLessThanOrEqual(300);
    expect(s.archive.size).toBeGreaterThan(0);
  });
});
