// sparsity-nm space: K of M kept in every group and canonical genomes after long mutation/crossover runs, untouched
// parents, boundary swaps, swap-count bias, keys that depend only on the mask, decoding, options.
import { describe, expect, it } from 'vitest';
import { rngFromSeed } from '../../core/rng.js';
import type { Space } from '../../core/types.js';
import {
  createSparsityNmSpace,
  forEachSwap,
  keptRanks,
  spaces,
  type NmGenome,
  type SparsityNmOptionsInput,
  type SparsityNmSpace,
} from '../../spaces/index.js';
import { spaceContract } from '../../testing/space.js';

const popcount = (x: number): number =>
  x
    .toString(2)
    .split('')
    .filter((b) => b === '1').length;
const snapshot = (space: SparsityNmSpace, g: NmGenome): string => JSON.stringify(space.encode(g));

/** What breaks the space's invariants in `g` (K of M kept, sorted, in range, no base entries), or undefined. */
function problem(space: SparsityNmSpace, g: NmGenome): string | undefined {
  if (g.length !== space.layers.length) return `${g.length} layers`;
  for (let l = 0; l < g.length; l++) {
    const { groups, kept } = g[l]!;
    if (!(groups instanceof Uint32Array) || !(kept instanceof Uint8Array) || groups.length !== kept.length)
      return `layer ${l}: bad arrays`;
    for (let i = 0; i < groups.length; i++) {
      if (i > 0 && groups[i]! <= groups[i - 1]!) return `layer ${l}: groups not strictly increasing at ${i}`;
      if (groups[i]! >= space.groupCounts[l]!) return `layer ${l}: group ${groups[i]} out of range`;
      if (kept[i]! >= 1 << space.m || popcount(kept[i]!) !== space.kept)
        return `layer ${l}: group ${groups[i]} keeps ${kept[i]!.toString(2)}`;
      if (kept[i] === space.baseKept) return `layer ${l}: group ${groups[i]} equals the base (not canonical)`;
    }
  }
  return undefined;
}

/** The swap the boundary rule makes: weakest (highest) kept rank out, strongest (lowest) pruned rank in. */
function boundarySwap(kept: number, m: number): number {
  const pruned = ((1 << m) - 1) & ~kept;
  return kept ^ (1 << (31 - Math.clz32(kept))) ^ (pruned & -pruned);
}

const layersA = [
  { name: 'a.q', dOut: 4, dIn: 8 },
  { name: 'a.up', dOut: 16, dIn: 8 },
  { name: 'a.down', dOut: 8, dIn: 16 },
];

const optionSets: SparsityNmOptionsInput[] = [
  { pattern: '2:4', layers: layersA },
  { pattern: '1:4', layers: layersA, maxSwaps: 4 },
  { pattern: '3:4', layers: layersA, boundaryBias: 0 },
  { pattern: '4:8', layers: layersA, boundaryBias: 1 },
  { pattern: '7:8', layers: layersA, maxSwaps: 3 },
  { pattern: '1:2', model: 'tiny' },
  { pattern: '2:4', model: 'default', maxSwaps: 64 },
];

describe('sparsity-nm space', () => {
  it.each(optionSets)(
    'mutations and crossovers keep K of M per group, stay canonical and never edit parents (%o)',
    (options) => {
      const space = createSparsityNmSpace(options);
      const rng = rngFromSeed(`nm-chain/${JSON.stringify(options)}`);
      const pool: NmGenome[] = [space.sample(rng)];
      let largest = 0;
      for (let t = 0; t < 4_000; t++) {
        const a = pool[Math.floor(rng() * pool.length)]!;
        const b = pool[Math.floor(rng() * pool.length)]!;
        const [sa, sb] = [snapshot(space, a), snapshot(space, b)];
        const child = t % 4 === 3 ? space.crossover(a, b, rng) : space.mutate(a, rng);
        const wrong =
          snapshot(space, a) !== sa || snapshot(space, b) !== sb
            ? 'a parent was edited'
            : child === a || child === b
              ? 'child is a parent'
              : problem(space, child);
        if (wrong) expect.fail(`step ${t}: ${wrong}`);
        largest = Math.max(largest, space.swapCount(child));
        if (pool.length < 64) pool.push(child);
        else pool[Math.floor(rng() * pool.length)] = child;
      }
      expect(largest).toBeGreaterThan(space.kept === 1 && space.m === 2 ? 10 : 20); // the pool did move away from the base
    },
  );

  it('sample is the base mask; a mutation always changes the mask', () => {
    const space = createSparsityNmSpace({ pattern: '2:4', layers: layersA });
    const rng = rngFromSeed('nm-sample');
    const base = space.sample(rng);
    expect(space.swapCount(base)).toBe(0);
    expect(space.encode(base)).toEqual([[], [], []]);
    for (let t = 0; t < 500; t++) expect(space.key(space.mutate(base, rng))).not.toBe(space.key(base));
  });

  it('mutation changes min(U{1..maxSwaps}, U{1..maxSwaps}) distinct groups, uniform over all groups of all layers', () => {
    const space = createSparsityNmSpace({
      pattern: '2:4',
      layers: [
        { name: 'small', dOut: 100, dIn: 40 },
        { name: 'big', dOut: 300, dIn: 40 },
      ],
      maxSwaps: 4,
    });
    const rng = rngFromSeed('nm-count');
    const base = space.sample(rng);
    const counts = [0, 0, 0, 0, 0];
    let inSmall = 0;
    let all = 0;
    const draws = 20_000;
    for (let t = 0; t < draws; t++) {
      const child = space.mutate(base, rng);
      counts[space.swapCount(child)]!++;
      inSmall += child[0]!.groups.length;
      all += space.swapCount(child);
    }
    [7 / 16, 5 / 16, 3 / 16, 1 / 16].forEach((p, j) =>
      expect(Math.abs(counts[j + 1]! / draws - p)).toBeLessThan(0.015),
    );
    expect(Math.abs(inSmall / all - 0.25)).toBeLessThan(0.015); // 1000 of 4000 groups
    const one = createSparsityNmSpace({ pattern: '1:2', layers: [{ name: 'x', dOut: 1, dIn: 2 }], maxSwaps: 16 });
    expect(one.swapCount(one.mutate(one.sample(rng), rng))).toBe(1); // capped at the number of groups
  });

  it('boundaryBias 1 only makes boundary swaps; 0 makes others too; 0.5 mixes', () => {
    for (const pattern of ['2:4', '1:4', '3:8', '5:8']) {
      const space = createSparsityNmSpace({ pattern, layers: layersA, boundaryBias: 1 });
      const rng = rngFromSeed(`nm-boundary/${pattern}`);
      let g = space.sample(rng);
      for (let t = 0; t < 1_000; t++) {
        const child = space.mutate(g, rng);
        let changed = 0;
        space.groupCounts.forEach((count, l) => {
          for (let group = 0; group < count; group++) {
            const before = keptRanks(g, l, group, space.kept);
            const after = keptRanks(child, l, group, space.kept);
            if (before === after) continue;
            changed++;
            if (after !== boundarySwap(before, space.m))
              expect.fail(`${pattern} step ${t}: ${before.toString(2)} → ${after.toString(2)}`);
          }
        });
        if (changed < 1 || changed > 16) expect.fail(`${pattern} step ${t}: ${changed} groups changed`);
        g = child;
      }
    }
    // From the base mask: boundary swaps give exactly one state per group; uniform swaps give K·N (2:4 → 4).
    const fromBase = (boundaryBias: number): Map<number, number> => {
      const space = createSparsityNmSpace({ pattern: '2:4', layers: layersA, boundaryBias, maxSwaps: 1 });
      const rng = rngFromSeed(`nm-from-base/${boundaryBias}`);
      const seen = new Map<number, number>();
      for (let t = 0; t < 20_000; t++)
        forEachSwap(space.mutate(space.sample(rng), rng), (_l, _g, kept) => seen.set(kept, (seen.get(kept) ?? 0) + 1));
      return seen;
    };
    expect([...fromBase(1).keys()]).toEqual([0b101]);
    expect(fromBase(0).size).toBe(4);
    const mixed = fromBase(0.5);
    expect(Math.abs(mixed.get(0b101)! / 20_000 - (0.5 + 0.5 / 4))).toBeLessThan(0.015);
  });

  it('keys depend only on the mask: different paths to the same mask share a key, different masks do not', () => {
    const space = createSparsityNmSpace({
      pattern: '2:4',
      layers: [
        { name: 'x', dOut: 1, dIn: 8 },
        { name: 'y', dOut: 1, dIn: 4 },
      ],
      maxSwaps: 2,
    });
    const maskOf = (g: NmGenome): string =>
      space.groupCounts.map((c, l) => Array.from({ length: c }, (_, gr) => keptRanks(g, l, gr, 2)).join('.')).join('|');
    const keyOfMask = new Map<string, string>();
    const maskOfKey = new Map<string, string>();
    const paths = new Map<string, Set<string>>(); // mask → distinct parent keys it was reached from
    for (const seed of ['p1', 'p2', 'p3']) {
      const rng = rngFromSeed(seed);
      let g = space.sample(rng);
      for (let t = 0; t < 3_000; t++) {
        const from = space.key(g);
        g = t % 7 === 6 ? space.crossover(g, space.mutate(space.sample(rng), rng), rng) : space.mutate(g, rng);
        const mask = maskOf(g);
        const key = space.key(g);
        expect(keyOfMask.get(mask) ?? key).toBe(key);
        expect(maskOfKey.get(key) ?? mask).toBe(mask);
        keyOfMask.set(mask, key);
        maskOfKey.set(key, mask);
        paths.set(mask, (paths.get(mask) ?? new Set()).add(from));
      }
    }
    expect(keyOfMask.size).toBeGreaterThan(200); // nearly all 6³ masks of the three groups were reached…
    expect([...paths.values()].filter((p) => p.size > 1).length).toBeGreaterThan(100); // …most by several paths
    // A swap and its undo give back the base, canonically (an empty list), with the base key.
    const one = createSparsityNmSpace({ pattern: '2:4', layers: [{ name: 'x', dOut: 1, dIn: 4 }], boundaryBias: 1 });
    const rng = rngFromSeed('undo');
    const base = one.sample(rng);
    const back = one.mutate(one.mutate(base, rng), rng);
    expect(back[0]!.groups.length).toBe(0);
    expect(one.key(back)).toBe(one.key(base));
    // The same swap in another layer is another mask.
    const two = createSparsityNmSpace({
      pattern: '2:4',
      layers: [
        { name: 'x', dOut: 1, dIn: 4 },
        { name: 'y', dOut: 1, dIn: 4 },
      ],
    });
    expect(two.key(two.decode([[0, 5], []]))).not.toBe(two.key(two.decode([[], [0, 5]])));
  });

  it('crossover takes each layer whole from one parent', () => {
    const space = createSparsityNmSpace({ pattern: '2:4', layers: layersA, maxSwaps: 8 });
    const rng = rngFromSeed('nm-crossover');
    const a = space.mutate(space.sample(rng), rng);
    const b = space.mutate(space.mutate(space.sample(rng), rng), rng);
    const fromA = [0, 0, 0];
    for (let t = 0; t < 2_000; t++) {
      const c = space.crossover(a, b, rng);
      c.forEach((layer, l) => {
        const first = (g: typeof c): unknown => (space.encode(g) as unknown[])[0];
        const sl = JSON.stringify(first([layer]));
        const [ea, eb] = [JSON.stringify(first([a[l]!])), JSON.stringify(first([b[l]!]))];
        expect(sl === ea || sl === eb).toBe(true);
        if (layer === a[l]) fromA[l]!++;
      });
    }
    for (const n of fromA) expect(Math.abs(n / 2_000 - 0.5)).toBeLessThan(0.05);
  });

  it('keptRanks and forEachSwap read the genome; describe summarises it', () => {
    const space = createSparsityNmSpace({ pattern: '2:4', layers: layersA });
    const g = space.decode([[1, 0b0101, 6, 0b1100], [], [3, 0b1010]]);
    expect(keptRanks(g, 0, 0, 2)).toBe(0b0011);
    expect(keptRanks(g, 0, 1, 2)).toBe(0b0101);
    expect(keptRanks(g, 0, 6, 2)).toBe(0b1100);
    expect(keptRanks(g, 1, 6, 2)).toBe(0b0011);
    expect(keptRanks(g, 2, 3, 2)).toBe(0b1010);
    expect(() => keptRanks(g, 3, 0, 2)).toThrow(/no layer 3/);
    const seen: number[][] = [];
    forEachSwap(g, (layer, group, kept) => seen.push([layer, group, kept]));
    expect(seen).toEqual([
      [0, 1, 5],
      [0, 6, 12],
      [2, 3, 10],
    ]);
    expect(space.describe(g)).toBe('2:4, 3 groups swapped (a.q 2, a.down 1)');
    expect(space.describe(space.sample(rngFromSeed('x')))).toBe('2:4, base mask (0 groups swapped)');
    expect(space.groupCounts).toEqual([8, 32, 32]);
    expect([space.n, space.m, space.kept, space.baseKept]).toEqual([2, 4, 2, 0b11]);
  });

  it('decode round-trips and rejects bad input with a message', () => {
    const space = createSparsityNmSpace({ pattern: '2:4', layers: layersA });
    const rng = rngFromSeed('nm-decode');
    let g = space.sample(rng);
    for (let t = 0; t < 20; t++) g = space.mutate(g, rng);
    const back = space.decode(JSON.parse(JSON.stringify(space.encode(g))));
    expect(space.key(back)).toBe(space.key(g));
    expect(back).toEqual(g);
    expect(() => space.decode({})).toThrow(/expected an array of 3 per-layer .* got a value of type object/);
    expect(() => space.decode([[], []])).toThrow(/expected 3 layers, got 2/);
    expect(() => space.decode([[], 'x', []])).toThrow(
      /layer 1 \(a\.up\): expected a flat \[group, kept, …\] array, got a value of type string/,
    );
    expect(() => space.decode([[1], [], []])).toThrow(/layer 0 \(a\.q\): odd length 1/);
    expect(() => space.decode([[8, 5], [], []])).toThrow(
      /layer 0 \(a\.q\): entry 0: group 8 is not an integer in \[0, 8\)/,
    );
    expect(() => space.decode([[-1, 5], [], []])).toThrow(/group -1 is not an integer/);
    expect(() => space.decode([[1.5, 5], [], []])).toThrow(/group 1.5 is not an integer/);
    expect(() => space.decode([[3, 5, 2, 6], [], []])).toThrow(
      /entry 1: group 2 does not follow 3; groups must be strictly increasing/,
    );
    expect(() => space.decode([[3, 5, 3, 6], [], []])).toThrow(/group 3 does not follow 3/);
    expect(() => space.decode([[], [], [0, 7]])).toThrow(
      /layer 2 \(a\.down\): entry 0 \(group 0\): kept mask 7 must be an integer in \[0, 15\] with 2 bits set/,
    );
    expect(() => space.decode([[], [], [0, 0b110000]])).toThrow(/kept mask 48 must be/);
    expect(() => space.decode([[], [], [0, '5']])).toThrow(/kept mask "5" must be/);
    expect(() => space.decode([[0, 3], [], []])).toThrow(/kept mask 3 equals the base mask; base groups are left out/);
  });

  it('options: pattern, exactly one of model/layers, M must divide every layer, strict keys', () => {
    const create = (o: Record<string, unknown>): unknown => spaces['sparsity-nm'].create(o, undefined);
    expect(() => create({ pattern: '2:4' })).toThrow(/exactly one of `layers`.*not neither/);
    expect(() => create({ pattern: '2:4', model: 'tiny', layers: layersA })).toThrow(/not both/);
    for (const pattern of ['4:4', '0:4', '2:16', '5:3', '2-4', 'unstructured'])
      expect(() => create({ pattern, model: 'tiny' }), pattern).toThrow(/N:M/);
    expect(() => create({ pattern: '2:3', model: 'tiny' })).toThrow(
      /layer block0\.q: M = 3 does not divide its 32 inputs/,
    );
    expect(() =>
      create({
        pattern: '2:4',
        layers: [
          { name: 'ok', dOut: 2, dIn: 8 },
          { name: 'odd', dOut: 2, dIn: 6 },
        ],
      }),
    ).toThrow(/layer odd: M = 4 does not divide its 6 inputs/);
    expect(() =>
      create({
        pattern: '2:4',
        layers: [
          { name: 'x', dOut: 2, dIn: 8 },
          { name: 'x', dOut: 2, dIn: 8 },
        ],
      }),
    ).toThrow(/layer name .*x.* is repeated/);
    expect(() => create({ pattern: '2:4', layers: [{ name: 'x', dOut: 2, dIn: 8, bias: true }] })).toThrow(/bias/);
    expect(() => create({ pattern: '2:4', model: 'tiny', boundaryBias: 1.5 })).toThrow();
    expect(() => create({ pattern: '2:4', model: 'tiny', maxSwaps: 0 })).toThrow();
    const tiny = create({ pattern: '2:4', model: 'tiny' }) as SparsityNmSpace;
    expect(tiny.layers.map((l) => l.name).slice(0, 6)).toEqual([
      'block0.q',
      'block0.k',
      'block0.v',
      'block0.o',
      'block0.up',
      'block0.down',
    ]);
    expect(tiny.groupCounts.slice(0, 6)).toEqual([256, 256, 256, 256, 512, 512]);
    expect((create({ pattern: '3:8', model: 'default' }) as SparsityNmSpace).kept).toBe(5);
  });
});

for (const options of [
  { pattern: '2:4', layers: layersA },
  { pattern: '1:4', model: 'tiny', maxSwaps: 4, boundaryBias: 0 },
  { pattern: '4:8', model: 'default' },
]) {
  spaceContract(
    `sparsity-nm ${JSON.stringify(options)}`,
    () => spaces['sparsity-nm'].create(options, undefined) as Space<unknown>,
  );
}
