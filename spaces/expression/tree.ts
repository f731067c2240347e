// Expression trees as flat prefix (Polish) token lists: structure queries, validation and a node view for rewriting.
import { arityOf, LEAVES } from './primitives.js';

/**
 * A genome of the `expression` space: one expression tree as a flat PREFIX token list, e.g.
 * `['mul', 'abs', 'mul', 'W', 'W', 'mms', 'G']` for `mul(abs(mul(W, W)), mms(G))`. Tokens are leaves
 * (`W`, `G`, `X`), operator names (see `PRIMITIVES`) and finite decimal constants (`'0'`, `'-1'`, `'0.5'`).
 * Plain data: it survives JSON and structured clone unchanged.
 */
export type ExprGenome = readonly string[];

/** Index one past the end of the subtree that starts at `start`, or -1 when the list ends first (or a token is invalid). */
export function subtreeEnd(genome: ExprGenome, start: number): number {
  let open = 1; // subtrees still to be read
  let i = start;
  while (open > 0) {
    const token = genome[i];
    if (token === undefined) return -1;
    const arity = arityOf(token);
    if (arity < 0) return -1;
    open += arity - 1;
    i++;
  }
  return i;
}

/** Number of nodes (tokens). */
export function size(genome: ExprGenome): number {
  return genome.length;
}

/** Depth in edges from the root to the deepest leaf: 0 for a lone leaf, as in Pruner-Zero's `random_tree`. */
export function depth(genome: ExprGenome): number {
  // Walk right to left with a stack of child depths: an operator pops its children and pushes 1 + their max.
  const stack: number[] = [];
  for (let i = genome.length - 1; i >= 0; i--) {
    const arity = arityOf(genome[i] as string);
    let d = 0;
    for (let k = 0; k < arity; k++) d = Math.max(d, (stack.pop() ?? 0) + 1);
    stack.push(d);
  }
  return stack[0] ?? 0;
}

/** Why `value` is not a well-formed genome (unknown token, wrong arity, trailing tokens), or undefined when it is. */
export function genomeProblem(value: unknown): string | undefined {
  if (!Array.isArray(value)) return `expected an array of tokens, got ${value === null ? 'null' : typeof value}`;
  if (value.length === 0) return 'expected at least one token, got an empty list';
  let open = 1;
  for (let i = 0; i < value.length; i++) {
    const token: unknown = value[i];
    if (typeof token !== 'string') return `token ${i} is a ${typeof token}, not a string`;
    const arity = arityOf(token);
    if (arity < 0)
      return `token ${i} ${JSON.stringify(token)} is not a leaf (${LEAVES.join(', ')}), an operator or a finite number`;
    if (open === 0) return `token ${i} ${JSON.stringify(token)} follows a complete expression (extra tokens)`;
    open += arity - 1;
  }
  if (open > 0)
    return `the list ends with ${open} operand${open === 1 ? '' : 's'} missing (an operator lacks arguments)`;
  return undefined;
}

/**
 * Checks that `value` is one complete prefix expression and returns it typed.
 * @throws {Error} naming the offending token when it is not.
 */
export function assertGenome(value: unknown, where = 'expression'): ExprGenome {
  const problem = genomeProblem(value);
  if (problem) throw new Error(`${where}: malformed genome: ${problem}`);
  return value as ExprGenome;
}

/** A tree node: used where rewriting is easier on a tree than on a flat list (simplify). */
export interface ExprNode {
  readonly token: string;
  readonly args: readonly ExprNode[];
}

/** The node view of a well-formed genome. */
export function toNode(genome: ExprGenome): ExprNode {
  let i = 0;
  const read = (): ExprNode => {
    const token = genome[i++] as string;
    const arity = Math.max(0, arityOf(token));
    const args: ExprNode[] = [];
    for (let k = 0; k < arity; k++) args.push(read());
    return { token, args };
  };
  return read();
}

/** The prefix token list of a node. */
export function fromNode(node: ExprNode, out: string[] = []): string[] {
  out.push(node.token);
  for (const arg of node.args) fromNode(arg, out);
  return out;
}
