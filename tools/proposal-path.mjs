#!/usr/bin/env node
// Which of the project's files a reader must open to follow one proposal from config to stored event, measured
// rather than guessed: runs a config inline (workers 0) under V8 coverage and lists the compiled files with a
// function that ran at least once per proposal. Needs a build (dist/). Usage:
//   node tools/proposal-path.mjs [CONFIG] [--evaluations N]      (default configs/quickstart.yaml, 2000)
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const at = args.indexOf('--evaluations');
const evaluations = at >= 0 ? Number(args[at + 1]) : 2000;
const config = resolve(
  args.find((a, i) => !a.startsWith('--') && args[i - 1] !== '--evaluations') ?? join(root, 'configs/quickstart.yaml'),
);
// dist/search/cli/bin.js: the bin before the layered layout, so the same script measures an older checkout too.
const bin = [join(root, 'dist/cli/bin.js'), join(root, 'dist/search/cli/bin.js')].find((p) => existsSync(p));
if (!bin) throw new Error('no dist/: run `npm run build` first');

const work = mkdtempSync(join(tmpdir(), 'elites-path-'));
try {
  const coverage = join(work, 'coverage');
  execFileSync(
    process.execPath,
    [
      bin,
      'run',
      config,
      '--workers',
      '0',
      '--evaluations',
      String(evaluations),
      '--seconds',
      '100000',
      '--out',
      join(work, 'run'),
      '--json',
    ],
    {
      cwd: work,
      env: { ...process.env, NODE_V8_COVERAGE: coverage },
      stdio: 'ignore',
    },
  );
  const dist = join(root, 'dist');
  const files = new Map();
  for (const name of readdirSync(coverage)) {
    for (const script of JSON.parse(readFileSync(join(coverage, name), 'utf8')).result) {
      if (!script.url.startsWith('file://')) continue;
      const path = fileURLToPath(script.url);
      if (!path.startsWith(dist)) continue;
      const calls = Math.max(0, ...script.functions.filter((f) => f.functionName !== '').map((f) => f.ranges[0].count));
      const source = relative(dist, path).replace(/\.js$/, '.ts');
      files.set(source, Math.max(files.get(source) ?? 0, calls));
    }
  }
  const onPath = [...files].filter(([, calls]) => calls >= evaluations).sort((a, b) => a[0].localeCompare(b[0]));
  console.log(
    `${onPath.length} files run at least once per proposal (${evaluations} proposals, ${relative(root, config)}, inline):`,
  );
  for (const [file, calls] of onPath) console.log(`  ${file.padEnd(44)} ${calls} calls of its busiest function`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
