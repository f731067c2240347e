// A fingerprint hit is filed under the candidate's own descriptors (Evaluator.describe), and fingerprint answers are
// the same inline and in a worker thread (the main thread's uncommitted cache entries travel with each task).
import { setImmediate as nextTurn } from 'node:timers/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  openResultCache,
  singleSample,
  unsettledFingerprints,
  type CacheEntry,
  type CacheLocation,
} from '../../store/result-cache.js';
import type { OkEvent } from '../../store/events.js';
import { parseRunConfig, type RunConfigInput } from '../../search/config.js';
import { runSearch } from '../../search/run.js';
import { createEvaluationRunner } from '../../search/evaluation.js';
import type { EvalTask, EvaluatorSpec, TaskResult } from '../../search/executors/executor.js';
import type { EvalResult, Evaluator } from '../../core/types.js';
import { fixturePlugin, useRunFiles } from '../helpers/files.js';
import { elitesOf, eventsOf } from '../helpers/runs.js';

const onesOf = (bits: string): number => [...bits].filter((c) => c === '1').length;

/** MAP-Elites over the number of ones of 12-bit strings, with the sized-fingerprint plug-in (behaviour: 6 bits). */
function sizedConfig(dir: string, workers: number, name: string): RunConfigInput {
  return {
    name,
    seed: 21,
    space: { type: 'bitstring', length: 12 },
    evaluator: { module: fixturePlugin('sized-fingerprint.mjs') },
    search: { strategy: 'map-elites', initialRandom: 40 },
    archive: { type: 'grid', dims: [{ name: 'size', min: 0, max: 12, bins: 13 }] },
    budget: { evaluations: 800 },
    workers,
    cache: { path: join(dir, `${name}.mdb`) },
    log: { genomes: 'all' },
  };
}

describe('fingerprint hits and the candidate’s own descriptors', () => {
  it.each([0, 1])(
    'files a fingerprint hit under this genome’s own descriptors and metrics (workers: %i)',
    async (workers) => {
      const dir = useRunFiles();
      const s = await runSearch(parseRunConfig(sizedConfig(dir, workers, 'sized'), dir), { out: join(dir, 'run') });
      expect(s.cacheHits.fingerprint).toBeGreaterThan(100);
      const answered = (await eventsOf(join(dir, 'run'))).filter((e): e is OkEvent => e.ok && e.src === 'f');
      expect(answered.length).toBe(s.cacheHits.fingerprint);
      // Each one's size is its own, not that of the genome whose evaluation answered it (before: most were not).
      const wrong = answered.filter((e) => e.d?.[0] !== onesOf(String(e.g)) || e.m?.size !== onesOf(String(e.g)));
      expect(wrong).toEqual([]);
      for (const elite of (await elitesOf(join(dir, 'run'))) as { size: number; genome: string }[])
        expect(elite.size).toBe(onesOf(elite.genome));
    },
    60_000,
  );

  it('gives identical archives and counters for the same seed inline and with one worker thread, fingerprints on', async () => {
    const dir = useRunFiles();
    // Without the main thread's uncommitted entries a worker missed a fingerprint evaluated a moment before (a few
    // times a run, when the next proposals share it); one miss changes the rest of the run. Several runs, so that a
    // regression shows whatever the machine's commit timing.
    const cases: [seed: number, search: RunConfigInput['search']][] = [
      [21, { strategy: 'map-elites', initialRandom: 40 }],
      [22, { strategy: 'map-elites', initialRandom: 40 }],
      [23, { strategy: 'ga', populationSize: 4 }],
    ];
    for (const [seed, search] of cases) {
      const run = (workers: number, name: string) =>
        runSearch(parseRunConfig({ ...sizedConfig(dir, workers, `${name}-${seed}`), seed, search }, dir), {
          out: join(dir, `${name}-${seed}`),
        });
      // Each run has its own fresh cache file: the answers come from this run's own results only.
      const inline = await run(0, 'inline');
      const pool = await run(1, 'pool');
      const counters = (s: typeof inline) => ({
        proposals: s.proposals,
        evaluations: s.evaluations,
        cacheHits: s.cacheHits,
        failures: s.failures,
      });
      expect(inline.cacheHits.fingerprint, `seed ${seed}`).toBeGreaterThan(100);
      expect(counters(pool), `seed ${seed}`).toEqual(counters(inline));
      // Elite ids, genomes, fitness (a fingerprint hit keeps the cached fitness, an evaluation measures its own),
      // descriptors and metrics; and where every proposal's answer came from.
      expect(await elitesOf(join(dir, `pool-${seed}`)), `seed ${seed}`).toEqual(
        await elitesOf(join(dir, `inline-${seed}`)),
      );
      const sources = async (name: string) => (await eventsOf(join(dir, name))).map((e) => (e.ok ? e.src : 'x'));
      expect(await sources(`pool-${seed}`), `seed ${seed}`).toEqual(await sources(`inline-${seed}`));
    }
  }, 120_000);

  it('warns at the start when an evaluator has a fingerprint but neither describe() nor fingerprintDeterminesResult', async () => {
    const dir = useRunFiles({
      'declared.mjs': [
        'export default {',
        "  name: 'declared',",
        '  fingerprintDeterminesResult: true,',
        '  fingerprint: (g) => String(g.reduce((a, b) => a + b, 0)),',
        '  evaluate: (g) => { const ones = g.reduce((a, b) => a + b, 0); return { fitness: ones, descriptors: [ones] }; },',
        '};',
      ].join('\n'),
    });
    const run = async (module: string, out: string): Promise<string[]> => {
      const warnings: string[] = [];
      const config: RunConfigInput = {
        ...sizedConfig(dir, 0, out),
        evaluator: { module },
        budget: { evaluations: 20 },
      };
      await runSearch(parseRunConfig(config, dir), { out: join(dir, out), onWarning: (w) => warnings.push(w) });
      return warnings;
    };
    const warned = await run(fixturePlugin('onemax.mjs'), 'plain');
    expect(warned).toHaveLength(1);
    expect(warned[0]).toMatch(
      /plugin-onemax has fingerprint\(\) but neither describe\(\) nor fingerprintDeterminesResult/,
    );
    expect(warned[0]).toMatch(/another genome/);
    expect(warned[0]).toMatch(/Add describe\(genome, cached, ctx\).*or set fingerprintDeterminesResult: true/);
    expect(await run(fixturePlugin('sized-fingerprint.mjs'), 'described')).toEqual([]);
    expect(await run(join(dir, 'declared.mjs'), 'declared')).toEqual([]);
  }, 60_000);
});

describe('the evaluation runner on a fingerprint hit', () => {
  const spec: EvaluatorSpec = { options: {}, seed: 1, fidelity: 1, timeoutMs: 10_000, descriptorCount: 1 };
  const known = singleSample({ fitness: 5, descriptors: [1], metrics: { size: 1 } });

  /** Runs one task for `genome` with `describe`, the cache already holding the shared fingerprint's result. */
  async function answer(
    describeHook: Evaluator<number[]>['describe'],
    task: Partial<EvalTask> = {},
  ): Promise<{ result: TaskResult; cached: CacheEntry | undefined }> {
    const dir = useRunFiles();
    const cache = openResultCache({ path: join(dir, 'cache.mdb'), namespace: 'ns' });
    await cache.putFingerprint('same', known);
    const evaluator: Evaluator<number[]> = {
      name: 'hook',
      fingerprint: () => 'same',
      evaluate: (g) => ({ fitness: 0, descriptors: [g.length] }),
      ...(describeHook ? { describe: describeHook } : {}),
    };
    const runner = createEvaluationRunner(spec, cache, evaluator as Evaluator<unknown>);
    try {
      const result = await runner.run(
        { id: 0, genome: [1, 1, 1], key: 'k', repeat: 0, ...task },
        new AbortController().signal,
      );
      return { result, cached: cache.byFingerprint('same') };
    } finally {
      await cache.close();
    }
  }

  it("answers with describe()'s result for this genome, validated and cleaned, and leaves the cached entry alone", async () => {
    const { result, cached } = await answer((g, hit) => {
      hit.descriptors![0] = g.length; // edits what it was given
      return Object.assign(Object.create({ inherited: 1 }), hit) as EvalResult;
    });
    expect(result).toEqual({
      ok: true,
      result: { fitness: 5, descriptors: [3], metrics: { size: 1 } },
      fingerprint: 'same',
      source: 'fingerprint',
    });
    expect(cached).toEqual(known);
  });

  it('reuses the cached result whole without describe()', async () => {
    const { result } = await answer(undefined);
    expect(result).toMatchObject({ ok: true, result: known.result, source: 'fingerprint' });
  });

  it('records a describe() that throws or returns garbage as a failure, like evaluate()', async () => {
    expect((await answer(() => Promise.reject(new Error('no size here')))).result).toMatchObject({
      ok: false,
      failure: { kind: 'threw', message: 'describe() failed: no size here' },
    });
    expect((await answer((_g, hit) => ({ ...hit, descriptors: [1, 2] }))).result).toEqual({
      ok: false,
      failure: { kind: 'invalid', message: 'describe(): descriptors has length 2; the archive has 1 dimension(s)' },
    });
    expect((await answer(() => null as unknown as EvalResult)).result).toEqual({
      ok: false,
      failure: { kind: 'invalid', message: 'describe() returned null; expected { fitness, descriptors }' },
    });
  });

  it('reads the entries sent with a task before the cache, so a newer sample count answers', async () => {
    const newer = { ...singleSample({ fitness: 7, descriptors: [2] }), n: 3 };
    const { result } = await answer(undefined, { unsettled: [['same', newer]] });
    expect(result).toMatchObject({ ok: true, result: { fitness: 7, descriptors: [2] }, source: 'fingerprint' });
  });
});

describe('result cache: fingerprint entries not yet committed', () => {
  it('lists a put until it is committed, and a newer put of the same fingerprint until its own commit', async () => {
    const dir = useRunFiles();
    const location: CacheLocation = { path: join(dir, 'cache.mdb'), namespace: 'ns' };
    const writer = openResultCache(location);
    const entry = (fitness: number): CacheEntry => singleSample({ fitness, descriptors: [fitness] });
    let latest = entry(0);
    await writer.putFingerprint('fp', latest);
    expect(unsettledFingerprints(location)).toEqual([]);
    // Another thread's view: committed data only (a reader opened after the table exists).
    const reader = openResultCache({ ...location, readOnly: true });
    const seen = (): number | undefined =>
      (unsettledFingerprints(location).find(([f]) => f === 'fp')?.[1] ?? reader.byFingerprint('fp'))?.result.fitness;
    const wrong: string[] = [];
    const check = (when: string): void => {
      if (seen() !== latest.result.fitness) wrong.push(`${when}: saw ${seen()}, latest ${latest.result.fitness}`);
    };
    const writes: Promise<void>[] = [];
    for (let i = 1; i <= 120; i++) {
      latest = entry(i);
      writes.push(writer.putFingerprint('fp', latest).then(() => check(`after put ${i} settled`)));
      check(`after put ${i}`);
      // Let a commit start now and then, so that puts settle while newer ones of the same fingerprint wait.
      if (i % 6 === 0) await nextTurn();
    }
    await Promise.all(writes);
    expect(wrong).toEqual([]);
    expect(writer.unsettledFingerprints()).toEqual([]);
    expect(reader.byFingerprint('fp')?.result.fitness).toBe(120);
    await reader.close();
    await writer.close();
  });
});
