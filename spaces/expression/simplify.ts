// Simplification of expression genomes: Pruner-Zero's Opposing Operation Simplification (Dong et al., ICML 2024,
// arXiv:2406.02924) plus exact algebraic rules and a canonical order, so equivalent metrics share one key.
//
// Every rule is an identity of the numeric semantics in semantics.ts, exact or up to rounding, never merely
// order-preserving: mms, zsn and div are whole-tensor operators, so a rewrite that scaled a subterm would change
// the values around it. Pairs that look inverse but are not under the guarded semantics are kept:
// exp(log(x)) = |x| + 0.001 and log(exp(x)) = log(exp(min(x, 100)) + 0.001), and mms(neg(x)) = 1 − mms(x).
//
// Assumptions, under which the rules below are exact: the leaves hold finite values, W and G share one shape and
// X and H broadcast into it (1×cols), and no intermediate value overflows (|v| < ~1e154, so x·x stays finite).
import { constantToken, isConstant, isLeaf, isRowLeaf, PRIMITIVES, type Op } from './primitives.js';
import { evaluateExpression, tensor, type ExpressionLeaves } from './semantics.js';
import { assertGenome, fromNode, toNode, type ExprGenome, type ExprNode } from './tree.js';

/** Static shape class: a constant is a scalar, X and H rows, W and G full; an operator has the largest of its operands'. */
type Shape = 0 | 1 | 2;
const SCALAR: Shape = 0;

interface Node extends ExprNode {
  readonly args: readonly Node[];
  /** The prefix tokens joined by spaces: equality test and the canonical order's sort key. */
  readonly text: string;
  readonly shape: Shape;
  /** Finite whenever the leaves are: no mms/zsn (NaN on constant input) and no div (a zero norm gives ±Inf). */
  readonly finite: boolean;
}

/** Upper bound on whole-tree passes; one pass reaches the fixpoint, the loop only guards idempotence. */
const MAX_PASSES = 8;

/**
 * The simplified, canonical form of a genome: rules applied bottom-up until none applies.
 * - Aliases: pow(x) → sqr(x); skp(x) → x; constants are rewritten in their shortest round-trip form.
 * - Opposing operations (OOS): neg(neg(x)) → x; abs(neg(x)) → abs(x); sqrt(sqr(x)) → abs(x); sqr(sqrt(x)) → abs(x).
 * - Redundant signs: abs(y) → y for y ∈ {abs, sqr, sqrt, exp, mms} (never negative); sqr(neg(x)), sqr(abs(x)) → sqr(x);
 *   sqrt, log of neg(x) or abs(x) → of x (both read |x|); div(x, neg(y)), div(x, abs(y)) → div(x, y) (‖·‖ ignores signs).
 * - Sign pulling (fp negation is exact): mul(neg(x), y) → neg(mul(x, y)) (so mul(neg(x), neg(y)) → mul(x, y));
 *   div(neg(x), y) → neg(div(x, y)); add(x, neg(y)) → sub(x, y); sub(x, neg(y)) → add(x, y); sub(neg(x), y) → neg(add(x, y)).
 * - Whole-tensor scaling: mms and zsn are invariant under positive affine maps, and mms/zsn outputs are positive affine
 *   maps of their input, so mms(mms(x)), mms(zsn(x)) → mms(x) and zsn(zsn(x)), zsn(mms(x)) → zsn(x);
 *   mms(mul(c, x)) → mms(x) and zsn(mul(c, x)) → zsn(x) for a constant c > 0.
 * - Algebra: add(x, x) → mul(2, x); mul(x, x) → sqr(x); sub(x, x) → 0 when x cannot be NaN/Inf (no mms, zsn, div
 *   inside) and the zero's smaller shape cannot show (a sibling operand carries the shape; never at the root, nor
 *   where it would change the shape a div's norm is taken over).
 * - Constant folding: an operator whose operands are all constants becomes its value, when that value is finite.
 * - Canonical order: the operands of add and mul are sorted by their serialised prefix form.
 * The result evaluates to the same tensor, with the same shape, as the input, up to rounding (which only
 * sqr(sqrt(x)), the mms/zsn rules and a shrunk div operand introduce); the input is not modified.
 * @throws {Error} when the genome is malformed.
 */
export function simplify(genome: ExprGenome): ExprGenome {
  assertGenome(genome, 'simplify');
  let node = simplifyNode(annotate(toNode(genome)));
  for (let pass = 1; pass < MAX_PASSES; pass++) {
    const again = simplifyNode(node);
    if (again.text === node.text) break;
    node = again;
  }
  return fromNode(node);
}

function simplifyNode(root: Node): Node {
  return simp(root, root.shape);
}

function make(token: string, args: readonly Node[] = []): Node {
  const text = args.length === 0 ? token : `${token} ${args.map((a) => a.text).join(' ')}`;
  let shape: Shape = isRowLeaf(token) ? 1 : isLeaf(token) ? 2 : SCALAR;
  let finite = token !== 'mms' && token !== 'zsn' && token !== 'div';
  for (const arg of args) {
    if (arg.shape > shape) shape = arg.shape;
    finite &&= arg.finite;
  }
  return { token, args, text, shape, finite };
}

function annotate(node: ExprNode): Node {
  return make(node.token, node.args.map(annotate));
}

/**
 * Simplifies `node` into a form whose value equals `node`'s once broadcast to `node`'s shape, and whose own shape
 * is at least `need` (need ≤ node.shape). Only sub(x, x) → 0 shrinks shapes; `need` says where that may show.
 */
function simp(node: Node, need: Shape): Node {
  if (node.args.length === 0) return isConstant(node.token) ? make(constantToken(Number(node.token))) : node;
  let args: Node[];
  if (node.args.length === 1) {
    args = [simp(node.args[0] as Node, need)];
  } else {
    const [a, b] = node.args as [Node, Node];
    // div's norm is taken over the joint shape of both operands, so that shape must survive whatever `need` says.
    const required = node.token === 'div' ? node.shape : need;
    // The larger operand carries the shape; the other may shrink, since broadcasting makes up for it.
    args = a.shape >= b.shape ? [simp(a, required), simp(b, SCALAR)] : [simp(a, SCALAR), simp(b, required)];
  }
  const current = make(node.token, args);
  const rewritten = rewrite(current, need);
  return rewritten ? simp(rewritten, need) : current;
}

const NEVER_NEGATIVE = new Set(['abs', 'sqr', 'sqrt', 'exp', 'mms']);
const SCALE_INVARIANT = new Set(['mms', 'zsn']);
const NO_LEAVES: ExpressionLeaves = { W: tensor(1, 1), G: tensor(1, 1), X: tensor(1, 1) };

/** One rule applied at the top of `node` (whose operands are simplified), or undefined when none applies. */
function rewrite(node: Node, need: Shape): Node | undefined {
  const op = node.token as Op;
  if (node.args.every((a) => isConstant(a.token))) {
    const value = evaluateExpression(fromNode(node), NO_LEAVES).data[0] as number;
    return Number.isFinite(value) ? make(constantToken(value)) : undefined;
  }
  if (node.args.length === 1) return rewriteUnary(op, node.args[0] as Node);
  const [x, y] = node.args as [Node, Node];
  const inner = (n: Node): Node => n.args[0] as Node;
  switch (op) {
    case 'sub':
      if (x.text === y.text && x.finite && need === SCALAR) return make('0');
      if (y.token === 'neg') return make('add', [x, inner(y)]);
      if (x.token === 'neg') return make('neg', [make('add', [inner(x), y])]);
      break;
    case 'add':
      if (x.text === y.text) return make('mul', [make('2'), x]);
      if (y.token === 'neg') return make('sub', [x, inner(y)]);
      if (x.token === 'neg') return make('sub', [y, inner(x)]);
      break;
    case 'mul':
      if (x.text === y.text) return make('sqr', [x]);
      if (x.token === 'neg') return make('neg', [make('mul', [inner(x), y])]);
      if (y.token === 'neg') return make('neg', [make('mul', [x, inner(y)])]);
      break;
    case 'div':
      if (y.token === 'neg' || y.token === 'abs') return make('div', [x, inner(y)]);
      if (x.token === 'neg') return make('neg', [make('div', [inner(x), y])]);
      break;
  }
  if (PRIMITIVES[op].commutative && x.text > y.text) return make(op, [y, x]);
  return undefined;
}

function rewriteUnary(op: Op, x: Node): Node | undefined {
  const z = x.args[0];
  switch (op) {
    case 'pow':
      return make('sqr', [x]);
    case 'skp':
      return x;
    case 'neg':
      if (x.token === 'neg') return z;
      break;
    case 'abs':
      if (NEVER_NEGATIVE.has(x.token)) return x;
      if (x.token === 'neg') return make('abs', [z as Node]);
      break;
    case 'sqr':
      if (x.token === 'sqrt') return make('abs', [z as Node]); // sqrt(|z|)² = |z| up to rounding
      if (x.token === 'neg' || x.token === 'abs') return make('sqr', [z as Node]);
      break;
    case 'sqrt':
      if (x.token === 'sqr') return make('abs', [z as Node]); // √(z²) = |z|, exactly in binary floating point
      if (x.token === 'neg' || x.token === 'abs') return make('sqrt', [z as Node]);
      break;
    case 'log':
      if (x.token === 'neg' || x.token === 'abs') return make('log', [z as Node]);
      break;
    case 'mms':
    case 'zsn':
      if (SCALE_INVARIANT.has(x.token)) return make(op, [z as Node]);
      if (x.token === 'mul') {
        const [c, rest] = x.args as [Node, Node];
        if (isConstant(c.token) && Number(c.token) > 0) return make(op, [rest]);
        if (isConstant(rest.token) && Number(rest.token) > 0) return make(op, [c]);
      }
      break;
  }
  return undefined;
}
