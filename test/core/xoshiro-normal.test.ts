// The fast normal generator: xoshiro128**'s reference outputs, normals with the right moments and tails, and a saved
// state (alone and inside a SeededRng's) that continues the same draws.
import { describe, expect, it } from 'vitest';
import { SeededRng } from '../../core/rng.js';
import { XoshiroNormal } from '../../core/xoshiro-normal.js';

describe('XoshiroNormal', () => {
  it("gives xoshiro128**'s reference outputs for state [1, 2, 3, 4]", () => {
    // From the reference C code (prng.di.unimi.it/xoshiro128starstar.c): outputs 1–8 and 1001.
    const g = XoshiroNormal.restore([1, 2, 3, 4]);
    const first = Array.from({ length: 8 }, () => g.nextU32());
    expect(first).toEqual([11520, 0, 5927040, 70819200, 2031721883, 1637235492, 1287239034, 3734860849]);
    for (let i = 0; i < 992; i++) g.nextU32();
    expect(g.nextU32()).toBe(136054147);
  });

  it('fills standard normals: mean 0, variance 1, tails at the normal rate', () => {
    const g = XoshiroNormal.fromSeed('moments');
    const out = new Float64Array(10_000);
    let n = 0;
    let sum = 0;
    let squares = 0;
    let beyond2 = 0;
    let beyondR = 0;
    for (let round = 0; round < 40; round++) {
      g.fill(out);
      for (const x of out) {
        n++;
        sum += x;
        squares += x * x;
        if (Math.abs(x) > 2) beyond2++;
        if (Math.abs(x) > 3.4426) beyondR++;
      }
    }
    const mean = sum / n;
    expect(Math.abs(mean)).toBeLessThan(0.01); // SE 0.0016 at n = 400,000
    expect(Math.abs(squares / n - mean * mean - 1)).toBeLessThan(0.01); // SE of the variance ≈ 0.0022
    expect(beyond2 / n).toBeGreaterThan(0.0435); // P(|X| > 2) = 0.0455
    expect(beyond2 / n).toBeLessThan(0.0475);
    expect(beyondR).toBeGreaterThan(100); // the tail path: P(|X| > 3.4426) ≈ 5.8e-4, ~230 expected
  });

  it('restores from its state and continues with the same draws', () => {
    const g = XoshiroNormal.fromSeed('resume');
    const a = new Float64Array(257);
    g.fill(a);
    const copy = XoshiroNormal.restore(JSON.parse(JSON.stringify(g.state())));
    const b = new Float64Array(1000);
    const c = new Float64Array(1000);
    g.fill(b);
    copy.fill(c);
    expect(c).toEqual(b);
    expect(XoshiroNormal.fromSeed('other').state()).not.toEqual(XoshiroNormal.fromSeed('resume').state());
    expect(() => XoshiroNormal.restore([0, 0, 0, 0])).toThrow(RangeError);
  });
});

describe("SeededRng's fillNormal", () => {
  it('draws apart from the uniforms, and a restored stream (forks included) continues both exactly', () => {
    const rng = SeededRng.fromSeed(7);
    const plain = SeededRng.fromSeed(7);
    const out = new Float64Array(100);
    expect(rng.state()).not.toHaveProperty('normal'); // unused: the saved state is as before the generator existed
    rng.next.fillNormal?.(out);
    rng.fork('child').next.fillNormal?.(out);
    expect(rng.next()).toBe(plain.next()); // normals take nothing from the uniform stream
    const saved = JSON.parse(JSON.stringify(rng.state()));
    expect(saved.normal).toHaveLength(4);
    const resumed = SeededRng.restore(saved);
    const x = new Float64Array(100);
    const y = new Float64Array(100);
    rng.next.fillNormal?.(x);
    resumed.next.fillNormal?.(y);
    expect(y).toEqual(x);
    rng.fork('child').next.fillNormal?.(x);
    resumed.fork('child').next.fillNormal?.(y);
    expect(y).toEqual(x);
    expect(resumed.next()).toBe(rng.next());
  });
});
