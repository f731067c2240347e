// Racing through the whole engine: screening results stay out of the archive, fidelity and sample are part of
// the cache key, and a raced run resumes to the same archive.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { OkEvent } from '../../store/events.js';
import { parseRunConfig, type RunConfigInput } from '../../search/config.js';
import { resumeRun, runSearch } from '../../search/run.js';
import { fixturePlugin, useRunFiles } from '../helpers/files.js';
import { elitesOf, eventsOf } from '../helpers/runs.js';

const n = 24;
const config = (dir: string, evaluations: number, stages?: unknown): RunConfigInput => ({
  name: 'race',
  seed: 5,
  space: { type: 'bitstring', length: n },
  evaluator: { module: fixturePlugin('fidelity-onemax.mjs') },
  search: {
    strategy: 'evopress',
    offspring: 6,
    stages: stages ?? [
      { fidelity: 0.2, survivors: 3 },
      { fidelity: 0.5, survivors: 2 },
      { fidelity: 1, survivors: 1, sample: 'fixed' },
    ],
  },
  archive: { type: 'grid', dims: [{ name: 'ones', min: 0, max: n + 1, bins: n + 1 }] },
  budget: { evaluations },
  workers: 0,
  cache: { path: join(dir, 'cache.mdb') },
  log: { checkpointSeconds: 0.01 },
});

describe('racing through the engine', () => {
  it('logs screening results with their fidelity and keeps them out of the archive', async () => {
    const dir = useRunFiles();
    const summary = await runSearch(parseRunConfig(config(dir, 400), dir), { out: join(dir, 'run') });
    const events = (await eventsOf(join(dir, 'run'))).filter((e): e is OkEvent => e.ok);
    const screening = events.filter((e) => e.fid?.[2] === 1);
    const final = events.filter((e) => e.fid?.[2] === 0);
    expect(screening.length).toBeGreaterThan(final.length);
    expect(screening.every((e) => e.st === 's' && e.cell === -1)).toBe(true);
    expect(final.every((e) => e.st !== 's')).toBe(true);
    // The evaluator saw the proposal's own fidelity and sample.
    expect(events.every((e) => e.m?.fidelity === e.fid?.[0] && e.m?.sample === e.fid?.[1])).toBe(true);
    // One sample per stage of a generation: the 6 offspring of a first stage share theirs.
    const firstStage = screening.filter((e) => e.fid?.[0] === 0.2);
    expect(new Set(firstStage.slice(0, 6).map((e) => e.fid?.[1])).size).toBe(1);
    // Only last-stage results are elites; the climb got to the top.
    const eliteIds = new Set(((await elitesOf(join(dir, 'run'))) as { id: number }[]).map((e) => e.id));
    expect([...eliteIds].every((id) => final.some((e) => e.id === id))).toBe(true);
    expect(summary.best?.fitness).toBeGreaterThanOrEqual(n - 2);
  });

  it('caches by (key, fidelity, sample): the same run again is all hits, other fidelities are evaluated', async () => {
    const dir = useRunFiles();
    const first = await runSearch(parseRunConfig(config(dir, 200), dir), { out: join(dir, 'a') });
    expect(first.evaluations).toBeGreaterThan(100);
    const again = await runSearch(parseRunConfig(config(dir, 200), dir), { out: join(dir, 'b') });
    expect(again.evaluations).toBe(0);
    expect(again.cacheHits.key).toBe(200);
    // Same genomes would be proposed first (same seed), but at other fidelities: nothing may come from the cache
    // except the initial sample and repeats at the last, full, stage.
    const other = [
      { fidelity: 0.3, survivors: 3 },
      { fidelity: 0.6, survivors: 2 },
      { fidelity: 1, survivors: 1, sample: 'fixed' },
    ];
    const moved = await runSearch(parseRunConfig(config(dir, 30, other), dir), { out: join(dir, 'c') });
    const events = (await eventsOf(join(dir, 'c'))).filter((e): e is OkEvent => e.ok);
    const hits = events.filter((e) => e.src !== 'e');
    expect(hits.every((e) => e.fid?.[0] === 1)).toBe(true);
    expect(moved.evaluations).toBeGreaterThan(20);
  });

  it('resumes a raced run (stopped mid-generation) to the same archive as an uninterrupted one', async () => {
    const dir = useRunFiles();
    await runSearch(parseRunConfig({ ...config(dir, 500), cache: { enabled: false } }, dir), {
      out: join(dir, 'whole'),
    });
    const stop = new AbortController();
    await runSearch(parseRunConfig({ ...config(dir, 500), cache: { enabled: false } }, dir), {
      out: join(dir, 'split'),
      stop: stop.signal,
      onProgress: (p) => p.counters.proposals > 137 && stop.abort(),
    });
    const resumed = await resumeRun(join(dir, 'split'));
    expect(resumed.proposals).toBe(500);
    expect(await elitesOf(join(dir, 'split'))).toEqual(await elitesOf(join(dir, 'whole')));
  });
});
