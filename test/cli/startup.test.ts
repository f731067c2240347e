// Which modules start-up loads: importing the package, `elites --help`, `elites runs` and an inline `elites run` must not
// load what only another command or executor needs (BullMQ and ioredis for executor: redis, the openai SDK for the
// prompt evaluator's http scorer, ECharts, tfjs). A load hook in the child process lists every module it loads (ES
// modules through module.register, CommonJS through Module._load). The executable runs the CLI's bundle
// (cli/cli-entry.ts), where our modules and zod's are one file and lazy imports are chunks: each check runs on it and
// on the compiled modules it was bundled from, where the hook sees every module of ours (the bundle's chunks follow
// the same dynamic imports). Timings belong to the bench (bench/startup.ts), not here. Runs the compiled dist/:
// `npm run build` first.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { binPath, modulesCliScript } from '../helpers/cli.js';
import { repoRoot, useRunFiles } from '../helpers/files.js';

/** Runs on the loader thread: every module URL the ES module loader loads (packages' CommonJS entries included). */
const HOOKS = `import { appendFileSync } from 'node:fs';
let log;
export function initialize(data) { log = data.log; }
export async function load(url, context, next) {
  appendFileSync(log, url + '\\n');
  return next(url, context);
}
`;

/** Preloaded with --import: registers HOOKS and logs every CommonJS require (those do not pass the ES hooks). */
const PRELOAD = `import { appendFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';
const log = process.env.ELITES_MODULE_LOG;
register('./hooks.mjs', import.meta.url, { data: { log } });
const Module = createRequire(import.meta.url)('node:module');
const load = Module._load;
Module._load = function (request, parent, isMain) {
  const exports = load.apply(this, arguments);
  try { appendFileSync(log, Module._resolveFilename(request, parent, isMain) + '\\n'); } catch {}
  return exports;
};
`;

/** Loaded only when used: a command, an import or an inline run that does not use them must not load them. */
const HEAVY = /^(bullmq|ioredis|openai|echarts|@tensorflow\/.*)$/;

interface Traced {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Every npm package (name) the process loaded a module of. */
  readonly packages: ReadonlySet<string>;
  /** Every module it loaded (URL or path). */
  readonly modules: readonly string[];
}

/** Runs `node ARGS` in `cwd` with the module-load hook; returns its output and the packages it loaded. */
function traced(args: readonly string[], cwd: string, env: Record<string, string | undefined> = {}): Traced {
  const hookDir = useRunFiles({ 'hooks.mjs': HOOKS, 'preload.mjs': PRELOAD });
  const log = join(hookDir, 'modules.txt');
  writeFileSync(log, '');
  const r = spawnSync(process.execPath, ['--import', pathToFileURL(join(hookDir, 'preload.mjs')).href, ...args], {
    cwd,
    env: { ...process.env, ...env, ELITES_MODULE_LOG: log },
    encoding: 'utf8',
    timeout: 60_000,
  });
  const loaded = readFileSync(log, 'utf8');
  const names = [...loaded.matchAll(/node_modules[/\\]((?:@[^/\\]+[/\\])?[^/\\]+)[/\\]/g)];
  return {
    code: r.status,
    stdout: r.stdout,
    stderr: r.stderr,
    packages: new Set(names.map((m) => m[1]!.replace('\\', '/'))),
    modules: loaded.split('\n').filter((m) => m !== ''),
  };
}

/** A small inline onemax run. */
const ONEMAX = [
  'name: onemax',
  'seed: 1',
  'space: { type: bitstring, length: 32 }',
  'evaluator: { type: onemax }',
  'search: { strategy: map-elites, initialRandom: 20 }',
  'archive: { type: grid, dims: [{ name: ones, min: 0, max: 32, bins: 33 }] }',
  'budget: { evaluations: 100 }',
  'workers: 0',
  'cache: { enabled: false }',
].join('\n');

/** The CLI as the executable starts it (the bundle), and from its modules. */
const bothClis = (): [string, string][] => [
  ['bundle', binPath],
  ['modules', modulesCliScript(useRunFiles())],
];

const heavyIn = (t: Traced): string[] => [...t.packages].filter((p) => HEAVY.test(p)).sort();

describe('start-up loads only what is used', () => {
  it('dist/ is built', () => {
    expect(existsSync(binPath), 'dist/ is not built: run `npm run build` first').toBe(true);
  });

  it("import('elites') loads neither the CLI's yargs nor BullMQ, ioredis, openai, ECharts or tfjs", () => {
    // In the repository, 'elites' resolves to the package's own entry through package.json "exports".
    const t = traced(
      ['--input-type=module', '-e', "const m = await import('elites'); console.log(typeof m.runSearch, typeof m.main)"],
      repoRoot,
    );
    expect(t.code, t.stderr).toBe(0);
    expect(t.stdout.trim()).toBe('function function');
    expect(t.packages.has('zod'), 'the hook saw no zod: the config schemas are exported, so it sees nothing').toBe(
      true,
    );
    expect(heavyIn(t)).toEqual([]);
    expect(t.packages.has('yargs')).toBe(false);
  });

  it("`elites --help` loads no yargs and no command; a command's --help loads yargs and still no store or schemas", () => {
    for (const [entry, cli] of bothClis()) {
      const t = traced([cli, '--help'], useRunFiles());
      expect(t.code, t.stderr).toBe(0);
      expect(t.stdout).toMatch(/elites <command>/);
      expect(t.packages.has('yargs'), 'the top-level help is a constant (cli/help.ts)').toBe(false);
      expect([...t.packages], entry).toEqual(['picocolors']); // bin.ts asks whether stdout shows colour
      const run = traced([cli, 'run', '--help'], useRunFiles());
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toMatch(/--evaluations/);
      expect(run.packages.has('yargs')).toBe(true);
      expect(heavyIn(run)).toEqual([]);
      const loaded = [...run.packages].filter((p) => ['lmdb', 'zod', 'yaml', 'piscina', 'cli-progress'].includes(p));
      expect(loaded, entry).toEqual([]);
    }
  });

  it('`elites runs` on a directory without runs opens no store and loads no registry', () => {
    for (const [entry, cli] of bothClis()) {
      const dir = useRunFiles({ 'empty/.keep': '' });
      const t = traced([cli, 'runs', 'empty'], dir);
      expect(t.code, t.stderr).toBe(0);
      expect(t.stdout).toMatch(/\(no runs\)/);
      expect(heavyIn(t)).toEqual([]);
      expect(t.packages.has('yargs'), 'an everyday command line is parsed without yargs').toBe(false);
      expect(
        [...t.packages].filter((p) => ['lmdb', 'zod', 'yaml', 'piscina'].includes(p)),
        entry,
      ).toEqual([]);
    }
  });

  it('an inline `elites run` loads no BullMQ, ioredis, openai, ECharts or tfjs, and no progress bar when piped', () => {
    for (const [entry, cli] of bothClis()) {
      const dir = useRunFiles({ 'onemax.yaml': ONEMAX });
      const t = traced([cli, 'run', 'onemax.yaml', '--out', 'run', '--json'], dir);
      expect(t.code, t.stderr).toBe(0);
      expect(JSON.parse(t.stdout)).toMatchObject({ status: 'done', proposals: 100 });
      expect(t.packages.has('lmdb'), 'the run store is LMDB: the hook should have seen it').toBe(true);
      expect(heavyIn(t), entry).toEqual([]);
      expect(t.packages.has('yargs')).toBe(false);
      expect(t.packages.has('cli-progress')).toBe(false);
    }
  });

  it('`elites inspect` and `export` of a run load no YAML, config schemas, strategies or evaluators', () => {
    // The stored config was validated when the run started: a reader builds only the run's space and archive. Seen
    // module by module, so from the compiled modules; the bundle loads the chunks of the same dynamic imports.
    const dir = useRunFiles({ 'onemax.yaml': ONEMAX });
    const cli = modulesCliScript(useRunFiles());
    const run = traced([cli, 'run', 'onemax.yaml', '--out', 'run', '--json'], dir);
    expect(run.code, run.stderr).toBe(0);
    const runOnly = /[/\\]dist[/\\]search[/\\](strategies[/\\]|config\.js|parts\.js)|[/\\]dist[/\\]evaluators[/\\]/;
    expect(
      run.modules.some((m) => runOnly.test(m)),
      'the run itself loads them: the pattern is right',
    ).toBe(true);
    for (const args of [
      ['inspect', 'run', '--top', '3'],
      ['export', 'run', '--format', 'csv'],
    ]) {
      const t = traced([cli, ...args], dir);
      expect(t.code, t.stderr).toBe(0);
      expect(t.stdout).toMatch(args[0] === 'inspect' ? /top 3 elites/ : /^id,cell,fitness,ones/);
      expect(t.packages.has('lmdb')).toBe(true);
      expect(t.packages.has('yaml'), args[0]).toBe(false);
      expect(
        t.modules.filter((m) => runOnly.test(m)),
        args[0],
      ).toEqual([]);
      expect(heavyIn(t)).toEqual([]);
    }
  });

  it('a prompt search scored offline never loads the openai SDK', () => {
    const dir = useRunFiles({
      'prompt.yaml': [
        'name: prompt-offline',
        'seed: 0',
        `space: { type: token-mask, promptFile: ${JSON.stringify(join(repoRoot, 'tasks/brown-genre/prompt.txt'))} }`,
        'evaluator: { type: prompt, options: { task: brown-genre, scorer: offline } }',
        'search: { strategy: gga, populationSize: 6, offspring: 6 }',
        'archive: { type: grid, dims: [{ name: tokens, min: 0, max: 460, bins: 23 }, { name: demos, min: 0, max: 16, bins: 17 }] }',
        'budget: { evaluations: 12 }',
        'workers: 0',
        'cache: { enabled: false }',
      ].join('\n'),
    });
    const t = traced([binPath, 'run', 'prompt.yaml', '--out', 'run', '--json'], dir);
    expect(t.code, t.stderr).toBe(0);
    expect(JSON.parse(t.stdout)).toMatchObject({ status: 'done', proposals: 12 });
    expect(heavyIn(t)).toEqual([]);
  });

  it('`elites worker` does load BullMQ and ioredis (the hook sees a heavy package when it is loaded)', () => {
    const t = traced([binPath, 'worker'], useRunFiles(), { ELITES_REDIS_URL: undefined });
    expect(t.code).toBe(2); // no Redis URL: a usage error, after the command's module was imported
    expect(t.stderr).toMatch(/no Redis URL/);
    expect(heavyIn(t)).toEqual(expect.arrayContaining(['bullmq', 'ioredis']));
  });
});
