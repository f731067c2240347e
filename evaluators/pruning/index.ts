// Pruning-metric evaluator (Pruner-Zero, Dong et al., ICML 2024, arXiv:2406.02924): a formula over W, G, X scores every
// prunable weight of a small tfjs language model; each layer is pruned to the target; fitness = validation perplexity.
import type { z } from 'zod';
import type { EvalResult, Evaluator } from '../../core/types.js';
import { simplify, size, type ExprGenome } from '../../spaces/expression/index.js';
import type { PruningContext } from './context.js';
import { maskFingerprint, prunedOverlap, sparsityOf } from './masks.js';
import { formulaMasks, pruneTarget, type PruneTarget } from './scoring.js';
import { pruningOptionsSchema } from './options.js';

export { pruningOptionsSchema, type PruningOptions } from './options.js';

/** Masks of every layer for a formula, keyed by its token string (fingerprint, then evaluate, reuse them). */
type MaskMemo = { readonly formula: string; readonly masks: Map<string, Uint8Array> };

/**
 * The evaluator; `fingerprint` hashes the masks, so formulas that prune the same weights are one candidate. Result:
 * fitness = validation perplexity; descriptors [size of the simplified formula, overlap with magnitude's masks];
 * metrics testPerplexity and sparsity. On a fingerprint hit only the size is the formula's own (`describe`): the rest
 * is a function of the masks the two formulas share.
 */
export function createPruningEvaluator(input: z.input<typeof pruningOptionsSchema> = {}): Evaluator<ExprGenome> {
  const options = pruningOptionsSchema.parse(input);
  const target: PruneTarget = pruneTarget(options.pattern, options.sparsity, options.group);
  let context: PruningContext | undefined;
  let magnitude: Map<string, Uint8Array> | undefined;
  let memo: MaskMemo | undefined;

  const ready = (): PruningContext => {
    if (!context) throw new Error('pruning evaluator used before setup()');
    return context;
  };
  const masksOf = (genome: ExprGenome): Map<string, Uint8Array> => {
    const formula = genome.join(' ');
    if (memo?.formula !== formula) memo = { formula, masks: formulaMasks(genome, ready().layers, target) };
    return memo.masks;
  };

  return {
    name: 'pruning',
    version: '1',
    // tfjs is imported only here, in the processes that evaluate: listing or validating configs stays light.
    async prepare() {
      const { ensureModel } = await import('./context.js');
      await ensureModel(options, (line) => process.stderr.write(`${line}\n`));
    },
    async scoredBy() {
      const { backendScoredBy } = await import('../../lm/backend.js');
      return backendScoredBy(options.backend, options.model);
    },
    async setup() {
      const { loadPruningContext } = await import('./context.js');
      context ??= await loadPruningContext(options);
      // Magnitude's own rule: one threshold per layer (unstructured) or per N:M group.
      const magnitudeTarget =
        target.group.kind === 'n:m' ? target : { group: { kind: 'layer' as const }, sparsity: target.sparsity };
      magnitude = formulaMasks(['W'], context.layers, magnitudeTarget);
    },
    fingerprint(genome) {
      return maskFingerprint(masksOf(genome));
    },
    evaluate(genome): EvalResult {
      const { model, validation, test } = ready();
      const masks = masksOf(genome);
      const validationPerplexity = model.perplexity(validation, masks);
      const testPerplexity = model.perplexity(test, masks);
      return {
        fitness: validationPerplexity,
        descriptors: [size(simplify(genome)), prunedOverlap(masks, magnitude ?? masks)],
        metrics: { testPerplexity, sparsity: sparsityOf(masks) },
      };
    },
    describe(genome, cached): EvalResult {
      const [, ...fromMasks] = cached.descriptors ?? []; // the overlap with magnitude's masks
      return { ...cached, descriptors: [size(simplify(genome)), ...fromMasks] };
    },
  };
}

export type { PruningContext } from './context.js';
export { formulaMasks, pruneTarget, type LayerStats, type PruneTarget } from './scoring.js';
export { maskFingerprint, prunedOverlap, pruneMask, sparsityOf, type PruneGroup } from './masks.js';
