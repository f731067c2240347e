// CVT archive and its centroids: seeded k-means inside the box, exact nearest-centroid lookup, restore from geometry.
import { describe, expect, it } from 'vitest';
import { createNearestLookup, cvtCentroids, defaultSampleCount, KdTree, LinearScan } from '../../archive/centroids.js';
import { createCvtArchive, type CvtGeometry } from '../../archive/cvt.js';
import { ConfigError } from '../../core/errors.js';
import { rngFromSeed, SeededRng } from '../../core/rng.js';

const dims = [
  { name: 'x', min: -1, max: 1 },
  { name: 'y', min: 0, max: 10 },
];
const options = { cells: 300, dims, samples: 6_000 };

/** Index of the nearest centroid by scanning all of them, lowest index on ties; the reference for the lookups. */
function bruteForce(centroids: readonly (readonly number[])[], point: readonly number[]): number {
  let best = Infinity;
  let bestIndex = -1;
  centroids.forEach((c, i) => {
    const dist = c.reduce((sum, v, j) => sum + (v - point[j]!) ** 2, 0);
    if (dist < best) {
      best = dist;
      bestIndex = i;
    }
  });
  return bestIndex;
}

describe('cvt archive', () => {
  it('fits the same centroids for the same seed, and others for another seed', () => {
    const a = createCvtArchive(options, { rng: SeededRng.fromSeed(42) }).geometry();
    const b = createCvtArchive(options, { rng: SeededRng.fromSeed(42) }).geometry();
    const c = createCvtArchive(options, { rng: SeededRng.fromSeed(43) }).geometry();
    expect(b).toEqual(a);
    expect(c.centroids).not.toEqual(a.centroids);
  });

  it('places every centroid inside the box, all distinct', () => {
    const { centroids } = createCvtArchive(options, { rng: SeededRng.fromSeed(1) }).geometry();
    expect(centroids).toHaveLength(300);
    for (const [x, y] of centroids) {
      expect(x).toBeGreaterThanOrEqual(-1);
      expect(x).toBeLessThanOrEqual(1);
      expect(y).toBeGreaterThanOrEqual(0);
      expect(y).toBeLessThanOrEqual(10);
    }
    expect(new Set(centroids.map((c) => c.join(','))).size).toBe(300);
  });

  it('finds the nearest centroid exactly, as brute force does, on 2,000 random points', () => {
    const archive = createCvtArchive(options, { rng: SeededRng.fromSeed(7) });
    const { centroids } = archive.geometry();
    const rng = rngFromSeed('queries');
    for (let i = 0; i < 2_000; i++) {
      const point = [-1 + 2 * rng(), 10 * rng()];
      expect(archive.cellOf(point)).toBe(bruteForce(centroids, point));
    }
  });

  it('clips descriptors into the box before the lookup', () => {
    const archive = createCvtArchive(options, { rng: SeededRng.fromSeed(7) });
    expect(archive.cellOf([5, -3])).toBe(archive.cellOf([1, 0]));
    expect(archive.cellOf([-Infinity, Infinity])).toBe(archive.cellOf([-1, 10]));
    expect(() => archive.cellOf([0])).toThrow(/cvt archive expects 2 descriptors \(x, y\), got 1/);
    expect(() => archive.cellOf([0, NaN])).toThrow(/descriptor 1 \("y"\) is NaN/);
  });

  it('restores identical cells from its geometry, with no rng', () => {
    const archive = createCvtArchive(options, { rng: SeededRng.fromSeed(3) });
    const saved = JSON.parse(JSON.stringify(archive.geometry())) as CvtGeometry;
    const restored = createCvtArchive(options, { geometry: saved });
    expect(restored.geometry()).toEqual(archive.geometry());
    const rng = rngFromSeed('restore');
    for (let i = 0; i < 1_000; i++) {
      const point = [-1.2 + 2.4 * rng(), -1 + 12 * rng()];
      expect(restored.cellOf(point)).toBe(archive.cellOf(point));
    }
  });

  it('refuses a geometry that does not match the options, or no source of centroids', () => {
    const geometry = createCvtArchive(options, { rng: SeededRng.fromSeed(3) }).geometry();
    expect(() => createCvtArchive({ ...options, cells: 200 }, { geometry })).toThrow(ConfigError);
    expect(() => createCvtArchive({ ...options, dims: [dims[0]!, { ...dims[1]!, max: 11 }] }, { geometry })).toThrow(
      /geometry \(300 cells over x \[-1, 1\] × y \[0, 10\]\) does not match the config \(300 cells over x \[-1, 1\] × y \[0, 11\]\)/,
    );
    expect(() => createCvtArchive(options, { geometry: { type: 'grid', dims } })).toThrow(/not a cvt geometry/);
    expect(() => createCvtArchive(options, {})).toThrow(/needs an rng/);
    expect(() => createCvtArchive({ ...options, dims: [] }, { rng: SeededRng.fromSeed(1) })).toThrow(ConfigError);
  });
});

describe('cvt centroids', () => {
  it('splits a square into its four quadrants for k = 4', () => {
    const flat = cvtCentroids(
      [
        { min: 0, max: 1 },
        { min: 0, max: 1 },
      ],
      4,
      rngFromSeed('quadrants'),
    );
    const points = [0, 1, 2, 3].map((c) => [flat[2 * c]!, flat[2 * c + 1]!].map((v) => Math.round(v * 4) / 4));
    expect(points.map((p) => p.join(',')).sort()).toEqual(['0.25,0.25', '0.25,0.75', '0.75,0.25', '0.75,0.75']);
  });

  it('defaults to max(25,000, 2k) samples and needs at least k', () => {
    expect(defaultSampleCount(1_000)).toBe(25_000);
    expect(defaultSampleCount(10_000)).toBe(25_000);
    expect(defaultSampleCount(20_000)).toBe(40_000);
    expect(() => cvtCentroids([{ min: 0, max: 1 }], 10, rngFromSeed('x'), { samples: 9 })).toThrow(
      /at least 10 samples, got 9/,
    );
    expect(() => cvtCentroids([{ min: 0, max: 1 }], 0, rngFromSeed('x'))).toThrow(/positive whole number of cells/);
  });

  it('fits many dims with the linear-scan path', () => {
    const box = Array.from({ length: 8 }, () => ({ min: 0, max: 1 }));
    const flat = cvtCentroids(box, 40, rngFromSeed('8d'), { samples: 800 });
    expect(flat).toHaveLength(320);
    for (const v of flat) expect(v >= 0 && v <= 1).toBe(true);
    expect(createNearestLookup(flat, 8)).toBeInstanceOf(LinearScan);
    expect(createNearestLookup(flat.subarray(0, 6 * 40), 6)).toBeInstanceOf(KdTree);
  });

  it.each([1, 2, 3, 5, 8])('KD-tree and linear scan agree in %i dims', (d) => {
    const rng = rngFromSeed(`tree ${d}`);
    const points = Float64Array.from({ length: 500 * d }, () => rng());
    const tree = new KdTree(points, d);
    const scan = new LinearScan(points, d);
    const query = new Float64Array(d);
    for (let i = 0; i < 2_000; i++) {
      for (let j = 0; j < d; j++) query[j] = 1.4 * rng() - 0.2;
      expect(tree.nearest(query)).toBe(scan.nearest(query));
    }
  });

  it('breaks distance ties towards the lowest index', () => {
    // A 5×5 lattice (duplicated, so every point has a twin) queried at half-integers, where ties are exact.
    const lattice: number[] = [];
    for (let copy = 0; copy < 2; copy++) for (let x = 0; x < 5; x++) for (let y = 0; y < 5; y++) lattice.push(x, y);
    const points = Float64Array.from(lattice);
    const tree = new KdTree(points, 2);
    const scan = new LinearScan(points, 2);
    const nested = Array.from({ length: 50 }, (_, i) => [lattice[2 * i]!, lattice[2 * i + 1]!]);
    for (let x = -0.5; x <= 4.5; x += 0.5) {
      for (let y = -0.5; y <= 4.5; y += 0.5) {
        const expected = bruteForce(nested, [x, y]);
        expect(expected).toBeLessThan(25);
        expect(tree.nearest([x, y])).toBe(expected);
        expect(scan.nearest([x, y])).toBe(expected);
      }
    }
  });
});
