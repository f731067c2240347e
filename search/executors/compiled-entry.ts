// Finds a thread entry's compiled JS: Node 20 cannot start .ts threads, so from the sources (vitest) and from the CLI's
// bundle alike the threads start from dist/ as tsc writes it.
import { existsSync } from 'node:fs';
import { packagePath } from '../../core/package-root.js';

/**
 * The compiled file of a thread entry, `path` relative to dist/search/executors/ (e.g. `worker.js`, `redis/thread.js`).
 * @throws {Error} when it does not exist (the project was not built).
 */
export function compiledEntry(path: string): string {
  const built = packagePath(`dist/search/executors/${path}`);
  if (existsSync(built)) return built;
  throw new Error(`compiled thread entry ${path} not found: run \`npm run build\` first`);
}
