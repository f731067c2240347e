// Bit-string space: mutation statistics, the rate capability, keys and decoding.
import { describe, expect, it } from 'vitest';
import { rngFromSeed } from '../../core/rng.js';
import { createBitstringSpace, hasMutateWithRate, spaces } from '../../spaces/index.js';

const flips = (a: Uint8Array, b: Uint8Array): number => a.reduce((n, bit, i) => n + (bit !== b[i] ? 1 : 0), 0);

describe('bitstring space', () => {
  it('mutate flips n·p bits on average at p = 1/n, with P(no flip) ≈ (1 − 1/n)^n', () => {
    const n = 100;
    const space = createBitstringSpace({ length: n });
    const rng = rngFromSeed('bit-mutation');
    const parent = space.sample(rng);
    const trials = 20_000;
    let total = 0;
    let zero = 0;
    for (let t = 0; t < trials; t++) {
      const k = flips(parent, space.mutate(parent, rng));
      total += k;
      if (k === 0) zero++;
    }
    expect(Math.abs(total / trials - 1)).toBeLessThan(0.05);
    expect(Math.abs(zero / trials - (1 - 1 / n) ** n)).toBeLessThan(0.01);
  });

  it('mutateWithRate honours the rate, including 0 and 1', () => {
    const n = 200;
    const space = createBitstringSpace({ length: n });
    expect(hasMutateWithRate(space)).toBe(true);
    const rng = rngFromSeed('bit-rate');
    const parent = space.sample(rng);
    for (const rate of [0.05, 0.3]) {
      let total = 0;
      const trials = 5_000;
      for (let t = 0; t < trials; t++) total += flips(parent, space.mutateWithRate(parent, rate, rng));
      expect(total / trials / n).toBeCloseTo(rate, 2);
    }
    expect(flips(parent, space.mutateWithRate(parent, 0, rng))).toBe(0);
    expect(flips(parent, space.mutateWithRate(parent, 1, rng))).toBe(n);
    expect(() => space.mutateWithRate(parent, 1.5, rng)).toThrow(/rate must be in \[0, 1\], got 1.5/);
    expect(() => space.mutateWithRate(parent, Number.NaN, rng)).toThrow(RangeError);
  });

  it('a mutation that flips nothing returns an equal copy with the same key', () => {
    const space = createBitstringSpace({ length: 8 });
    const parent = space.decode('10110010');
    const child = space.mutateWithRate(parent, 0, rngFromSeed('x'));
    expect(child).not.toBe(parent);
    expect(child).toEqual(parent);
    expect(space.key(child)).toBe(space.key(parent));
  });

  it('uniform crossover takes each bit from one parent, about half from each', () => {
    const n = 1000;
    const space = createBitstringSpace({ length: n });
    const a = new Uint8Array(n);
    const b = new Uint8Array(n).fill(1);
    const child = space.crossover(a, b, rngFromSeed('bit-crossover'));
    const ones = child.reduce((s, v) => s + v, 0);
    expect(ones).toBeGreaterThan(430);
    expect(ones).toBeLessThan(570);
  });

  it('keys carry the length, then the bits in hex (short) or their SHA-1 (long)', () => {
    const short = createBitstringSpace({ length: 6 });
    expect(short.key(short.decode('101101'))).toBe('b6:b4');
    expect(short.key(short.decode('000000'))).toBe('b6:00');
    const at256 = createBitstringSpace({ length: 256 });
    expect(at256.key(at256.decode('1'.repeat(256)))).toBe(`b256:${'f'.repeat(64)}`);
    const long = createBitstringSpace({ length: 257 });
    const g = long.sample(rngFromSeed('long'));
    expect(long.key(g)).toMatch(/^b257:[0-9a-f]{40}$/);
    const h = g.slice();
    h[256] = h[256] ? 0 : 1; // the last bit alone changes the key
    expect(long.key(h)).not.toBe(long.key(g));
    // 01110 (length 5, its last hex digit zero-padded) and 01110000 (length 8) were both b:70.
    expect(createBitstringSpace({ length: 5 }).key(Uint8Array.from([0, 1, 1, 1, 0]))).not.toBe(
      createBitstringSpace({ length: 8 }).key(Uint8Array.from([0, 1, 1, 1, 0, 0, 0, 0])),
    );
  });

  it('describe and encode give the 0/1 string; decode rejects bad input with a message', () => {
    const space = createBitstringSpace({ length: 4 });
    const g = space.decode('0110');
    expect(Array.from(g)).toEqual([0, 1, 1, 0]);
    expect(space.describe(g)).toBe('0110');
    expect(space.encode(g)).toBe('0110');
    expect(() => space.decode('011')).toThrow(/expected 4 bits, got a string of length 3/);
    expect(() => space.decode('01a0')).toThrow(/character 2 is "a"/);
    expect(() => space.decode([0, 1, 1, 0])).toThrow(/expected a string of 4 '0'\/'1' characters, got an array/);
    expect(() => space.decode(null)).toThrow(/got null/);
  });

  it('options: length must be a positive integer, unknown keys rejected', () => {
    const schema = spaces.bitstring.options;
    expect(schema.safeParse({ length: 0 }).success).toBe(false);
    expect(schema.safeParse({ length: 2.5 }).success).toBe(false);
    expect(schema.safeParse({}).success).toBe(false);
    expect(() => spaces.bitstring.create({ length: 10, lenght: 3 }, undefined)).toThrow(/lenght/);
  });
});
