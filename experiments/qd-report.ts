import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { loadRunConfig } from '../search/config.js';
import { runSearch } from '../search/run.js';
import { flag, hasFlag, repoRoot } from '../tools/args.js';
import { headCommit, readResultsFile, writeResultsFile } from './results-file.js';
import { qdChart } from './qd/chart.js';
import { markdown } from './qd/markdown.js';
import { BENCHMARKS, ROWS } from './qd/rows.js';
import { runsOf, summarise, type RowResult } from './qd/summary.js';
import type { Benchmark, QdResults, RowSpec, RunRecord } from './qd/types.js';

const root = repoRoot;
const JSON_FILE = join(root, 'bench/results/quality-diversity.json');
const PAGE = join(root, 'docs/quality-diversity.md');
const CHART = 'quality-diversity.svg';
const CURVE_POINTS = 100;

const seeds = Number(flag('--seeds') ?? 3);
const only = flag('--only')?.split(',');
const quickBudget = flag('--budget') === undefined ? undefined : Number(flag('--budget'));
const keepRuns = hasFlag('--keep-runs');

if (!Number.isInteger(seeds) || seeds < 1)
  throw new Error(`--seeds must be a positive integer, got ${flag('--seeds')}`);
if (quickBudget !== undefined && !(Number.isInteger(quickBudget) && quickBudget > 0))
  throw new Error(`--budget must be a positive integer, got ${flag('--budget')}`);
if (only) {
  const unknown = only.filter((id) => !ROWS.some((r) => r.id === id));
  if (unknown.length > 0)
    throw new Error(`--only: unknown rows ${unknown.join(', ')}; rows: ${ROWS.map((r) => r.id).join(', ')}`);
}

function readResults(): QdResults {
  return readResultsFile<QdResults>(JSON_FILE, () => ({
    cores: cpus().length,
    cpu: cpus()[0]?.model.trim() ?? 'unknown CPU',
    runs: [],
  }));
}

function writeResults(results: QdResults): void {
  writeResultsFile(JSON_FILE, results);
}

const configExists = (spec: RowSpec): boolean => existsSync(join(root, spec.config));

/** The row's full budget: its own override, else its config's. */
function fullBudget(spec: RowSpec): number {
  if (spec.budget !== undefined) return spec.budget;
  const evaluations = loadRunConfig(join(root, spec.config)).budget.evaluations;
  if (evaluations === undefined) throw new Error(`${spec.config} has no evaluation budget`);
  return evaluations;
}

async function runOne(spec: RowSpec, seed: number, budget: number): Promise<RunRecord> {
  const name = `${spec.id}-s${seed}-${budget}`;
  const out = join(root, 'runs/qd-report', name);
  rmSync(out, { recursive: true, force: true }); // an unfinished run of a crashed session: its curve is lost, start over
  mkdirSync(join(root, 'runs/qd-report'), { recursive: true });
  const base = loadRunConfig(join(root, spec.config), { evaluations: budget, seed });
  const config = { ...base, name };
  const curve: [number, number][] = [];
  let mark = 1;
  const loadStart = loadavg()[0]!;
  const date = new Date().toISOString();
  console.log(`${date} ${name}: ${spec.config} seed ${seed}, ${budget} proposals (load ${loadStart.toFixed(2)})`);
  const summary = await runSearch(config, {
    out,
    // Called about every 200 ms: keep the first state past each 1% of the budget.
    onProgress: ({ counters, archive }) => {
      if (counters.proposals >= (mark * budget) / CURVE_POINTS && mark < CURVE_POINTS) {
        curve.push([counters.proposals, archive.stats().qdScore]);
        while (counters.proposals >= (mark * budget) / CURVE_POINTS && mark < CURVE_POINTS) mark++;
      }
    },
  });
  if (summary.status !== 'done') throw new Error(`${name} ended ${summary.status}: ${summary.error ?? ''}`);
  curve.push([summary.proposals, summary.archive.qdScore]);
  const record: RunRecord = {
    row: spec.id,
    seed,
    budget,
    proposals: summary.proposals,
    evaluations: summary.evaluations,
    qdScore: summary.archive.qdScore,
    cells: summary.archive.cells,
    coverage: summary.archive.coverage,
    seconds: summary.seconds,
    evaluationsPerSecond: summary.evaluations / summary.seconds,
    load: [loadStart, loadavg()[0]!],
    date,
    commit: headCommit(),
    curve,
  };
  const a = summary.archive;
  console.log(
    `  QD ${a.qdScore.toFixed(0)} (${(a.qdScore / a.cells).toFixed(2)} per cell), coverage ${(a.coverage * 100).toFixed(2)}%, ` +
      `${summary.seconds.toFixed(1)} s, ${record.evaluationsPerSecond.toFixed(0)}/s, load ${record.load[1].toFixed(2)}`,
  );
  if (!keepRuns) rmSync(out, { recursive: true, force: true });
  return record;
}

function writePage(results: QdResults): void {
  const rows: RowResult[] = [];
  const missing: { spec: RowSpec; budget: number; reason: string }[] = [];
  for (const spec of ROWS) {
    const exists = configExists(spec);
    if (!exists && spec.optional) continue; // the bandit config arrives with another change
    const budget = exists ? fullBudget(spec) : (spec.budget ?? 0);
    const result = summarise(spec, budget, runsOf(results.runs, spec.id, budget));
    if (result) rows.push(result);
    else missing.push({ spec, budget, reason: exists ? 'no run at the full budget yet' : 'its config is missing' });
  }
  const panels = (Object.keys(BENCHMARKS) as Benchmark[])
    .filter((b) => b !== 'sphere-bounded')
    .map((b) => ({
      benchmark: b,
      title: BENCHMARKS[b].title,
      rows: rows.filter((r) => r.spec.benchmark === b),
    }));
  const svg = qdChart(panels);
  if (svg) writeFileSync(join(root, 'docs', CHART), svg);
  writeFileSync(PAGE, markdown({ results, rows, missing, seedsWanted: seeds, chart: svg ? CHART : undefined }));
  console.log(`wrote docs/quality-diversity.md (${rows.length} rows, ${missing.length} not run)`);
}

async function main(): Promise<void> {
  let results = readResults();
  const specs = ROWS.filter((r) => (!only || only.includes(r.id)) && configExists(r));
  for (const r of ROWS)
    if (!configExists(r) && (!only || only.includes(r.id))) console.log(`skip ${r.id}: no ${r.config}`);
  for (let seed = 1; seed <= seeds; seed++) {
    for (const spec of specs) {
      const budget = quickBudget ?? fullBudget(spec);
      if (results.runs.some((r) => r.row === spec.id && r.seed === seed && r.budget === budget)) continue;
      const record = await runOne(spec, seed, budget);
      results = readResults(); // another session may have stored runs meanwhile: add to what is on disk
      results = { ...results, runs: [...results.runs, record] };
      writeResults(results);
      if (quickBudget === undefined) writePage(results);
    }
  }
  if (quickBudget === undefined) writePage(results);
}

if (hasFlag('--markdown-only')) writePage(readResults());
else await main();
