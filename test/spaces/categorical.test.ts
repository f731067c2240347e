// Categorical space: constraints hold after every operator, neighbour moves, keys, decoding and option errors.
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../core/errors.js';
import { rngFromSeed } from '../../core/rng.js';
import {
  createCategoricalSpace,
  spaces,
  type CategoricalGenome,
  type CategoricalOptionsInput,
} from '../../spaces/index.js';

const make = (options: CategoricalOptionsInput) => createCategoricalSpace(options);

const kernel = {
  params: {
    block_x: [16, 32, 64, 128, 256],
    block_y: [1, 2, 4, 8, 16],
    tile: [1, 2, 4],
    unroll: [true, false],
    layout: ['row', 'col'],
  },
  constraints: ['block_x * block_y <= 256', 'block_x * block_y >= 32', "layout === 'row' || tile > 1"],
};
const holds = (g: CategoricalGenome): boolean =>
  (g.block_x as number) * (g.block_y as number) <= 256 &&
  (g.block_x as number) * (g.block_y as number) >= 32 &&
  (g.layout === 'row' || (g.tile as number) > 1);

describe('categorical space', () => {
  it('constraints hold after sample, mutate and crossover', () => {
    const space = make(kernel);
    const rng = rngFromSeed('cat-constraints');
    const pool = Array.from({ length: 200 }, () => space.sample(rng));
    expect(pool.every(holds)).toBe(true);
    for (let t = 0; t < 3_000; t++) {
      const a = pool[t % pool.length]!;
      const b = pool[(t * 7 + 3) % pool.length]!;
      const m = space.mutate(a, rng);
      const c = space.crossover(a, b, rng);
      expect(holds(m), space.describe(m)).toBe(true);
      expect(holds(c), space.describe(c)).toBe(true);
      expect(space.isValid(m) && space.isValid(c)).toBe(true);
      pool[t % pool.length] = m;
    }
  });

  it('mutate changes at least one parameter, and usually one', () => {
    const space = make({ params: { a: [1, 2, 3], b: ['x', 'y'], c: [true, false], d: [0.1, 0.2] } });
    const rng = rngFromSeed('cat-changes');
    const parent = space.sample(rng);
    const counts = [0, 0, 0, 0, 0];
    for (let t = 0; t < 4_000; t++) {
      const child = space.mutate(parent, rng);
      counts[Object.keys(parent).filter((k) => child[k] !== parent[k]).length]!++;
    }
    expect(counts[0]).toBe(0);
    expect(counts[1]! / 4_000).toBeGreaterThan(0.6);
  });

  it('neighbour moves are ±1 index for numeric lists; other moves are uniform over the other values', () => {
    const values = [1, 2, 4, 8, 16, 32, 64];
    const neighbour = make({ params: { v: values }, mutation: { neighbourRate: 1 } });
    const rng = rngFromSeed('cat-neighbour');
    const steps = new Map<number, number>();
    for (let t = 0; t < 3_000; t++) {
      const from = values[t % values.length]!;
      const to = neighbour.mutate({ v: from }, rng).v as number;
      const step = values.indexOf(to) - values.indexOf(from);
      steps.set(step, (steps.get(step) ?? 0) + 1);
    }
    expect([...steps.keys()].sort()).toEqual([-1, 1]);

    const uniform = make({ params: { v: values }, mutation: { neighbourRate: 0 } });
    const seen = new Map<number, number>();
    for (let t = 0; t < 6_000; t++) {
      const to = uniform.mutate({ v: 8 }, rng).v as number;
      seen.set(to, (seen.get(to) ?? 0) + 1);
    }
    expect(seen.has(8)).toBe(false);
    expect(seen.size).toBe(6);
    for (const n of seen.values()) expect(n).toBeGreaterThan(850); // ≈ 1000 each
  });

  it('string and boolean lists are not treated as ordered', () => {
    const space = make({ params: { s: ['a', 'b', 'c', 'd'] }, mutation: { neighbourRate: 1 } });
    const rng = rngFromSeed('cat-unordered');
    const seen = new Set<string>();
    for (let t = 0; t < 500; t++) seen.add(space.mutate({ s: 'a' }, rng).s as string);
    expect([...seen].sort()).toEqual(['b', 'c', 'd']);
  });

  it('size is the product of the value lists; params keep config order', () => {
    const space = make(kernel);
    expect(space.size()).toBe(5 * 5 * 3 * 2 * 2);
    expect(space.params).toEqual(['block_x', 'block_y', 'tile', 'unroll', 'layout']);
  });

  it('key ignores property order; describe follows param order', () => {
    const space = make(kernel);
    const g = { block_x: 32, block_y: 2, tile: 4, unroll: true, layout: 'col' };
    const reordered = { layout: 'col', unroll: true, tile: 4, block_y: 2, block_x: 32 };
    expect(space.key(reordered)).toBe(space.key(g));
    expect(space.key({ ...g, tile: 2 })).not.toBe(space.key(g));
    expect(space.describe(reordered)).toBe('block_x=32, block_y=2, tile=4, unroll=true, layout=col');
  });

  it('decode checks every value against the allowed values', () => {
    const space = make(kernel);
    const good = { block_x: 32, block_y: 2, tile: 4, unroll: true, layout: 'col' };
    expect(space.decode(good)).toEqual(good);
    expect(() => space.decode({ ...good, tile: 3 })).toThrow(/parameter "tile" is 3; allowed: 1, 2, 4/);
    expect(() => space.decode({ ...good, tile: '4' })).toThrow(/parameter "tile" is "4"/);
    const { layout: _, ...missing } = good;
    expect(() => space.decode(missing)).toThrow(/parameter "layout" is missing/);
    expect(() => space.decode({ ...good, extra: 1 })).toThrow(/unknown parameter "extra"/);
    expect(() => space.decode([1, 2])).toThrow(/expected an object with keys block_x, block_y/);
  });

  it('isValid reports values outside the lists and broken constraints', () => {
    const space = make(kernel);
    const g = { block_x: 32, block_y: 2, tile: 4, unroll: true, layout: 'col' };
    expect(space.isValid(g)).toBe(true);
    expect(space.isValid({ ...g, block_y: 16 })).toBe(false); // 32·16 > 256
    expect(space.isValid({ ...g, tile: 3 })).toBe(false);
  });

  it('sample throws, naming the constraints, when they cannot be met', () => {
    const space = make({ params: { a: [1, 2], b: [1, 2] }, constraints: ['a + b > 10'] });
    expect(() => space.sample(rngFromSeed('x'))).toThrow(/too tight or unsatisfiable: 'a \+ b > 10'/);
    expect(() => space.sample(rngFromSeed('x'))).toThrow(ConfigError);
  });

  it('mutate falls back to a copy of the parent when no valid change exists', () => {
    const space = make({ params: { a: [1, 2, 3] }, constraints: ['a === 2'] });
    const rng = rngFromSeed('cat-fallback');
    const parent = space.sample(rng);
    const child = space.mutate(parent, rng);
    expect(child).toEqual({ a: 2 });
    expect(child).not.toBe(parent);
  });

  it('a constraint that does not compile, or names an unknown parameter, is a config error naming it', () => {
    const schema = spaces.categorical.options;
    const broken = schema.safeParse({ params: { a: [1, 2] }, constraints: ['a > 0', 'a >>> ) 2'] });
    expect(broken.error?.issues).toMatchObject([
      { path: ['constraints', 1], message: expect.stringMatching(/^constraint 'a >>> \) 2' does not compile: /) },
    ]);
    const unknown = schema.safeParse({ params: { a: [1, 2] }, constraints: ['a < blocks'] });
    expect(unknown.error?.issues).toMatchObject([
      {
        path: ['constraints', 0],
        message: expect.stringMatching(
          /constraint 'a < blocks' failed to evaluate: blocks is not defined.*parameter names: a$/,
        ),
      },
    ]);
    expect(() => make({ params: { a: [1, 2] }, constraints: ['a < blocks'] })).toThrow(
      /constraint 'a < blocks' failed to evaluate/,
    );
  });

  it('an unknown name hidden by short-circuiting throws a ConfigError at its first evaluation', () => {
    const space = make({ params: { a: [1, 2] }, constraints: ['a === 1 || typo > 0'] });
    let caught: unknown;
    try {
      for (let t = 0; t < 50; t++) space.sample(rngFromSeed(`s${t}`));
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as Error).message).toMatch(
      /constraint 'a === 1 \|\| typo > 0' failed to evaluate: typo is not defined/,
    );
  });

  it('parameters whose names are not identifiers are allowed but cannot be used in constraints', () => {
    const space = make({ params: { 'block-x': [1, 2], class: ['a'], y: [1, 2] }, constraints: ['y > 1'] });
    expect(space.sample(rngFromSeed('ids')).y).toBe(2);
  });

  it('options: empty params, empty or duplicate value lists and unknown keys are zod errors', () => {
    const schema = spaces.categorical.options;
    expect(schema.safeParse({ params: {} }).success).toBe(false);
    const empty = schema.safeParse({ params: { a: [] } });
    expect(empty.success).toBe(false);
    expect(empty.error?.issues[0]?.path).toEqual(['params', 'a']);
    expect(schema.safeParse({ params: { a: [1, 1] } }).success).toBe(false);
    expect(schema.safeParse({ params: { a: [{}] } }).success).toBe(false);
    expect(schema.safeParse({ params: { a: [1] }, constraint: ['a > 0'] }).success).toBe(false);
    expect(schema.safeParse({ params: { a: [1] }, mutation: { neighbourRate: 2 } }).success).toBe(false);
    expect(schema.safeParse({ params: { a: [1] }, mutation: { rate: 0.1 } }).success).toBe(false);
  });
});
