// sparsity-levels space: the budget (sum 0) and bounds survive long mutation chains, EvoPress' flip-count bias,
// crossover on switch paths, determinism, decoding, options.
import { describe, expect, it } from 'vitest';
import { rngFromSeed } from '../../core/rng.js';
import type { Space } from '../../core/types.js';
import {
  createSparsityLevelsSpace,
  levelSwitchDistance,
  spaces,
  totalDeviation,
  type LevelGenome,
  type SparsityLevelsOptionsInput,
  type SparsityLevelsSpace,
} from '../../spaces/index.js';
import { minOfTwoUniform } from '../../spaces/sparsity/index.js';
import { spaceContract } from '../../testing/space.js';

const sum = (g: LevelGenome): number => g.reduce((s, v) => s + v, 0);

/** What is wrong with `g` in `space`, or undefined (cheap enough for 10,000-step chains). */
function problem(space: SparsityLevelsSpace, g: LevelGenome): string | undefined {
  const where = `[${g.join(',')}]`;
  if (g.length !== space.layers) return `${where}: length ${g.length}`;
  if (!g.every((v) => Number.isInteger(v) && Math.abs(v) <= space.maxLevel)) return `${where}: level out of bounds`;
  if (sum(g) !== 0) return `${where}: sum ${sum(g)}`;
  if (totalDeviation(g) > space.maxTotalDeviation) return `${where}: deviation ${totalDeviation(g)}`;
  return undefined;
}

function checkGenome(space: SparsityLevelsSpace, g: LevelGenome): void {
  expect(problem(space, g)).toBeUndefined();
}

const optionSets: SparsityLevelsOptionsInput[] = [
  { layers: 2, maxLevel: 1 },
  { layers: 3, maxLevel: 2 },
  { layers: 7, maxLevel: 3, maxTotalDeviation: 6 },
  { layers: 40, maxLevel: 8, maxTotalDeviation: 2 },
  { model: 'tiny' },
  { model: 'default', maxLevel: 4, maxTotalDeviation: 12, initialFlips: 5 },
];

describe('sparsity-levels space', () => {
  it.each(optionSets)('10,000 chained mutations keep sum 0, bounds and maxTotalDeviation (%o)', (options) => {
    for (const seed of ['a', 'b', 'c']) {
      const space = createSparsityLevelsSpace(options);
      const rng = rngFromSeed(`levels-chain/${seed}`);
      let parent = space.sample(rng);
      checkGenome(space, parent);
      let maxDev = 0;
      let maxAbs = 0;
      for (let t = 0; t < 10_000; t++) {
        const before = parent.join(',');
        const child = space.mutate(parent, rng);
        const wrong =
          parent.join(',') !== before
            ? 'mutate edited its parent'
            : child === parent || child.join(',') === before
              ? 'offspring equal to the parent'
              : problem(space, child);
        if (wrong) expect.fail(`step ${t}: ${wrong}`);
        maxDev = Math.max(maxDev, totalDeviation(child));
        maxAbs = Math.max(maxAbs, ...child.map(Math.abs));
        parent = child;
      }
      // The walk really presses against the limits, so the checks above were tested where they bind.
      expect(maxAbs).toBe(Math.min(space.maxLevel, Math.floor(space.maxTotalDeviation / 2)));
      if (space.maxTotalDeviation < space.maxLevel * space.layers) expect(maxDev).toBe(space.maxTotalDeviation);
    }
  });

  it('num_flips = min(U{1..3}, U{1..3}): P(1) = 5/9, P(2) = 3/9, P(3) = 1/9', () => {
    const rng = rngFromSeed('flip-count');
    const counts = [0, 0, 0, 0];
    const draws = 90_000;
    for (let t = 0; t < draws; t++) counts[minOfTwoUniform(rng, 3)]!++;
    expect(counts[0]).toBe(0);
    expect(Math.abs(counts[1]! / draws - 5 / 9)).toBeLessThan(0.01);
    expect(Math.abs(counts[2]! / draws - 3 / 9)).toBeLessThan(0.01);
    expect(Math.abs(counts[3]! / draws - 1 / 9)).toBeLessThan(0.01);
  });

  it('mutation from uniform takes 1, 2, 3 switches with probabilities 5/9, 3/9, 1/9 (many layers: no cancellation)', () => {
    const space = createSparsityLevelsSpace({ layers: 1000 });
    const rng = rngFromSeed('flip-count-mutate');
    const parent = space.sample(rng);
    const counts = [0, 0, 0, 0];
    const draws = 20_000;
    for (let t = 0; t < draws; t++) counts[Math.min(3, levelSwitchDistance(parent, space.mutate(parent, rng)))]!++;
    expect(counts[0]).toBe(0);
    expect(Math.abs(counts[1]! / draws - 5 / 9)).toBeLessThan(0.015);
    expect(Math.abs(counts[2]! / draws - 3 / 9)).toBeLessThan(0.015);
    expect(Math.abs(counts[3]! / draws - 1 / 9)).toBeLessThan(0.015);
  });

  it('a single switch lowers one layer and raises another, uniformly over ordered pairs', () => {
    const space = createSparsityLevelsSpace({ layers: 4 });
    const rng = rngFromSeed('pairs');
    const parent = space.sample(rng);
    const pairs = new Map<string, number>();
    let singles = 0;
    for (let t = 0; t < 30_000; t++) {
      const child = space.mutate(parent, rng);
      if (levelSwitchDistance(parent, child) !== 1) continue;
      singles++;
      const pair = `${child.indexOf(-1)}>${child.indexOf(1)}`;
      pairs.set(pair, (pairs.get(pair) ?? 0) + 1);
    }
    expect(pairs.size).toBe(12); // 4·3 ordered pairs of distinct layers
    for (const n of pairs.values()) expect(Math.abs(n / singles - 1 / 12)).toBeLessThan(0.01);
  });

  it('offspring follow the exact EvoPress distribution (bounds binding, distinct layers, redraws)', () => {
    // Exact law by enumeration: k ~ min(U,U) flips; each −1 on a uniform layer that can go down, +1 on a uniform
    // other layer that can go up; offspring equal to the parent or above maxTotalDeviation are redrawn.
    const L = 1;
    const D = 4;
    const exact = (parent: number[]): Map<string, number> => {
      const law = new Map<string, number>();
      const walk = (g: number[], left: number, p: number): void => {
        if (left === 0) return void law.set(g.join(','), (law.get(g.join(',')) ?? 0) + p);
        const downs = g.flatMap((v, i) => (v - 1 >= -L ? [i] : []));
        for (const d of downs) {
          const ups = g.flatMap((v, j) => (j !== d && v + 1 <= L ? [j] : []));
          for (const u of ups) {
            const c = g.slice();
            c[d]!--;
            c[u]!++;
            walk(c, left - 1, p / downs.length / ups.length);
          }
        }
      };
      [5 / 9, 3 / 9, 1 / 9].forEach((p, k) => walk(parent, k + 1, p));
      law.delete(parent.join(','));
      for (const key of law.keys()) if (totalDeviation(key.split(',').map(Number)) > D) law.delete(key);
      const total = [...law.values()].reduce((s, p) => s + p, 0);
      for (const [key, p] of law) law.set(key, p / total);
      return law;
    };
    const space = createSparsityLevelsSpace({ layers: 4, maxLevel: L, maxTotalDeviation: D });
    const rng = rngFromSeed('exact-law');
    for (const parent of [
      [0, 0, 0, 0],
      [1, -1, 0, 0],
      [1, 1, -1, -1],
    ]) {
      const law = exact(parent);
      const seen = new Map<string, number>();
      const draws = 40_000;
      for (let t = 0; t < draws; t++) {
        const key = space.key(space.mutate(parent, rng));
        seen.set(key, (seen.get(key) ?? 0) + 1);
      }
      expect([...seen.keys()].sort()).toEqual([...law.keys()].sort());
      for (const [key, p] of law) expect(Math.abs(seen.get(key)! / draws - p), `${parent} → ${key}`).toBeLessThan(0.01);
    }
  });

  it('at a tight maxTotalDeviation the fallback still yields a valid, different offspring', () => {
    const space = createSparsityLevelsSpace({ layers: 200, maxLevel: 8, maxTotalDeviation: 2 });
    const parent = space.decode([1, -1, ...new Array<number>(198).fill(0)]);
    const rng = rngFromSeed('tight');
    for (let t = 0; t < 500; t++) {
      const child = space.mutate(parent, rng);
      checkGenome(space, child);
      expect(child.join(',')).not.toBe(parent.join(','));
    }
  });

  it('sample: uniform with initialFlips 0, a walk of that many switches otherwise', () => {
    const uniform = createSparsityLevelsSpace({ layers: 6 });
    expect(uniform.sample(rngFromSeed('s'))).toEqual([0, 0, 0, 0, 0, 0]);
    const walked = createSparsityLevelsSpace({ layers: 30, initialFlips: 3 });
    const rng = rngFromSeed('walk');
    const distances = new Set<number>();
    for (let t = 0; t < 200; t++) {
      const g = walked.sample(rng);
      checkGenome(walked, g);
      distances.add(totalDeviation(g) / 2);
    }
    expect([...distances].every((d) => d >= 1 && d <= 3)).toBe(true);
    expect(distances.has(3)).toBe(true);
    const capped = createSparsityLevelsSpace({ layers: 30, initialFlips: 50, maxTotalDeviation: 4 });
    for (let t = 0; t < 50; t++) checkGenome(capped, capped.sample(rng));
  });

  it('is deterministic for a seed and differs across seeds', () => {
    const run = (seed: string): string[] => {
      const space = createSparsityLevelsSpace({ model: 'tiny', initialFlips: 2 });
      const rng = rngFromSeed(seed);
      let g = space.sample(rng);
      const keys: string[] = [];
      for (let t = 0; t < 200; t++) {
        g = t % 5 === 4 ? space.crossover(g, space.sample(rng), rng) : space.mutate(g, rng);
        keys.push(space.key(g));
      }
      return keys;
    };
    expect(run('det')).toEqual(run('det'));
    expect(run('det')).not.toEqual(run('other'));
  });

  it('crossover keeps the budget and lies on a shortest switch path between the parents', () => {
    for (const options of optionSets) {
      const space = createSparsityLevelsSpace(options);
      const rng = rngFromSeed(`crossover/${JSON.stringify(options)}`);
      const pool: LevelGenome[] = [space.sample(rng)];
      for (let t = 0; t < 60; t++) pool.push(space.mutate(pool[randomIndex(rng, pool.length)]!, rng));
      let strict = 0;
      for (let t = 0; t < 2_000; t++) {
        const a = pool[randomIndex(rng, pool.length)]!;
        const b = pool[randomIndex(rng, pool.length)]!;
        const [sa, sb] = [a.join(','), b.join(',')];
        const c = space.crossover(a, b, rng);
        expect([a.join(','), b.join(',')]).toEqual([sa, sb]);
        expect(c).not.toBe(a);
        checkGenome(space, c);
        c.forEach((v, i) => {
          expect(v).toBeGreaterThanOrEqual(Math.min(a[i]!, b[i]!));
          expect(v).toBeLessThanOrEqual(Math.max(a[i]!, b[i]!));
        });
        expect(levelSwitchDistance(a, c) + levelSwitchDistance(c, b)).toBe(levelSwitchDistance(a, b));
        if (c.join(',') !== sa && c.join(',') !== sb) strict++;
        if (t % 10 === 0) pool.push(c);
      }
      expect(strict).toBeGreaterThan(100); // it mixes, not just copies a parent
    }
    const space = createSparsityLevelsSpace({ layers: 5 });
    const g = space.decode([2, -1, 0, 0, -1]);
    expect(space.crossover(g, g, rngFromSeed('same'))).toEqual([2, -1, 0, 0, -1]);
  });

  it('key, describe and encode are the level vector', () => {
    const space = createSparsityLevelsSpace({ layers: 4 });
    const g = space.decode([0, 1, -2, 1]);
    expect(space.key(g)).toBe('0,1,-2,1');
    expect(space.describe(g)).toBe('levels [0 +1 -2 +1]');
    expect(space.encode(g)).toEqual([0, 1, -2, 1]);
    expect(space.encode(g)).not.toBe(g);
    expect(space.key(space.decode([-0, 0, 0, 0]))).toBe('0,0,0,0');
  });

  it('decode round-trips and rejects bad input with a message', () => {
    const space = createSparsityLevelsSpace({ layers: 4, maxLevel: 2, maxTotalDeviation: 4 });
    const g: LevelGenome = [1, -1, -1, 1];
    expect(space.decode(JSON.parse(JSON.stringify(space.encode(g))))).toEqual(g);
    expect(() => space.decode('0,0,0,0')).toThrow(/expected an array of 4 integer levels, got a value of type string/);
    expect(() => space.decode([0, 0, 0])).toThrow(/expected 4 levels \(one per layer\), got 3/);
    expect(() => space.decode([0, 0.5, -0.5, 0])).toThrow(/level 1 is 0.5, not an integer/);
    expect(() => space.decode([0, '1', -1, 0])).toThrow(/level 1 is "1", not an integer/);
    expect(() => space.decode([3, -3, 0, 0])).toThrow(/level 0 is 3, outside \[-2, 2\]/);
    expect(() => space.decode([1, 0, 0, 0])).toThrow(/levels sum to 1; they must sum to 0/);
    expect(() => space.decode([2, 1, -1, -2])).toThrow(/total deviation .* = 6 exceeds maxTotalDeviation 4/);
    expect(space.decode([2, -1, -1, 0])).toEqual([2, -1, -1, 0]);
  });

  it('options: exactly one of layers/model, bounds, strict keys', () => {
    const schema = spaces['sparsity-levels'].options;
    expect(() => spaces['sparsity-levels'].create({}, undefined)).toThrow(/exactly one of `layers`.*not neither/);
    expect(() => spaces['sparsity-levels'].create({ layers: 12, model: 'tiny' }, undefined)).toThrow(
      /exactly one of `layers`.*not both/,
    );
    expect(schema.safeParse({ layers: 1 }).success).toBe(false);
    expect(schema.safeParse({ layers: 4, maxLevel: 0 }).success).toBe(false);
    expect(schema.safeParse({ layers: 4, maxTotalDeviation: 1 }).success).toBe(false);
    expect(schema.safeParse({ layers: 4, initialFlips: -1 }).success).toBe(false);
    expect(schema.safeParse({ model: 'huge' }).success).toBe(false);
    expect(schema.safeParse({ layers: 4, bogus: 1 }).success).toBe(false);
    const tiny = spaces['sparsity-levels'].create({ model: 'tiny' }, undefined) as SparsityLevelsSpace;
    expect(tiny.layers).toBe(12);
    expect(tiny.layerNames?.slice(0, 2)).toEqual(['block0.q', 'block0.k']);
    expect(tiny.maxLevel).toBe(8);
    expect(tiny.maxTotalDeviation).toBe(96);
  });
});

function randomIndex(rng: () => number, n: number): number {
  return Math.floor(rng() * n);
}

for (const options of [
  { layers: 12 },
  { model: 'tiny', maxTotalDeviation: 4, initialFlips: 3 },
  { layers: 3, maxLevel: 1, initialFlips: 1 },
]) {
  spaceContract(
    `sparsity-levels ${JSON.stringify(options)}`,
    () => spaces['sparsity-levels'].create(options, undefined) as Space<unknown>,
  );
}
