// OneMax and LeadingOnes: exact values on small bit strings.
import { describe, expect, it } from 'vitest';
import { createLeadingOnes, createOneMax } from '../../evaluators/index.js';
import { rngFromSeed } from '../../core/rng.js';
import type { EvalContext } from '../../core/types.js';

const ctx: EvalContext = {
  rng: rngFromSeed('bits'),
  signal: new AbortController().signal,
  options: {},
  fidelity: 1,
  sample: 0,
};
const bits = (s: string): Uint8Array => Uint8Array.from(s, (c) => (c === '1' ? 1 : 0));

describe('onemax', () => {
  const onemax = createOneMax();
  it.each([
    ['', 0],
    ['0', 0],
    ['1', 1],
    ['0000000000', 0],
    ['1111111111', 10],
    ['1011001110', 6],
  ])('%s has %i ones', async (s, ones) => {
    expect(await onemax.evaluate(bits(s), ctx)).toEqual({ fitness: ones, descriptors: [ones] });
  });

  it('accepts a Float64Array of 0/1 and counts nonzero entries as ones', async () => {
    expect((await onemax.evaluate(Float64Array.from([1, 0, 1, 1]), ctx)).fitness).toBe(3);
  });
});

describe('leading-ones', () => {
  const leadingOnes = createLeadingOnes();
  it.each([
    ['', 0, 0],
    ['0', 0, 0],
    ['1', 1, 1],
    ['0111111111', 0, 9],
    ['1101111111', 2, 9],
    ['1111100000', 5, 5],
    ['1111111111', 10, 10],
  ])('%s: leadingOnes %i, ones %i', async (s, lo, ones) => {
    expect(await leadingOnes.evaluate(bits(s), ctx)).toEqual({ fitness: lo, descriptors: [lo, ones] });
  });
});
