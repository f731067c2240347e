// Finds a thread entry's compiled JS: Node 20 cannot start .ts threads, so from the TS sources we point at dist/.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The compiled file of a thread entry, `path` relative to this folder (e.g. `worker.js`, `redis/thread.js`): beside
 * the running code when it is compiled, else under dist/ from the sources (vitest).
 * @throws {Error} when neither exists (the project was not built).
 */
export function compiledEntry(path: string): string {
  const sibling = fileURLToPath(new URL(`./${path}`, import.meta.url));
  if (existsSync(sibling)) return sibling;
  const built = fileURLToPath(new URL(`../../dist/search/executors/${path}`, import.meta.url));
  if (existsSync(built)) return built;
  throw new Error(`compiled thread entry ${path} not found: run \`npm run build\` first`);
}
