// Pruning-metric evaluator (Pruner-Zero, Dong et al., ICML 2024, arXiv:2406.02924): a formula over W, G, X scores every
// prunable weight of a small tfjs language model; each layer is pruned to the target; fitness = validation perplexity.
import type { z } from 'zod';
import type { EvalResult, Evaluator } from '../../core/types.js';
import { simplify, size, type ExprGenome } from '../../spaces/expression/index.js';
import type { PruningContext } from './context.js';
import { maskFingerprint, prunedOverlap, sparsityOf } from './masks.js';
import { pruneModel, prunedPerplexity, type PrunedModel, type PruningMethod } from './methods.js';
import { formulaMasks, pruneTarget, type PruneTarget } from './scoring.js';
import { pruningOptionsSchema } from './options.js';

export { pruningOptionsSchema, type PruningOptions } from './options.js';

/** A formula's pruned model under each comparison group the evaluator tries, keyed by the formula's token string. */
type PruneMemo = { readonly formula: string; readonly candidates: readonly PrunedModel[] };

/**
 * The evaluator; `fingerprint` hashes the masks, so formulas that prune the same weights are one candidate. Result:
 * fitness = validation perplexity; descriptors [size of the simplified formula, overlap with magnitude's masks];
 * metrics testPerplexity and sparsity. With `group: free` (unstructured) a formula is tried per row and per layer and
 * the lower validation perplexity counts; metrics say which (perLayer 1 or 0) and give both. On a fingerprint hit only
 * the size is the formula's own (`describe`): the rest is a function of the masks the two formulas share (with
 * `reconstruct: sparsegpt` too: SparseGPT's update of a layer is a function of its mask and of the earlier layers').
 */
export function createPruningEvaluator(input: z.input<typeof pruningOptionsSchema> = {}): Evaluator<ExprGenome> {
  const options = pruningOptionsSchema.parse(input);
  const groups = options.group === 'free' ? (['row', 'layer'] as const) : ([options.group] as const);
  const targets: PruneTarget[] = groups.map((group) => pruneTarget(options.pattern, options.sparsity, group));
  // N:M fixes the group: trying 'row' and 'layer' would try the same masks twice.
  if (targets[0]?.group.kind === 'n:m') targets.splice(1);
  let context: PruningContext | undefined;
  let magnitude: Map<string, Uint8Array> | undefined;
  let memo: PruneMemo | undefined;

  const ready = (): PruningContext => {
    if (!context) throw new Error('pruning evaluator used before setup()');
    return context;
  };
  const prunedBy = (genome: ExprGenome): readonly PrunedModel[] => {
    const formula = genome.join(' ');
    if (memo?.formula !== formula) {
      const method: PruningMethod =
        options.reconstruct === 'sparsegpt' ? { kind: 'sparsegpt', genome } : { kind: 'formula', genome };
      const candidates = targets.map((target) => pruneModel(ready(), method, target, options.calibration));
      memo = { formula, candidates };
    }
    return memo.candidates;
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
      const first = targets[0] as PruneTarget;
      const magnitudeTarget =
        first.group.kind === 'n:m' ? first : { group: { kind: 'layer' as const }, sparsity: first.sparsity };
      magnitude = formulaMasks(['W'], context.layers, magnitudeTarget);
    },
    fingerprint(genome) {
      const candidates = prunedBy(genome);
      if (candidates.length === 1) return maskFingerprint((candidates[0] as PrunedModel).masks);
      // Both groups' masks: two formulas are one candidate only if they agree under each.
      return maskFingerprint(
        new Map(
          candidates.flatMap(({ masks }, i) => [...masks].map(([name, m]) => [`${groups[i]}:${name}`, m] as const)),
        ),
      );
    },
    evaluate(genome): EvalResult {
      const { model, validation, test } = ready();
      const candidates = prunedBy(genome);
      const perplexities = candidates.map((pruned) => prunedPerplexity(model, validation, pruned));
      const best = perplexities.indexOf(Math.min(...perplexities));
      const pruned = candidates[best] as PrunedModel;
      const { masks } = pruned;
      const metrics: Record<string, number> = {
        testPerplexity: prunedPerplexity(model, test, pruned),
        sparsity: sparsityOf(masks),
      };
      if (candidates.length > 1) {
        metrics.perLayer = best;
        metrics.validationPerRow = perplexities[0] as number;
        metrics.validationPerLayer = perplexities[1] as number;
      }
      return {
        fitness: perplexities[best] as number,
        descriptors: [size(simplify(genome)), prunedOverlap(masks, magnitude ?? masks)],
        metrics,
      };
    },
    describe(genome, cached): EvalResult {
      const [, ...fromMasks] = cached.descriptors ?? []; // the overlap with magnitude's masks
      return { ...cached, descriptors: [size(simplify(genome)), ...fromMasks] };
    },
  };
}

export type { PruningContext } from './context.js';
export { blockScorer, formulaMasks, pruneTarget, type LayerStats, type PruneTarget } from './scoring.js';
export { maskFingerprint, prunedOverlap, pruneMask, sparsityOf, type PruneGroup } from './masks.js';
export { pruneModel, prunedPerplexity, type PrunedModel, type PruningMethod } from './methods.js';
export {
  obsCurvature,
  sparseGpt,
  sparseGptRule,
  type BlockScorer,
  type ScoreBlock,
  type SparseGptOptions,
  type SparseGptResult,
  type SparseGptRule,
} from './sparsegpt.js';
