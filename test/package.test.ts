// The package as a user gets it: `npm pack` holds what a user needs (the built code, configs, tasks, the report page)
// and nothing else (no tests, benchmarks, experiments, TypeScript sources or source maps), and the packed files
// work from a project of their own: `npx elites init`, `npx elites run`, and `import … from 'elites'`.
//
// How the tarball is installed. Default ("linked"): it is unpacked into the project's node_modules/elites and each
// dependency its package.json declares is linked from this repository's node_modules (so an import of a package it
// does not declare fails, as it would for a user), and the bin is linked and made executable as npm does — a few
// seconds, no network. ELITES_PACK_INSTALL=npm instead runs a real `npm install <tgz> --prefer-offline` (about 30 s
// on a quiet 2-core machine with a warm npm cache, more under load; it may need the registry).
// The tarball is packed with --ignore-scripts: `prepare` would rebuild dist/ under tests that are reading it, and
// `npm test` has just built it.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot, useRunFiles } from './helpers/files.js';

interface Ran {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command to its end (bounded: a hung npm fails the test with its output, not a vitest timeout). */
function run(command: string, args: readonly string[], cwd: string, timeoutMs = 90_000): Ran {
  const r = spawnSync(command, args, {
    cwd,
    encoding: 'utf8',
    timeout: timeoutMs,
    env: { ...process.env, NO_COLOR: '1' },
  });
  if (r.error) throw new Error(`${command} ${args.join(' ')} did not run: ${r.error.message}\n${r.stderr ?? ''}`);
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const expectOk = (r: Ran, what: string): void => expect(r.code, `${what} failed:\n${r.stderr}\n${r.stdout}`).toBe(0);

interface PackedPackage {
  readonly bin?: Record<string, string>;
  readonly dependencies?: Record<string, string>;
}

/** Links `name` (maybe scoped) from this repository's node_modules into `project`'s. */
function linkFromRepo(project: string, name: string): void {
  const from = join(repoRoot, 'node_modules', name);
  if (!existsSync(from)) throw new Error(`${name} is not installed in this repository's node_modules (run npm ci)`);
  const to = join(project, 'node_modules', name);
  mkdirSync(dirname(to), { recursive: true });
  symlinkSync(from, to, 'dir');
}

function installLinked(project: string, tarball: string): void {
  const target = join(project, 'node_modules', 'elites');
  mkdirSync(target, { recursive: true });
  expectOk(run('tar', ['-xzf', tarball, '-C', target, '--strip-components=1'], project), 'unpacking the tarball');
  const pkg = JSON.parse(readFileSync(join(target, 'package.json'), 'utf8')) as PackedPackage;
  for (const name of Object.keys(pkg.dependencies ?? {})) linkFromRepo(project, name);
  for (const [name, file] of Object.entries(pkg.bin ?? {})) {
    const bin = join(target, file);
    expect(existsSync(bin), `the bin ${name} → ${file} is not in the tarball`).toBe(true);
    chmodSync(bin, 0o755); // npm makes bin targets executable at install
    mkdirSync(join(project, 'node_modules', '.bin'), { recursive: true });
    symlinkSync(relative(join(project, 'node_modules', '.bin'), bin), join(project, 'node_modules', '.bin', name));
  }
}

describe('the npm package', () => {
  it('packs only what a user needs, and the packed files install, init, run and import', async () => {
    const started = performance.now();
    expect(existsSync(join(repoRoot, 'dist/cli/bin.js')), 'dist/ is not built: run `npm run build` first').toBe(true);
    const work = useRunFiles();
    const pack = run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], repoRoot);
    expectOk(pack, 'npm pack');
    const [packed] = JSON.parse(pack.stdout) as { filename: string; files: { path: string }[] }[];
    if (!packed) throw new Error(`npm pack printed no package: ${pack.stdout}`);
    const tarball = join(work, packed.filename);
    expect(existsSync(tarball), `npm pack did not write ${tarball}`).toBe(true);

    const paths = packed.files.map((f) => f.path);
    expect(paths.filter((p) => /^(dist\/)?(test|bench|experiments)\//.test(p))).toEqual([]);
    expect(paths.filter((p) => p.endsWith('.ts') && !p.endsWith('.d.ts'))).toEqual([]);
    expect(paths.filter((p) => p.endsWith('.map'))).toEqual([]);
    for (const file of [
      'dist/cli/bin.js',
      'dist/index.js',
      'dist/index.d.ts',
      'dist/testing/index.js',
      'configs/quickstart.yaml',
      'report/page/app.js',
      'evaluators/process/python/elites_worker.py',
      'README.md',
      'LICENSE',
      'package.json',
    ]) {
      expect(paths, `${file} is missing from the tarball`).toContain(file);
    }

    const project = useRunFiles({
      'package.json': JSON.stringify({ name: 'uses-elites', private: true, type: 'module' }),
    });
    const installStarted = performance.now();
    if (process.env.ELITES_PACK_INSTALL === 'npm') {
      expectOk(
        run('npm', ['install', tarball, '--prefer-offline', '--no-audit', '--no-fund'], project, 180_000),
        'npm install of the tarball',
      );
    } else {
      installLinked(project, tarball);
    }
    const installSeconds = (performance.now() - installStarted) / 1000;
    linkFromRepo(project, 'vitest'); // the user's own dev dependency: elites/testing's suites import vitest

    // --no: use the project's bin, never fetch one.
    const init = run('npx', ['--no', 'elites', 'init'], project);
    expectOk(init, 'elites init');
    expect(init.stdout).toMatch(/wrote elites\.yaml and my-evaluator\.mjs/);
    for (const file of ['elites.yaml', 'my-evaluator.mjs'])
      expect(existsSync(join(project, file)), `elites init did not write ${file}`).toBe(true);
    const search = run('npx', ['--no', 'elites', 'run', 'elites.yaml', '--evaluations', '200', '--json'], project);
    expectOk(search, 'elites run');
    const summary = JSON.parse(search.stdout) as {
      status: string;
      proposals: number;
      dir: string;
      archive: { size: number };
    };
    expect(summary).toMatchObject({ status: 'done', proposals: 200 });
    expect(summary.archive.size).toBeGreaterThan(0);
    expect(existsSync(join(summary.dir, 'store.mdb')), `the run directory ${summary.dir} has no store`).toBe(true);

    // The Python starter: its evaluator process finds elites_worker.py in the installed package.
    expectOk(run('npx', ['--no', 'elites', 'init', '--python', 'py'], project), 'elites init --python');
    const python = run('npx', ['--no', 'elites', 'run', 'py/elites.yaml', '--evaluations', '100', '--json'], project);
    expectOk(python, 'elites run of the Python starter');
    expect(JSON.parse(python.stdout)).toMatchObject({ status: 'done', proposals: 100, failures: 0 });

    writeFileSync(
      join(project, 'check.mjs'),
      [
        "import { runSearch, parseRunConfig } from 'elites';",
        "import { spaceContract, archiveContract, strategyContract } from 'elites/testing';",
        "console.log(JSON.stringify({ from: import.meta.resolve('elites'), types: [runSearch, parseRunConfig, spaceContract, archiveContract, strategyContract].map((f) => typeof f) }));",
      ].join('\n'),
    );
    const check = run(process.execPath, ['check.mjs'], project);
    expectOk(check, 'importing elites and elites/testing');
    const imported = JSON.parse(check.stdout) as { from: string; types: string[] };
    expect(imported.types).toEqual(['function', 'function', 'function', 'function', 'function']);
    expect(imported.from).toContain('/node_modules/elites/dist/index.js'); // the packed copy, not this repository
    console.info(
      `package test: ${packed.files.length} files packed, install (${process.env.ELITES_PACK_INSTALL === 'npm' ? 'npm' : 'linked'}) ${installSeconds.toFixed(1)} s, total ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
  }, 240_000);
});
