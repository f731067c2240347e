// Sliding-boundaries archive: boundaries at the buffer's percentiles, the best per cell after a remap, replay and
// resume after SIGKILL through the real bin give the same archive.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Candidate, Elite } from '../../archive/archive.js';
import { archives } from '../../archive/index.js';
import { renderHeatmap } from '../../archive/heatmap.js';
import {
  createSlidingBoundariesArchive,
  type SlidingBoundariesArchive,
  type SlidingBoundariesGeometry,
} from '../../archive/sliding-boundaries.js';
import { ConfigError } from '../../core/errors.js';
import { rngFromSeed, type Rng } from '../../core/rng.js';
import { compareScored } from '../../core/score.js';
import { SeededRng } from '../../core/rng.js';
import { mapOf } from '../../report/snapshot.js';
import { openRunView } from '../../search/run-view.js';
import { useRunFiles } from '../helpers/files.js';
import { runScenario, summarise, type Scenario } from '../helpers/kill-harness.js';
import { eventsOf } from '../helpers/runs.js';

const candidate = (id: number, score: number, descriptors: number[]): Candidate<string> => ({
  id,
  genome: `g${id}`,
  score,
  descriptors,
});

/** Independent of the archive: pyribs' rule, boundary j = the ⌊j·n/bins⌋-th smallest, the last = the largest. */
function percentileBoundaries(values: readonly number[], bins: number): number[] {
  const sorted = [...values].sort((a, b) => a - b);
  const n = sorted.length;
  return [...Array.from({ length: bins }, (_, j) => sorted[Math.floor((j * n) / bins)]!), sorted[n - 1]!];
}

/** Skewed descriptors (squares of uniforms, a heavy right tail), where uniform bins would waste most cells. */
function skewed(rng: Rng, dims: number): number[] {
  return Array.from({ length: dims }, () => 1000 * rng() ** 3 - 7);
}

describe('sliding-boundaries archive: boundaries', () => {
  it('sets each dim to the percentiles of the last bufferCapacity descriptors at every remap', () => {
    const archive = createSlidingBoundariesArchive<string>({
      dims: [
        { name: 'a', bins: 4 },
        { name: 'b', bins: 7 },
      ],
      remapFrequency: 25,
      bufferCapacity: 60,
    });
    const rng = rngFromSeed('percentiles');
    const added: number[][] = [];
    for (let id = 0; id < 200; id++) {
      const d = skewed(rng, 2);
      added.push(d);
      archive.add(candidate(id, rng(), d));
      if ((id + 1) % 25 === 0) {
        const buffer = added.slice(-60);
        expect(archive.boundaries()[0]).toEqual(
          percentileBoundaries(
            buffer.map((x) => x[0]!),
            4,
          ),
        );
        expect(archive.boundaries()[1]).toEqual(
          percentileBoundaries(
            buffer.map((x) => x[1]!),
            7,
          ),
        );
      } else if (id > 25) {
        // Between remaps the boundaries stay where the last remap put them.
        const last = added.slice(0, Math.floor((id + 1) / 25) * 25).slice(-60);
        expect(archive.boundaries()[0]).toEqual(
          percentileBoundaries(
            last.map((x) => x[0]!),
            4,
          ),
        );
      }
    }
    // Skewed descriptors, percentile bins: the cells fill evenly (uniform bins over the same range would leave most
    // of them empty); every bin of each dim holds an elite.
    const bins = [...archive.elites()].map((e) => archive.binsOf(e.cell));
    expect(new Set(bins.map((b) => b[0])).size).toBe(4);
    expect(new Set(bins.map((b) => b[1])).size).toBe(7);
  });

  it('starts from uniform bins over a given range, then slides; without one it remaps at adds 1, 2, 4, 8, …', () => {
    const ranged = createSlidingBoundariesArchive<string>({
      dims: [{ name: 'x', bins: 4, min: 0, max: 8 }],
      remapFrequency: 10,
    });
    expect(ranged.boundaries()).toEqual([[0, 2, 4, 6, 8]]);
    expect(ranged.cellOf([2])).toBe(1); // on a boundary: the bin above it
    expect(ranged.cellOf([8])).toBe(3);
    expect(ranged.cellOf([-5])).toBe(0);
    for (let id = 0; id < 9; id++) ranged.add(candidate(id, id, [100 + id]));
    expect(ranged.remaps).toBe(0);
    ranged.add(candidate(9, 9, [109]));
    expect(ranged.remaps).toBe(1);
    expect(ranged.boundaries()[0]).toEqual(percentileBoundaries([100, 101, 102, 103, 104, 105, 106, 107, 108, 109], 4));

    const blind = createSlidingBoundariesArchive<string>({ dims: [{ name: 'x', bins: 3 }], remapFrequency: 20 });
    expect(blind.geometry().dims).toEqual([{ name: 'x', bins: 3 }]);
    const remapsAfter: number[] = [];
    for (let id = 0; id < 45; id++) {
      blind.add(candidate(id, 1, [id * 0.5]));
      remapsAfter.push(blind.remaps);
    }
    // Remaps after adds 1, 2, 4, 8, 16 (doubling below remapFrequency), then 20 and 40.
    const at = remapsAfter.flatMap((r, i) => (r > (remapsAfter[i - 1] ?? 0) ? [i + 1] : []));
    expect(at).toEqual([1, 2, 4, 8, 16, 20, 40]);
    expect(blind.geometry().dims).toEqual([{ name: 'x', bins: 3, min: 0, max: 19.5 }]);
  });

  it('puts a value on a boundary in the bin above it, the largest in the last bin that starts below it', () => {
    const archive = createSlidingBoundariesArchive<string>({
      dims: [{ name: 'x', bins: 4 }],
      remapFrequency: 8,
      bufferCapacity: 8,
    });
    // Descriptors 0,0,0,1,2,3,5,5: boundaries at the 0th, 2nd, 4th and 6th smallest, then the largest.
    [0, 0, 0, 1, 2, 3, 5, 5].forEach((x, id) => archive.add(candidate(id, id, [x])));
    expect(archive.boundaries()).toEqual([[0, 0, 2, 5, 5]]);
    expect(archive.cellOf([0])).toBe(1); // bin 0 is [0, 0): empty
    expect(archive.cellOf([0.5])).toBe(1);
    expect(archive.cellOf([2])).toBe(2);
    expect(archive.cellOf([4.9])).toBe(2);
    expect(archive.cellOf([5])).toBe(2); // bin 3 is [5, 5]: the top goes to the last bin starting below it
    expect(archive.cellOf([99])).toBe(2);
    expect(archive.cellOf([-99])).toBe(1);
  });
});

describe('sliding-boundaries archive: remaps', () => {
  it('keeps, in each new cell, the best of the old elites and the buffer', () => {
    const archive = createSlidingBoundariesArchive<string>({
      dims: [
        { name: 'x', bins: 6 },
        { name: 'y', bins: 5 },
      ],
      remapFrequency: 40,
      bufferCapacity: 90,
    });
    const rng = rngFromSeed('best per cell');
    const all: Candidate<string>[] = [];
    let checked = 0;
    for (let id = 0; id < 400; id++) {
      const c = candidate(id, Math.round(rng() * 1e6) / 1e3, skewed(rng, 2));
      all.push(c);
      const before = [...archive.elites()];
      const remapsBefore = archive.remaps;
      archive.add(c);
      if (archive.remaps === remapsBefore) continue;
      checked++;
      // Independently: under the new boundaries, the best of (elites before ∪ the last 90 adds) per cell.
      const pool: Candidate<string>[] = [...before, ...all.slice(-90)];
      const expected = new Map<number, Candidate<string>>();
      for (const p of pool) {
        const cell = archive.cellOf(p.descriptors);
        const incumbent = expected.get(cell);
        if (!incumbent || compareScored(p, incumbent) > 0) expected.set(cell, p);
      }
      const got = new Map([...archive.elites()].map((e): [number, number] => [e.cell, e.id]));
      expect(got).toEqual(new Map([...expected].map(([cell, p]): [number, number] => [cell, p.id])));
      // No elite is lost for nothing: each old one is still there or lost its new cell to a better candidate.
      for (const old of before) {
        const now = archive.get(archive.cellOf(old.descriptors));
        expect(now && compareScored(now, old)).toBeGreaterThanOrEqual(0);
      }
      const stats = archive.stats();
      const elites = [...archive.elites()];
      expect(stats.size).toBe(elites.length);
      expect(stats.qdScore).toBeCloseTo(
        elites.reduce((s, e) => s + e.score - stats.qdOffset, 0),
        6,
      );
    }
    expect(checked).toBe(10 + 6); // + the doubling remaps at 1, 2, 4, …, 32
  });

  it('revives a buffered candidate that was rejected when it was added', () => {
    const archive = createSlidingBoundariesArchive<string>({
      dims: [{ name: 'x', bins: 2, min: 0, max: 1 }],
      remapFrequency: 4,
    });
    expect(archive.keepsRejected).toBe(true);
    expect(archive.add(candidate(0, 5, [10])).status).toBe('new'); // clipped into bin 1
    expect(archive.add(candidate(1, 1, [20])).status).toBe('rejected'); // same bin, worse
    expect(archive.add(candidate(2, 3, [30])).status).toBe('rejected');
    // Remap at add 4: boundaries [10, 30, 40]; id 0 keeps [10, 30), and id 2 (rejected when added) takes [30, 40].
    expect(archive.add(candidate(3, 0, [40]))).toEqual({ status: 'rejected', cell: 1 });
    expect(archive.boundaries()).toEqual([[10, 30, 40]]);
    expect([...archive.elites()].map((e) => [e.cell, e.id, e.genome])).toEqual([
      [0, 0, 'g0'],
      [1, 2, 'g2'],
    ]);
  });

  it('does not let a remap undo a rescore (the buffered copy follows the elite)', () => {
    const make = (): SlidingBoundariesArchive<string> =>
      createSlidingBoundariesArchive<string>({
        dims: [{ name: 'x', bins: 1, min: 0, max: 1 }],
        remapFrequency: 3,
      });
    const archive = make();
    archive.add(candidate(0, 10, [0.5]));
    expect(archive.rescore(0, 1)).toBe(true);
    archive.add(candidate(1, 0, [0.5]));
    archive.add(candidate(2, 0, [0.5])); // remap: re-adds id 0 (score 1) and the buffer (id 0 again, also 1)
    expect(archive.remaps).toBe(1);
    expect(archive.get(0)).toMatchObject({ id: 0, score: 1 });
    expect(archive.stats().qdScore).toBe(1); // offset: the minimum score seen, 0
  });

  it('replays the same adds into the same archive, remaps included', () => {
    const make = (): SlidingBoundariesArchive<string> =>
      archives['sliding-boundaries'].create(
        {
          dims: [
            { name: 'x', bins: 9 },
            { name: 'y', bins: 3 },
          ],
          remapFrequency: 17,
          bufferCapacity: 50,
        },
        { rng: SeededRng.fromSeed(1) },
      ) as SlidingBoundariesArchive<string>;
    const first = make();
    const second = make();
    const rng = rngFromSeed('replay');
    const adds = Array.from({ length: 300 }, (_, id) => candidate(id, Math.floor(rng() * 30), skewed(rng, 2)));
    const results = adds.map((c) => first.add(c));
    expect(adds.map((c) => second.add(c))).toEqual(results);
    const view = (a: SlidingBoundariesArchive<string>): unknown[] =>
      [...a.elites()].map((e: Elite<string>) => [e.cell, e.id, e.score, e.descriptors]);
    expect(view(second)).toEqual(view(first));
    expect(second.geometry()).toEqual(first.geometry());
    expect(second.stats()).toEqual(first.stats());
    expect(first.remaps).toBe(Math.floor(300 / 17) + 5); // + the doubling remaps at 1, 2, 4, 8, 16 (no range given)
  });
});

describe('sliding-boundaries archive: config and geometry', () => {
  it('refuses a range on some dims only, a half range, max ≤ min and unknown keys', () => {
    const parse = (o: unknown) => archives['sliding-boundaries'].options.safeParse(o);
    expect(parse({ dims: [{ name: 'x', bins: 3 }] }).success).toBe(true);
    expect(parse({ dims: [{ name: 'x', bins: 3 }] }).data).toMatchObject({ remapFrequency: 100, bufferCapacity: 1000 });
    const some = parse({
      dims: [
        { name: 'x', bins: 3, min: 0, max: 1 },
        { name: 'y', bins: 3 },
      ],
    });
    expect(some.error?.issues[0]?.message).toMatch(/every dim, or for none/);
    expect(parse({ dims: [{ name: 'x', bins: 3, min: 0 }] }).success).toBe(false);
    expect(parse({ dims: [{ name: 'x', bins: 3, min: 1, max: 1 }] }).error?.issues[0]?.message).toMatch(
      /max \(1\) must be greater than min \(1\)/,
    );
    expect(parse({ dims: [{ name: 'x', bins: 3 }], remapFrequency: 0 }).success).toBe(false);
    expect(parse({ dims: [{ name: 'x', bins: 3 }], edgeWarning: 0.5 }).success).toBe(false);
  });

  it('resumes from the geometry saved at the start, and refuses other settings', () => {
    const options = { dims: [{ name: 'x', bins: 4 }], remapFrequency: 5, bufferCapacity: 10 };
    const started = createSlidingBoundariesArchive<string>(options).geometry();
    const later = createSlidingBoundariesArchive<string>(options);
    for (let id = 0; id < 12; id++) later.add(candidate(id, id, [id]));
    // The saved geometry is the start's; boundaries come back by replaying the log.
    expect(() => createSlidingBoundariesArchive<string>(options, { geometry: started })).not.toThrow();
    expect(() => createSlidingBoundariesArchive<string>(options, { geometry: later.geometry() })).not.toThrow();
    expect(() =>
      createSlidingBoundariesArchive<string>({ ...options, remapFrequency: 6 }, { geometry: started }),
    ).toThrow(ConfigError);
    expect(() =>
      createSlidingBoundariesArchive<string>({ ...options, dims: [{ name: 'x', bins: 5 }] }, { geometry: started }),
    ).toThrow(/settings do not match/);
    expect(() => createSlidingBoundariesArchive<string>(options, { geometry: { type: 'grid', dims: [] } })).toThrow(
      ConfigError,
    );
  });

  it('draws its text heatmap over the boundaries now, one column per bin', () => {
    const archive = createSlidingBoundariesArchive<string>({ dims: [{ name: 'x', bins: 5 }], remapFrequency: 10 });
    for (let id = 0; id < 10; id++) archive.add(candidate(id, id, [id * id]));
    const geometry = archive.geometry() as SlidingBoundariesGeometry;
    const text = renderHeatmap(archive, [{ name: 'x', min: Number.NaN, max: Number.NaN, bins: 5 }], { geometry });
    expect(text).toMatch(/^x\n0 │.{5}│ 81\n/);
    expect(text).toMatch(/sliding boundaries: one column per bin, bins of unequal width/);
    expect(text).toMatch(/5\/5 cells filled/);
    // The HTML report's map: a grid of bins, each labelled by its own boundaries (not equal widths over the range).
    const map = mapOf(
      geometry,
      archive.cells,
      [...archive.elites()].map((e) => ({ cell: e.cell, id: e.id, fitness: e.score })),
    );
    expect(map).toMatchObject({
      type: 'grid',
      dims: [{ name: 'x', min: 0, max: 81, bins: 5, edges: [0, 4, 16, 36, 64, 81] }],
    });
    expect(map.filled.map((c) => c.pos)).toEqual([[0], [1], [2], [3], [4]]);
  });
});

/** map-elites on the planar arm, one worker, with sliding boundaries and no range: many remaps before a kill. */
const slidingScenario: Scenario = {
  name: 'map-elites + sliding-boundaries, 1 worker',
  compare: true,
  config: (cachePath) => ({
    name: 'kill-sliding',
    seed: 13,
    space: { type: 'vector', dimensions: 8, min: 0, max: 1 },
    evaluator: { type: 'planar-arm' },
    search: { strategy: 'map-elites', initialRandom: 100 },
    archive: {
      type: 'sliding-boundaries',
      dims: [
        { name: 'x', bins: 12 },
        { name: 'y', bins: 12 },
      ],
      remapFrequency: 50,
      bufferCapacity: 300,
    },
    budget: { evaluations: 6000 },
    workers: 1,
    cache: { path: cachePath },
    log: { checkpointSeconds: 0.05 },
  }),
};

describe('sliding-boundaries archive: through the CLI', () => {
  it('a run killed (SIGKILL) and resumed with one worker ends with the same archive and boundaries', async () => {
    const work = useRunFiles();
    const rounds = await runScenario(slidingScenario, {
      kills: 2,
      rng: SeededRng.fromSeed('sliding-kill').next,
      maxDelayMs: 700,
      work,
    });
    const row = summarise(slidingScenario.name, rounds);
    expect(row.problems).toEqual([]);
    expect(row.kills).toBeGreaterThanOrEqual(2);
    expect(rounds.every((r) => r.archiveEqual === true)).toBe(true);

    const reference = await openRunView(join(work, 'reference'));
    const resumed = await openRunView(join(work, `round-${rounds.length - 1}`));
    try {
      const g = reference.archive.geometry() as SlidingBoundariesGeometry;
      expect(g.remaps).toBe(6000 / 50 + 6); // + the doubling remaps at 1, 2, 4, …, 32
      expect(resumed.archive.geometry()).toEqual(g);
      // Every elite has its genome back from the log (rejected candidates' genomes are logged: a remap may revive one).
      for (const e of resumed.archive.elites()) expect(e.genome).not.toBeUndefined();
      expect(resumed.summary.warnings).toBeUndefined();
      expect(resumed.summary.archive.coverage).toBeGreaterThan(0.5);
    } finally {
      await reference.close();
      await resumed.close();
    }
    const events = await eventsOf(join(work, 'reference'));
    expect(events.filter((e) => e.ok && e.st === 'r').length).toBeGreaterThan(1000);
    expect(events.every((e) => !e.ok || e.g !== undefined)).toBe(true);
    expect(readFileSync(join(work, 'reference', 'config.json'), 'utf8')).toMatch(/sliding-boundaries/);
  }, 300_000); // a bound for a loaded machine, not a wait: every step waits for a state
});
