// Expression space: sampling depths, size caps of mutation and crossover, keys after simplification, decoding, options.
import { describe, expect, it } from 'vitest';
import { rngFromSeed } from '../../core/rng.js';
import {
  BINARY_OPS,
  DEFAULT_LEAVES,
  createExpressionSpace,
  depth,
  expressionOptionsSchema,
  formulaOf,
  LEAVES,
  parseFormula,
  PRIMITIVES,
  simplify,
  size,
  UNARY_OPS,
  type ExprGenome,
} from '../../spaces/expression/index.js';
import { spaces } from '../../spaces/index.js';

const freeze = (g: ExprGenome): ExprGenome => Object.freeze(g.slice());

describe('expression space', () => {
  it('exports the Pruner-Zero alphabet: 3 leaves (and SparseGPT’s H on request), 11 unary and 4 binary operators', () => {
    expect(DEFAULT_LEAVES).toEqual(['W', 'G', 'X']);
    expect(LEAVES).toEqual(['W', 'G', 'X', 'H']);
    expect(createExpressionSpace().options.leaves).toEqual(['W', 'G', 'X']);
    const withH = createExpressionSpace({ leaves: ['W', 'H'], maxDepth: 2 });
    const rng = rngFromSeed('h');
    const drawn = new Set(Array.from({ length: 50 }, () => withH.sample(rng)).flat());
    expect(drawn.has('H')).toBe(true);
    expect(drawn.has('X')).toBe(false);
    // H is a row, like X: sub(H, H) inside a product with W simplifies as X's would.
    expect(simplify(parseFormula('mul(W, sub(H, H))'))).toEqual(simplify(parseFormula('mul(W, sub(X, X))')));
    expect(formulaOf(simplify(parseFormula('mul(sqr(W), H)')))).toBe('mul(H, sqr(W))');
    expect(UNARY_OPS).toHaveLength(11);
    expect(BINARY_OPS).toEqual(['add', 'sub', 'mul', 'div']);
    expect(
      Object.entries(PRIMITIVES)
        .filter(([, p]) => p.commutative)
        .map(([name]) => name),
    ).toEqual(['add', 'mul']);
  });

  it('measures trees: size in nodes, depth in edges', () => {
    const best = parseFormula('mul(abs(mul(W, W)), mms(G))');
    expect([size(best), depth(best)]).toEqual([7, 3]);
    expect([size(['W']), depth(['W'])]).toEqual([1, 0]);
  });

  it.each([
    [{}, 2, 4],
    [{ minDepth: 1, maxDepth: 3, maxSize: 15 }, 1, 3],
    [{ minDepth: 3, maxDepth: 3, unary: [], maxSize: 15 }, 3, 3],
  ])('sample respects minDepth and maxDepth (%j), with grow and full trees', (options, minDepth, maxDepth) => {
    const space = createExpressionSpace(options);
    const rng = rngFromSeed('expression-sample');
    const depths = new Set<number>();
    let bigger = 0;
    for (let i = 0; i < 2000; i++) {
      const g = space.sample(rng);
      const d = depth(g);
      expect(d).toBeGreaterThanOrEqual(minDepth);
      expect(d).toBeLessThanOrEqual(maxDepth);
      expect(size(g)).toBeLessThanOrEqual(space.options.maxSize);
      depths.add(d);
      if (size(g) > d + 1) bigger++;
    }
    expect(depths.size).toBe(maxDepth - minDepth + 1); // ramped: every depth in range occurs
    expect(bigger).toBeGreaterThan(0);
  });

  it('sample uses only the allowed leaves and operators', () => {
    const space = createExpressionSpace({ leaves: ['W', 'X'], unary: ['sqrt', 'mms'], binary: ['mul'] });
    const allowed = new Set(['W', 'X', 'sqrt', 'mms', 'mul']);
    const rng = rngFromSeed('expression-alphabet');
    for (let i = 0; i < 500; i++) for (const token of space.sample(rng)) expect(allowed.has(token)).toBe(true);
  });

  it('mutate and crossover respect maxSize over thousands of draws and never edit their inputs', () => {
    const space = createExpressionSpace({ maxSize: 15, minDepth: 1, maxDepth: 3 });
    const rng = rngFromSeed('expression-variation');
    let pool = Array.from({ length: 50 }, () => freeze(space.sample(rng)));
    for (let round = 0; round < 40; round++) {
      pool = pool.map((parent, i) => {
        const copy = parent.slice();
        const mate = pool[(i + 1) % pool.length]!;
        const mateCopy = mate.slice();
        const child = rng() < 0.5 ? space.mutate(parent, rng) : space.crossover(parent, mate, rng);
        expect(parent).toEqual(copy);
        expect(mate).toEqual(mateCopy);
        expect(child).not.toBe(parent);
        expect(size(child)).toBeLessThanOrEqual(15);
        expect(formulaOf(child)).toBeTypeOf('string'); // well formed
        return freeze(child);
      });
    }
  });

  it('mutate changes the genome, by subtree, point and hoist mutation', () => {
    const space = createExpressionSpace({});
    const rng = rngFromSeed('expression-mutate-kinds');
    let [grew, same, shrank, unchanged] = [0, 0, 0, 0];
    for (let i = 0; i < 3000; i++) {
      const parent = space.sample(rng);
      const child = space.mutate(parent, rng);
      if (child.join() === parent.join()) unchanged++;
      else if (child.length > parent.length) grew++;
      else if (child.length === parent.length) same++;
      else shrank++;
    }
    expect(unchanged).toBe(0);
    for (const count of [grew, same, shrank]) expect(count).toBeGreaterThan(300);
  });

  it('mutate still changes trees when point mutation has no alternative', () => {
    const space = createExpressionSpace({ leaves: ['W'], unary: ['neg'], binary: [], minDepth: 1, maxDepth: 3 });
    const rng = rngFromSeed('expression-mutate-narrow');
    for (let i = 0; i < 200; i++) {
      const parent = space.sample(rng);
      expect(space.mutate(parent, rng)).not.toEqual(parent);
    }
  });

  it('an oversized parent yields offspring within maxSize, or a copy of itself', () => {
    const space = createExpressionSpace({ maxSize: 5, minDepth: 0, maxDepth: 2 });
    const big = freeze(parseFormula('add(mul(W, G), sub(X, abs(W)))'));
    const rng = rngFromSeed('expression-oversized');
    for (let i = 0; i < 300; i++) {
      const child = space.mutate(big, rng);
      expect(size(child) <= 5 || child.join() === big.join()).toBe(true);
      const crossed = space.crossover(big, big, rng);
      expect(size(crossed) <= 5 || crossed.join() === big.join()).toBe(true);
    }
  });

  it('keys the canonical form: mul(W, G) and mul(G, W) share a key, and so do equivalent forms of the published metric', () => {
    const space = createExpressionSpace({});
    const key = (formula: string): string => space.key(parseFormula(formula));
    expect(key('mul(W, G)')).toBe(key('mul(G, W)'));
    expect(key('mul(abs(mul(W, W)), mms(G))')).toBe(key('mul(mms(G), sqr(W))'));
    expect(key('mul(abs(mul(W, W)), mms(G))')).toBe(key('mul(pow(neg(W)), mms(zsn(G)))'));
    expect(key('mul(W, G)')).not.toBe(key('mul(W, X)'));
    expect(space.describe(parseFormula('mul(abs(mul(W, W)), mms(G))'))).toBe('mul(mms(G), sqr(W))');
    expect(space.canonical(parseFormula('skp(W)'))).toEqual(['W']);

    const raw = createExpressionSpace({ simplify: false });
    expect(raw.key(parseFormula('mul(W, G)'))).not.toBe(raw.key(parseFormula('mul(G, W)')));
    expect(raw.describe(parseFormula('mul(abs(mul(W, W)), mms(G))'))).toBe('mul(abs(mul(W, W)), mms(G))');
  });

  it('encode is a plain token array; decode validates tokens and arity', () => {
    const space = createExpressionSpace({});
    const g = parseFormula('add(mul(-1, W), div(X, G))');
    expect(space.encode(g)).toEqual(['add', 'mul', '-1', 'W', 'div', 'X', 'G']);
    expect(space.decode(JSON.parse(JSON.stringify(space.encode(g))))).toEqual(g);
    expect(() => space.decode('mul(W, G)')).toThrow(
      /expression.decode: malformed genome: expected an array of tokens, got string/,
    );
    expect(() => space.decode([])).toThrow(/empty list/);
    expect(() => space.decode(['mul', 'W'])).toThrow(/1 operand missing/);
    expect(() => space.decode(['W', 'G'])).toThrow(/token 1 "G" follows a complete expression/);
    expect(() => space.decode(['mul', 'W', 'Y'])).toThrow(/token 2 "Y" is not a leaf/);
    expect(() => space.decode(['neg', 3])).toThrow(/token 1 is a number, not a string/);
    expect(() => space.decode(['neg', 'Infinity'])).toThrow(/token 1 "Infinity"/);
  });

  it('validates options strictly, with the Pruner-Zero defaults', () => {
    expect(expressionOptionsSchema.parse({})).toEqual({
      leaves: ['W', 'G', 'X'],
      minDepth: 2,
      maxDepth: 4,
      maxSize: 31,
      simplify: true,
    });
    const bad = (options: Record<string, unknown>): string => {
      const result = expressionOptionsSchema.safeParse(options);
      expect(result.success).toBe(false);
      return result.error?.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ') ?? '';
    };
    expect(bad({ minDepth: 5 })).toMatch(/minDepth: minDepth \(5\) exceeds maxDepth \(4\)/);
    expect(bad({ unary: ['cube'] })).toMatch(/^unary\.0/);
    expect(bad({ leaves: ['W', 'W'] })).toMatch(/leaves must be distinct/);
    expect(bad({ leaves: [] })).toMatch(/^leaves/);
    expect(bad({ unary: [], binary: [] })).toMatch(/at least one operator/);
    expect(bad({ unary: [], maxSize: 6 })).toMatch(/maxSize: maxSize 6 is below 7/);
    expect(bad({ type: 'expression' })).toMatch(/type/);
    expect(spaces.expression.create({ maxSize: 3 }, undefined).options.maxSize).toBe(3); // a chain of 2 unary ops fits
  });
});
