// Archive registry: every entry passes its contract (one elite per cell, or a Pareto front per cell), and its options
// schema is strict and names bad dims.
import { describe, expect, it } from 'vitest';
import { archives, type ArchiveDeps } from '../../archive/index.js';
import { SeededRng } from '../../core/rng.js';
import { archiveContract } from '../../testing/archive.js';
import { paretoArchiveContract } from '../../testing/pareto-archive.js';

/** One small, fast example of options per registry key; a new entry must add one here. */
const examples: Record<string, unknown> = {
  grid: {
    dims: [
      { name: 'x', min: 0, max: 1, bins: 5 },
      { name: 'y', min: -1, max: 1, bins: 4 },
    ],
  },
  cvt: {
    cells: 24,
    dims: [
      { name: 'x', min: 0, max: 1 },
      { name: 'y', min: -2, max: 2 },
    ],
    samples: 2_000,
  },
  // No remap within the contract's adds (a remap moves elites between cells); remaps: sliding-boundaries-archive.test.ts.
  'sliding-boundaries': {
    dims: [
      { name: 'x', bins: 5, min: 0, max: 1 },
      { name: 'y', bins: 4, min: -1, max: 1 },
    ],
    remapFrequency: 1000,
  },
  mome: {
    frontCapacity: 6,
    dims: [
      { name: 'x', min: 0, max: 1, bins: 3 },
      { name: 'y', min: -1, max: 1, bins: 2 },
    ],
  },
  pareto: { capacity: 9 },
};

/** Archives whose cells hold Pareto fronts: their own contract, a reference point instead of a QD offset. */
const pareto: Record<string, { capacity: number }> = { mome: { capacity: 6 }, pareto: { capacity: 9 } };
const reference = [-3, -3]; // below every objective the contract draws

const offsets: { label: string; qdOffset?: number }[] = [
  { label: 'min-score offset' },
  { label: 'qdOffset −10', qdOffset: -10 },
];

describe('archive registry', () => {
  it('has an example for every entry', () => {
    expect(Object.keys(examples).sort()).toEqual(Object.keys(archives).sort());
  });

  describe.each(Object.keys(archives))('%s', (key) => {
    const entry = archives[key as keyof typeof archives];
    const example = examples[key];
    it('has an example and a summary', () => {
      expect(example, `add an example for "${key}" to the table in this file`).toBeDefined();
      expect(entry.summary.length).toBeGreaterThan(10);
      expect(entry.options.safeParse(example).success).toBe(true);
    });
    it('rejects unknown keys, including `type` and `qdOffset`', () => {
      expect(entry.options.safeParse({ ...(example as object), type: key }).success).toBe(false);
      expect(entry.options.safeParse({ ...(example as object), qdOffset: 0 }).success).toBe(false);
    });
    const front = pareto[key];
    if (front) {
      const rng = SeededRng.fromSeed('contract');
      paretoArchiveContract(key, () => entry.create(example, { rng: rng.fork('archive'), reference }), {
        capacity: front.capacity,
        ...(key === 'mome' ? { descriptors: (r) => [r() * 1.2 - 0.1, r() * 2.4 - 1.2] } : {}),
      });
      it('rebuilds the same cells from its saved geometry, and refuses to start without a reference point', () => {
        const archive = entry.create(example, { rng: SeededRng.fromSeed('a'), reference });
        const restored = entry.create(example, {
          rng: SeededRng.fromSeed('other'),
          geometry: JSON.parse(JSON.stringify(archive.geometry())),
          reference,
        });
        expect(restored.geometry()).toEqual(archive.geometry());
        expect(() => entry.create(example, { rng: SeededRng.fromSeed('a') })).toThrow(/needs a reference point/);
      });
      return;
    }
    for (const { label, qdOffset } of offsets) {
      const deps = (): ArchiveDeps => ({
        rng: SeededRng.fromSeed('contract').fork('archive'),
        ...(qdOffset === undefined ? {} : { qdOffset }),
      });
      archiveContract(`${key} (${label})`, () => entry.create(example, deps()));
    }
    it('passes the run qdOffset through the deps', () => {
      const archive = entry.create(example, { rng: SeededRng.fromSeed(1), qdOffset: -3 });
      expect(archive.stats().qdOffset).toBe(-3);
    });
    it('rebuilds the same cells from its saved geometry', () => {
      const archive = entry.create(example, { rng: SeededRng.fromSeed('a') });
      const restored = entry.create(example, {
        rng: SeededRng.fromSeed('other'),
        geometry: JSON.parse(JSON.stringify(archive.geometry())),
      });
      expect(restored.geometry()).toEqual(archive.geometry());
    });
  });
});

describe('archive option schemas', () => {
  it('names the dim whose max is not above its min', () => {
    const grid = archives.grid.options.safeParse({ dims: [{ name: 'ones', min: 5, max: 5, bins: 3 }] });
    expect(grid.success).toBe(false);
    expect(grid.error?.issues[0]?.message).toMatch(/dim "ones": max \(5\) must be greater than min \(5\)/);
    expect(grid.error?.issues[0]?.path).toEqual(['dims', 0, 'max']);
    const cvt = archives.cvt.options.safeParse({ cells: 10, dims: [{ name: 'x', min: 1, max: 0 }] });
    expect(cvt.error?.issues[0]?.message).toMatch(/dim "x": max \(0\) must be greater than min \(1\)/);
  });

  it('requires a positive integer number of bins and at least one dim', () => {
    expect(archives.grid.options.safeParse({ dims: [{ name: 'x', min: 0, max: 1, bins: 2.5 }] }).success).toBe(false);
    expect(archives.grid.options.safeParse({ dims: [{ name: 'x', min: 0, max: 1, bins: 0 }] }).success).toBe(false);
    expect(archives.grid.options.safeParse({ dims: [{ name: 'x', min: 0, max: 1 }] }).success).toBe(false);
    expect(archives.grid.options.safeParse({ dims: [] }).success).toBe(false);
  });

  it('refuses a dim name used twice', () => {
    const grid = archives.grid.options.safeParse({
      dims: [
        { name: 'x', min: 0, max: 1, bins: 2 },
        { name: 'x', min: 0, max: 1, bins: 2 },
      ],
    });
    expect(grid.error?.issues[0]).toMatchObject({ path: ['dims', 1, 'name'], message: 'dim name "x" is used twice' });
    const cvt = archives.cvt.options.safeParse({
      cells: 3,
      dims: [
        { name: 'y', min: 0, max: 1 },
        { name: 'y', min: 0, max: 2 },
      ],
    });
    expect(cvt.success).toBe(false);
  });

  it('requires at least as many cvt samples as cells, and no bins', () => {
    const dims = [{ name: 'x', min: 0, max: 1 }];
    const few = archives.cvt.options.safeParse({ cells: 100, dims, samples: 99 });
    expect(few.error?.issues[0]?.message).toMatch(/samples must be at least cells/);
    expect(archives.cvt.options.safeParse({ cells: 100, dims: [{ ...dims[0], bins: 3 }] }).success).toBe(false);
    expect(archives.cvt.options.safeParse({ cells: 0, dims }).success).toBe(false);
  });
});
