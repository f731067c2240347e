// The reduced space, end to end: measure every configuration once (kept in runs/report-kernel-reduced/table.json and
// reused), then replay MAP-Elites, GA and random search against that table over several seeds: proposals needed to
// reach 95% and 99% of the exhaustive optimum, and the optimum itself.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { measureKernel, median, type ShapePreset } from '../../evaluators/kernel/index.js';
import { parseRunConfig } from '../../search/config.js';
import { runSearch } from '../../search/run.js';
import { openRunView } from '../../search/run-view.js';
import { repoRoot } from '../../tools/args.js';
import { waitForQuiet, type LoadRecord } from './machine.js';
import { REDUCED_PARAMS, reducedConfigs, tableKey, type ReducedTable } from './reduced-table.js';
import { buildDir, type KernelReportSettings } from './settings.js';

/** Fractions of the exhaustive optimum a search must reach: 95%, 99% and the optimum itself. */
const TARGETS = [0.95, 0.99, 1] as const;
const REDUCED_SHAPE: ShapePreset = 'square-512';
// The compiled plug-in next to this file: the runs load it by path, as a user's evaluator.module.
const EVALUATOR = fileURLToPath(new URL('./table-evaluator.js', import.meta.url));

const STRATEGIES: Record<string, Record<string, unknown>> = {
  'map-elites': { strategy: 'map-elites', initialRandom: 10 },
  ga: { strategy: 'ga', populationSize: 10, tournamentSize: 3 },
  random: { strategy: 'random' },
};

/** Every configuration measured at REDUCED_SHAPE, written to `tableFile`. */
async function measureAll(tableFile: string): Promise<void> {
  const values: Record<string, number | null> = {};
  const t0 = Date.now();
  for (const g of reducedConfigs()) {
    try {
      const m = await measureKernel(g, REDUCED_SHAPE, { repeats: 3, warmup: 1, minSampleMs: 20, buildDir });
      values[tableKey(g)] = m.median;
    } catch (error) {
      values[tableKey(g)] = null;
      console.log(`reduced ${tableKey(g)}: ${(error as Error).message.split('\n')[0]}`);
    }
  }
  writeFileSync(
    tableFile,
    `${JSON.stringify({ shape: REDUCED_SHAPE, params: REDUCED_PARAMS, seconds: (Date.now() - t0) / 1000, values }, null, 1)}\n`,
  );
}

/** For one seed of one strategy: the proposal count at which each threshold was first reached (null: never). */
async function replay(
  label: string,
  seed: number,
  budget: number,
  thresholds: readonly number[],
  dirs: { table: string; base: string; scratch: string },
): Promise<(number | null)[]> {
  const out = join(dirs.scratch, `${label}-${seed}`);
  const raw = {
    name: `kernel-reduced-${label}`,
    seed,
    direction: 'maximize',
    space: { type: 'categorical', params: REDUCED_PARAMS },
    evaluator: { module: EVALUATOR, options: { table: dirs.table } },
    search: STRATEGIES[label],
    archive: {
      type: 'grid',
      dims: [
        { name: 'log2-tile', min: 4, max: 10, bins: 6 },
        { name: 'log2-kc', min: 6, max: 10, bins: 4 },
      ],
    },
    budget: { evaluations: budget },
    workers: 0,
    cache: { path: join(out, 'cache.mdb') },
  };
  await runSearch(parseRunConfig(raw, dirs.base), { out });
  const view = await openRunView(out);
  let count = 0;
  const hits: (number | null)[] = thresholds.map(() => null);
  for (const e of view.events()) {
    count++;
    if (e.ok) thresholds.forEach((x, t) => void (hits[t] ??= e.f >= x ? count : null));
  }
  await view.close();
  return hits;
}

export async function reducedSpace(
  settings: KernelReportSettings,
  loads: LoadRecord[],
): Promise<Record<string, unknown>> {
  const dir = join(repoRoot, 'runs', 'report-kernel-reduced');
  mkdirSync(dir, { recursive: true });
  const tableFile = join(dir, 'table.json');
  const configs = reducedConfigs();
  if (!existsSync(tableFile)) {
    await waitForQuiet('reduced space: exhaustive measurement', settings.maxWaitSeconds, loads);
    await measureAll(tableFile);
  }
  const table = JSON.parse(readFileSync(tableFile, 'utf8')) as ReducedTable;
  const measured = Object.entries(table.values).filter((e): e is [string, number] => typeof e[1] === 'number');
  const optimum = Math.max(...measured.map(([, v]) => v));
  const thresholds = TARGETS.map((t) => t * optimum);
  const within = thresholds.map((x) => measured.filter(([, v]) => v >= x).length);
  const budget = configs.length;
  const results: Record<string, unknown> = {};
  const scratch = mkdtempSync(join(tmpdir(), 'kernel-report-'));
  try {
    for (const label of Object.keys(STRATEGIES)) {
      const needed: (number | null)[][] = TARGETS.map(() => []);
      for (let seed = 0; seed < settings.seeds; seed++) {
        const hits = await replay(label, seed, budget, thresholds, { table: tableFile, base: dir, scratch });
        hits.forEach((h, t) => needed[t]!.push(h));
      }
      // Seeds that never reached a target count as the budget + 1 in its median (censored).
      results[label] = Object.fromEntries(
        TARGETS.map((target, t) => {
          const forMedian = needed[t]!.map((n) => n ?? budget + 1);
          return [
            String(target),
            {
              needed: needed[t],
              reached: needed[t]!.filter((n) => n !== null).length,
              median: median(forMedian),
              min: Math.min(...forMedian),
              max: Math.max(...forMedian),
            },
          ];
        }),
      );
      console.log(`reduced ${label}: ${JSON.stringify(results[label])}`);
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  const best = measured.sort((a, b) => b[1] - a[1])[0]!;
  // Random sampling with replacement: P(hit within n) = 1 − (1 − w/S)^n, so the median is ln 2 / −ln(1 − w/S).
  const randomMedian = (w: number): number => Math.ceil(Math.log(2) / -Math.log(1 - w / measured.length));
  return {
    shape: REDUCED_SHAPE,
    params: REDUCED_PARAMS,
    size: configs.length,
    measured: measured.length,
    exhaustiveSeconds: table.seconds,
    optimum,
    optimumConfig: best[0],
    targets: [...TARGETS],
    within,
    budget,
    seeds: settings.seeds,
    randomExpectedMedian: within.map(randomMedian),
    strategies: results,
  };
}
