// Run snapshots are a cache of the log: archives save and load their exact state, and a reader or a resume that
// starts from a snapshot (the last one, an older one, or none usable) ends where a replay of the whole log does.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Archive, Candidate } from '../../archive/archive.js';
import { archives } from '../../archive/index.js';
import { SeededRng } from '../../core/rng.js';
import { loadRunConfig, parseRunConfig, type RunConfigInput } from '../../search/config.js';
import { resumeRun, runSearch } from '../../search/run.js';
import { SNAPSHOT_VERSION, type RunSnapshot } from '../../store/events.js';
import { openRunStore } from '../../store/run-store.js';
import { elitesOf } from '../helpers/runs.js';
import { checkSnapshotAgainstLog } from '../helpers/snapshot-check.js';
import { fixturePlugin, useRunFiles } from '../helpers/files.js';
import { curvesConfig } from '../report/helpers.js';

/** Candidates with 2 descriptors in [0, 1], scores with ties, some with tiebreaks and metrics. */
function candidates(seed: string, n: number, from = 0): Candidate<number[]>[] {
  const rng = SeededRng.fromSeed(seed).next;
  return Array.from({ length: n }, (_, i) => ({
    id: from + i,
    genome: [rng(), rng()],
    score: Math.round(rng() * 20) / 4,
    descriptors: [rng() * 1.2 - 0.1, rng()],
    ...(i % 3 === 0 ? { tiebreak: [rng()] } : {}),
    ...(i % 5 === 0 ? { metrics: { m: i } } : {}),
  }));
}

const dims = [
  { name: 'a', min: 0, max: 1, bins: 6 },
  { name: 'b', min: 0, max: 1, bins: 5 },
];
const makers: Record<string, () => Archive<number[]>> = {
  grid: () => archives.grid.create({ dims }, { rng: SeededRng.fromSeed('grid') }) as Archive<number[]>,
  cvt: () =>
    archives.cvt.create(
      { dims: dims.map(({ name, min, max }) => ({ name, min, max })), cells: 25 },
      { rng: SeededRng.fromSeed('cvt') },
    ) as Archive<number[]>,
  'sliding-boundaries': () =>
    archives['sliding-boundaries'].create(
      { dims: dims.map(({ name, bins }) => ({ name, bins })), remapFrequency: 7, bufferCapacity: 11 },
      { rng: SeededRng.fromSeed('sliding') },
    ) as Archive<number[]>,
};

describe('archive states', () => {
  it.each(Object.keys(makers))('%s: a loaded state answers every later add as the original does', (kind) => {
    const make = makers[kind]!;
    const original = make();
    for (const c of candidates('first', 300)) original.add(c);
    original.rescore([...original.elites()][0]!.cell, -1); // the best may move (and the tracker with it)
    // Through JSON (a stricter trip than msgpack: no typed arrays, no undefined), genomes encoded as plain arrays.
    const state = JSON.parse(JSON.stringify(original.saveState!((g) => [...g])));
    const loaded = make();
    if (kind === 'cvt') expect(loaded.geometry()).toEqual(original.geometry()); // same centroids from the same rng
    loaded.loadState!(state, (x) => x as number[]);
    expect([...loaded.elites()]).toEqual([...original.elites()]);
    expect(loaded.stats()).toEqual(original.stats());
    expect(loaded.geometry()).toEqual(original.geometry());
    const rng = (): (() => number) => SeededRng.fromSeed('draws').next;
    expect(loaded.sample(rng(), 20).map((e) => e.id)).toEqual(original.sample(rng(), 20).map((e) => e.id));
    for (const c of candidates('later', 300, 300)) expect(loaded.add(c)).toEqual(original.add(c));
    expect([...loaded.elites()]).toEqual([...original.elites()]);
    expect(loaded.stats()).toEqual(original.stats());
    expect(() => loaded.loadState!(state, (x) => x as number[])).toThrow(/only while it is empty/);
    expect(() => make().loadState!({ kind: 'pareto' }, (x) => x as number[])).toThrow(/cannot load/);
  });
});

const arm = (dir: string, evaluations: number): RunConfigInput => ({
  name: 'snap-arm',
  seed: 4,
  space: { type: 'vector', dimensions: 6, min: 0, max: 1 },
  evaluator: { type: 'planar-arm' },
  search: { strategy: 'map-elites', initialRandom: 50 },
  archive: {
    type: 'grid',
    dims: [
      { name: 'x', min: 0, max: 1, bins: 12 },
      { name: 'y', min: 0, max: 1, bins: 12 },
    ],
  },
  budget: { evaluations },
  workers: 0,
  cache: { path: join(dir, 'cache.mdb') },
});

const noisy = (dir: string, evaluations: number): RunConfigInput => ({
  name: 'snap-noisy',
  seed: 11,
  space: { type: 'bitstring', length: 8 },
  evaluator: { module: fixturePlugin('noisy-gaussian.mjs'), options: { sigma: 1 } },
  search: { strategy: 'map-elites' },
  archive: { type: 'grid', dims: [{ name: 'left', min: 0, max: 4, bins: 5 }] },
  budget: { evaluations },
  workers: 0,
  log: { genomes: 'all' },
  cache: { path: join(dir, 'cache.mdb'), mode: 'aggregate', maxRepeats: 10 },
});

const readSnapshotRecord = async (run: string): Promise<RunSnapshot> => {
  const store = openRunStore(run, { write: false });
  try {
    return store.loadSnapshot()!;
  } finally {
    await store.close();
  }
};
const putSnapshotRecord = async (run: string, snapshot: RunSnapshot): Promise<void> => {
  const store = openRunStore(run, { write: true });
  try {
    await store.putMeta('snapshot', snapshot);
  } finally {
    await store.close();
  }
};

describe('readers and resume from a snapshot', () => {
  const cases: [string, (dir: string, evaluations: number) => RunConfigInput][] = [
    ['planar arm, cache hits', arm],
    ['aggregate mode (elites at the mean of their samples)', noisy],
    [
      'early stopping (reports, pruned curves)',
      (dir, evaluations) => ({ ...loadRunConfig(curvesConfig(dir)), budget: { evaluations } }) as RunConfigInput,
    ],
  ];
  it.each(cases)(
    '%s: from the last snapshot, an older one or none, as from the whole log',
    async (_name, config) => {
      const dir = useRunFiles();
      const run = join(dir, 'run');
      await runSearch(parseRunConfig(config(dir, 300), dir), { out: run });
      const first = await readSnapshotRecord(run);
      expect(first.seq).toBe(299); // the final checkpoint's
      await resumeRun(run, { evaluations: 700 }); // a resume in the run's history
      let check = await checkSnapshotAgainstLog(run);
      expect(check).toEqual({ fromSeq: 699, lastSeq: 699, differences: [] });

      await putSnapshotRecord(run, first); // an older snapshot: 400 events of tail
      check = await checkSnapshotAgainstLog(run);
      expect(check).toEqual({ fromSeq: 299, lastSeq: 699, differences: [] });

      await putSnapshotRecord(run, { ...first, version: SNAPSHOT_VERSION + 1 }); // another version: not used
      check = await checkSnapshotAgainstLog(run);
      expect(check).toEqual({ fromSeq: -1, lastSeq: 699, differences: [] });
    },
    60_000,
  );

  it('a resume from an older or unusable snapshot continues exactly, and writes a current one', async () => {
    const dir = useRunFiles();
    const reference = join(dir, 'reference');
    await runSearch(parseRunConfig(arm(join(dir, 'r'), 900), dir), { out: reference });
    const run = join(dir, 'run');
    await runSearch(parseRunConfig(arm(dir, 300), dir), { out: run });
    const first = await readSnapshotRecord(run);
    await resumeRun(run, { evaluations: 600 });
    await putSnapshotRecord(run, first); // resume replays 300..599 from it, then goes on
    await resumeRun(run, { evaluations: 750 });
    await putSnapshotRecord(run, { ...first, schema: 0 }); // an older store schema's: rebuilt from the whole log
    await resumeRun(run, { evaluations: 900 });
    const last = await readSnapshotRecord(run);
    expect([last.seq, last.version]).toEqual([899, SNAPSHOT_VERSION]);
    expect(await elitesOf(run)).toEqual(await elitesOf(reference));
    expect((await checkSnapshotAgainstLog(run)).differences).toEqual([]);
  }, 60_000);
});
