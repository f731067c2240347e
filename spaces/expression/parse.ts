// Expression genomes as text: the function-call syntax of Pruner-Zero's best tree, `mul(abs(mul(W, W)), mms(G))`.
import { constantToken, isLeaf, isOp, LEAVES, PRIMITIVES } from './primitives.js';
import { assertGenome, type ExprGenome } from './tree.js';

/**
 * The formula of a genome in function-call syntax, e.g. `mul(abs(mul(W, W)), mms(G))`.
 * @throws {Error} when the genome is malformed.
 */
export function formulaOf(genome: ExprGenome): string {
  assertGenome(genome, 'formulaOf');
  let next = 0;
  const write = (): string => {
    const token = genome[next++] as string;
    if (!isOp(token)) return token;
    const args = PRIMITIVES[token].arity === 1 ? [write()] : [write(), write()];
    return `${token}(${args.join(', ')})`;
  };
  return write();
}

const NAME = /[A-Za-z_][A-Za-z0-9_]*/y;
const NUMBER = /[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?/y;

/**
 * The genome of a formula in function-call syntax (the inverse of `formulaOf`): leaves `W`, `G`, `X`, `H`, operators
 * applied as `name(arg)` / `name(arg, arg)`, and decimal constants such as `2`, `-1`, `0.5` (normalised to the
 * shortest form that round-trips, so `0.50` reads as `0.5`). Blanks between tokens are ignored.
 * @throws {Error} naming the 0-based character position of the first problem, e.g. an unknown name, a wrong
 * number of arguments, a missing parenthesis or trailing text.
 */
export function parseFormula(text: string): ExprGenome {
  const tokens: string[] = [];
  let pos = 0;

  // Returns never (it throws); call it as `throw fail(…)` where control flow must see the exit.
  const fail = (message: string, at: number): never => {
    throw new Error(`parseFormula: ${message} at position ${at}\n  ${text}\n  ${' '.repeat(at)}^`);
  };
  const skipBlanks = (): void => {
    while (pos < text.length && /\s/.test(text[pos] as string)) pos++;
  };
  const describeHere = (): string => (pos < text.length ? `${JSON.stringify(text[pos])}` : 'the end of the formula');
  const expect = (char: string, what: string): void => {
    skipBlanks();
    if (text[pos] !== char) fail(`expected ${what}, found ${describeHere()}`, pos);
    pos++;
  };

  const expression = (): void => {
    skipBlanks();
    const start = pos;
    NUMBER.lastIndex = pos;
    const number = NUMBER.exec(text);
    if (number) {
      const value = Number(number[0]);
      if (!Number.isFinite(value)) fail(`the number ${number[0]} is not finite`, start);
      tokens.push(constantToken(value));
      pos = NUMBER.lastIndex;
      return;
    }
    NAME.lastIndex = pos;
    const name = NAME.exec(text)?.[0];
    if (name === undefined)
      throw fail(`expected a leaf (${LEAVES.join(', ')}), an operator or a number, found ${describeHere()}`, start);
    pos = NAME.lastIndex;
    if (isLeaf(name)) {
      tokens.push(name);
      return;
    }
    if (!isOp(name)) {
      throw fail(
        `unknown name '${name}' (leaves: ${LEAVES.join(', ')}; operators: ${Object.keys(PRIMITIVES).join(', ')})`,
        start,
      );
    }
    tokens.push(name);
    const arity = PRIMITIVES[name].arity;
    expect('(', `'(' after '${name}'`);
    for (let k = 0; k < arity; k++) {
      if (k > 0) {
        skipBlanks();
        if (text[pos] === ')') fail(`'${name}' takes ${arity} arguments, got ${k}`, pos);
        expect(',', `',' between the arguments of '${name}'`);
      }
      expression();
    }
    skipBlanks();
    if (text[pos] === ',') fail(`'${name}' takes ${arity} argument${arity === 1 ? '' : 's'}, got more`, pos);
    expect(')', `')' closing '${name}(' from position ${start}`);
  };

  expression();
  skipBlanks();
  if (pos < text.length) fail(`unexpected ${describeHere()} after a complete expression`, pos);
  return assertGenome(tokens, 'parseFormula');
}
