// The CLI in-process (main(argv, io)): exit codes, --json summaries, inspect, export, runs, init, and bad input.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { fixturePlugin, useRunFiles } from '../helpers/files.js';

const config = (dir: string, extra: Record<string, unknown> = {}): string => {
  const path = join(dir, 'arm.json');
  writeFileSync(
    path,
    JSON.stringify({
      name: 'arm',
      seed: 4,
      space: { type: 'vector', dimensions: 5, min: 0, max: 1, mutation: { type: 'iso-line-dd' } },
      evaluator: { type: 'planar-arm' },
      search: { strategy: 'map-elites', initialRandom: 50, crossoverRate: 1 },
      archive: {
        type: 'grid',
        dims: [
          { name: 'x', min: 0, max: 1, bins: 12 },
          { name: 'y', min: 0, max: 1, bins: 8 },
        ],
      },
      budget: { evaluations: 2000 },
      workers: 0,
      cache: { path: join(dir, 'cache.mdb') },
      ...extra,
    }),
  );
  return path;
};

describe('elites CLI', () => {
  it('run --json prints the DESIGN §6 summary and exits 0', async () => {
    const dir = useRunFiles();
    const r = await runCli(['run', config(dir), '--out', join(dir, 'run'), '--json']);
    expect(r.code, r.stderr).toBe(0);
    const s = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(Object.keys(s)).toEqual(
      expect.arrayContaining([
        'runId',
        'status',
        'stopReason',
        'proposals',
        'evaluations',
        'cacheHits',
        'failures',
        'best',
        'archive',
        'seconds',
      ]),
    );
    expect(s).toMatchObject({ status: 'done', stopReason: 'evaluations', proposals: 2000 });
    expect(existsSync(join(dir, 'run', 'config.json'))).toBe(true);
    expect(readFileSync(join(dir, 'run', 'run.log'), 'utf8')).toMatch(/done \(evaluations\): 2000 proposals/);
  });

  it('flags override the config file', async () => {
    const dir = useRunFiles();
    const r = await runCli([
      'run',
      config(dir),
      '--out',
      join(dir, 'run'),
      '--json',
      '--evaluations',
      '300',
      '--seed',
      '9',
    ]);
    expect(JSON.parse(r.stdout)).toMatchObject({ proposals: 300 });
    expect(JSON.parse(readFileSync(join(dir, 'run', 'config.json'), 'utf8'))).toMatchObject({ seed: 9 });
  });

  it('run on a terminal draws a progress bar with the share of the budget and an ETA; piped it stays quiet', async () => {
    const dir = useRunFiles();
    const tty = await runCli(['run', config(dir, { budget: { evaluations: 20000 } }), '--out', join(dir, 'a')], {
      tty: true,
    });
    expect(tty.code, tty.stderr).toBe(0);
    expect(tty.stderr).toMatch(
      /100% \| ETA 0s \| 20000 proposals \| [\d.]+\/s \| best [-\d.e]+ \| coverage [\d.]+% \| cache [\d.]+%/,
    );
    const byTime = await runCli(['run', config(dir, { budget: { seconds: 1 } }), '--out', join(dir, 'b')], {
      tty: true,
    });
    expect(byTime.stderr).toMatch(/\d+% \| ETA \d+s \| \d+ proposals/);
    const piped = await runCli(['run', config(dir), '--out', join(dir, 'c')]);
    expect(piped.stderr).not.toMatch(/ETA/);
    // resume draws against the run's saved budget, extended here by --evaluations
    const resumed = await runCli(['resume', join(dir, 'a'), '--evaluations', '25000'], { tty: true });
    expect(resumed.stderr).toMatch(/100% \| ETA 0s \| 25000 proposals/);
  });

  it('inspect prints the summary, a heatmap and the top elites with describe()', async () => {
    const dir = useRunFiles();
    await runCli(['run', config(dir), '--out', join(dir, 'run')]);
    const r = await runCli(['inspect', join(dir, 'run'), '--top', '3']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/run run: done \(evaluations\)/);
    expect(r.stdout).toMatch(/top 3 elites:/);
    expect(r.stdout).toMatch(/#\s+id\s+cell\s+fitness\s+descriptors\s+elite/);
    expect(r.stdout).toMatch(/\[[-\d.e]+(, [-\d.e]+){4}\]/); // a described genome (5 genes)
    const heatmapRows = r.stdout.split('\n').filter((l) => /[░▒▓█]/.test(l));
    expect(heatmapRows.length).toBeGreaterThanOrEqual(4);
    const json = JSON.parse((await runCli(['inspect', join(dir, 'run'), '--json'])).stdout) as {
      top: unknown[];
      archive: { size: number };
    };
    expect(json.top.length).toBe(Math.min(10, json.archive.size));
    // biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escapes are what this checks
    expect(r.stdout).not.toMatch(/\x1b\[/); // not a colour terminal: plain text

    // On a colour terminal: the same report, with ANSI colours; the heatmap's cells are coloured blocks, one colour per level.
    const coloured = await runCli(['inspect', join(dir, 'run'), '--top', '3'], { color: true });
    // biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escapes are what this checks
    expect(coloured.stdout).toMatch(/\x1b\[32mdone\x1b\[39m/); // the status in green
    // biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escapes are what this checks
    const plain = coloured.stdout.replace(/\x1b\[\d+m/g, '');
    expect(plain.replace(/[ ░▒▓█']/g, '')).toBe(r.stdout.replace(/[ ░▒▓█']/g, ''));
    // biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escapes are what this checks
    const levels = new Set([...coloured.stdout.matchAll(/\x1b\[(3[1-6])m█/g)].map((m) => m[1]));
    expect(levels.size).toBeGreaterThanOrEqual(3);
    expect(JSON.parse((await runCli(['inspect', join(dir, 'run'), '--json'], { color: true })).stdout)).toMatchObject({
      status: 'done',
    }); // JSON stays plain
  });

  it('exports the elites as csv, jsonl and json, and every event with --all', async () => {
    const dir = useRunFiles();
    const run = join(dir, 'run');
    const summary = JSON.parse((await runCli(['run', config(dir), '--out', run, '--json'])).stdout) as {
      archive: { size: number };
    };
    const csv = (await runCli(['export', run, '--format', 'csv'])).stdout.trim().split('\n');
    expect(csv[0]).toBe('id,cell,fitness,x,y,text,genome');
    expect(csv.length - 1).toBe(summary.archive.size);
    const jsonl = (await runCli(['export', run, '--format', 'jsonl'])).stdout.trim().split('\n');
    expect(jsonl.length).toBe(summary.archive.size);
    expect(JSON.parse(jsonl[0] ?? '{}')).toHaveProperty('genome');
    // Row by row the same elites in both; a genome of numbers is one quoted cell of its JSON array.
    jsonl.forEach((line, i) => {
      const row = JSON.parse(line) as { id: number; cell: number; fitness: number; genome: number[] };
      expect(row.genome.length).toBeGreaterThan(1);
      expect(csv[i + 1]?.startsWith(`${row.id},${row.cell},${row.fitness},`)).toBe(true);
      expect(csv[i + 1]?.endsWith(`,"${JSON.stringify(row.genome)}"`)).toBe(true);
    });
    const all = JSON.parse((await runCli(['export', run, '--format', 'json', '--all'])).stdout) as unknown[];
    expect(all.length).toBe(2000);
    await runCli(['export', run, '--format', 'csv', '--output', join(dir, 'out.csv')]);
    expect(readFileSync(join(dir, 'out.csv'), 'utf8').split('\n')[0]).toBe(csv[0]);
  });

  it('runs lists run directories with status and best', async () => {
    const dir = useRunFiles();
    await runCli(['run', config(dir), '--out', join(dir, 'runs', 'one')]);
    const r = await runCli(['runs', join(dir, 'runs')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^done\s+2000 proposals\s+best -?[\d.e-]+\s+coverage/m);
  });

  it('init writes a starter config and plug-in evaluator that run as they are', async () => {
    const dir = useRunFiles();
    const init = await runCli(['init', join(dir, 'starter')]);
    expect(init.code).toBe(0);
    const r = await runCli([
      'run',
      join(dir, 'starter', 'elites.yaml'),
      '--out',
      join(dir, 'run'),
      '--evaluations',
      '400',
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ status: 'done', proposals: 400, failures: 0 });
    expect((await runCli(['init', join(dir, 'starter')])).code).toBe(2); // refuses to overwrite
  });

  describe('bad input exits 2 with a message that names the problem, never a stack trace', () => {
    const cases: [string, (dir: string) => string[], RegExp][] = [
      ['a missing config file', (dir) => ['run', join(dir, 'nope.yaml')], /config file not found/],
      ['a typo in the config', (dir) => ['run', config(dir, { budgte: {} })], /unknown key "budgte"/],
      ['an unknown strategy', (dir) => ['run', config(dir, { search: { strategy: 'cmaes' } })], /search\.strategy/],
      [
        'a missing plug-in module',
        (dir) => ['run', config(dir, { evaluator: { module: './missing.mjs' } })],
        /evaluator module not found/,
      ],
      [
        'a plug-in without evaluate()',
        (dir) => ['run', config(dir, { evaluator: { module: fixturePlugin('no-evaluate.mjs') } })],
        /no evaluate\(\) function/,
      ],
      ['not a run directory', (dir) => ['inspect', dir], /not a run directory/],
      ['an unknown command', () => ['frobnicate'], /Unknown argument|Unknown command/i],
      ['a bad export format', (dir) => ['export', dir, '--format', 'xml'], /Invalid values|Choices/],
    ];
    it.each(cases)('%s', async (_name, argv, message) => {
      const dir = useRunFiles();
      const r = await runCli(argv(dir));
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at .*\(.*:\d+:\d+\)/);
    });
  });
});
