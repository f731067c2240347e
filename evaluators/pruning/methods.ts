// Pruning the whole model with one method, from dense or sequential calibration: a metric formula's masks (Pruner-Zero,
// Wanda and magnitude are formulas) or SparseGPT's masks with reconstructed weights; and the perplexity of the result.
import type * as tf from '@tensorflow/tfjs';
import type { Calibration, LanguageModel } from '../../lm/model.js';
import { type ExprGenome, tensor } from '../../spaces/expression/index.js';
import type { PruningContext } from './context.js';
import { formulaMasks, type LayerStats, type PruneTarget } from './scoring.js';
import { sparseGpt, sparseGptRule } from './sparsegpt.js';

/**
 * How every layer is pruned: by a metric formula over W, G, X (with `reconstruct`, SparseGPT's update of the weights it
 * keeps, at the formula's mask), or by SparseGPT (its own masks, reconstructed weights).
 */
export type PruningMethod =
  | { readonly kind: 'formula'; readonly genome: ExprGenome; readonly reconstruct?: boolean }
  | { readonly kind: 'sparsegpt' };

/** A pruned model: its masks and, when they are not the dense weights masked, the weights to use ([dOut][dIn]). */
export interface PrunedModel {
  readonly masks: Map<string, Uint8Array>;
  readonly weights?: Map<string, Float32Array>;
}

/**
 * Prunes every layer of `ctx.model` to `target`. Dense calibration reads the statistics of the dense model (W, G, X of
 * ctx.layers for formulas); sequential calibration recomputes each layer's X (or SparseGPT's Hessian) on the
 * calibration tokens with the earlier layers already pruned (G stays the dense model's, as in Pruner-Zero's code).
 * A formula without X prunes the same either way, so it skips the forward pass (unless it reconstructs).
 * @throws {Error} naming the layer when a formula scores a weight NaN or ±Infinity.
 */
export function pruneModel(
  ctx: PruningContext,
  method: PruningMethod,
  target: PruneTarget,
  calibration: Calibration,
): PrunedModel {
  const reconstructs = method.kind === 'sparsegpt' || method.reconstruct === true;
  if (method.kind === 'formula' && !reconstructs && (calibration === 'dense' || !method.genome.includes('X')))
    return { masks: formulaMasks(method.genome, ctx.layers, target) };
  const masks = new Map<string, Uint8Array>();
  const weights = new Map<string, Float32Array>();
  const byName = new Map(ctx.layers.map((layer) => [layer.name, layer]));
  ctx.model.calibrate(
    ctx.calibration,
    (name, inputs) => {
      const layer = byName.get(name) as LayerStats;
      const dense = ctx.model.weight(name).data;
      if (method.kind === 'sparsegpt') {
        const { dOut, dIn } = layer;
        const result = sparseGpt(
          { dOut, dIn, weight: dense },
          inputs.secondMoment(),
          sparseGptRule(target.group, target.sparsity, dOut, dIn),
        );
        masks.set(name, result.mask);
        weights.set(name, result.weights);
        return result.weights;
      }
      // Dense calibration keeps the dense model's X (ctx.layers); sequential takes this pass's.
      const stats: LayerStats =
        calibration === 'dense' ? layer : { ...layer, X: tensor(1, layer.dIn, inputs.meanSquares()) };
      const mask = formulaMasks(method.genome, [stats], target).get(name) as Uint8Array;
      masks.set(name, mask);
      if (!method.reconstruct) return dense.map((w, i) => (mask[i] ? w : 0));
      const { dOut, dIn } = layer;
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
