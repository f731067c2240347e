// Loading user plug-ins (ES modules whose default export is a plain Space or Evaluator object), with shape checks.
import { existsSync, statSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { PluginError } from '../core/errors.js';
import type { Evaluator, Space } from '../core/types.js';

const EVALUATOR_EXAMPLE =
  'export default { name: "my-eval", evaluate(genome, ctx) { return { fitness: 0, descriptors: [0, 0] }; } }';
const SPACE_EXAMPLE =
  'export default { name: "my-space", sample(rng) {…}, mutate(g, rng) {…}, key(g) {…}, describe(g) {…}, encode(g) {…}, decode(x) {…} }';

async function importDefault(path: string, what: string): Promise<Record<string, unknown>> {
  const field = `${what}.module`;
  if (!existsSync(path)) {
    throw new PluginError(
      `${what} module not found: ${path}`,
      `Check ${field} in the config: paths there are relative to the config file.`,
    );
  }
  if (statSync(path).isDirectory())
    throw new PluginError(`${what} module ${path} is a directory`, `Point ${field} at an .mjs or .js file.`);
  if (path.endsWith('.ts') || path.endsWith('.mts')) {
    throw new PluginError(
      `${path}: TypeScript plug-ins are not loaded directly by Node 20`,
      `Compile it to .mjs/.js (tsc), or write the plug-in as an .mjs file, and set ${field} to it.`,
    );
  }
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  } catch (error) {
    throw new PluginError(
      `${path}: failed to load (${field}): ${describeThrown(error)}`,
      `Fix the module, or set ${field} to another one.`,
      { cause: error },
    );
  }
  const value = mod.default;
  if (value === null || typeof value !== 'object') {
    const example = what === 'evaluator' ? EVALUATOR_EXAMPLE : SPACE_EXAMPLE;
    throw new PluginError(
      `${path} (${field}): the default export is ${value === null ? 'null' : typeof value}, not a plain ${what} object`,
      `Write: ${example}`,
    );
  }
  return value as Record<string, unknown>;
}

/** A thrown value as text, whatever it is (an Error, a symbol, an object whose toString throws). */
export function describeThrown(error: unknown): string {
  try {
    if (error instanceof Error)
      return typeof error.message === 'string' && error.message !== '' ? error.message : String(error);
    if (typeof error === 'string') return error;
    const text = String(error);
    return text === '[object Object]' ? `a thrown object ${JSON.stringify(error)}` : text;
  } catch {
    return `an unprintable ${typeof error} was thrown`;
  }
}

function requireMembers(
  path: string,
  object: Record<string, unknown>,
  what: string,
  functions: readonly string[],
  example: string,
): void {
  if (typeof object.name !== 'string' || object.name === '') {
    throw new PluginError(
      `${path} (${what}.module): default export has no name (a non-empty string)`,
      `Write: ${example}`,
    );
  }
  for (const member of functions) {
    if (typeof object[member] !== 'function') {
      throw new PluginError(
        `${path} (${what}.module): default export has no ${member}() function`,
        `A ${what} needs ${functions.map((f) => `${f}()`).join(', ')}. Write: ${example}`,
      );
    }
  }
}

/** @throws {PluginError} when the module is missing, fails to load, or lacks a member. */
export async function loadEvaluatorModule(path: string): Promise<Evaluator<unknown>> {
  const object = await importDefault(path, 'evaluator');
  requireMembers(path, object, 'evaluator', ['evaluate'], EVALUATOR_EXAMPLE);
  for (const optional of ['prepare', 'setup', 'fingerprint', 'describe', 'inputFiles', 'scoredBy'] as const) {
    if (object[optional] !== undefined && typeof object[optional] !== 'function') {
      throw new PluginError(
        `${path} (evaluator.module): ${optional} is a ${typeof object[optional]}, expected a function`,
      );
    }
  }
  return object as unknown as Evaluator<unknown>;
}

/** @throws {PluginError} when the module is missing, fails to load, or lacks a member. */
export async function loadSpaceModule(path: string, options: unknown): Promise<Space<unknown>> {
  const object = await importDefault(path, 'space');
  const space = object;
  requireMembers(path, space, 'space', ['sample', 'mutate', 'key', 'describe', 'encode', 'decode'], SPACE_EXAMPLE);
  // Optional: a space may read its options once, e.g. a vocabulary file.
  if (typeof space.setup === 'function') await (space.setup as (o: unknown) => unknown)(options);
  return space as unknown as Space<unknown>;
}
