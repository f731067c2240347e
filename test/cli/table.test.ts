// `elites table`: the best configuration per value of a config field, across runs (FlashDecoding++'s lookup table).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseRunConfig } from '../../search/config.js';
import { runSearch } from '../../search/run.js';
import type { RunSummary } from '../../search/summary.js';
import { runCli } from '../helpers/cli.js';
import { useRunFiles } from '../helpers/files.js';

/** A short sphere run; runs are grouped by their space.dimensions (a kernel table groups by evaluator.options.shape). */
async function run(dir: string, name: string, seed: number, dimensions: number): Promise<RunSummary> {
  const config = parseRunConfig(
    {
      name,
      seed,
      space: { type: 'vector', dimensions, min: -5.12, max: 5.12 },
      evaluator: { type: 'sphere' },
      search: { strategy: 'map-elites', initialRandom: 20 },
      archive: {
        type: 'grid',
        dims: [
          { name: 'a', min: -50, max: 50, bins: 5 },
          { name: 'b', min: -50, max: 50, bins: 5 },
        ],
      },
      budget: { evaluations: 200 },
      workers: 0,
      cache: { enabled: false },
    },
    dir,
  );
  return runSearch(config, { out: join(dir, name) });
}

describe('elites table', () => {
  it('keeps the best elite per group value, counts the runs, and writes JSON', async () => {
    const dir = useRunFiles();
    const runs = [await run(dir, 'a', 1, 4), await run(dir, 'b', 2, 4), await run(dir, 'c', 3, 8)];
    const r = await runCli([
      'table',
      join(dir, 'a'),
      join(dir, 'b'),
      join(dir, 'c'),
      '--by',
      'space.dimensions',
      '--output',
      join(dir, 'table.json'),
    ]);
    expect(r.code).toBe(0);
    const table = JSON.parse(readFileSync(join(dir, 'table.json'), 'utf8')) as {
      by: string;
      rows: { group: string; fitness: number; run: string; runs: number; text: string }[];
    };
    expect(table.by).toBe('space.dimensions');
    expect(table.rows.map((row) => [row.group, row.runs])).toEqual([
      ['4', 2],
      ['8', 1],
    ]);
    const best4 = Math.max(runs[0]?.best?.fitness ?? -Infinity, runs[1]?.best?.fitness ?? -Infinity);
    expect(table.rows[0]?.fitness).toBe(best4);
    expect(table.rows[0]?.run).toBe(join(dir, best4 === runs[0]?.best?.fitness ? 'a' : 'b'));
    expect(table.rows[1]?.fitness).toBe(runs[2]?.best?.fitness);
    expect(r.stdout).toContain('space.dimensions');
    expect(r.stdout.split('\n').filter((line) => /^(4|8)\s/.test(line))).toHaveLength(2);
  });

  it('refuses a directory that is not a run, with exit code 2', async () => {
    const dir = useRunFiles();
    const r = await runCli(['table', join(dir, 'nope')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/not a run directory/);
  });
});
