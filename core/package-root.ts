// Where the package's own files are, from any module of it: its sources (vitest), dist/ as tsc writes it, or the CLI's
// one-file bundle (dist/cli/bundle/elites.js), whose modules no longer sit where their sources did. Found by walking up to
// the package's package.json, so a path under the root is right from all three.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGE_NAME = 'elites';

function findRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (
      existsSync(manifest) &&
      (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown }).name === PACKAGE_NAME
    )
      return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json of ${PACKAGE_NAME} above ${from}`);
  }
}

let root: string | undefined;

/** The package's root folder (the repository's, in a clone). */
export function packageRoot(): string {
  root ??= findRoot(dirname(fileURLToPath(import.meta.url)));
  return root;
}

/** The absolute path of `relative` (posix separators) under the package's root, e.g. 'report/page/app.js'. */
export function packagePath(relative: string): string {
  return join(packageRoot(), ...relative.split('/'));
}

/** As packagePath, for a file the package must hold: an Error saying `missing` (and the path) when it does not. */
export function packageFile(relative: string, missing: string): string {
  const path = packagePath(relative);
  if (existsSync(path)) return path;
  throw new Error(`${missing}: ${path} does not exist`);
}
