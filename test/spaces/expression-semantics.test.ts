// Expression semantics: hand-computed values of every guarded operator, div's Frobenius norm, broadcasting, and parsing.
import { describe, expect, it } from 'vitest';
import { evaluateExpression, formulaOf, parseFormula, tensor, type Tensor } from '../../spaces/expression/index.js';

const W = tensor(2, 2, [1, 2, 3, 4]);
const G = tensor(2, 2, [1, 2, 2, 4]); // ‖G‖_F = √(1 + 4 + 4 + 16) = 5
const X = tensor(1, 2, [3, 4]);
const leaves = { W, G, X };
const run = (formula: string, at = leaves): Tensor => evaluateExpression(parseFormula(formula), at);
const values = (t: Tensor): number[] => Array.from(t.data);

describe('expression semantics', () => {
  it('div divides by the Frobenius norm of its second operand, a scalar', () => {
    const r = run('div(W, G)');
    expect([r.rows, r.cols]).toEqual([2, 2]);
    expect(values(r)).toEqual([1 / 5, 2 / 5, 3 / 5, 4 / 5]);
  });

  it('div takes the norm of y broadcast to the joint shape, as Pruner-Zero does', () => {
    // y = X repeated over 2 rows: ‖[[3, 4], [3, 4]]‖_F = √50.
    expect(values(run('div(W, X)'))).toEqual([1, 2, 3, 4].map((w) => w / Math.sqrt(50)));
    // x = X is broadcast to 2×2 too; ‖W‖_F = √30.
    const r = run('div(X, W)');
    expect([r.rows, r.cols]).toEqual([2, 2]);
    expect(values(r)).toEqual([3, 4, 3, 4].map((x) => x / Math.sqrt(30)));
  });

  it('log, exp and sqrt are guarded: log(|x| + 0.001), exp(min(x, 100)), sqrt(|x|)', () => {
    const t = tensor(1, 4, [0, -1, 200, -4]);
    const at = { W: t, G: t, X: t };
    expect(values(run('log(W)', at))).toEqual([Math.log(0.001), Math.log(1.001), Math.log(200.001), Math.log(4.001)]);
    expect(run('log(W)', at).data[0]).toBeCloseTo(-6.907755278982137, 14);
    expect(values(run('exp(W)', at))).toEqual([1, Math.exp(-1), Math.exp(100), Math.exp(-4)]);
    expect(run('exp(W)', at).data[2]).toBe(2.6881171418161356e43);
    expect(values(run('sqrt(W)', at))).toEqual([0, 1, Math.sqrt(200), 2]);
  });

  it('the other unary operators: sqr, pow, neg, abs, tanh, skp', () => {
    const t = tensor(1, 3, [-2, 0.5, 3]);
    const at = { W: t, G: t, X: t };
    expect(values(run('sqr(W)', at))).toEqual([4, 0.25, 9]);
    expect(values(run('pow(W)', at))).toEqual([4, 0.25, 9]);
    expect(values(run('neg(W)', at))).toEqual([2, -0.5, -3]);
    expect(values(run('abs(W)', at))).toEqual([2, 0.5, 3]);
    expect(values(run('tanh(W)', at))).toEqual([Math.tanh(-2), Math.tanh(0.5), Math.tanh(3)]);
    expect(values(run('skp(W)', at))).toEqual([-2, 0.5, 3]);
  });

  it('mms and zsn scale over the whole tensor, not per row; zsn uses the population std', () => {
    const t = tensor(2, 4, [2, 4, 4, 4, 5, 5, 7, 9]); // mean 5, population std 2; per-row statistics would differ
    const at = { W: t, G: t, X: t };
    expect(values(run('zsn(W)', at))).toEqual([-1.5, -0.5, -0.5, -0.5, 0, 0, 1, 2]);
    expect(values(run('mms(W)', at))).toEqual([0, 2 / 7, 2 / 7, 2 / 7, 3 / 7, 3 / 7, 5 / 7, 1]);
  });

  it('mms and zsn of a constant tensor, or of one holding NaN or Inf, are NaN everywhere', () => {
    for (const data of [
      [3, 3, 3, 3],
      [1, NaN, 2, 3],
      [1, Infinity, 2, 3],
    ]) {
      const t = tensor(2, 2, data);
      const at = { W: t, G: t, X: t };
      expect(values(run('mms(W)', at)).every(Number.isNaN)).toBe(true);
      expect(values(run('zsn(W)', at)).every(Number.isNaN)).toBe(true);
    }
  });

  it('zsn and mms stay finite on huge but finite values', () => {
    const t = tensor(1, 3, [1e300, -1e300, 1.7e308]);
    const at = { W: t, G: t, X: t };
    expect(values(run('zsn(W)', at)).every(Number.isFinite)).toBe(true);
    const scaled = values(run('mms(W)', at)); // max − min overflows; the halved formula does not
    expect(scaled.slice(1)).toEqual([0, 1]);
    expect(scaled[0]).toBeCloseTo(2e300 / (1.7e308 + 1e300), 12);
  });

  it('broadcasts a 1×cols X over the rows, and constants as scalars', () => {
    const r = run('add(W, X)');
    expect([r.rows, r.cols]).toEqual([2, 2]);
    expect(values(r)).toEqual([4, 6, 6, 8]);
    expect(values(run('mul(X, sub(G, W))'))).toEqual([0, 0, -3, 0]);
    const x = run('mul(2, X)');
    expect([x.rows, x.cols, ...values(x)]).toEqual([1, 2, 6, 8]);
    const c = run('add(1, 2)');
    expect([c.rows, c.cols, ...values(c)]).toEqual([1, 1, 3]);
  });

  it('propagates NaN and Inf instead of throwing', () => {
    const r = run('div(W, sub(G, G))'); // ‖0‖ = 0
    expect(values(r)).toEqual([Infinity, Infinity, Infinity, Infinity]);
    expect(values(run('sub(div(W, sub(G, G)), div(W, sub(G, G)))')).every(Number.isNaN)).toBe(true);
  });

  it('never edits or returns its leaves', () => {
    const before = [values(W), values(G), values(X)];
    const lone = run('W');
    expect(lone.data).not.toBe(W.data);
    expect(values(lone)).toEqual(values(W));
    run('add(mul(neg(W), mms(G)), div(sqr(X), zsn(W)))');
    run('skp(skp(G))').data[0] = 99;
    expect([values(W), values(G), values(X)]).toEqual(before);
  });

  it('throws on shapes that cannot broadcast and on malformed genomes', () => {
    const bad = { W, G, X: tensor(1, 3, [1, 2, 3]) };
    expect(() => run('add(W, X)', bad)).toThrow(/'add' at token 0 cannot broadcast 2×2 with 1×3/);
    expect(() => evaluateExpression(['mul', 'W'], leaves)).toThrow(/malformed genome/);
  });
});

describe('formulas', () => {
  const best = 'mul(abs(mul(W, W)), mms(G))';

  it('parses and prints the published metric', () => {
    const genome = parseFormula(best);
    expect(genome).toEqual(['mul', 'abs', 'mul', 'W', 'W', 'mms', 'G']);
    expect(formulaOf(genome)).toBe(best);
    expect(parseFormula(' mul( abs(mul(W,W)) ,mms( G ) ) ')).toEqual(genome);
  });

  it('reads constants and writes them in their shortest round-trip form', () => {
    expect(parseFormula('add(mul(-1, W), div(0.50, 2e1))')).toEqual(['add', 'mul', '-1', 'W', 'div', '0.5', '20']);
    expect(formulaOf(['mul', '-6.907755278982137', 'W'])).toBe('mul(-6.907755278982137, W)');
  });

  it.each([
    ['mul(W)', /'mul' takes 2 arguments, got 1 at position 5/],
    ['abs(W, G)', /'abs' takes 1 argument, got more at position 5/],
    ['foo(W)', /unknown name 'foo' .* at position 0/],
    ['mul(W, Q)', /unknown name 'Q' .* at position 7/],
    ['mul(W, G', /expected '\)' closing 'mul\(' from position 0, found the end of the formula at position 8/],
    ['mul(W,, G)', /expected a leaf .* found "," at position 6/],
    ['mul(W, G) W', /unexpected "W" after a complete expression at position 10/],
    ['sqr W', /expected '\(' after 'sqr', found "W" at position 4/],
    ['', /found the end of the formula at position 0/],
    ['mul(1e999, W)', /the number 1e999 is not finite at position 4/],
  ])('rejects %j with the position', (text, message) => {
    expect(() => parseFormula(text)).toThrow(message);
  });
});
