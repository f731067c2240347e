// The end-of-run warning when a grid's elites pile into edge cells: printed by `run`, carried by summary.json,
// `--json` and `inspect --json`; absent when the range covers the descriptors.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { useRunFiles } from '../helpers/files.js';

/**
 * MAP-Elites on the sphere (10-d, pyribs' linear projection: descriptors spread about ±17 from uniform starts) over a
 * 10 × 10 grid of the given x, y range.
 */
function sphereConfig(dir: string, range: { min: number; max: number }): string {
  const path = join(dir, 'sphere.json');
  writeFileSync(
    path,
    JSON.stringify({
      name: 'edges',
      seed: 4,
      space: { type: 'vector', dimensions: 10, min: -5.12, max: 5.12 },
      evaluator: { type: 'sphere' },
      search: { strategy: 'map-elites', initialRandom: 100 },
      archive: {
        type: 'grid',
        dims: [
          { name: 'x', bins: 10, ...range },
          { name: 'y', bins: 10, ...range },
        ],
      },
      budget: { evaluations: 3000 },
      workers: 0,
      cache: { path: join(dir, 'cache.mdb') },
    }),
  );
  return path;
}

interface Summary {
  archive: { size: number };
  warnings?: {
    code: string;
    threshold: number;
    dims: { name: string; share: number; candidateShare: number }[];
    message: string;
  }[];
}

describe('edge-cell warning at the end of a run', () => {
  it('a range far too narrow: run prints it, summary.json, --json and inspect --json carry it', async () => {
    const dir = useRunFiles();
    const out = join(dir, 'run');
    const run = await runCli(['run', sphereConfig(dir, { min: -1, max: 1 }), '--out', out, '--json']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(
      /warning: descriptors pile into the edge cells of the grid \(more than archive\.edgeWarning 0\.5\) — x: \d+% of the 3000 candidates and \d+% of the \d+ elites fell in its first or last bin \(of 10\); the candidates span -\d+(\.\d+)? … \d+(\.\d+)?, the range is -1 … 1; y: /,
    );
    expect(run.stderr).toMatch(
      /widen min\/max in archive\.dims to cover them, or use `archive: \{ type: sliding-boundaries \}`/,
    );
    const summary = JSON.parse(run.stdout) as Summary;
    expect(summary.warnings).toHaveLength(1);
    const [warning] = summary.warnings!;
    expect(warning).toMatchObject({ code: 'archive-edge-cells', threshold: 0.5 });
    expect(warning!.dims.map((d) => d.name).sort()).toEqual(['x', 'y']);
    for (const d of warning!.dims) {
      expect(d.candidateShare).toBeGreaterThan(0.5);
      // The interior cells are full too, so the elites' own share stays near 2/bins: the candidates show the pile.
      expect(d.share).toBeLessThan(0.5);
    }
    expect(JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'))).toMatchObject({ warnings: summary.warnings });
    expect(readFileSync(join(out, 'run.log'), 'utf8')).toMatch(/warning: descriptors pile into the edge cells/);
    const inspect = await runCli(['inspect', out, '--json']);
    expect(inspect.code, inspect.stderr).toBe(0);
    expect((JSON.parse(inspect.stdout) as Summary).warnings).toEqual(summary.warnings);
  }, 120_000);

  it('a range that covers the descriptors: no warning', async () => {
    const dir = useRunFiles();
    const run = await runCli(['run', sphereConfig(dir, { min: -13, max: 13 }), '--out', join(dir, 'run'), '--json']);
    expect(run.code, run.stderr).toBe(0);
    const summary = JSON.parse(run.stdout) as Summary;
    expect(summary.archive.size).toBeGreaterThanOrEqual(20); // enough elites for the check to speak
    expect(summary.warnings).toBeUndefined();
    expect(run.stderr).not.toMatch(/warning/);
  }, 120_000);
});
