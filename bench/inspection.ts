// Reading a long run: `runs`, `inspect`, `report`, `export` (elites and --all) and `resume` of a finished run of
// configs/sphere-map-elites.yaml, each as a user starts it (the built CLI, a new process), with its wall time and peak
// memory. Targets from issue 23. Run alone with `npm run bench:inspection -- [--proposals N] [--run DIR] [--keep]`
// (default 1,000,000 proposals; --run reuses a finished run directory); writes bench/results/inspection.{json,md}.
// bench/run.ts records the same rows on its 1M-proposal throughput run.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { eliteArgs, flag, hasFlag, repoRoot } from '../tools/args.js';
import { benchTable, type BenchRow } from './row.js';

const probe = join(dirname(fileURLToPath(import.meta.url)), 'rss-probe.js');
const MEMORY_TARGET_MB = 300;

interface Timed {
  readonly seconds: number;
  readonly code: number | null;
  readonly maxRssMb: number;
  readonly peakAnonMb: number;
  readonly cpuSeconds: number;
}

/** One CLI process, stdout discarded: wall time from spawn to exit and the peak memory the probe wrote. */
function timeCli(args: readonly string[], scratch: string): Promise<Timed> {
  const rssFile = join(scratch, `rss-${process.hrtime.bigint()}.json`);
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', probe, ...eliteArgs(args)], {
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, ELITES_RSS_FILE: rssFile },
    });
    child.on('close', (code) => {
      const seconds = (performance.now() - started) / 1000;
      const rss = existsSync(rssFile)
        ? (JSON.parse(readFileSync(rssFile, 'utf8')) as { maxRssMb: number; peakAnonMb: number; cpuSeconds: number })
        : { maxRssMb: -1, peakAnonMb: -1, cpuSeconds: -1 };
      resolve({ seconds, code, ...rss });
    });
  });
}

/** The median time of `repeats` processes, and the highest peak memory of them. */
async function timeCliMedian(args: readonly string[], scratch: string, repeats: number): Promise<Timed> {
  const runs: Timed[] = [];
  for (let i = 0; i < repeats; i++) runs.push(await timeCli(args, scratch));
  const sorted = [...runs].sort((a, b) => a.seconds - b.seconds);
  return {
    seconds: sorted[Math.floor(sorted.length / 2)]!.seconds,
    code: runs.find((r) => r.code !== 0)?.code ?? 0,
    maxRssMb: Math.max(...runs.map((r) => r.maxRssMb)),
    peakAnonMb: Math.max(...runs.map((r) => r.peakAnonMb)),
    cpuSeconds: sorted[Math.floor(sorted.length / 2)]!.cpuSeconds,
  };
}

/** A finished run of the sphere config with `proposals` proposals, made by the CLI in `dir`. */
async function makeRun(dir: string, proposals: number, scratch: string): Promise<number> {
  const config = join(repoRoot, 'configs/sphere-map-elites.yaml');
  const made = await timeCli(['run', config, '--evaluations', String(proposals), '--out', dir, '--json'], scratch);
  if (made.code !== 0) throw new Error(`the ${proposals}-proposal run failed (exit ${made.code})`);
  return made.seconds;
}

const load = (): string => `load average ${loadavg()[0]?.toFixed(2)}`;

/**
 * Times the readers on the finished sphere run `run` and a resume of it. Beside it (so `runs` lists two) a run a tenth
 * as long is made when missing, to show that `export --all` holds no more memory for a longer log.
 */
export async function inspectionBench(
  record: (row: BenchRow) => void,
  o: { readonly run: string; readonly scratch: string; readonly repeats: number },
): Promise<void> {
  const { run, scratch, repeats } = o;
  const summary = JSON.parse(readFileSync(join(run, 'summary.json'), 'utf8')) as { proposals: number };
  const small = join(dirname(run), 'sphere-short');
  if (!existsSync(join(small, 'summary.json')))
    await makeRun(small, Math.max(10_000, Math.round(summary.proposals / 10)), scratch);
  const n = summary.proposals.toLocaleString('en');
  const logMb = Math.round(statSync(join(run, 'store.mdb')).size / 2 ** 20);
  const memory = (t: Timed, processes = repeats): string =>
    `CPU ${t.cpuSeconds.toFixed(2)} s (user + system); peak RSS ${t.maxRssMb} MB (anonymous ${t.peakAnonMb} MB); exit ${t.code}; median of ${processes}`;
  const row = (name: string, t: Timed, targetSeconds: number): void =>
    record({
      name: `${name} (${n}-proposal run, ${logMb} MiB log)`,
      value: Number(t.seconds.toFixed(3)),
      unit: 's',
      target: `< ${targetSeconds} s, peak RSS < ${MEMORY_TARGET_MB} MB`,
      met: t.code === 0 && t.seconds < targetSeconds && t.maxRssMb < MEMORY_TARGET_MB,
      detail: `${memory(t)}; ${load()}`,
    });
  row('`elites runs DIR` (2 finished runs)', await timeCliMedian(['runs', dirname(run)], scratch, repeats), 0.5);
  row('`elites inspect RUN --top 3`', await timeCliMedian(['inspect', run, '--top', '3'], scratch, repeats), 1);
  const html = join(scratch, 'report.html');
  row('`elites report RUN --out r.html`', await timeCliMedian(['report', run, '--out', html], scratch, repeats), 3);
  const csv = join(scratch, 'elites.csv');
  row(
    '`elites export RUN --format csv` (the elites)',
    await timeCliMedian(['export', run, '--format', 'csv', '--output', csv], scratch, repeats),
    1,
  );

  // --all: the whole log, read as it is written out. Flat: no more anonymous memory for a log many times longer.
  const allOf = async (dir: string): Promise<Timed & { events: number }> => {
    const t = await timeCli(['export', dir, '--format', 'csv', '--all', '--output', join(scratch, 'all.csv')], scratch);
    const events = (JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as { proposals: number }).proposals;
    rmSync(join(scratch, 'all.csv'), { force: true });
    return { ...t, events };
  };
  const shortAll = await allOf(small);
  const longAll = await allOf(run);
  const flat = longAll.code === 0 && longAll.peakAnonMb <= shortAll.peakAnonMb * 1.25 + 32;
  record({
    name: `\`elites export RUN --format csv --all\` (${n} events): peak anonymous memory`,
    value: longAll.peakAnonMb,
    unit: 'MB',
    target: `flat: ≤ 1.25 × that of a ${shortAll.events.toLocaleString('en')}-event log (${shortAll.peakAnonMb} MB) + 32 MB = ${Math.round(shortAll.peakAnonMb * 1.25 + 32)} MB`,
    met: flat,
    detail: `${longAll.seconds.toFixed(1)} s (CPU ${longAll.cpuSeconds.toFixed(1)} s), exit ${longAll.code}; peak RSS ${longAll.maxRssMb} MB with LMDB's file-backed map pages (the log is read once for the columns, once to write); ${load()}`,
  });

  // Last: a resume writes to the run (status, checkpoint, summary). Its budget is spent: it restores and finishes.
  const resumed = await timeCli(['resume', run, '--json'], scratch);
  record({
    name: `\`elites resume RUN\` (${n}-proposal run, budget spent: open, restore the archive, finish)`,
    value: Number(resumed.seconds.toFixed(3)),
    unit: 's',
    target: '< 3 s',
    met: resumed.code === 0 && resumed.seconds < 3,
    detail: `spawn to exit; ${memory(resumed, 1)}; ${load()}`,
  });
}

async function main(): Promise<void> {
  const proposals = Number(flag('--proposals') ?? (hasFlag('--quick') ? 100_000 : 1_000_000));
  const scratch = mkdtempSync(join(tmpdir(), 'elites-inspection-'));
  const given = flag('--run');
  const runs = given ? dirname(given) : join(scratch, 'runs');
  mkdirSync(runs, { recursive: true });
  const run = given ?? join(runs, 'sphere-long');
  const rows: BenchRow[] = [];
  const record = (row: BenchRow): void => {
    rows.push(row);
    console.log(`${row.name}: ${row.value} ${row.unit} (${row.detail})`);
  };
  let made = '';
  if (!given) {
    const seconds = await makeRun(run, proposals, scratch);
    made = `; the run took ${seconds.toFixed(1)} s`;
  }
  await inspectionBench(record, { run, scratch, repeats: 3 });

  const out = join(repoRoot, 'bench/results');
  mkdirSync(out, { recursive: true });
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}`;
  writeFileSync(
    join(out, 'inspection.json'),
    `${JSON.stringify({ date: new Date().toISOString(), machine, run: basename(run), rows }, null, 2)}\n`,
  );
  const table = benchTable(
    'Reading a long run (issue 23)',
    `${new Date().toISOString().slice(0, 10)} · ${machine} · configs/sphere-map-elites.yaml${made} · load average at the end ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
    rows,
  );
  writeFileSync(join(out, 'inspection.md'), `${table}\n`);
  console.log(table);
  if (!hasFlag('--keep')) rmSync(scratch, { recursive: true, force: true });
  else console.log(`kept ${scratch}`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
