// Start-up of the compiled CLI as a user starts it: `elites --help`, `elites runs` on an empty directory (median of 10
// processes each, after one untimed warm-up that fills the file cache), and the time from spawning `elites run CONFIG`
// (inline, workers: 0, a tiny bitstring config) to its plug-in evaluator's first evaluate(). Each row gives the CPU time
// (user + system) beside the wall time: on a loaded machine the wall time mostly measures the other processes. Run alone
// with `npm run bench:startup`; bench/run.ts records the same rows.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { eliteArgs } from '../tools/args.js';
import type { BenchRow } from './row.js';

const RUNS = 10;
const START_TARGET_S = 0.25;
const FIRST_EVAL_TARGET_S = 0.5;

/** The CPU-time probe (bench/rss-probe.ts), preloaded into each timed process. */
const probe = join(dirname(fileURLToPath(import.meta.url)), 'rss-probe.js');

/**
 * Writes the wall clock (ms since the epoch) of its first evaluate() and the process's CPU seconds until then to
 * `options.stampFile`, then scores onemax.
 */
const STAMP_EVALUATOR = `import { writeFileSync } from 'node:fs';
let stampFile;
let stamped = false;
export default {
  name: 'first-eval-stamp',
  version: '1',
  setup(options) { stampFile = options.stampFile; },
  evaluate(genome) {
    if (!stamped) {
      stamped = true;
      const cpu = process.cpuUsage();
      writeFileSync(stampFile, Date.now() + ' ' + (cpu.user + cpu.system) / 1e6);
    }
    let ones = 0;
    for (const bit of genome) ones += bit;
    return { fitness: ones, descriptors: [ones / genome.length] };
  },
};
`;

interface Exit {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function runNode(args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = process.env): Promise<Exit> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += String(d)));
    child.stderr.on('data', (d: Buffer) => (stderr += String(d)));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Runs `node ARGS`; a failure is the bench's error. */
async function mustRunNode(args: readonly string[], cwd: string, env?: NodeJS.ProcessEnv): Promise<void> {
  const exit = await runNode(args, cwd, env);
  if (exit.code !== 0) throw new Error(`node ${args.join(' ')} exited ${exit.code}: ${exit.stderr.trim()}`);
}

/** Runs the compiled `elites ARGS`. */
const mustRun = (args: readonly string[], cwd: string): Promise<void> => mustRunNode(eliteArgs(args), cwd);

/** The 1-, 5- and 15-minute load averages (Linux), or 'n/a'. */
function loadAverage(): string {
  try {
    return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  } catch {
    return 'n/a';
  }
}

interface Stats {
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

function stats(seconds: readonly number[]): Stats {
  const sorted = [...seconds].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { median, min: sorted[0]!, max: sorted.at(-1)! };
}

const r3 = (s: number): number => Number(s.toFixed(3));

interface Measured {
  /** Wall seconds, spawn to exit. */
  readonly stats: Stats;
  /** CPU seconds (user + system) of the same processes. */
  readonly cpu: Stats;
  readonly load: string;
}

/** Wall and CPU seconds from spawn to exit of `node ARGS`, RUNS times, after one untimed warm-up. */
async function timeStartup(args: readonly string[], cwd: string): Promise<Measured> {
  await mustRunNode(args, cwd);
  const load = loadAverage();
  const seconds: number[] = [];
  const cpu: number[] = [];
  const rssFile = join(cwd, 'cpu.json');
  const env = { ...process.env, ELITES_RSS_FILE: rssFile };
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    await mustRunNode(['--import', probe, ...args], cwd, env);
    seconds.push((performance.now() - start) / 1000);
    cpu.push((JSON.parse(readFileSync(rssFile, 'utf8')) as { cpuSeconds: number }).cpuSeconds);
  }
  return { stats: stats(seconds), cpu: stats(cpu), load };
}

/** `floor`: the same measure of a bare `node -e 0`, which no change to elites can remove. */
function startupRow(name: string, measured: Measured, floor: Measured): BenchRow {
  const { median, min, max } = measured.stats;
  return {
    name,
    value: r3(median),
    unit: 's',
    target: `< ${START_TARGET_S} s`,
    met: median < START_TARGET_S,
    detail: `spawn to exit, ${RUNS} processes: min ${r3(min)} s, max ${r3(max)} s; CPU (user + system) median ${r3(measured.cpu.median)} s, min ${r3(measured.cpu.min)} s (a bare \`node -e 0\`: wall ${r3(floor.stats.median)} s, CPU ${r3(floor.cpu.median)} s); load average ${measured.load}`,
  };
}

/** Seconds from spawning `elites run` to the wall-clock stamp its evaluator writes on the first evaluate(). */
async function timeToFirstEvaluation(dir: string, i: number): Promise<{ first: number; cpu: number; exit: number }> {
  const stampFile = join(dir, `first-eval-${i}.txt`);
  const config = join(dir, 'tiny.yaml');
  writeFileSync(
    config,
    [
      'name: startup',
      'seed: 1',
      'space: { type: bitstring, length: 16 }',
      `evaluator: { module: ./stamp-evaluator.mjs, options: { stampFile: ${JSON.stringify(stampFile)} } }`,
      'search: { strategy: map-elites, initialRandom: 10 }',
      'archive: { type: grid, dims: [{ name: ones, min: 0, max: 1, bins: 16 }] }',
      'budget: { evaluations: 50 }',
      'workers: 0',
      'cache: { enabled: false }',
      '',
    ].join('\n'),
  );
  const spawnedAt = Date.now();
  const start = performance.now();
  await mustRun(['run', config, '--out', join(dir, `run-${i}`), '--json'], dir);
  const exit = (performance.now() - start) / 1000;
  const [stampedAt, cpu] = readFileSync(stampFile, 'utf8').split(' ').map(Number) as [number, number];
  return { first: (stampedAt - spawnedAt) / 1000, cpu, exit };
}

/** Records the start-up rows: `--help`, `runs` on an empty directory, and `run` to the first evaluation. */
export async function startupBench(record: (row: BenchRow) => void): Promise<void> {
  const scratch = mkdtempSync(join(tmpdir(), 'elites-startup-'));
  try {
    const empty = join(scratch, 'empty');
    mkdirSync(empty);
    const floor = await timeStartup(['-e', '0'], scratch);
    const elites = (args: readonly string[]) => timeStartup(eliteArgs(args), scratch);
    record(startupRow('`elites --help` start-up, median of 10', await elites(['--help']), floor));
    record(startupRow('`elites runs` on an empty directory, median of 10', await elites(['runs', empty]), floor));

    writeFileSync(join(scratch, 'stamp-evaluator.mjs'), STAMP_EVALUATOR);
    await timeToFirstEvaluation(scratch, 0); // warm-up, untimed
    const load = loadAverage();
    const firsts: number[] = [];
    const cpus: number[] = [];
    const exits: number[] = [];
    for (let i = 1; i <= RUNS; i++) {
      const t = await timeToFirstEvaluation(scratch, i);
      firsts.push(t.first);
      cpus.push(t.cpu);
      exits.push(t.exit);
    }
    const first = stats(firsts);
    const cpu = stats(cpus);
    record({
      name: 'time from `elites run` to the first proposal evaluated, inline',
      value: r3(first.median),
      unit: 's',
      target: `< ${FIRST_EVAL_TARGET_S} s`,
      met: first.median < FIRST_EVAL_TARGET_S,
      detail: `spawn of \`elites run\` (16-bit onemax plug-in, workers: 0, cache off) to the wall clock its first evaluate() wrote, median of ${RUNS}: min ${r3(first.min)} s, max ${r3(first.max)} s; CPU (user + system) until then median ${r3(cpu.median)} s, min ${r3(cpu.min)} s; whole run of 50 proposals to exit median ${r3(stats(exits).median)} s; load average ${load}`,
    });
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await startupBench((row) =>
    console.log(`${row.name}: ${row.value} ${row.unit} (target ${row.target}, met ${row.met}; ${row.detail})`),
  );
}
