import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { loadRunConfig } from '../search/config.js';
import { runSearch } from '../search/run.js';
import { flag, hasFlag, repoRoot } from '../tools/args.js';
import { headCommit, readResultsFile, writeResultsFile } from './results-file.js';
import { frontChart } from './mo/front-chart.js';
import { markdown } from './mo/markdown.js';
import { measureRun } from './mo/measure.js';
import { ROWS, type MoResults, type MoRow, type MoRunRecord } from './mo/rows.js';

const JSON_FILE = join(repoRoot, 'bench/results/multi-objective.json');
const PAGE = join(repoRoot, 'docs/multi-objective.md');
const CHART = 'multi-objective-prompt.svg';

const seedsOf: Record<MoRow['group'], number> = {
  nsga2: Number(flag('--nsga2-seeds') ?? 5),
  mome: Number(flag('--mome-seeds') ?? 3),
  prompt: 1,
};
const only = flag('--only')?.split(',');
for (const [group, n] of Object.entries(seedsOf))
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${group}-seeds must be a positive integer, got ${n}`);
if (only) {
  const unknown = only.filter((id) => !ROWS.some((r) => r.id === id));
  if (unknown.length > 0)
    throw new Error(`--only: unknown rows ${unknown.join(', ')}; rows: ${ROWS.map((r) => r.id).join(', ')}`);
}

function readResults(): MoResults {
  return readResultsFile<MoResults>(JSON_FILE, () => ({
    cores: cpus().length,
    cpu: cpus()[0]?.model.trim() ?? 'unknown CPU',
    runs: [],
  }));
}

function writeResults(results: MoResults): void {
  writeResultsFile(JSON_FILE, results);
}

async function runOne(row: MoRow, seed: number): Promise<MoRunRecord> {
  const name = `${row.id}-s${seed}`;
  const out = join(repoRoot, 'runs/mo-report', name);
  rmSync(out, { recursive: true, force: true }); // an unfinished run of a crashed session: start over
  mkdirSync(join(repoRoot, 'runs/mo-report'), { recursive: true });
  const base = loadRunConfig(join(repoRoot, row.config), { seed });
  const config = {
    ...base,
    name,
    ...(row.objectives ? { objectives: row.objectives } : {}),
    ...(row.override?.space ? { space: { ...base.space, ...row.override.space } } : {}),
    ...(row.override?.search ? { search: { ...base.search, ...row.override.search } } : {}),
  };
  const load = loadavg()[0]!;
  console.log(`${new Date().toISOString()} ${name}: ${row.config} seed ${seed} (load ${load.toFixed(2)})`);
  const summary = await runSearch(config, { out });
  if (summary.status !== 'done') throw new Error(`${name} ended ${summary.status}: ${summary.error ?? ''}`);
  const measured = await measureRun(out);
  rmSync(out, { recursive: true, force: true });
  console.log(
    `  hypervolume ${measured.hypervolume.toFixed(6)}${measured.populationHypervolume === undefined ? '' : ` (population ${measured.populationHypervolume.toFixed(6)})`}, MOQD ${measured.moqdScore.toFixed(2)}, ${measured.points} points, ${measured.seconds.toFixed(1)} s`,
  );
  return {
    row: row.id,
    seed,
    ...measured,
    // Only the prompt rows' fronts are drawn; the others would make the JSON large for nothing.
    front: row.group === 'prompt' ? measured.front : [],
    load: [load, loadavg()[0]!],
    date: new Date().toISOString(),
    commit: headCommit(),
  };
}

function writePage(results: MoResults): void {
  const svg = frontChart(results);
  if (svg) writeFileSync(join(repoRoot, 'docs', CHART), svg);
  writeFileSync(PAGE, markdown(results, seedsOf, svg ? CHART : undefined));
  console.log('wrote docs/multi-objective.md');
}

async function main(): Promise<void> {
  const rows = ROWS.filter((r) => !only || only.includes(r.id));
  const most = Math.max(...rows.map((r) => seedsOf[r.group]));
  for (let seed = 1; seed <= most; seed++) {
    for (const row of rows) {
      const runSeed = row.group === 'prompt' ? 0 : seed; // the prompt configs' own seed, once
      if (seed > seedsOf[row.group]) continue;
      if (readResults().runs.some((r) => r.row === row.id && r.seed === runSeed)) continue;
      const record = await runOne(row, runSeed);
      const results = readResults(); // another session may have stored runs meanwhile: add to what is on disk
      writeResults({ ...results, runs: [...results.runs, record] });
    }
  }
  writePage(readResults());
}

if (hasFlag('--markdown-only')) writePage(readResults());
else await main();
