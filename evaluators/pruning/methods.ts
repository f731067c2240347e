// Pruning the whole model with one method, from dense or sequential calibration: a metric formula's masks (Pruner-Zero,
// Wanda and magnitude are formulas) or SparseGPT's masks with reconstructed weights; and the perplexity of the result.
import type * as tf from '@tensorflow/tfjs';
import type { Calibration, LanguageModel } from '../../lm/model.js';
import { type ExprGenome, tensor } from '../../spaces/expression/index.js';
import type { PruningContext } from './context.js';
import { blockScorer, formulaMasks, type LayerStats, type PruneTarget } from './scoring.js';
import { obsCurvature, sparseGpt, sparseGptRule } from './sparsegpt.js';

/**
 * How every layer is pruned: by a metric formula over W, G, X, H (with `reconstruct`, SparseGPT's update of the weights
 * it keeps, at the formula's mask), or by SparseGPT: its own masks, or with `genome`, masks chosen by the formula inside
 * SparseGPT's column-block loop from the weights as already updated (an evolved saliency in place of w²/U_cc²); the
 * kept weights reconstructed either way.
 */
export type PruningMethod =
  | { readonly kind: 'formula'; readonly genome: ExprGenome; readonly reconstruct?: boolean }
  | { readonly kind: 'sparsegpt'; readonly genome?: ExprGenome };

/** A pruned model: its masks and, when they are not the dense weights masked, the weights to use ([dOut][dIn]). */
export interface PrunedModel {
  readonly masks: Map<string, Uint8Array>;
  readonly weights?: Map<string, Float32Array>;
}

/**
 * Prunes every layer of `ctx.model` to `target`. Dense calibration reads the statistics of the dense model (W, G, X of
 * ctx.layers for formulas); sequential calibration recomputes each layer's X (or SparseGPT's Hessian) on the
 * calibration tokens with the earlier layers already pruned (G stays the dense model's, as in Pruner-Zero's code).
 * A formula without X prunes the same either way, so it skips the forward pass (unless it reconstructs or reads H,
 * which comes from the layer's Hessian on the calibration tokens).
 * @throws {Error} naming the layer when a formula scores a weight NaN or ±Infinity.
 */
export function pruneModel(
  ctx: PruningContext,
  method: PruningMethod,
  target: PruneTarget,
  calibration: Calibration,
): PrunedModel {
  const reconstructs = method.kind === 'sparsegpt' || method.reconstruct === true;
  if (
    method.kind === 'formula' &&
    !reconstructs &&
    !method.genome.includes('H') &&
    (calibration === 'dense' || !method.genome.includes('X'))
  )
    return { masks: formulaMasks(method.genome, ctx.layers, target) };
  const masks = new Map<string, Uint8Array>();
  const weights = new Map<string, Float32Array>();
  const byName = new Map(ctx.layers.map((layer) => [layer.name, layer]));
  ctx.model.calibrate(
    ctx.calibration,
    (name, inputs) => {
      const layer = byName.get(name) as LayerStats;
      const dense = ctx.model.weight(name).data;
      const { dOut, dIn } = layer;
      // Dense calibration keeps the dense model's X (ctx.layers); sequential takes this pass's.
      const X = calibration === 'dense' ? layer.X : tensor(1, dIn, inputs.meanSquares());
      if (method.kind === 'sparsegpt') {
        const score = method.genome && blockScorer(method.genome, { ...layer, X });
        const result = sparseGpt(
          { dOut, dIn, weight: dense },
          inputs.secondMoment(),
          sparseGptRule(target.group, target.sparsity, dOut, dIn),
          score ? { score } : {},
        );
        masks.set(name, result.mask);
        weights.set(name, result.weights);
        return result.weights;
      }
      const stats: LayerStats = method.genome.includes('H')
        ? { ...layer, X, H: tensor(1, dIn, obsCurvature({ dOut, dIn, weight: dense }, inputs.secondMoment())) }
        : { ...layer, X };
      const mask = formulaMasks(method.genome, [stats], target).get(name) as Uint8Array;
      masks.set(name, mask);
      if (!method.reconstruct) return dense.map((w, i) => (mask[i] ? w : 0));
      const updated = sparseGpt({ dOut, dIn, weight: dense }, inputs.secondMoment(), { kind: 'fixed', mask }).weights;
      weights.set(name, updated);
      return updated;
    },
    calibration,
  );
  return reconstructs ? { masks, weights } : { masks };
}

/** Perplexity of `tokens` under a pruned model: its masks, or its own weights where it has them. */
export function prunedPerplexity(model: LanguageModel, tokens: Int32Array, pruned: PrunedModel): number {
  if (!pruned.weights) return model.perplexity(tokens, pruned.masks);
  const overrides = new Map<string, tf.Tensor>();
  try {
    for (const [name, w] of pruned.weights) overrides.set(name, model.layerTensor(name, w));
    return model.windowPerplexity(tokens, { weights: overrides });
  } finally {
    for (const t of overrides.values()) t.dispose();
  }
}
