// Expression primitives: the leaves and operators of Pruner-Zero's symbolic pruning metrics (Dong et al., ICML 2024, arXiv:2406.02924).
// Names and arities follow `lib/gptree.py` of pprp/Pruner-Zero; the numeric meaning of each lives in semantics.ts.

/**
 * The leaves: W = |weight|, G = gradient ℓ2 aggregate, X = input-feature statistic (a 1×d_in row), and H = each
 * input's OBS curvature (a 1×d_in row: 1/U_cc², U the upper Cholesky factor of the layer's dampened inverse Hessian,
 * SparseGPT's denominator, so that SparseGPT's own saliency is `mul(sqr(W), H)`).
 */
export const LEAVES = ['W', 'G', 'X', 'H'] as const;
export type Leaf = (typeof LEAVES)[number];

/** The leaves a space uses unless its options say otherwise: Pruner-Zero's three. */
export const DEFAULT_LEAVES: readonly Leaf[] = ['W', 'G', 'X'];

/** Leaves that are one value per input column (1×d_in rows); the others are one per weight. */
export function isRowLeaf(token: string): boolean {
  return token === 'X' || token === 'H';
}

/** Unary operators, in Pruner-Zero's order. `pow` is x² (an alias of `sqr`), `skp` the identity. */
export const UNARY_OPS = ['sqr', 'neg', 'abs', 'log', 'exp', 'sqrt', 'tanh', 'pow', 'skp', 'mms', 'zsn'] as const;
export type UnaryOp = (typeof UNARY_OPS)[number];

/** Binary operators. `div(x, y)` divides by the Frobenius norm of y (a scalar), not elementwise. */
export const BINARY_OPS = ['add', 'sub', 'mul', 'div'] as const;
export type BinaryOp = (typeof BINARY_OPS)[number];

export type Op = UnaryOp | BinaryOp;

/** What the generators and the simplifier need to know about an operator. */
export interface Primitive {
  readonly arity: 1 | 2;
  /** Children may be swapped without changing any value (fp add and mul are exactly commutative). */
  readonly commutative?: boolean;
}

/** Operator name → arity and commutativity. */
export const PRIMITIVES: Readonly<Record<Op, Primitive>> = {
  sqr: { arity: 1 },
  neg: { arity: 1 },
  abs: { arity: 1 },
  log: { arity: 1 },
  exp: { arity: 1 },
  sqrt: { arity: 1 },
  tanh: { arity: 1 },
  pow: { arity: 1 },
  skp: { arity: 1 },
  mms: { arity: 1 },
  zsn: { arity: 1 },
  add: { arity: 2, commutative: true },
  sub: { arity: 2 },
  mul: { arity: 2, commutative: true },
  div: { arity: 2 },
};

/** Decimal numerals as `Number` parses and `String(number)` prints them (no hex, no Infinity, no blanks). */
const CONSTANT = /^-?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

export function isLeaf(token: string): token is Leaf {
  return (LEAVES as readonly string[]).includes(token);
}

export function isOp(token: string): token is Op {
  return Object.hasOwn(PRIMITIVES, token);
}

/** A numeric constant token: a finite decimal numeral. Constants only arise from simplification or parsed formulas. */
export function isConstant(token: string): boolean {
  return CONSTANT.test(token) && Number.isFinite(Number(token));
}

/** The canonical token of a finite number: `String` round-trips every double; `-0` keeps its sign. */
export function constantToken(value: number): string {
  return Object.is(value, -0) ? '-0' : String(value);
}

/** Number of children of a token: 0 for leaves and constants, or -1 when the token is not valid. */
export function arityOf(token: string): 0 | 1 | 2 | -1 {
  if (isOp(token)) return PRIMITIVES[token].arity;
  return isLeaf(token) || isConstant(token) ? 0 : -1;
}
