// BinVal: exact values for small n and exact (fitness, tiebreak) order for any n, against a BigInt reference.
import { describe, expect, it } from 'vitest';
import { createBinVal } from '../../evaluators/index.js';
import { rngFromSeed, type Rng } from '../../core/rng.js';
import { compareScored } from '../../core/score.js';
import type { EvalContext, EvalResult } from '../../core/types.js';

const ctx: EvalContext = {
  rng: rngFromSeed('binval'),
  signal: new AbortController().signal,
  options: {},
  fidelity: 1,
  sample: 0,
};
const binval = createBinVal();
const evaluate = (g: Uint8Array): EvalResult => binval.evaluate(g, ctx) as EvalResult;

/** BinVal(x) = Σ 2^{n−i}·x_i, exactly. */
function reference(g: Uint8Array): bigint {
  let v = 0n;
  for (const b of g) v = v * 2n + BigInt(b);
  return v;
}

function compareResults(a: EvalResult, b: EvalResult): number {
  return compareScored({ score: a.fitness, tiebreak: a.tiebreak }, { score: b.fitness, tiebreak: b.tiebreak });
}

function randomBits(rng: Rng, n: number): Uint8Array {
  const g = new Uint8Array(n);
  for (let i = 0; i < n; i++) g[i] = rng() < 0.5 ? 1 : 0;
  return g;
}

describe('binval', () => {
  it('equals Σ 2^(n−i)·x_i exactly for every bit string with n ≤ 10', () => {
    for (let n = 0; n <= 10; n++) {
      for (let v = 0; v < 2 ** n; v++) {
        const g = new Uint8Array(n);
        let direct = 0;
        let ones = 0;
        for (let i = 1; i <= n; i++) {
          g[i - 1] = (v >> (n - i)) & 1;
          direct += 2 ** (n - i) * g[i - 1]!;
          ones += g[i - 1]!;
        }
        expect(evaluate(g)).toEqual({ fitness: direct, descriptors: [ones], metrics: { ones } });
      }
    }
  });

  it('is exact without a tiebreak up to n = 53', () => {
    const r = evaluate(new Uint8Array(53).fill(1));
    expect(r.fitness).toBe(2 ** 53 - 1);
    expect(r.tiebreak).toBeUndefined();
  });

  it('splits n = 100 into the top 53 bits scaled by 2^47 and one 47-bit tiebreak', () => {
    const r = evaluate(new Uint8Array(100).fill(1));
    expect(r.fitness).toBe((2 ** 53 - 1) * 2 ** 47);
    expect(r.tiebreak).toEqual([2 ** 47 - 1]);
    expect(r.descriptors).toEqual([100]);
    expect(r.metrics).toEqual({ ones: 100 });
  });

  it('packs the tail into 52-bit integers, most significant first', () => {
    const g = new Uint8Array(53 + 52 + 3);
    g[53] = 1; // top bit of the first chunk
    g[53 + 52 + 2] = 1; // last bit of the last (3-bit) chunk
    expect(evaluate(g).tiebreak).toEqual([2 ** 51, 1]);
  });

  it('orders two n = 100 genomes that differ only in the last bit', () => {
    const a = new Uint8Array(100).fill(1);
    const b = a.slice();
    a[99] = 0;
    const ra = evaluate(a);
    const rb = evaluate(b);
    expect(ra.fitness).toBe(rb.fitness); // a double cannot tell them apart…
    expect(compareResults(ra, rb)).toBeLessThan(0); // …the tiebreak does
    expect(compareResults(rb, ra)).toBeGreaterThan(0);
    expect(compareResults(ra, evaluate(a.slice()))).toBe(0);
  });

  it('agrees with a BigInt comparison on random pairs, including long shared prefixes', () => {
    const rng = rngFromSeed('binval-pairs');
    for (const n of [1, 53, 54, 100, 105, 106, 157, 300, 1100]) {
      for (let t = 0; t < 300; t++) {
        const a = randomBits(rng, n);
        const b = randomBits(rng, n);
        if (t % 3 !== 0) b.set(a.subarray(0, Math.floor(rng() * (n + 1)))); // share a random prefix
        const expected = Math.sign(Number(reference(a) - reference(b)));
        expect(Math.sign(compareResults(evaluate(a), evaluate(b)))).toBe(expected);
      }
    }
  });

  it('encodes BinVal exactly: fitness/2^(n−53) and the chunks rebuild the BigInt value', () => {
    const rng = rngFromSeed('binval-rebuild');
    for (const n of [60, 100, 157, 500]) {
      const g = randomBits(rng, n);
      const r = evaluate(g);
      let v = BigInt(r.fitness) >> BigInt(n - 53);
      let tailBits = n - 53;
      for (const chunk of r.tiebreak ?? []) {
        const width = Math.min(52, tailBits);
        v = (v << BigInt(width)) + BigInt(chunk);
        tailBits -= width;
      }
      expect(v).toBe(reference(g));
      expect(BigInt(r.fitness) % (1n << BigInt(n - 53))).toBe(0n);
    }
  });

  it('keeps fitness finite for n > 1023', () => {
    const r = evaluate(new Uint8Array(3000).fill(1));
    expect(Number.isFinite(r.fitness)).toBe(true);
    expect(r.tiebreak).toHaveLength(Math.ceil((3000 - 53) / 52));
  });
});
