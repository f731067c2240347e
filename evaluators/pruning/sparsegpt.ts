// SparseGPT (Frantar & Alistarh, ICML 2023, arXiv:2301.00774; ALGORITHMS.md §10.4): prunes one linear layer y = W·x
// and updates the weights it keeps so that W·X moves as little as possible on the calibration inputs X. Plain Float64
// math: the layers here have a few hundred inputs.
import { upperCholeskyOfInverse } from './cholesky.js';
import type { PruneGroup } from './masks.js';

/** A linear layer's weights, [dOut][dIn] row-major. */
export interface DenseLayer {
  readonly dOut: number;
  readonly dIn: number;
  readonly weight: ArrayLike<number>;
}

/**
 * Which weights go. SparseGPT chooses the mask as it goes, one column block at a time, from the weights as already
 * updated: `layer` prunes `pruned` weights of the layer, each block its share (by width), all rows of a block competing
 * (the reference's adaptive mask selection); `row` prunes `pruned` in every row, each block its share; `n:m` prunes the
 * N lowest of every M consecutive inputs of a row; `fixed` keeps the mask given (1 keep, 0 prune) and only updates.
 */
export type SparseGptRule =
  | { readonly kind: 'layer'; readonly pruned: number }
  | { readonly kind: 'row'; readonly pruned: number }
  | { readonly kind: 'n:m'; readonly n: number; readonly m: number }
  | { readonly kind: 'fixed'; readonly mask: Uint8Array };

export interface SparseGptOptions {
  /** Columns per block (mask selection for `layer` and `row` happens at each block's start); default 128. */
  readonly blockSize?: number;
  /** λ: λ·mean(diag H) is added to H's diagonal before it is inverted; default 0.01, as the reference. */
  readonly dampening?: number;
  /** Replaces SparseGPT's score w²/U_cc² in the mask choices (an evolved saliency); the update stays SparseGPT's. */
  readonly score?: BlockScorer;
}

export interface SparseGptResult {
  /** The pruned and updated weights, [dOut][dIn]: zero where the mask is 0 (and at inputs never seen nonzero). */
  readonly weights: Float32Array;
  /** 1 keep, 0 prune, [dOut][dIn]. */
  readonly mask: Uint8Array;
}

const DEFAULT_BLOCK_SIZE = 128;
const DEFAULT_DAMPENING = 0.01;

/** SparseGPT's rule for one of masks.ts' comparison groups at a sparsity: the same pruned counts as pruneMask. */
export function sparseGptRule(group: PruneGroup, sparsity: number, dOut: number, dIn: number): SparseGptRule {
  if (group.kind === 'n:m') return { kind: 'n:m', n: group.n, m: group.m };
  if (group.kind === 'row') return { kind: 'row', pruned: Math.floor(sparsity * dIn) };
  return { kind: 'layer', pruned: Math.floor(sparsity * dOut * dIn) };
}

/**
 * Prunes `layer` under `rule` and reconstructs the kept weights from `hessian`, [dIn][dIn] = 2·mean(x·xᵀ) over the
 * calibration tokens (any positive multiple gives the same result: the dampening is relative). Inputs never seen
 * nonzero (a zero diagonal entry) get weight 0 and a unit diagonal, as in the reference; their scores are then 0, so
 * the rules take them first. For every column c in order, a pruned weight w is zeroed and the row's later weights get
 * the optimal (OBS) correction −(w/U_cc)·U_c,c+1…, with U the upper Cholesky factor of H⁻¹; scores are w²/U_cc².
 * (The reference batches these updates per block for the GPU; the arithmetic is the same.)
 * @throws {RangeError} for a rule that does not fit the layer, or a Hessian that stays singular after dampening.
 */
export function sparseGpt(
  layer: DenseLayer,
  hessian: ArrayLike<number>,
  rule: SparseGptRule,
  options: SparseGptOptions = {},
): SparseGptResult {
  return sparseGptPruner(layer, hessian, options)(rule, options.score);
}

/**
 * {@link sparseGpt} for several rules (and scores) on one layer: the Hessian is dampened and factorised once, and each
 * call prunes a fresh copy of the dense weights (EvoPress builds its levels this way).
 * @throws {RangeError} for a Hessian of the wrong size or singular after dampening; a call, for a rule that does not fit.
 */
export function sparseGptPruner(
  layer: DenseLayer,
  hessian: ArrayLike<number>,
  options: SparseGptOptions = {},
): (rule: SparseGptRule, score?: BlockScorer) => SparseGptResult {
  const { dense, u } = factorise(layer, hessian, options);
  const blockSize = options.blockSize ?? DEFAULT_BLOCK_SIZE;
  return (rule, score) => {
    checkRule(rule, layer.dOut, layer.dIn, blockSize);
    return pruneColumns(dense.slice(), u, layer.dOut, layer.dIn, rule, blockSize, score);
  };
}

/**
 * Each input's OBS curvature 1/U_cc², U the upper Cholesky factor of the dampened H⁻¹, as SparseGPT's loop reads it
 * (the expression leaf H): U_cc² is the inverse Hessian's diagonal once the earlier columns are fixed.
 * @throws {RangeError} as {@link sparseGptPruner}.
 */
export function obsCurvature(
  layer: DenseLayer,
  hessian: ArrayLike<number>,
  options: SparseGptOptions = {},
): Float64Array {
  return curvatureOf(factorise(layer, hessian, options).u, layer.dIn);
}

/** 1/U_cc² for every column c of U ([dIn][dIn]). */
function curvatureOf(u: Float64Array, dIn: number): Float64Array {
  return Float64Array.from({ length: dIn }, (_, c) => 1 / (u[c * dIn + c] as number) ** 2);
}

/** The dense weights (zero at inputs never seen nonzero) and U, the upper Cholesky factor of the dampened H⁻¹. */
function factorise(
  layer: DenseLayer,
  hessian: ArrayLike<number>,
  options: SparseGptOptions,
): { readonly dense: Float64Array; readonly u: Float64Array } {
  const { dOut, dIn } = layer;
  const dampening = options.dampening ?? DEFAULT_DAMPENING;
  if (layer.weight.length !== dOut * dIn)
    throw new RangeError(`${layer.weight.length} weights for a ${dOut}×${dIn} layer`);
  if (hessian.length !== dIn * dIn)
    throw new RangeError(`Hessian has ${hessian.length} entries, expected ${dIn}×${dIn} = ${dIn * dIn}`);
  if (!(dampening >= 0)) throw new RangeError(`dampening must be ≥ 0, got ${dampening}`);

  const dense = Float64Array.from(layer.weight);
  const h = Float64Array.from(hessian);
  let trace = 0;
  for (let c = 0; c < dIn; c++) {
    if (h[c * dIn + c] === 0) {
      h[c * dIn + c] = 1;
      for (let r = 0; r < dOut; r++) dense[r * dIn + c] = 0;
    }
    trace += h[c * dIn + c] as number;
  }
  const damp = (dampening * trace) / dIn;
  for (let c = 0; c < dIn; c++) h[c * dIn + c] = (h[c * dIn + c] as number) + damp;
  let u: Float64Array;
  try {
    u = upperCholeskyOfInverse(h, dIn);
  } catch (error) {
    throw new RangeError(`SparseGPT: the dampened Hessian is singular (${(error as Error).message}); raise dampening`);
  }
  return { dense, u };
}

/**
 * The weights a mask choice is made among, as they are when it is made (already updated by the earlier columns):
 * columns c1…c2−1 of every row. A {@link BlockScorer} gives each a score; the lowest are pruned.
 */
export interface ScoreBlock {
  readonly c1: number;
  readonly c2: number;
  /** The current weights, [dOut][c2−c1], signed. */
  readonly weights: Float64Array;
  /** Each column's OBS curvature 1/U_cc² (SparseGPT's own score is w²·curvature). */
  readonly curvature: Float64Array;
}

/** Scores of a block, [dOut][c2−c1]; every score must be finite. */
export type BlockScorer = (block: ScoreBlock) => ArrayLike<number>;

/**
 * The column-block loop on `w` (written in place), with U the upper Cholesky factor of the dampened H⁻¹. Masks are
 * chosen at each block's start (`layer`, `row`) or at each group of M columns (`n:m`), from `score` (default
 * SparseGPT's w²/U_cc²) on the weights as already updated; then each pruned weight's correction goes to the later
 * columns of its row. Rows never mix, so doing an N:M group for all rows before the next group is the reference's
 * row-by-row arithmetic, operation for operation.
 */
function pruneColumns(
  w: Float64Array,
  u: Float64Array,
  dOut: number,
  dIn: number,
  rule: SparseGptRule,
  blockSize: number,
  score?: BlockScorer,
): SparseGptResult {
  const mask = rule.kind === 'fixed' ? rule.mask.slice() : new Uint8Array(dOut * dIn).fill(1);
  // What a scorer reads besides the weights: each input's curvature, once per layer.
  const scorer = score && { score, curvature: curvatureOf(u, dIn) };
  const scoresOf = (c1: number, c2: number): ArrayLike<number> => {
    const width = c2 - c1;
    const block = new Float64Array(dOut * width);
    for (let r = 0; r < dOut; r++) for (let c = c1; c < c2; c++) block[r * width + c - c1] = w[r * dIn + c] as number;
    if (!scorer) {
      for (let i = 0; i < block.length; i++)
        block[i] = ((block[i] as number) / (u[(c1 + (i % width)) * (dIn + 1)] as number)) ** 2;
      return block;
    }
    const scores = scorer.score({ c1, c2, weights: block, curvature: scorer.curvature.subarray(c1, c2) });
    if (scores.length !== block.length)
      throw new RangeError(`block scorer gave ${scores.length} scores for ${dOut}×${width} weights`);
    for (let i = 0; i < scores.length; i++) {
      if (!Number.isFinite(scores[i]))
        throw new RangeError(`score of row ${Math.floor(i / width)}, column ${c1 + (i % width)} is ${scores[i]}`);
    }
    return scores;
  };
  // Prunes `count` of the lowest scores among rows r1…r2−1 of columns c1…c2−1 (ties: the earlier weight first).
  const select = (scores: ArrayLike<number>, c1: number, c2: number, r1: number, r2: number, count: number): void => {
    const width = c2 - c1;
    const at: number[] = [];
    for (let r = r1; r < r2; r++) for (let j = 0; j < width; j++) at.push(r * width + j);
    pruneLowest(
      at,
      (i) => scores[i] as number,
      count,
      mask,
      (i) => Math.floor(i / width) * dIn + c1 + (i % width),
    );
  };
  const update = (c1: number, c2: number): void => {
    for (let r = 0; r < dOut; r++) {
      const row = r * dIn;
      for (let c = c1; c < c2; c++) {
        if (mask[row + c] === 1) continue;
        const err = (w[row + c] as number) / (u[c * dIn + c] as number);
        if (err !== 0)
          for (let j = c + 1; j < dIn; j++) w[row + j] = (w[row + j] as number) - err * (u[c * dIn + j] as number);
        w[row + c] = 0;
      }
    }
  };
  for (let c1 = 0; c1 < dIn; c1 += blockSize) {
    const c2 = Math.min(c1 + blockSize, dIn);
    if (rule.kind === 'n:m') {
      for (let g = c1; g < c2; g += rule.m) {
        const scores = scoresOf(g, g + rule.m);
        for (let r = 0; r < dOut; r++) select(scores, g, g + rule.m, r, r + 1, rule.n);
        update(g, g + rule.m);
      }
      continue;
    }
    if (rule.kind === 'layer') select(scoresOf(c1, c2), c1, c2, 0, dOut, share(rule.pruned, c1, c2, dIn));
    if (rule.kind === 'row') {
      const scores = scoresOf(c1, c2);
      const quota = share(rule.pruned, c1, c2, dIn);
      for (let r = 0; r < dOut; r++) select(scores, c1, c2, r, r + 1, quota);
    }
    update(c1, c2);
  }
  return { weights: Float32Array.from(w), mask };
}

/** The pruned count of columns c1…c2−1 when `total` is spread over dIn columns by width (the shares sum to total). */
function share(total: number, c1: number, c2: number, dIn: number): number {
  return Math.floor((total * c2) / dIn) - Math.floor((total * c1) / dIn);
}

/**
 * Zeroes in `mask` the `count` candidates of lowest score; `position` maps a candidate to its weight's index in the
 * layer (ties: the earlier weight first, as masks.ts).
 */
function pruneLowest(
  candidates: number[],
  score: (i: number) => number,
  count: number,
  mask: Uint8Array,
  position: (i: number) => number,
): void {
  if (count <= 0) return;
  const scored = candidates.map((i) => [score(i), position(i)] as const);
  scored.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  for (let k = 0; k < count && k < scored.length; k++) mask[(scored[k] as readonly [number, number])[1]] = 0;
}

/** @throws {RangeError} when `rule` does not fit a dOut×dIn layer with this block size. */
function checkRule(rule: SparseGptRule, dOut: number, dIn: number, blockSize: number): void {
  if (!Number.isInteger(blockSize) || blockSize < 1)
    throw new RangeError(`blockSize must be a positive integer, got ${blockSize}`);
  if (rule.kind === 'layer' || rule.kind === 'row') {
    const most = rule.kind === 'layer' ? dOut * dIn : dIn;
    if (!Number.isInteger(rule.pruned) || rule.pruned < 0 || rule.pruned > most)
      throw new RangeError(`SparseGPT ${rule.kind} rule prunes ${rule.pruned}; expected an integer in 0…${most}`);
  } else if (rule.kind === 'n:m') {
    if (!(Number.isInteger(rule.n) && Number.isInteger(rule.m) && rule.n > 0 && rule.n < rule.m))
      throw new RangeError(`N:M needs integers 0 < N < M, got ${rule.n}:${rule.m}`);
    if (dIn % rule.m !== 0 || blockSize % rule.m !== 0)
      throw new RangeError(`N:M needs M (${rule.m}) to divide the inputs (${dIn}) and the block size (${blockSize})`);
  } else if (rule.mask.length !== dOut * dIn) {
    throw new RangeError(`fixed mask has ${rule.mask.length} entries, expected ${dOut}×${dIn} = ${dOut * dIn}`);
  }
}
