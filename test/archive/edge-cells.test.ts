// Edge cells of a grid: the share of elites in each dim's first or last bin, and the warning when it is too high.
import { describe, expect, it } from 'vitest';
import { archives } from '../../archive/index.js';
import { edgeCellWarning, edgeShares } from '../../archive/edges.js';
import { createGridArchive, DEFAULT_EDGE_WARNING } from '../../archive/grid.js';
import { createSlidingBoundariesArchive } from '../../archive/sliding-boundaries.js';
import { SeededRng } from '../../core/rng.js';

const dims = [
  { name: 'x', min: 0, max: 10, bins: 10 },
  { name: 'y', min: 0, max: 10, bins: 10 },
];

/** A grid with one elite at each of `points` (distinct cells). */
function gridWith(points: readonly (readonly [number, number])[], edgeWarning?: number) {
  const archive = createGridArchive<number>({ dims, ...(edgeWarning !== undefined ? { edgeWarning } : {}) });
  points.forEach(([x, y], id) => {
    expect(archive.add({ id, genome: id, score: 1, descriptors: [x, y] }).status).toBe('new');
  });
  return archive;
}

describe('edge cells of a grid archive', () => {
  it('measures, per dim, the share of elites in its first or last bin and the span of their descriptors', () => {
    const archive = gridWith([
      [-40, 2.5],
      [-3, 3.5],
      [55, 4.5],
      [9.5, 5.5],
      [4.5, 0.5],
    ]);
    const shares = edgeShares(archive);
    expect(shares.map((d) => [d.name, d.share])).toEqual([
      ['x', 0.8],
      ['y', 0.2],
    ]);
    expect(shares[0]).toMatchObject({ lowest: -40, highest: 55, min: 0, max: 10, bins: 10, candidateShare: 0.8 });
    expect(edgeShares(createGridArchive<number>({ dims }))).toEqual([]);
  });

  it('warns when more than the threshold of the elites sit in the edge bins of a dim, naming it and the fix', () => {
    // 12 elites: 9 in x's edge bins (75%), y spread over its middle bins.
    const points: [number, number][] = [
      ...[1, 2, 3, 4, 5].map((y): [number, number] => [-40, y + 0.5]),
      ...[1, 2, 3, 4].map((y): [number, number] => [70, y + 0.5]),
      [4.5, 6.5],
      [5.5, 7.5],
      [6.5, 8.5],
    ];
    const warning = edgeCellWarning(gridWith(points));
    expect(warning).toMatchObject({ code: 'archive-edge-cells', threshold: DEFAULT_EDGE_WARNING, elites: 12 });
    expect(warning?.dims.map((d) => [d.name, d.share])).toEqual([['x', 0.75]]);
    expect(warning?.message).toMatch(
      /x: 75% of the 12 candidates and 75% of the 12 elites fell in its first or last bin \(of 10\); the candidates span -40 … 70, the range is 0 … 10\./,
    );
    expect(warning?.message).toMatch(/widen min\/max in archive\.dims .* sliding-boundaries/);
    expect(warning?.message).not.toMatch(/ y: /);
    // The configured threshold: 0.8 lets 75% pass; the argument overrides it.
    expect(edgeCellWarning(gridWith(points, 0.8))).toBeUndefined();
    expect(edgeCellWarning(gridWith(points, 0.8), 0.7)?.dims.map((d) => d.name)).toEqual(['x']);
  });

  it('counts every candidate added: a range too narrow shows even when the interior cells are full', () => {
    // Every cell filled with score 10, then 200 worse candidates far outside x's range (rejected, clipped to x's edges).
    const full = Array.from({ length: 100 }, (_, i): [number, number] => [(i % 10) + 0.5, Math.floor(i / 10) + 0.5]);
    const archive = gridWith(full);
    for (let id = 100; id < 300; id++)
      expect(archive.add({ id, genome: id, score: 0, descriptors: [id % 2 ? 500 : -500, 5] }).status).toBe('rejected');
    const [x, y] = edgeShares(archive);
    expect(x).toMatchObject({ share: 0.2, candidateShare: 220 / 300, lowest: -500, highest: 500 });
    expect(y).toMatchObject({ share: 0.2, candidateShare: 20 / 300 });
    const warning = edgeCellWarning(archive);
    expect(warning).toMatchObject({ elites: 100, candidates: 300 });
    expect(warning?.dims.map((d) => d.name)).toEqual(['x']);
    expect(warning?.message).toMatch(/x: 73% of the 300 candidates and 20% of the 100 elites/);
  });

  it('stays quiet for an interior fill, a share equal to the threshold, few elites, coarse dims and other archives', () => {
    const interior = Array.from({ length: 30 }, (_, i): [number, number] => [
      1 + (i % 8) + 0.5,
      1 + Math.floor(i / 8) + 0.5,
    ]);
    expect(edgeCellWarning(gridWith(interior))).toBeUndefined();
    // Exactly half in x's edge bins: not more than 0.5.
    const half = Array.from({ length: 12 }, (_, i): [number, number] => [i < 6 ? -1 : 5.5, 1.5 + (i % 6)]);
    expect(edgeShares(gridWith(half))[0]?.share).toBe(0.5);
    expect(edgeCellWarning(gridWith(half))).toBeUndefined();
    // Nine elites all on the edge: too few to say.
    expect(
      edgeCellWarning(gridWith(Array.from({ length: 9 }, (_, i): [number, number] => [-1, 0.5 + i]))),
    ).toBeUndefined();
    // Four bins: the two edge bins are half the bins; a uniform fill would already pass 0.5.
    const coarse = createGridArchive<number>({ dims: [{ name: 'x', min: 0, max: 4, bins: 4 }, dims[1]!] });
    for (let id = 0; id < 20; id++)
      coarse.add({ id, genome: id, score: 1, descriptors: [id % 2 === 0 ? -9 : 9, id / 2] });
    expect(edgeShares(coarse)[0]?.share).toBe(1);
    expect(edgeCellWarning(coarse)).toBeUndefined();
    const sliding = createSlidingBoundariesArchive<number>({ dims: [{ name: 'x', bins: 10 }] });
    for (let id = 0; id < 50; id++) sliding.add({ id, genome: id, score: 1, descriptors: [id] });
    expect(edgeCellWarning(sliding, 0)).toBeUndefined();
  });

  it('takes archive.edgeWarning in 0..1 from the grid config', () => {
    const parse = (edgeWarning: unknown) => archives.grid.options.safeParse({ dims, edgeWarning });
    expect(parse(0.3).success).toBe(true);
    expect(parse(1).success).toBe(true);
    expect(parse(1.5).success).toBe(false);
    expect(parse(-0.1).success).toBe(false);
    expect(
      archives.cvt.options.safeParse({ cells: 4, dims: [{ name: 'x', min: 0, max: 1 }], edgeWarning: 0.5 }).success,
    ).toBe(false);
    const grid = archives.grid.create({ dims, edgeWarning: 0.3 }, { rng: SeededRng.fromSeed(1) });
    expect((grid as { edgeWarning?: number }).edgeWarning).toBe(0.3);
  });
});
