import { describe, expect, it } from 'vitest';
import { toSignificant } from '../../core/significant.js';
import seedrandom from 'seedrandom';

const reference = (v: number, digits: number): string => String(Number(v.toPrecision(digits)));

describe('toSignificant', () => {
  it('writes what toPrecision then String would, at every magnitude, sign and digit count', () => {
    const rng = seedrandom('significant');
    let compared = 0;
    for (let i = 0; i < 50_000; i++) {
      const exponent = Math.floor(rng() * 50) - 25;
      const v = (rng() - 0.5) * 10 ** exponent;
      const digits = 1 + (i % 9);
      expect(toSignificant(v, digits)).toBe(reference(v, digits));
      compared++;
    }
    expect(compared).toBe(50_000);
  });

  it('agrees at decimal ties, at powers of ten and at the edges of the fast path', () => {
    const values: number[] = [0, 1, -1, 5.12, -5.12, 1e-13, 9.99e-14, 1e9, 999_999_999.5, 1e21, 123_456.5, 1.234565];
    for (let e = -15; e <= 12; e++) {
      const p = 10 ** e;
      values.push(p, -p, p * (1 - 1e-16), p * 0.9999995, p * 1.0000005);
      for (let n = 1; n < 200; n++) values.push(((n + 0.5) / 100) * p, ((2 * n + 1) / 2e6) * p);
    }
    for (const v of values)
      for (let digits = 1; digits <= 9; digits++) expect(toSignificant(v, digits)).toBe(reference(v, digits));
    expect(toSignificant(Number.NaN, 6)).toBe('NaN');
    expect(toSignificant(Number.POSITIVE_INFINITY, 4)).toBe('Infinity');
  });
});
