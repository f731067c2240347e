// The key contract over every registered space: genomes with equal keys are indistinguishable to the evaluator
// (the cache answers a candidate with the result stored under its key). Each view below is what the evaluator
// reads of a genome, computed with the evaluator's own code where it has one. Register a space, add it here.
import { describe, expect, it } from 'vitest';
import { rngFromSeed } from '../../core/rng.js';
import type { Space } from '../../core/types.js';
import { basePrompt, promptText } from '../../evaluators/prompt/template.js';
import { buildNmBase, nmLayerWeights } from '../../evaluators/sparsity/nm.js';
import { evaluateExpression, tensor, type ExprGenome } from '../../spaces/expression/index.js';
import { spaces, type NmGenome, type SpaceType } from '../../spaces/index.js';
import { countKeyContract, keyContract, type KeyContractOptions } from '../../testing/key-contract.js';

interface Case {
  readonly options: Record<string, unknown>;
  readonly contract: KeyContractOptions<never, unknown>;
}

const ICL =
  'Review: a gripping film.\nSentiment: positive\n\nReview: dull.\nSentiment: negative\n\nReview: {text}\nSentiment:';
const INSTRUCTION = 'Given a movie review, decide whether it is positive or negative. Answer with yes or no.';

// Fixed leaves with varied signs and magnitudes: a formula's values on them stand for its semantics.
const leafRng = rngFromSeed('key-contract/leaves');
const draw = (n: number): number[] => Array.from({ length: n }, () => (leafRng() - 0.5) * 6);
const LEAVES = { W: tensor(6, 5, draw(30)), G: tensor(6, 5, draw(30)), X: tensor(1, 5, draw(5)) };
/** Equal as a metric: same values to 1e-9 relative (the simplifier may reorder float operations), NaN matching NaN. */
const sameValues = (a: unknown, b: unknown): boolean => {
  const [x, y] = [a as Float64Array, b as Float64Array];
  if (x.length !== y.length) return false;
  return x.every((v, i) => {
    const w = y[i] as number;
    if (Number.isNaN(v) || Number.isNaN(w)) return Number.isNaN(v) && Number.isNaN(w);
    return v === w || Math.abs(v - w) <= 1e-9 * Math.max(Math.abs(v), Math.abs(w));
  });
};

// A small N:M model whose weights the evaluator ranks; the view is the pruned weights it evaluates.
const NM_LAYERS = [
  { name: 'a', dOut: 2, dIn: 8 },
  { name: 'b', dOut: 1, dIn: 4 },
];
const nmBase = buildNmBase(
  NM_LAYERS.map((l) => ({ ...l, weight: Float32Array.from(draw(l.dOut * l.dIn)) })),
  'magnitude',
  2,
  4,
);

const view = <G>(f: (g: G) => unknown): ((g: never) => unknown) => f as (g: never) => unknown;

const cases: Record<SpaceType, Case> = {
  bitstring: { options: { length: 6 }, contract: { view: view((g: Uint8Array) => Array.from(g)) } },
  vector: {
    // -0 and 0 are one genome by design: every evaluator here reads values arithmetically.
    options: { dimensions: 3, min: -1, max: 1 },
    contract: { view: view((g: Float64Array) => Array.from(g, (v) => (v === 0 ? 0 : v))) },
  },
  categorical: {
    options: { params: { block: [16, 32, 64], unroll: [true, false], layout: ['row', 'col'] } },
    contract: { view: view((g: Record<string, unknown>) => Object.entries(g).sort(([a], [b]) => a.localeCompare(b))) },
  },
  expression: {
    // Keys are taken after simplification: merged formulas compute the same metric.
    options: { maxDepth: 4, maxSize: 15 },
    contract: {
      view: view((g: ExprGenome) => evaluateExpression(g, LEAVES).data),
      same: sameValues,
      minMerged: 20,
    },
  },
  'sparsity-levels': {
    options: { layers: 4, maxLevel: 2, maxTotalDeviation: 4 },
    contract: { view: view((g: readonly number[]) => [...g]) },
  },
  'sparsity-nm': {
    // A swap back to the base mask drops the group: merged genomes give the same pruned weights.
    options: { pattern: '2:4', layers: NM_LAYERS, maxSwaps: 2 },
    contract: {
      view: view((g: NmGenome) => NM_LAYERS.flatMap((_, i) => Array.from(nmLayerWeights(nmBase, i, g[i])))),
    },
  },
  'token-mask': {
    // Masks that render the same bytes share a key; the evaluator sees only the text.
    options: { prompt: ICL },
    contract: { view: view((g: unknown) => promptText(g, basePrompt(ICL))), minMerged: 1 },
  },
  'phrase-edit': {
    options: { prompt: INSTRUCTION },
    contract: { view: view((g: unknown) => promptText(g, basePrompt(INSTRUCTION))) },
  },
};

describe('key contract coverage', () => {
  it('every registered space has a case here', () => {
    expect(Object.keys(cases).sort()).toEqual(Object.keys(spaces).sort());
  });
});

for (const [type, { options, contract }] of Object.entries(cases) as [SpaceType, Case][]) {
  keyContract(type, () => spaces[type].create(options, undefined) as unknown as Space<never>, contract);
}

describe('the key contract check can fail', () => {
  it('a key that forgets what the evaluator sees is reported', () => {
    // A bitstring key without the last bit, as the old zero-padded keys merged lengths: the check must see it.
    const space = spaces.bitstring.create({ length: 6 }, undefined);
    const forgetful: Space<Uint8Array> = { ...space, key: (g) => space.key(g.subarray(0, 5)) };
    const count = countKeyContract(forgetful, { view: (g: Uint8Array) => Array.from(g) });
    expect(count.violations.length).toBeGreaterThan(0);
  });
});
