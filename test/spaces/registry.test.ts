// Every registered space passes the Space contract and has a strict options schema; a new entry without an example fails here.
import { describe, expect, it } from 'vitest';
import { spaces } from '../../spaces/index.js';
import type { Space } from '../../core/types.js';
import { spaceContract } from '../../testing/space.js';

/** Small valid options per registry entry. Register a space, add its examples here. */
const examples: Record<string, readonly Record<string, unknown>[]> = {
  bitstring: [{ length: 37 }, { length: 300 }],
  vector: [
    { dimensions: 5, min: -5.12, max: 5.12 },
    { dimensions: 12, min: 0, max: 1, mutation: { type: 'iso-line-dd' } },
    { dimensions: 3, min: -1, max: 1, mutation: { type: 'gaussian', sigma: 0.3 }, crossover: { type: 'sbx', eta: 20 } },
  ],
  categorical: [
    {
      params: {
        block_x: [16, 32, 64, 128],
        block_y: [1, 2, 4, 8],
        unroll: [true, false],
        layout: ['row', 'col', 'tile'],
      },
      constraints: ['block_x * block_y <= 256'],
    },
    { params: { a: [1, 2, 3] }, mutation: { neighbourRate: 0 } },
  ],
  expression: [
    {},
    {
      leaves: ['W', 'G'],
      minDepth: 1,
      maxDepth: 3,
      maxSize: 15,
      unary: ['sqr', 'abs', 'mms'],
      binary: ['mul', 'add'],
      simplify: false,
    },
  ],
  'sparsity-levels': [{ model: 'tiny' }, { layers: 5, maxLevel: 2, maxTotalDeviation: 6, initialFlips: 2 }],
  'sparsity-nm': [
    { pattern: '2:4', model: 'tiny' },
    { pattern: '1:4', layers: [{ name: 'a', dOut: 4, dIn: 8 }], maxSwaps: 3, boundaryBias: 1 },
  ],
  'token-mask': [
    { prompt: 'Review: a gripping film.\nSentiment: positive\n\nReview: {text}\nSentiment:' },
    {
      tokens: ['Sum', 'mar', 'ize', ':', ' {text}'],
      initialPruning: { min: 0.2, max: 0.5 },
      minKept: 2,
      protect: ['\\{text\\}'],
    },
  ],
  'phrase-edit': [
    { prompt: 'Given a movie review, decide whether it is positive or negative. Answer with yes or no.' },
    {
      prompt: 'Summarize {text} in one sentence.',
      operators: ['del', 'swap', 'sub'],
      numCompose: 2,
      substitutes: ['Briefly'],
      initialEdits: 1,
    },
  ],
};

const names = Object.keys(spaces) as (keyof typeof spaces)[];

describe('space registry', () => {
  it.each(names)('%s has at least one example options object', (name) => {
    expect(
      examples[name]?.length ?? 0,
      `add example options for '${name}' to test/spaces/registry.test.ts`,
    ).toBeGreaterThan(0);
  });

  it.each(names)('%s has a one-line summary', (name) => {
    expect(spaces[name].summary).toMatch(/^[^\n]+$/);
  });

  describe.each(names)('%s options schema', (name) => {
    const entry = spaces[name];
    it.each(examples[name] ?? [])('accepts example %#', (options) => {
      expect(entry.options.safeParse(options).success).toBe(true);
    });
    it.each(examples[name] ?? [])('rejects an unknown key and a `type` key in example %#', (options) => {
      expect(entry.options.safeParse({ ...options, bogus: 1 }).success).toBe(false);
      expect(entry.options.safeParse({ ...options, type: name }).success).toBe(false);
    });
  });
});

describe.each(names)('%s space', (name) => {
  (examples[name] ?? []).forEach((options, i) => {
    spaceContract(
      `example #${i} ${JSON.stringify(options)}`,
      () => spaces[name].create(options, undefined) as Space<unknown>,
    );
  });
});
