// A private JS build of the sources for tests that need real worker threads (workers run compiled JS, and dist/ may
// be stale or in use by running jobs): every .ts of the source directories (search/, spaces/, …) transpiled as is into
// node_modules/.cache/elites-prompt-test/<content hash>/ (inside the repo, so the build resolves the repo's packages).
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import ts from 'typescript';
import { repoRoot } from '../helpers/files.js';

/** The source directories the build compiles: tsconfig.json's `dir/**\/*.ts` includes, so a new one is never missed. */
const SOURCE_DIRS = (JSON.parse(readFileSync(join(repoRoot, 'tsconfig.json'), 'utf8')) as { include: string[] }).include
  .map((pattern) => /^(\w+)\/\*\*\/\*\.ts$/.exec(pattern)?.[1])
  .filter((dir): dir is string => dir !== undefined && dir !== 'bench');

function sources(): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if ((entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) || entry.name.endsWith('.cts'))
        out.push(path);
    }
  };
  for (const dir of SOURCE_DIRS) walk(join(repoRoot, dir));
  return out.sort();
}

/** The build directory (made once per content of the sources); import `${dir}/search/run.js` and friends from it. */
export function buildForWorkers(): string {
  const files = sources();
  const texts = files.map((f) => readFileSync(f, 'utf8'));
  const hash = createHash('sha1');
  files.forEach((f, i) => hash.update(relative(repoRoot, f)).update('\0').update(texts[i]!).update('\0'));
  const root = join(repoRoot, 'node_modules/.cache/elites-prompt-test');
  const dir = join(root, hash.digest('hex').slice(0, 16));
  if (existsSync(join(dir, 'package.json'))) return dir;
  const tmp = `${dir}.${process.pid}.tmp`;
  rmSync(tmp, { recursive: true, force: true });
  files.forEach((file, i) => {
    // A .cts (CommonJS) file stays CommonJS with its import()s native (thread entries: search/executors/worker-entry.cts).
    const commonJs = file.endsWith('.cts');
    const out = join(tmp, relative(repoRoot, file))
      .replace(/\.ts$/, '.js')
      .replace(/\.cts$/, '.cjs');
    const { outputText } = ts.transpileModule(texts[i]!, {
      fileName: file,
      compilerOptions: {
        module: commonJs ? ts.ModuleKind.Node16 : ts.ModuleKind.ESNext,
        target: ts.ScriptTarget.ES2022,
      },
    });
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, outputText);
  });
  writeFileSync(join(tmp, 'package.json'), '{ "type": "module" }\n'); // last: its presence marks a complete build
  try {
    renameSync(tmp, dir);
  } catch {
    rmSync(tmp, { recursive: true, force: true }); // another test process built it first
  }
  // Builds of older sources: removed once nothing can still be using them.
  for (const name of readdirSync(root)) {
    const old = join(root, name);
    if (old !== dir && Date.now() - statSync(old).mtimeMs > 3_600_000) rmSync(old, { recursive: true, force: true });
  }
  return dir;
}
