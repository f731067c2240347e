// The pruning evaluator's validation slice: where it starts is an option (a search can be scored on tokens a report
// holds out), and a slice the split cannot fill is an error naming the options, not a silently shorter slice.
import { describe, expect, it } from 'vitest';
import { tokenSlice } from '../../evaluators/pruning/context.js';
import { pruningOptionsSchema } from '../../evaluators/pruning/options.js';

describe('pruning token slices', () => {
  const split = Int32Array.from({ length: 100 }, (_, i) => i);

  it('takes the tokens from the offset on', () => {
    expect([...tokenSlice(split, 'validation', 0, 3)]).toEqual([0, 1, 2]);
    expect([...tokenSlice(split, 'validation', 96, 4)]).toEqual([96, 97, 98, 99]);
  });

  it('refuses a slice past the end of the split, naming the options', () => {
    expect(() => tokenSlice(split, 'validation', 90, 20)).toThrow(
      /validationOffset \+ validationTokens = 90 \+ 20 exceeds the validation split's 100 tokens/,
    );
  });

  it('starts at 0 unless the config says otherwise, and refuses a negative offset', () => {
    expect(pruningOptionsSchema.parse({}).validationOffset).toBe(0);
    expect(pruningOptionsSchema.parse({ validationOffset: 32768 }).validationOffset).toBe(32768);
    expect(pruningOptionsSchema.safeParse({ validationOffset: -1 }).success).toBe(false);
  });
});
