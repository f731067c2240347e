// Plug-ins in the real piscina pool: a plain .mjs evaluator from a config, level-2 hits in the worker, and in-flight dedup.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseRunConfig } from '../../search/config.js';
import { runSearch } from '../../search/run.js';
import { fixturePlugin, useRunFiles } from '../helpers/files.js';

const bits = (dir: string, evaluator: string, length: number, evaluations: number) =>
  parseRunConfig(
    {
      name: 'pool',
      seed: 3,
      space: { type: 'bitstring', length },
      evaluator: { module: fixturePlugin(evaluator), options: { scale: 1 } },
      search: { strategy: 'random' },
      archive: { type: 'grid', dims: [{ name: 'ones', min: 0, max: length, bins: length + 1 }] },
      budget: { evaluations },
      workers: 2,
      cache: { path: join(dir, 'cache.mdb') },
    },
    dir,
  );

describe('plug-ins in the worker pool', () => {
  it('runs a plain .mjs evaluator object from a config; its fingerprint is checked inside the workers', async () => {
    const dir = useRunFiles();
    const s = await runSearch(bits(dir, 'onemax.mjs', 16, 400), { out: join(dir, 'run') });
    expect(s).toMatchObject({ status: 'done', proposals: 400, failures: 0 });
    expect(s.best?.fitness).toBeGreaterThanOrEqual(13);
    // 17 possible behaviours (number of ones) among ~400 distinct genomes: nearly all are fingerprint hits.
    expect(s.cacheHits.fingerprint).toBeGreaterThan(300);
    expect(s.evaluations).toBeLessThan(60);
  });

  it('a proposal whose key is already in flight waits for that result instead of running again', async () => {
    const dir = useRunFiles();
    // Two-bit genomes: 4 distinct candidates; with 2 slots and 30 ms evaluations, duplicates overlap in flight.
    const s = await runSearch(bits(dir, 'slow-onemax.mjs', 2, 60), { out: join(dir, 'run') });
    expect(s.proposals).toBe(60);
    expect(s.evaluations).toBeLessThanOrEqual(4);
    expect(s.cacheHits.key).toBe(60 - s.evaluations);
  });
});
