// Finds a thread entry's compiled JS: Node 20 cannot start .ts threads, so from the sources (vitest) and from the CLI's
// bundle alike the threads start from dist/ as tsc writes it.
import { packageFile } from '../../core/package-root.js';

/**
 * The compiled file of a thread entry, `path` relative to dist/search/executors/ (e.g. `worker.js`, `redis/thread.js`).
 * @throws {Error} when it does not exist (the project was not built).
 */
export function compiledEntry(path: string): string {
  return packageFile(
    `dist/search/executors/${path}`,
    `compiled thread entry ${path} not found (run \`npm run build\`)`,
  );
}
