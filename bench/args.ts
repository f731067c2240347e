// What the bench and report scripts share: the repository root (they read configs and write docs/ and runs/ there)
// and their `--name value` flags.
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

const args = process.argv.slice(2);

/** The value after `--name` on the command line, or undefined. */
export function flag(name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

/** True when `--name` is on the command line. */
export function hasFlag(name: string): boolean {
  return args.includes(name);
}
