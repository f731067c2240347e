// The functional-hash cache on real LMDB files: dedup in flight and across runs, and the three modes.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cacheNamespace, openResultCache } from '../../store/result-cache.js';
import { parseRunConfig, type RunConfigInput } from '../../search/config.js';
import { runSearch } from '../../search/run.js';
import { cacheScopeOf, evaluatorVersion } from '../../search/cache-scope.js';
import type { Evaluator } from '../../core/types.js';
import { fixturePlugin, useRunFiles } from '../helpers/files.js';

function onemaxConfig(dir: string, extra: Partial<RunConfigInput> = {}): RunConfigInput {
  return {
    name: 'cache',
    seed: 5,
    space: { type: 'bitstring', length: 12 },
    evaluator: { type: 'onemax' },
    search: { strategy: 'random' },
    archive: { type: 'grid', dims: [{ name: 'ones', min: 0, max: 12, bins: 13 }] },
    budget: { evaluations: 3000 },
    workers: 0,
    cache: { path: join(dir, 'cache.mdb') },
    ...extra,
  };
}

describe('functional-hash cache', () => {
  it('evaluates each distinct genome once and counts every proposal', async () => {
    const dir = useRunFiles();
    const s = await runSearch(parseRunConfig(onemaxConfig(dir), dir), { out: join(dir, 'run') });
    // 3,000 uniform draws from 4,096 bit strings: the expected number of distinct ones is 4096·(1 − (1 − 1/4096)^3000) ≈ 2,129.
    expect(s.proposals).toBe(3000);
    expect(s.evaluations + s.cacheHits.key + s.cacheHits.fingerprint + s.failures).toBe(3000);
    expect(s.evaluations).toBeGreaterThan(2000);
    expect(s.evaluations).toBeLessThan(2260);
  });

  it('reuses results across runs that share a cache file', async () => {
    const dir = useRunFiles();
    const first = await runSearch(parseRunConfig(onemaxConfig(dir), dir), { out: join(dir, 'a') });
    const second = await runSearch(parseRunConfig(onemaxConfig(dir), dir), { out: join(dir, 'b') });
    expect(first.evaluations).toBeGreaterThan(0);
    expect(second.evaluations).toBe(0);
    expect(second.cacheHits.key).toBe(3000);
    expect(second.archive).toEqual(first.archive);
  });

  it('on worker threads, where the threads read the committed cache, still evaluates each distinct genome once', async () => {
    const dir = useRunFiles();
    const threads = { workers: 2, batch: 16 };
    const inline = await runSearch(parseRunConfig(onemaxConfig(dir), dir), { out: join(dir, 'inline') });
    const threadsDir = useRunFiles();
    const first = await runSearch(parseRunConfig(onemaxConfig(threadsDir, threads), threadsDir), {
      out: join(threadsDir, 'a'),
    });
    // The random search proposes the same 3,000 genomes either way: as many evaluations as distinct genomes.
    expect(first.evaluations).toBe(inline.evaluations);
    expect(first.cacheHits.key).toBe(3000 - inline.evaluations);
    const second = await runSearch(parseRunConfig(onemaxConfig(threadsDir, threads), threadsDir), {
      out: join(threadsDir, 'b'),
    });
    expect(second.evaluations).toBe(0);
    expect(second.cacheHits.key).toBe(3000);
    expect(second.archive).toEqual(inline.archive);
  });

  it('keeps results of different evaluator options apart', async () => {
    const dir = useRunFiles();
    const plugin = (scale: number): Partial<RunConfigInput> => ({
      evaluator: { module: fixturePlugin('onemax.mjs'), options: { scale } },
    });
    await runSearch(parseRunConfig(onemaxConfig(dir, plugin(1)), dir), { out: join(dir, 'a') });
    const other = await runSearch(parseRunConfig(onemaxConfig(dir, plugin(2)), dir), { out: join(dir, 'b') });
    expect(other.evaluations).toBeGreaterThan(0);
    expect(other.best?.fitness).toBe(24);
  });

  it('answers level-2 fingerprints: genomes with the same behaviour are evaluated once', async () => {
    const dir = useRunFiles();
    const s = await runSearch(
      parseRunConfig(onemaxConfig(dir, { evaluator: { module: fixturePlugin('onemax.mjs') } }), dir),
      { out: join(dir, 'r') },
    );
    // The fixture's fingerprint is the number of ones: at most 13 distinct behaviours.
    expect(s.evaluations).toBeLessThanOrEqual(13);
    expect(s.cacheHits.fingerprint).toBeGreaterThan(1000);
  });

  it('turns off completely with cache.enabled: false', async () => {
    const dir = useRunFiles();
    const s = await runSearch(parseRunConfig(onemaxConfig(dir, { cache: { enabled: false } }), dir), {
      out: join(dir, 'r'),
    });
    expect(s.evaluations).toBe(3000);
    expect(s.cacheHits).toEqual({ key: 0, fingerprint: 0 });
  });

  it('warns when a noisy evaluator runs under plain caching, and says what to set', async () => {
    const dir = useRunFiles();
    const noisy = (mode: 'cache' | 'aggregate') =>
      onemaxConfig(dir, {
        evaluator: { module: fixturePlugin('noisy.mjs') },
        budget: { evaluations: 20 },
        cache: { path: join(dir, `${mode}.mdb`), mode },
      });
    const warnings: string[] = [];
    await runSearch(parseRunConfig(noisy('cache'), dir), {
      out: join(dir, 'plain'),
      onWarning: (w) => warnings.push(w),
    });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/noisy.*cache\.mode: aggregate/);
    expect(readFileSync(join(dir, 'plain', 'run.log'), 'utf8')).toContain(`warning: ${warnings[0]}`);
    await runSearch(parseRunConfig(noisy('aggregate'), dir), {
      out: join(dir, 'agg'),
      onWarning: (w) => warnings.push(w),
    });
    expect(warnings).toHaveLength(1);
  });

  it('counterfactual mode evaluates even what a fingerprint could answer', async () => {
    const dir = useRunFiles();
    const s = await runSearch(
      parseRunConfig(
        onemaxConfig(dir, {
          evaluator: { module: fixturePlugin('noisy-fingerprint.mjs') },
          space: { type: 'bitstring', length: 4 },
          archive: { type: 'grid', dims: [{ name: 'ones', min: 0, max: 4, bins: 5 }] },
          budget: { evaluations: 300 },
          cache: { path: join(dir, 'cf.mdb'), mode: 'counterfactual' },
        }),
        dir,
      ),
      { out: join(dir, 'cf') },
    );
    expect({ evaluations: s.evaluations, fingerprintHits: s.cacheHits.fingerprint }).toEqual({
      evaluations: 300,
      fingerprintHits: 0,
    });
  });

  it('counterfactual mode evaluates everything and counts results that disagree under one key', async () => {
    const dir = useRunFiles();
    const exact = await runSearch(
      parseRunConfig(onemaxConfig(dir, { cache: { path: join(dir, 'c1.mdb'), mode: 'counterfactual' } }), dir),
      { out: join(dir, 'a') },
    );
    expect(exact.evaluations).toBe(3000);
    expect(exact.collisions).toBe(0); // an exact key never disagrees with itself
    const coarse = {
      space: { module: fixturePlugin('coarse-bits.mjs'), options: { length: 12 } },
      cache: { path: join(dir, 'c2.mdb'), mode: 'counterfactual' as const },
    };
    const s = await runSearch(parseRunConfig(onemaxConfig(dir, coarse), dir), { out: join(dir, 'b') });
    expect(s.evaluations).toBe(3000);
    expect(s.collisions).toBeGreaterThan(1000); // 7 keys for 4,096 genomes: most evaluations disagree with the previous one
  });

  it('aggregate mode re-evaluates a noisy key up to maxRepeats times, with fresh noise each time', async () => {
    const dir = useRunFiles();
    const base = onemaxConfig(dir, {
      evaluator: { module: fixturePlugin('noisy.mjs') },
      space: { type: 'bitstring', length: 4 },
      archive: { type: 'grid', dims: [{ name: 'ones', min: 0, max: 4, bins: 5 }] },
      budget: { evaluations: 500 },
    });
    const config = parseRunConfig(
      { ...base, cache: { path: join(dir, 'agg.mdb'), mode: 'aggregate', maxRepeats: 3 } },
      dir,
    );
    const s = await runSearch(config, { out: join(dir, 'a') });
    // 16 distinct genomes, each sampled exactly 3 times, then answered from the cached mean.
    expect(s.evaluations).toBe(48);
    expect(s.cacheHits.key).toBe(452);
  });

  it('aggregate mode pools the samples of one fingerprint across keys: the same code is measured maxRepeats times in all', async () => {
    const dir = useRunFiles();
    const base = onemaxConfig(dir, {
      evaluator: { module: fixturePlugin('noisy-fingerprint.mjs') },
      space: { type: 'bitstring', length: 4 },
      archive: { type: 'grid', dims: [{ name: 'ones', min: 0, max: 4, bins: 5 }] },
      budget: { evaluations: 500 },
    });
    const config = parseRunConfig(
      { ...base, cache: { path: join(dir, 'agg.mdb'), mode: 'aggregate', maxRepeats: 3 } },
      dir,
    );
    const s = await runSearch(config, { out: join(dir, 'a') });
    // 16 genomes but 5 fingerprints (0–4 ones): 3 samples of each, shared by every key with that count.
    expect(s.evaluations).toBe(15);
    expect(s.cacheHits.fingerprint).toBeGreaterThan(0);
    expect(s.evaluations + s.cacheHits.key + s.cacheHits.fingerprint).toBe(500);
    const plugin = ((await import(fixturePlugin('noisy-fingerprint.mjs'))) as { default: Evaluator<unknown> }).default;
    const cache = openResultCache({
      path: join(dir, 'agg.mdb'),
      namespace: cacheNamespace(cacheScopeOf(config, plugin, evaluatorVersion(config, plugin))),
      readOnly: true,
    });
    try {
      for (let ones = 0; ones <= 4; ones++) expect(cache.byFingerprint(String(ones))?.n).toBe(3);
    } finally {
      await cache.close();
    }
  });
});
