// Grid archive: row-major cells with clipping, the MAP-Elites add rule, hand-computed QD stats and uniform sampling.
import { describe, expect, it } from 'vitest';
import type { Candidate } from '../../archive/archive.js';
import { createGridArchive, type GridArchive } from '../../archive/grid.js';
import { ConfigError } from '../../core/errors.js';
import { rngFromSeed } from '../../core/rng.js';

const dims = [
  { name: 'x', min: 0, max: 10, bins: 5 },
  { name: 'y', min: 0, max: 1, bins: 2 },
];

function candidate(id: number, score: number, descriptors: number[]): Candidate<string> {
  return { id, genome: `g${id}`, score, descriptors };
}

describe('grid archive', () => {
  it('indexes cells row-major, first dim slowest', () => {
    const archive = createGridArchive<string>({ dims });
    expect(archive.cells).toBe(10);
    expect(archive.cellOf([0, 0])).toBe(0);
    expect(archive.cellOf([0, 0.7])).toBe(1);
    expect(archive.cellOf([2, 0])).toBe(2);
    expect(archive.cellOf([5, 0.5])).toBe(5);
    expect(archive.cellOf([9.99, 0.99])).toBe(9);
    expect(archive.binsOf(7)).toEqual([3, 1]);
  });

  it('clips out-of-range descriptors into the edge bins and puts max in the last bin', () => {
    const archive = createGridArchive<string>({ dims });
    expect(archive.cellOf([-3, -1])).toBe(archive.cellOf([0, 0]));
    expect(archive.cellOf([12, 5])).toBe(9);
    expect(archive.cellOf([10, 1])).toBe(9); // exactly max
    expect(archive.cellOf([8, 0])).toBe(8);
    expect(archive.cellOf([7.999, 0])).toBe(6);
    expect(archive.cellOf([-Infinity, Infinity])).toBe(1);
    expect(archive.add(candidate(1, 1, [100, -100]))).toEqual({ status: 'new', cell: 8 });
    expect(archive.get(8)?.descriptors).toEqual([100, -100]); // the raw descriptors are kept
  });

  it('throws on a wrong number of descriptors or a NaN', () => {
    const archive = createGridArchive<string>({ dims });
    expect(() => archive.cellOf([1, 2, 3])).toThrow(/grid archive expects 2 descriptors \(x, y\), got 3/);
    expect(() => archive.add(candidate(1, 1, [1]))).toThrow(/expects 2 descriptors .*got 1/);
    expect(() => archive.cellOf(undefined as unknown as number[])).toThrow(/expects 2 descriptors \(x, y\), got none/);
    expect(() => archive.cellOf([1, NaN])).toThrow(/descriptor 1 \("y"\) is NaN/);
    expect(() => archive.add(candidate(1, NaN, [1, 0]))).toThrow(/NaN score/);
    expect(archive.size).toBe(0);
  });

  it('computes coverage and qdScore by hand', () => {
    const archive = createGridArchive<string>({ dims });
    expect(archive.add(candidate(1, 3, [1, 0.2]))).toEqual({ status: 'new', cell: 0 });
    expect(archive.add(candidate(2, 7, [9.9, 0.9]))).toEqual({ status: 'new', cell: 9 });
    expect(archive.add(candidate(3, -2, [5, 0.5]))).toEqual({ status: 'new', cell: 5 });
    expect(archive.add(candidate(4, -4, [1.5, 0.1]))).toEqual({ status: 'rejected', cell: 0 });
    expect(archive.add(candidate(5, 5, [0, 0]))).toEqual({ status: 'improved', cell: 0, previous: 1 });
    // Elites 5, −2, 7; the offset is the lowest score ever added, −4 (a rejected one): (5+4) + (−2+4) + (7+4) = 22.
    expect(archive.stats()).toEqual({
      size: 3,
      cells: 10,
      coverage: 0.3,
      qdScore: 22,
      qdOffset: -4,
      bestScore: 7,
      bestId: 2,
    });
    expect(archive.best()?.genome).toBe('g2');
  });

  it('uses a configured qdOffset as given, even above some scores', () => {
    const archive = createGridArchive<string>({ dims, qdOffset: 0 });
    archive.add(candidate(1, 5, [0, 0]));
    archive.add(candidate(2, -2, [5, 0.5]));
    archive.add(candidate(3, 7, [9.9, 0.9]));
    expect(archive.stats()).toMatchObject({ qdScore: 10, qdOffset: 0 }); // 5 − 2 + 7
    const shifted = createGridArchive<string>({ dims, qdOffset: -10 });
    shifted.add(candidate(1, 5, [0, 0]));
    shifted.add(candidate(2, -2, [5, 0.5]));
    shifted.add(candidate(3, 7, [9.9, 0.9]));
    expect(shifted.stats()).toMatchObject({ qdScore: 40, qdOffset: -10 }); // 15 + 8 + 17
  });

  it('uses the tiebreak only when scores tie', () => {
    const archive = createGridArchive<string>({ dims });
    archive.add({ ...candidate(1, 2, [0, 0]), tiebreak: [5] });
    expect(archive.add({ ...candidate(2, 2, [0, 0]), tiebreak: [4, 100] }).status).toBe('rejected');
    expect(archive.add({ ...candidate(3, 2, [0, 0]), tiebreak: [5, 1] })).toEqual({
      status: 'improved',
      cell: 0,
      previous: 1,
    });
    expect(archive.add(candidate(4, 2.5, [0, 0])).status).toBe('improved');
    expect(archive.get(0)?.tiebreak).toBeUndefined();
  });

  it('returns the same rejected result object for a cell, so rejections allocate nothing', () => {
    const archive = createGridArchive<string>({ dims });
    archive.add(candidate(1, 10, [0, 0]));
    const first = archive.add(candidate(2, 1, [0, 0]));
    const second = archive.add(candidate(3, 2, [0.5, 0.1]));
    expect(second).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
  });

  it('copies descriptors and tiebreak, so callers may reuse their buffers', () => {
    const archive = createGridArchive<string>({ dims });
    const buffer = [1, 0.2];
    const tiebreak = [1];
    archive.add({ ...candidate(1, 1, buffer), tiebreak });
    buffer[0] = 9;
    tiebreak[0] = 7;
    expect(archive.get(0)).toMatchObject({ descriptors: [1, 0.2], tiebreak: [1] });
  });

  it('iterates elites in ascending cell order whatever the order of adds', () => {
    const archive = createGridArchive<string>({ dims });
    for (const [id, x] of [
      [1, 9],
      [2, 1],
      [3, 5],
      [4, 3],
    ] as const)
      archive.add(candidate(id, id, [x, 0]));
    expect([...archive.elites()].map((e) => e.cell)).toEqual([0, 2, 4, 8]);
    archive.add(candidate(5, 0, [7, 0.9]));
    expect([...archive.elites()].map((e) => e.cell)).toEqual([0, 2, 4, 7, 8]);
    expect(archive.get(3)).toBeUndefined();
    expect(archive.get(-1)).toBeUndefined();
    expect(archive.get(10)).toBeUndefined();
    expect(archive.get(1.5)).toBeUndefined();
  });

  it('samples uniformly over filled cells', () => {
    const archive = createGridArchive<string>({
      dims: [
        { name: 'a', min: 0, max: 1, bins: 10 },
        { name: 'b', min: 0, max: 1, bins: 10 },
      ],
    });
    const rng = rngFromSeed('fill');
    let id = 0;
    while (archive.size < 20) archive.add(candidate(id++, rng(), [rng(), rng()]));
    const counts = new Map<number, number>();
    const draws = 20_000;
    for (const elite of archive.sample(rngFromSeed('uniform'), draws))
      counts.set(elite.cell, (counts.get(elite.cell) ?? 0) + 1);
    expect(counts.size).toBe(20);
    const expected = draws / 20;
    const chiSquare = [...counts.values()].reduce((sum, c) => sum + (c - expected) ** 2 / expected, 0);
    expect(chiSquare).toBeLessThan(50); // 19 degrees of freedom: mean 19, p(χ² > 50) ≈ 1e-4
  });

  it('handles grids too large for a dense table', () => {
    const big = createGridArchive<string>({
      dims: Array.from({ length: 9 }, (_, i) => ({ name: `d${i}`, min: 0, max: 1, bins: 10 })),
    });
    expect(big.cells).toBe(1e9);
    const rng = rngFromSeed('sparse');
    const added: number[] = [];
    for (let id = 0; id < 50; id++)
      added.push(
        big.add(
          candidate(
            id,
            id,
            Array.from({ length: 9 }, () => rng()),
          ),
        ).cell,
      );
    const cells = [...new Set(added)].sort((a, b) => a - b);
    expect([...big.elites()].map((e) => e.cell)).toEqual(cells);
    expect(big.add(candidate(99, -1, big.get(cells[0]!)!.descriptors as number[])).status).toBe('rejected');
    expect(big.stats().coverage).toBeCloseTo(cells.length / 1e9, 15);
  });

  it('refuses invalid dims and a grid with too many cells', () => {
    expect(() => createGridArchive({ dims: [] })).toThrow(ConfigError);
    expect(() => createGridArchive({ dims: [{ name: 'x', min: 0, max: 1, bins: 0 }] })).toThrow(
      /bins must be a positive integer/,
    );
    expect(() => createGridArchive({ dims: [{ name: 'x', min: 0, max: 1 }] })).toThrow(/grid dim "x": bins/);
    expect(() => createGridArchive({ dims: [{ name: 'x', min: 1, max: 1, bins: 2 }] })).toThrow(
      /dim "x": max \(1\) must be greater than min \(1\)/,
    );
    const huge = Array.from({ length: 20 }, (_, i) => ({ name: `d${i}`, min: 0, max: 1, bins: 10 }));
    expect(() => createGridArchive({ dims: huge })).toThrow(/more than can be indexed/);
  });

  it('checks a saved geometry against the options', () => {
    const archive: GridArchive<string> = createGridArchive({ dims });
    expect(archive.geometry()).toEqual({ type: 'grid', dims });
    expect(() => createGridArchive({ dims }, { geometry: archive.geometry() })).not.toThrow();
    const other = { type: 'grid', dims: [dims[0], { ...dims[1], bins: 3 }] };
    expect(() => createGridArchive({ dims }, { geometry: other })).toThrow(ConfigError);
    expect(() => createGridArchive({ dims }, { geometry: { type: 'cvt' } })).toThrow(/does not match the config/);
  });
});

describe('elites own their memory', () => {
  it('keeps a copy of a genome that is a view of a larger buffer (a slab), and a whole typed array as it is', () => {
    const archive = createGridArchive<Float64Array>({ dims: [{ name: 'x', min: 0, max: 2, bins: 2 }] });
    const slab = new Float64Array(30).map((_, i) => i);
    const view = slab.subarray(10, 13);
    archive.add({ id: 1, genome: view, score: 1, descriptors: [0.5] });
    const kept = archive.get(0)!.genome;
    expect(Array.from(kept)).toEqual([10, 11, 12]);
    expect(kept.buffer.byteLength).toBe(3 * 8); // its own buffer: the slab is not held
    slab[10] = -1;
    expect(kept[0]).toBe(10);

    const whole = Float64Array.of(7, 8);
    archive.add({ id: 2, genome: whole, score: 1, descriptors: [1.5] });
    expect(archive.get(1)!.genome).toBe(whole);
  });
});
