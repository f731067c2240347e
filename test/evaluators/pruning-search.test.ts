// The pruning-metric pipeline end to end on the tiny model: a real tfjs LM in a worker thread, formulas → masks → perplexity.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseRunConfig } from '../../search/config.js';
import { exportRun } from '../../report/inspect.js';
import { runSearch } from '../../search/run.js';
import { sharedModelCache, useRunFiles } from '../helpers/files.js';

describe('pruning-metric search (tiny model)', () => {
  it('runs in the worker pool, hashes equivalent formulas, and prunes to the target sparsity', async () => {
    const dir = useRunFiles();
    const config = parseRunConfig(
      {
        name: 'pz',
        seed: 2,
        space: { type: 'expression' },
        evaluator: {
          type: 'pruning',
          options: {
            model: 'tiny',
            cacheDir: sharedModelCache,
            calibrationTokens: 1024,
            validationTokens: 1024,
            testTokens: 1024,
          },
          timeoutSeconds: 120,
        },
        direction: 'minimize',
        search: { strategy: 'ga', populationSize: 16 },
        archive: {
          type: 'grid',
          dims: [
            { name: 'size', min: 1, max: 31, bins: 15 },
            { name: 'overlap', min: 0, max: 1, bins: 10 },
          ],
        },
        budget: { evaluations: 50 },
        workers: 1,
        cache: { path: join(dir, 'cache.mdb') },
      },
      dir,
    );
    const s = await runSearch(config, { out: join(dir, 'run') });
    expect(s.status).toBe('done');
    expect(s.proposals).toBe(50);
    // Level 1 (same simplified formula) and level 2 (same masks) both answer some proposals of a GP search.
    expect(s.cacheHits.key + s.cacheHits.fingerprint).toBeGreaterThan(0);
    expect(s.evaluations + s.cacheHits.key + s.cacheHits.fingerprint + s.failures).toBe(50);
    const events = JSON.parse(await exportRun(join(dir, 'run'), { format: 'json', all: true })) as {
      ok: boolean;
      fitness?: number;
      source?: string;
      sparsity?: number;
      testPerplexity?: number;
    }[];
    const evaluated = events.filter((e) => e.ok && e.source === 'evaluated');
    expect(evaluated.length).toBeGreaterThan(5);
    for (const e of evaluated) {
      expect(e.fitness).toBeGreaterThan(1); // a perplexity
      expect(e.testPerplexity).toBeGreaterThan(1);
      expect(Math.abs((e.sparsity ?? 0) - 0.5)).toBeLessThan(0.01); // ⌊0.5·dIn⌋ per row of every layer
    }
    const elites = (
      JSON.parse(await exportRun(join(dir, 'run'), { format: 'json' })) as {
        elites: { text: string; fitness: number }[];
      }
    ).elites;
    expect(elites.length).toBeGreaterThan(0);
    expect(elites[0]?.text).toMatch(/[WGX]/); // described as a formula
  }, 120_000);
});
