// Noisy fitness in aggregate mode: elites held at the mean of their samples, and samples that the log accounts for.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import seedrandom from 'seedrandom';
import { cacheNamespace, openResultCache, type ResultCache } from '../../store/result-cache.js';
import type { OkEvent, RunEvent } from '../../store/events.js';
import { parseRunConfig, type RunConfig, type RunConfigInput } from '../../search/config.js';
import { runSearch } from '../../search/run.js';
import { cacheScopeOf, evaluatorVersion } from '../../search/cache-scope.js';
import { loadEvaluatorModule } from '../../search/plugins.js';
import { buildSpace } from '../../search/parts.js';
import { exportRun, inspectRun } from '../../report/inspect.js';
import { fixturePlugin, useRunFiles } from '../helpers/files.js';
import { eventsOf } from '../helpers/runs.js';
import { killAndResume } from '../helpers/kill-harness.js';

const SIGMA = 1;

function noisyConfig(dir: string, extra: Partial<RunConfigInput> = {}): RunConfigInput {
  return {
    name: 'aggregate',
    seed: 11,
    space: { type: 'bitstring', length: 8 },
    evaluator: { module: fixturePlugin('noisy-gaussian.mjs'), options: { sigma: SIGMA } },
    search: { strategy: 'map-elites' },
    archive: { type: 'grid', dims: [{ name: 'left', min: 0, max: 4, bins: 5 }] },
    budget: { evaluations: 3000 },
    workers: 0,
    log: { genomes: 'all' },
    cache: { path: join(dir, 'cache.mdb'), mode: 'aggregate', maxRepeats: 10 },
    ...extra,
  };
}

async function withCache<T>(config: RunConfig, read: (cache: ResultCache) => T): Promise<T> {
  if (config.evaluator.module === undefined) throw new Error('a plug-in evaluator was expected');
  const plugin = await loadEvaluatorModule(config.evaluator.module);
  const cache = openResultCache({
    path: config.cache.path,
    namespace: cacheNamespace(cacheScopeOf(config, plugin, evaluatorVersion(config, plugin))),
    readOnly: true,
  });
  try {
    return read(cache);
  } finally {
    await cache.close();
  }
}

const evaluated = (events: readonly RunEvent[]): OkEvent[] => events.filter((e): e is OkEvent => e.ok && e.src === 'e');

describe('aggregate mode (noisy fitness)', () => {
  it('holds every elite at the mean of its samples, so a lucky first sample does not keep its cell', async () => {
    const dir = useRunFiles();
    const config = parseRunConfig(noisyConfig(dir), dir);
    const summary = await runSearch(config, { out: join(dir, 'run') });
    const space = await buildSpace(config);
    const keyOf = (encoded: unknown): string => space.key(space.decode(encoded));
    const events = await eventsOf(join(dir, 'run'));
    const { top } = await inspectRun(join(dir, 'run'), { top: 100 });
    expect(top.length).toBe(5);
    // Every sample of a key, from the log (each evaluated event logs the sample it added and the pool it joined).
    const samples = new Map<string, number[]>();
    for (const e of evaluated(events)) {
      expect(e.ag, `event ${e.seq} should log its sample`).toBeDefined();
      samples.set(e.ag!.p, [...(samples.get(e.ag!.p) ?? []), e.ag!.x]);
    }
    const means = await withCache(config, (cache) =>
      top.map((elite) => ({ elite, cached: cache.byKey(keyOf(elite.genome)) })),
    );
    let absoluteError = 0;
    for (const { elite, cached } of means) {
      const xs = samples.get(`k:${keyOf(elite.genome)}`) ?? [];
      const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
      // The elite's fitness is its samples' current mean (Welford's, equal to the plain mean up to rounding)...
      expect(elite.fitness).toBeCloseTo(mean, 12);
      expect(elite.fitness).toBe(cached?.result.fitness);
      expect(elite.samples).toBe(xs.length);
      expect(cached?.n).toBe(xs.length);
      absoluteError += Math.abs(elite.fitness - elite.metrics.truth!);
    }
    expect(top.every((e) => e.samples === 10)).toBe(true);
    // ...so the archive's error against the truth is that of a 10-sample mean, not of the luckiest sample.
    const mae = absoluteError / top.length;
    console.info(`aggregate: MAE of ${top.length} elites against the truth ${mae.toFixed(3)} (σ=${SIGMA}, n=10)`);
    expect(mae).toBeLessThan((3 * SIGMA) / Math.sqrt(10));
    expect(summary.best?.samples).toBe(10);
    expect(summary.best?.provisional).toBe(false);
    expect(summary.best?.metrics?.truth).toBeTypeOf('number');
  });

  it('marks an elite with fewer samples than cache.minSamples provisional, and exports elites with their metrics', async () => {
    const dir = useRunFiles();
    const config = parseRunConfig(
      noisyConfig(dir, {
        budget: { evaluations: 60 },
        cache: { path: join(dir, 'cache.mdb'), mode: 'aggregate', maxRepeats: 10, minSamples: 3 },
      }),
      dir,
    );
    await runSearch(config, { out: join(dir, 'run') });
    const { top, summary } = await inspectRun(join(dir, 'run'), { top: 100 });
    expect(top.length).toBeGreaterThan(0);
    for (const e of top) expect(e.provisional).toBe((e.samples ?? 0) < 3);
    expect(top.some((e) => e.provisional)).toBe(true);
    expect(summary.best?.provisional).toBe((summary.best?.samples ?? 0) < 3);
    const exported = JSON.parse(await exportRun(join(dir, 'run'), { format: 'json' })) as {
      elites: { truth?: number; samples?: number; provisional?: boolean }[];
    };
    expect(exported.elites.length).toBe(top.length);
    for (const e of exported.elites) {
      expect(e.truth).toBeTypeOf('number');
      expect(e.samples).toBeTypeOf('number');
      expect(e.provisional).toBeTypeOf('boolean');
    }
    const csv = await exportRun(join(dir, 'run'), { format: 'csv' });
    expect(csv.split('\n')[0]).toContain('truth');
  });

  it('after SIGKILLs, every mean has as many samples as the log has evaluations for it, and resume ignores a sample whose event was lost', async () => {
    const dir = useRunFiles();
    const input = noisyConfig(dir, {
      space: { type: 'bitstring', length: 16 },
      evaluator: { module: fixturePlugin('noisy-gaussian-fingerprint.mjs'), options: { sigma: SIGMA } },
      archive: { type: 'grid', dims: [{ name: 'left', min: 0, max: 8, bins: 9 }] },
      budget: { evaluations: 12_000 },
      workers: 1,
      log: { genomes: 'all', checkpointSeconds: 0.1 },
    });
    const config = parseRunConfig(input, dir);
    writeFileSync(join(dir, 'run.json'), JSON.stringify(input));
    const runDir = join(dir, 'run');
    const space = await buildSpace(config);
    const poolOf = (encoded: unknown): string => {
      const bits = [...(space.decode(encoded) as Uint8Array)];
      const left = bits.slice(0, 8).reduce((a, b) => a + b, 0);
      return `${left}/${bits.reduce((a, b) => a + b, 0) - left}`;
    };
    // Kill it twice, then plant what a kill between a cache write and its event's commit leaves: a sample in the
    // cache that no event records (the pool of the last evaluation, one sample ahead of the log).
    await killAndResume({
      configPath: join(dir, 'run.json'),
      runDir,
      cwd: dir,
      rng: seedrandom('agg'),
      kills: 2,
      maxDelayMs: 400,
    });
    const partial = evaluated(await eventsOf(runDir));
    const last = partial.at(-1);
    if (last?.g !== undefined) {
      const pool = poolOf(last.g);
      const plugin = await loadEvaluatorModule(fixturePlugin('noisy-gaussian-fingerprint.mjs'));
      const namespace = cacheNamespace(cacheScopeOf(config, plugin, evaluatorVersion(config, plugin)));
      const writer = openResultCache({ path: config.cache.path, namespace });
      const held = writer.byFingerprint(pool)!;
      await writer.putFingerprint(pool, { ...held, n: held.n + 1, result: { ...held.result, fitness: 1000 } });
      await writer.close();
    }
    const { final } = await killAndResume({
      configPath: join(dir, 'run.json'),
      runDir,
      cwd: dir,
      rng: seedrandom('agg2'),
      kills: 1,
      maxDelayMs: 400,
    });
    expect(final.code, final.stderr).toBe(0);

    const events = await eventsOf(runDir);
    expect(events.length).toBe(12_000);
    const logged = new Map<string, number>();
    for (const e of evaluated(events)) logged.set(poolOf(e.g), (logged.get(poolOf(e.g)) ?? 0) + 1);
    const held = await withCache(config, (cache) =>
      [...logged.keys()].map((p) => [p, cache.byFingerprint(p)] as const),
    );
    for (const [pool, entry] of held) expect({ pool, n: entry?.n }).toEqual({ pool, n: logged.get(pool) });
    for (const [, entry] of held) expect(entry!.result.fitness).toBeLessThan(100);
    const { top } = await inspectRun(runDir, { top: 1000 });
    for (const e of top) expect(e.samples).toBe(logged.get(poolOf(e.genome)));
  }, 300_000);
});
