// From a metric formula to masks: score every prunable weight from W, G, X, then prune each layer's groups.
import { evaluateExpression, type ExprGenome, type Tensor } from '../../spaces/expression/index.js';
import { pruneMask, type PruneGroup } from './masks.js';
import type { BlockScorer } from './sparsegpt.js';

/** One prunable layer's statistics as the formula sees them (ALGORITHMS.md §3.1). */
export interface LayerStats {
  readonly name: string;
  readonly dOut: number;
  readonly dIn: number;
  /** |weight|, [dOut][dIn]: the absolute value is taken before the tree sees it. */
  readonly W: Tensor;
  /** Per-weight gradient aggregate, [dOut][dIn]. */
  readonly G: Tensor;
  /** Wanda's per-input-feature activation statistic, broadcast as a 1×dIn row. */
  readonly X: Tensor;
  /** Each input's OBS curvature (1×dIn), when the method computed the layer's Hessian (see sparsegpt.ts). */
  readonly H?: Tensor;
}

/** What to prune: the group rule and the target sparsity (N/M for N:M). */
export interface PruneTarget {
  readonly group: PruneGroup;
  readonly sparsity: number;
}

/** Parses "unstructured" or "N:M" into a prune target. */
export function pruneTarget(pattern: string, sparsity: number, group: 'row' | 'layer'): PruneTarget {
  const nm = /^(\d+):(\d+)$/.exec(pattern);
  if (!nm) return { group: { kind: group }, sparsity };
  const n = Number(nm[1]);
  const m = Number(nm[2]);
  if (!(n > 0 && n < m)) throw new Error(`pattern ${pattern}: need 0 < N < M`);
  return { group: { kind: 'n:m', n, m }, sparsity: n / m };
}

/**
 * Masks of every layer for a formula.
 * @throws {Error} naming the layer and the position when the formula scores a weight NaN or ±Infinity.
 */
export function formulaMasks(
  genome: ExprGenome,
  layers: readonly LayerStats[],
  target: PruneTarget,
): Map<string, Uint8Array> {
  const masks = new Map<string, Uint8Array>();
  for (const layer of layers) {
    const scores = broadcastTo(evaluateExpression(genome, layer), layer.dOut, layer.dIn);
    try {
      masks.set(
        layer.name,
        pruneMask({ dOut: layer.dOut, dIn: layer.dIn, data: scores }, target.group, target.sparsity),
      );
    } catch (error) {
      throw new Error(`layer ${layer.name}: ${(error as Error).message}`);
    }
  }
  return masks;
}

/**
 * A formula as SparseGPT's saliency (sparsegpt.ts): at each mask choice it reads W = |the current weights| of the
 * columns chosen among, G and X of those columns, and H = their curvature; normalising operators (mms, zsn, div) see
 * only those columns, the weights the choice is made among.
 */
export function blockScorer(genome: ExprGenome, layer: LayerStats): BlockScorer {
  return ({ c1, c2, weights, curvature }) => {
    const width = c2 - c1;
    const rows = layer.dOut;
    const G = new Float64Array(rows * width);
    for (let r = 0; r < rows; r++) G.set(layer.G.data.subarray(r * layer.dIn + c1, r * layer.dIn + c2), r * width);
    const scores = evaluateExpression(genome, {
      W: { rows, cols: width, data: weights.map(Math.abs) },
      G: { rows, cols: width, data: G },
      X: { rows: 1, cols: width, data: layer.X.data.slice(c1, c2) },
      H: { rows: 1, cols: width, data: curvature },
    });
    return broadcastTo(scores, rows, width);
  };
}

/** Scores as a full [rows][cols] array: a formula of X alone gives a 1×cols row, a constant a 1×1 scalar. */
function broadcastTo(t: Tensor, rows: number, cols: number): Float64Array {
  if (t.rows === rows && t.cols === cols) return t.data;
  const out = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++)
      out[r * cols + c] = t.data[(t.rows === 1 ? 0 : r) * t.cols + (t.cols === 1 ? 0 : c)] as number;
  }
  return out;
}
