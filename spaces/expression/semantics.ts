// Numeric semantics of expression genomes on 2-D tensors, as in Pruner-Zero's `lib/gptree.py` (Dong et al., ICML 2024, arXiv:2406.02924).
// Shared by the simplifier's tests and the pruning evaluator: one definition of what a metric computes.
import { isConstant, isLeaf, PRIMITIVES, type BinaryOp, type UnaryOp } from './primitives.js';
import { assertGenome, type ExprGenome } from './tree.js';

export { formulaOf, parseFormula } from './parse.js';

/**
 * A row-major 2-D tensor of doubles. A 1×cols tensor broadcasts over rows, a rows×1 tensor over columns,
 * and a 1×1 tensor is a scalar.
 */
export interface Tensor {
  readonly rows: number;
  readonly cols: number;
  readonly data: Float64Array;
}

/**
 * The leaves: W (|weight|), G (gradient aggregate) as rows×cols, X (input statistic) and H (OBS curvature) as 1×cols
 * rows. H is optional: only evaluators that compute it provide it, and a formula that reads it elsewhere fails.
 */
export interface ExpressionLeaves {
  readonly W: Tensor;
  readonly G: Tensor;
  readonly X: Tensor;
  readonly H?: Tensor;
}

/**
 * A tensor of the given shape, filled from `values` (copied) or with zeros.
 * @throws {RangeError} when `values` does not hold rows·cols numbers.
 */
export function tensor(rows: number, cols: number, values?: ArrayLike<number>): Tensor {
  const data = new Float64Array(rows * cols);
  if (values !== undefined) {
    if (values.length !== data.length)
      throw new RangeError(`tensor: ${rows}×${cols} needs ${data.length} values, got ${values.length}`);
    data.set(values);
  }
  return { rows, cols, data };
}

/** log's guard: log(|x| + 0.001), as in Pruner-Zero. */
const LOG_EPSILON = 0.001;
/** exp's input is clamped to at most this, as in Pruner-Zero (`x.clamp(max=100)`). */
const EXP_MAX_INPUT = 100;

/**
 * Evaluates `genome` on the leaves. Elementwise operators broadcast their operands (result shape = broadcast of
 * the operand shapes); constants are 1×1 scalars.
 * - `sqr`/`pow` x·x, `neg`, `abs`, `tanh`, `skp` (identity);
 * - `log` = log(|x| + 0.001); `exp` = exp(min(x, 100)); `sqrt` = sqrt(|x|);
 * - `mms` = (x − min)/(max − min) and `zsn` = (x − mean)/std (population std) over the whole tensor. A tensor that
 *   holds any NaN or ±Inf, or that is constant, gives NaN everywhere (torch gives NaN for the constant case too);
 * - `add`, `sub`, `mul` elementwise; `div(x, y)` = x / ‖y‖_F where, as in Pruner-Zero, y is first broadcast to the
 *   joint shape of x and y (so `div(W, X)` divides by √rows·‖X‖_F) and the result has that joint shape.
 * Degenerate values never throw: NaN and ±Inf propagate for the caller to report. The result is a fresh tensor
 * (it never aliases a leaf); each operator allocates at most one buffer, and reuses its operand's when it can.
 * @throws {Error} when the genome is malformed or two operand shapes cannot broadcast.
 */
export function evaluateExpression(genome: ExprGenome, leaves: ExpressionLeaves): Tensor {
  assertGenome(genome, 'evaluateExpression');
  let next = 0;
  const evaluate = (): Value => {
    const at = next;
    const token = genome[next++] as string;
    if (isLeaf(token)) return { tensor: checkLeaf(token, leaves[token]), owned: false };
    if (isConstant(token)) return { tensor: { rows: 1, cols: 1, data: Float64Array.of(Number(token)) }, owned: true };
    const op = token as UnaryOp | BinaryOp;
    if (PRIMITIVES[op].arity === 1) {
      const arg = evaluate();
      return op === 'skp' ? arg : { tensor: applyUnary(op as UnaryOp, arg), owned: true };
    }
    const x = evaluate();
    const y = evaluate();
    return { tensor: applyBinary(op as BinaryOp, x, y, at), owned: true };
  };
  const result = evaluate();
  return result.owned ? result.tensor : { ...result.tensor, data: result.tensor.data.slice() };
}

/** A node's value; `owned` buffers were made during this evaluation and may be overwritten by the parent. */
interface Value {
  readonly tensor: Tensor;
  readonly owned: boolean;
}

function checkLeaf(name: string, t: Tensor | undefined): Tensor {
  if (!t) throw new Error(`evaluateExpression: the formula reads leaf ${name}, which this evaluation does not provide`);
  if (!(t.data instanceof Float64Array) || t.data.length !== t.rows * t.cols) {
    throw new Error(`evaluateExpression: leaf ${name} must be a tensor whose data holds rows·cols doubles`);
  }
  return t;
}

function applyUnary(op: UnaryOp, arg: Value): Tensor {
  const src = arg.tensor.data;
  const out = arg.owned ? src : new Float64Array(src.length); // in place when the child's buffer is ours
  const n = src.length;
  switch (op) {
    case 'sqr':
    case 'pow':
      for (let i = 0; i < n; i++) out[i] = src[i]! * src[i]!;
      break;
    case 'neg':
      for (let i = 0; i < n; i++) out[i] = -src[i]!;
      break;
    case 'abs':
      for (let i = 0; i < n; i++) out[i] = Math.abs(src[i]!);
      break;
    case 'log':
      for (let i = 0; i < n; i++) out[i] = Math.log(Math.abs(src[i]!) + LOG_EPSILON);
      break;
    case 'exp':
      for (let i = 0; i < n; i++) out[i] = Math.exp(Math.min(src[i]!, EXP_MAX_INPUT)); // Math.min keeps NaN
      break;
    case 'sqrt':
      for (let i = 0; i < n; i++) out[i] = Math.sqrt(Math.abs(src[i]!));
      break;
    case 'tanh':
      for (let i = 0; i < n; i++) out[i] = Math.tanh(src[i]!);
      break;
    case 'skp':
      if (out !== src) out.set(src);
      break;
    case 'mms':
      minMaxScale(src, out);
      break;
    case 'zsn':
      zScore(src, out);
      break;
  }
  return { rows: arg.tensor.rows, cols: arg.tensor.cols, data: out };
}

/** (x − min)/(max − min) over the whole tensor; NaN everywhere when a value is not finite. */
function minMaxScale(src: Float64Array, out: Float64Array): void {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < src.length; i++) {
    const v = src[i]!;
    if (!(v - v === 0)) return void out.fill(NaN); // NaN or ±Inf: the statistics are undefined
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const range = max - min; // 0 for a constant tensor: 0/0 = NaN, like torch
  if (Number.isFinite(range)) {
    for (let i = 0; i < src.length; i++) out[i] = (src[i]! - min) / range;
  } else {
    // max − min overflowed: halving is exact, so the same quotient without the overflow.
    const halfMin = min * 0.5;
    const halfRange = max * 0.5 - halfMin;
    for (let i = 0; i < src.length; i++) out[i] = (src[i]! * 0.5 - halfMin) / halfRange;
  }
}

/** (x − mean)/std with the population std over the whole tensor; NaN everywhere for a constant or non-finite tensor. */
function zScore(src: Float64Array, out: Float64Array): void {
  const n = src.length;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = src[i]!;
    if (!(v - v === 0)) return void out.fill(NaN);
    if (v < min) min = v;
    if (v > max) max = v;
  }
  // Constant: exactly 0/0. Computing it would give ±1 noise, since the rounded mean can miss the value by an ulp.
  if (min === max) return void out.fill(NaN);
  // Sums run on values scaled by a power of two: exact (the same result as unscaled) but free of overflow.
  const maxAbs = Math.max(Math.abs(min), Math.abs(max));
  const exponent = Math.min(1020, Math.max(-1020, Math.ceil(Math.log2(maxAbs))));
  const scale = 2 ** exponent;
  const inverse = 2 ** -exponent;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += src[i]! * inverse;
  const mean = (sum / n) * scale;
  let squares = 0;
  for (let i = 0; i < n; i++) {
    const d = (src[i]! - mean) * inverse;
    squares += d * d;
  }
  const std = Math.sqrt(squares / n) * scale;
  for (let i = 0; i < n; i++) out[i] = (src[i]! - mean) / std;
}

function applyBinary(op: BinaryOp, x: Value, y: Value, at: number): Tensor {
  const a = x.tensor;
  const b = y.tensor;
  const rows = broadcastDim(a.rows, b.rows);
  const cols = broadcastDim(a.cols, b.cols);
  if (rows < 0 || cols < 0) {
    throw new Error(
      `evaluateExpression: '${op}' at token ${at} cannot broadcast ${a.rows}×${a.cols} with ${b.rows}×${b.cols}`,
    );
  }
  const n = rows * cols;
  const sameA = a.rows === rows && a.cols === cols;
  const sameB = b.rows === rows && b.cols === cols;
  // Write over an operand we own when it already has the result's shape: element k reads only index k of it.
  const out = x.owned && sameA ? a.data : y.owned && sameB ? b.data : new Float64Array(n);
  const A = a.data;
  const B = b.data;

  if (op === 'div') {
    let squares = 0;
    for (let i = 0; i < B.length; i++) squares += B[i]! * B[i]!;
    // ‖y broadcast to rows×cols‖_F: every element of y repeats n / |y| times.
    const norm = Math.sqrt((n / B.length) * squares);
    if (sameA) for (let i = 0; i < n; i++) out[i] = A[i]! / norm;
    else {
      const [rowStride, colStride] = strides(a);
      for (let r = 0, k = 0; r < rows; r++)
        for (let c = 0; c < cols; c++, k++) out[k] = A[r * rowStride + c * colStride]! / norm;
    }
    return { rows, cols, data: out };
  }

  if (sameA && sameB) {
    if (op === 'add') for (let i = 0; i < n; i++) out[i] = A[i]! + B[i]!;
    else if (op === 'sub') for (let i = 0; i < n; i++) out[i] = A[i]! - B[i]!;
    else for (let i = 0; i < n; i++) out[i] = A[i]! * B[i]!;
    return { rows, cols, data: out };
  }
  const [aRow, aCol] = strides(a);
  const [bRow, bCol] = strides(b);
  for (let r = 0, k = 0; r < rows; r++) {
    let ia = r * aRow;
    let ib = r * bRow;
    if (op === 'add') for (let c = 0; c < cols; c++, k++, ia += aCol, ib += bCol) out[k] = A[ia]! + B[ib]!;
    else if (op === 'sub') for (let c = 0; c < cols; c++, k++, ia += aCol, ib += bCol) out[k] = A[ia]! - B[ib]!;
    else for (let c = 0; c < cols; c++, k++, ia += aCol, ib += bCol) out[k] = A[ia]! * B[ib]!;
  }
  return { rows, cols, data: out };
}

/** The broadcast of two extents, or -1 when neither is 1 and they differ. */
function broadcastDim(p: number, q: number): number {
  return p === q || q === 1 ? p : p === 1 ? q : -1;
}

/** Row and column steps of a tensor read as if broadcast: 0 along an extent of 1. */
function strides(t: Tensor): [number, number] {
  return [t.rows === 1 ? 0 : t.cols, t.cols === 1 ? 0 : 1];
}
