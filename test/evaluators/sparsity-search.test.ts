// The sparsity evaluator inside a real search: prepare() then setup() and evaluate() through the engine (inline), genomes of
// both sparsity spaces encoded to the log, results in the run log.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseRunConfig } from '../../search/config.js';
import { exportRun } from '../../report/inspect.js';
import { runSearch } from '../../search/run.js';
import { sharedModelCache, useRunFiles } from '../helpers/files.js';

const EVALUATOR = {
  model: 'tiny',
  cacheDir: sharedModelCache,
  calibrationTokens: 2048,
  validationTokens: 1024,
  testTokens: 1024,
};

describe('sparsity search (tiny model, engine)', () => {
  it.each([
    [
      'levels',
      { type: 'sparsity-levels', model: 'tiny' },
      { ...EVALUATOR },
      [
        { name: 'attention-mlp', min: -0.5, max: 0.5, bins: 10 },
        { name: 'late-early', min: -0.5, max: 0.5, bins: 10 },
      ],
    ],
    [
      'nm',
      { type: 'sparsity-nm', model: 'tiny', pattern: '2:4' },
      { ...EVALUATOR, mode: 'nm' },
      [
        { name: 'swapped', min: 0, max: 0.05, bins: 10 },
        { name: 'overlap', min: 0, max: 1, bins: 10 },
      ],
    ],
  ])(
    '%s: evaluates through the engine and logs KL, sparsity and held-out perplexities',
    async (_mode, space, options, dims) => {
      const dir = useRunFiles();
      const config = parseRunConfig(
        {
          name: 'sp',
          seed: 3,
          space,
          evaluator: { type: 'sparsity', options, timeoutSeconds: 120 },
          direction: 'minimize',
          search: { strategy: 'map-elites', initialRandom: 4 },
          archive: { type: 'grid', dims },
          budget: { evaluations: 24 },
          workers: 0, // inline: pool workers run the compiled dist/, which `npm test` builds first
          cache: { path: join(dir, 'cache.mdb') },
        },
        dir,
      );
      const s = await runSearch(config, { out: join(dir, 'run') });
      expect(s.status).toBe('done');
      expect(s.failures).toBe(0);
      const events = JSON.parse(await exportRun(join(dir, 'run'), { format: 'json', all: true })) as {
        ok: boolean;
        fitness?: number;
        source?: string;
        sparsity?: number;
        klDivergence?: number;
        testPerplexity?: number;
      }[];
      const evaluated = events.filter((e) => e.ok && e.source === 'evaluated');
      expect(evaluated.length).toBeGreaterThan(3);
      for (const e of evaluated) {
        expect(e.fitness).toBe(e.klDivergence);
        expect(e.fitness).toBeGreaterThanOrEqual(0);
        expect(e.sparsity).toBe(0.5);
        expect(e.testPerplexity).toBeGreaterThan(1);
      }
    },
    120_000,
  );
});
