// Which file the `elites` executable starts the CLI from. `npm run build` bundles the CLI (cli/start.ts and all it
// imports, zod and yaml included; other packages stay external) into dist/cli/bundle/elites.js: one file to load instead of ~290
// modules, about a third of the start-up of every command (rolldown.config.mjs). A bundle older than the compiled
// modules is stale (a `tsc` without the bundling step): then the modules themselves, so a change is never hidden.
import { statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The bundle's entry, relative to the compiled cli/start.js. */
export const CLI_BUNDLE = 'bundle/elites.js';

/** The URL to import for the CLI in `dir` (default: this file's folder): the bundle if fresh, else start.js. */
export function cliEntry(dir = dirname(fileURLToPath(import.meta.url))): string {
  const bundle = join(dir, CLI_BUNDLE);
  const modules = join(dir, 'start.js');
  const bundled = statSync(bundle, { throwIfNoEntry: false });
  const fresh = bundled !== undefined && bundled.mtimeMs >= statSync(modules).mtimeMs;
  return pathToFileURL(fresh ? bundle : modules).href;
}
