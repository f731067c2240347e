// Expression simplification: each rule on its own, the published metric's canonical form, and a seeded property test
// that simplified trees evaluate to the same tensors as the originals.
import { describe, expect, it } from 'vitest';
import { fillGaussian, rngFromSeed } from '../../core/rng.js';
import {
  createExpressionSpace,
  evaluateExpression,
  formulaOf,
  parseFormula,
  PRIMITIVES,
  simplify,
  subtreeEnd,
  tensor,
  type ExprGenome,
  type Op,
  type Tensor,
} from '../../spaces/expression/index.js';
import { generate } from '../../spaces/expression/generate.js';

const simplified = (formula: string): string => formulaOf(simplify(parseFormula(formula)));

const rng = rngFromSeed('expression-simplify/data');
const leaves = {
  W: tensor(8, 6, fillGaussian(rng, new Float64Array(48))),
  G: tensor(8, 6, fillGaussian(rng, new Float64Array(48))),
  X: tensor(1, 6, fillGaussian(rng, new Float64Array(6))),
};
const evaluate = (g: ExprGenome): Tensor => evaluateExpression(g, leaves);

/**
 * Asserts equal shapes, NaN at the same positions, equal infinities, and finite values within 1e-9 relative, with an
 * absolute floor of 1e-12 of the tensor's largest finite magnitude (mms/zsn round at that scale near zero).
 */
function expectSameTensor(expected: Tensor, actual: Tensor, label: string): void {
  expect([actual.rows, actual.cols], label).toEqual([expected.rows, expected.cols]);
  let scale = 0;
  for (const v of expected.data) if (Number.isFinite(v)) scale = Math.max(scale, Math.abs(v));
  for (let i = 0; i < expected.data.length; i++) {
    const [e, a] = [expected.data[i]!, actual.data[i]!];
    if (!Number.isFinite(e) || !Number.isFinite(a)) {
      expect(Number.isNaN(a) ? 'NaN' : a, `${label} at ${i}`).toBe(Number.isNaN(e) ? 'NaN' : e);
    } else if (Math.abs(e - a) > 1e-9 * (Math.max(Math.abs(e), Math.abs(a)) + 1e-3 * scale)) {
      expect(a, `${label} at ${i}`).toBe(e);
    }
  }
}

describe('simplify: one rule at a time', () => {
  it.each([
    // aliases and constants
    ['pow(W)', 'sqr(W)'],
    ['skp(W)', 'W'],
    ['mul(skp(skp(G)), W)', 'mul(G, W)'],
    // opposing operations (Pruner-Zero OOS)
    ['neg(neg(W))', 'W'],
    ['abs(abs(W))', 'abs(W)'],
    ['abs(neg(W))', 'abs(W)'],
    ['sqrt(sqr(W))', 'abs(W)'],
    ['sqr(sqrt(W))', 'abs(W)'],
    ['sqrt(pow(W))', 'abs(W)'],
    // operators that ignore or never produce a sign
    ['abs(sqr(W))', 'sqr(W)'],
    ['abs(sqrt(W))', 'sqrt(W)'],
    ['abs(exp(W))', 'exp(W)'],
    ['abs(mms(W))', 'mms(W)'],
    ['sqr(neg(W))', 'sqr(W)'],
    ['sqr(abs(W))', 'sqr(W)'],
    ['sqrt(neg(W))', 'sqrt(W)'],
    ['sqrt(abs(W))', 'sqrt(W)'],
    ['log(neg(W))', 'log(W)'],
    ['log(abs(W))', 'log(W)'],
    ['div(W, neg(G))', 'div(W, G)'],
    ['div(W, abs(G))', 'div(W, G)'],
    // whole-tensor scaling
    ['mms(mms(W))', 'mms(W)'],
    ['zsn(zsn(W))', 'zsn(W)'],
    ['mms(zsn(W))', 'mms(W)'],
    ['zsn(mms(W))', 'zsn(W)'],
    ['mms(zsn(mms(zsn(G))))', 'mms(G)'],
    ['mms(mul(2, W))', 'mms(W)'],
    ['zsn(mul(W, 0.5))', 'zsn(W)'],
    // signs pulled out of products and sums
    ['mul(neg(W), neg(G))', 'mul(G, W)'],
    ['mul(neg(W), G)', 'neg(mul(G, W))'],
    ['mul(W, neg(G))', 'neg(mul(G, W))'],
    ['div(neg(W), G)', 'neg(div(W, G))'],
    ['add(W, neg(G))', 'sub(W, G)'],
    ['add(neg(W), G)', 'sub(G, W)'],
    ['sub(W, neg(G))', 'add(G, W)'],
    ['sub(neg(W), G)', 'neg(add(G, W))'],
    ['add(neg(W), neg(G))', 'neg(add(G, W))'],
    // algebra
    ['add(W, W)', 'mul(2, W)'],
    ['mul(W, W)', 'sqr(W)'],
    ['mul(mms(G), mms(G))', 'sqr(mms(G))'],
    ['add(sub(W, W), G)', 'add(0, G)'],
    ['mul(sub(mul(W, G), mul(G, W)), G)', 'mul(0, G)'],
    ['mul(sub(mul(W, G), mul(G, W)), X)', 'mul(X, sub(mul(G, W), mul(G, W)))'], // the zero would lose W's shape
    ['div(G, add(sub(X, X), W))', 'div(G, add(0, W))'],
    // constant folding (finite results only)
    ['add(1, 2)', '3'],
    ['div(3, -2)', '1.5'],
    ['div(W, sub(1, 1))', 'div(W, 0)'],
    ['mul(log(0), W)', 'mul(-6.907755278982137, W)'],
    ['mul(exp(200), W)', 'mul(2.6881171418161356e+43, W)'],
    ['mul(neg(0), W)', 'mul(-0, W)'],
    // canonical order of add and mul operands
    ['mul(W, G)', 'mul(G, W)'],
    ['add(X, G)', 'add(G, X)'],
    ['mul(abs(W), 2)', 'mul(2, abs(W))'],
  ])('%s → %s', (input, output) => {
    expect(simplified(input)).toBe(output);
  });

  it.each([
    // not identities under the guarded semantics
    ['exp(log(W))', 'exp(log(W)) = |W| + 0.001'],
    ['log(exp(W))', 'log(exp(W)) = log(exp(min(W, 100)) + 0.001)'],
    ['mms(neg(W))', 'mms(neg(W)) = 1 − mms(W)'],
    ['zsn(neg(W))', 'a sign flip: zsn(neg(W)) = neg(zsn(W)), a different formula'],
    ['mms(mul(-1, W))', 'a negative scale reverses the order'],
    ['mms(mul(0, W))', 'a zero scale makes a constant (NaN after mms)'],
    ['tanh(neg(W))', 'Math.tanh oddness is not guaranteed bit for bit'],
    ['sub(W, G)', 'sub is not commutative'],
    ['div(G, W)', 'div is not commutative'],
    // not folded: the value is not finite
    ['mms(2)', 'the min-max scaling of a constant is 0/0'],
    // sub(x, x) → 0 only when x cannot be NaN/Inf and the zero's smaller shape cannot show
    ['sub(W, W)', 'a scalar 0 would change the 8×6 result to 1×1'],
    ['add(X, sub(W, W))', 'the zero carries the 8×6 shape X lacks'],
    ['div(X, add(X, sub(W, W)))', 'the norm is taken over 8 rows of X, not one'],
    ['add(G, div(X, add(X, sub(W, W))))', "even where the div's own shape could shrink, its norm's cannot"],
    ['add(G, sub(mms(W), mms(W)))', 'mms(W) may be NaN (constant W), and NaN − NaN is NaN'],
    ['add(G, sub(div(W, X), div(W, X)))', 'div may be ±Inf (zero norm)'],
    ['add(G, sub(W, G))', 'different operands'],
  ])('leaves %s as it is (%s)', (input) => {
    expect(simplified(input)).toBe(formulaOf(parseFormula(input)));
  });

  it('evaluates each rule to the same tensor as its input', () => {
    const inputs = [
      'sqrt(sqr(W))',
      'sqr(sqrt(W))',
      'mms(mms(W))',
      'zsn(zsn(W))',
      'mms(zsn(W))',
      'zsn(mms(W))',
      'mms(mul(2, W))',
      'zsn(mul(W, 0.5))',
      'mul(neg(W), neg(G))',
      'div(neg(W), abs(G))',
      'sub(neg(W), G)',
      'add(sub(W, W), G)',
      'div(G, add(sub(X, X), W))',
      'div(X, add(X, sub(W, W)))',
      'add(G, div(X, add(X, sub(W, W))))',
      'mul(sub(mul(W, G), mul(G, W)), X)',
      'add(X, X)',
      'mul(log(0), W)',
      'log(abs(neg(W)))',
      'sub(X, X)',
      'mms(sub(W, W))',
      'mul(W, div(X, sub(G, G)))',
      'add(G, sub(mms(sub(W, W)), mms(sub(W, W))))',
    ];
    for (const input of inputs) {
      const genome = parseFormula(input);
      expectSameTensor(evaluate(genome), evaluate(simplify(genome)), input);
    }
  });

  it('the published Pruner-Zero metric has the canonical form mul(mms(G), sqr(W))', () => {
    const best = parseFormula('mul(abs(mul(W, W)), mms(G))');
    expect(formulaOf(best)).toBe('mul(abs(mul(W, W)), mms(G))');
    expect(simplify(best)).toEqual(['mul', 'mms', 'G', 'sqr', 'W']);
    expect(simplified('mul(mms(G), pow(abs(W)))')).toBe('mul(mms(G), sqr(W))');
    expectSameTensor(evaluate(best), evaluate(simplify(best)), 'best');
  });

  it('normalises constants and leaves its input untouched', () => {
    const genome = ['mul', '0.50', 'skp', 'W'];
    expect(simplify(genome)).toEqual(['mul', '0.5', 'W']);
    expect(genome).toEqual(['mul', '0.50', 'skp', 'W']);
    expect(() => simplify(['add', 'W'])).toThrow(/simplify: malformed genome/);
  });
});

describe('simplify: property', () => {
  const ops = Object.keys(PRIMITIVES) as Op[];
  /** Mixed populations: the space's own trees and their offspring, trees with constants, and a small alphabet that repeats subtrees. */
  const population = (): ExprGenome[] => {
    const draw = rngFromSeed('expression-simplify/trees');
    const space = createExpressionSpace({});
    const trees: ExprGenome[] = [];
    for (let i = 0; i < 150; i++) {
      const g = space.sample(draw);
      trees.push(g, space.mutate(space.mutate(g, draw), draw));
    }
    for (let i = 0; i + 1 < 100; i += 2) trees.push(space.crossover(trees[i]!, trees[i + 1]!, draw));
    for (let i = 0; i < 150; i++)
      trees.push(generate({ leaves: ['W', 'X', '2', '-0.5'], ops }, draw() < 0.5, 1, 2 + (i % 4), draw));
    const small: Op[] = ['add', 'sub', 'mul', 'div', 'neg', 'abs', 'sqr', 'sqrt', 'pow', 'skp', 'mms', 'zsn'];
    for (let i = 0; i < 200; i++)
      trees.push(generate({ leaves: ['W', 'X'], ops: small }, draw() < 0.5, 1, 2 + (i % 4), draw));
    return trees;
  };

  /**
   * True when rounding noise dominates some value of `g` on the test data: an add/sub of two different operands that
   * loses more than 6 significant digits, or an mms/zsn of a tensor whose range is below 1e-6 of its magnitude. There,
   * an identity exact only up to rounding (sqr(sqrt(x)) = |x|, mms(zsn(x)) = mms(x)) can change the noise arbitrarily.
   */
  const illConditioned = (g: ExprGenome): boolean => {
    for (let i = 0; i < g.length; i++) {
      const token = g[i]!;
      if (token === 'add' || token === 'sub') {
        const middle = subtreeEnd(g, i + 1);
        const end = subtreeEnd(g, middle);
        const [x, y] = [g.slice(i + 1, middle), g.slice(middle, end)];
        if (x.join() === y.join()) continue; // identical operands cancel exactly
        const value = evaluate(g.slice(i, end)).data;
        const magnitude = evaluate(['add', 'abs', ...x, 'abs', ...y]).data;
        for (let k = 0; k < value.length; k++) {
          if (Number.isFinite(magnitude[k]!) && magnitude[k]! > 0 && Math.abs(value[k]!) < 1e-6 * magnitude[k]!)
            return true;
        }
      } else if (token === 'mms' || token === 'zsn') {
        const x = evaluate(g.slice(i + 1, subtreeEnd(g, i + 1))).data;
        let [min, max, big] = [Infinity, -Infinity, 0];
        for (const v of x) [min, max, big] = [Math.min(min, v), Math.max(max, v), Math.max(big, Math.abs(v))];
        if (Number.isFinite(big) && max > min && max - min < 1e-6 * big) return true;
      }
    }
    return false;
  };

  it('simplified trees evaluate to the same tensors (W, G 8×6, X 1×6), and simplify is idempotent', () => {
    const trees = population();
    let changed = 0;
    let skipped = 0;
    for (const g of trees) {
      const s = simplify(g);
      expect(simplify(s), formulaOf(g)).toEqual(s);
      expect(s.length).toBeLessThanOrEqual(g.length);
      if (s.join() !== g.join()) changed++;
      if (illConditioned(g)) {
        skipped++;
        continue;
      }
      expectSameTensor(evaluate(g), evaluate(s), `${formulaOf(g)} → ${formulaOf(s)}`);
    }
    expect(trees.length).toBeGreaterThanOrEqual(600);
    expect(changed).toBeGreaterThan(trees.length / 3); // the rules do fire
    expect(skipped).toBeLessThan(trees.length / 50);
  });
});
