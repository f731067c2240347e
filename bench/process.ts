// Evaluator processes (evaluators/process): the protocol's round trip on a trivial Python evaluator (median and p99,
// at the evaluator and through the process executor, for small and large genomes), the share of it that is JSON in
// this process, proposals/s on 1 and 2 workers, what a 10 ms evaluator loses to it, and setup counts — a 3 s setup
// over 1,000 evaluations on 2 workers, and a run SIGKILLed and resumed. Part of `npm run bench`; alone:
// `npm run bench:process` (bench/results/process.{md,json}).
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import type { EvalContext } from '../core/types.js';
import { createProcessEvaluator, processSpecSchema } from '../evaluators/process/index.js';
import { encodeRequest, parseReply } from '../evaluators/process/protocol.js';
import { parseRunConfig, type RunConfigInput } from '../search/config.js';
import { createProcessPool } from '../search/executors/process-pool.js';
import { runSearch } from '../search/run.js';
import { openRunStore, STORE_FILE } from '../store/run-store.js';
import { eliteArgs } from '../tools/args.js';
import type { BenchRow } from './row.js';

const TRIVIAL = `import elites_worker

def evaluate(genome, ctx):
    return {"fitness": genome[0], "descriptors": [genome[0], genome[1]]}

elites_worker.serve()
`;

/** Busy for options.ms (a sleep would overshoot): a CPU-bound evaluation of a known length. */
const BUSY = `import time
import elites_worker

ms = 10

def setup(options):
    global ms
    ms = options.get("ms", ms)

def evaluate(genome, ctx):
    end = time.perf_counter() + ms / 1000
    while time.perf_counter() < end:
        pass
    return {"fitness": genome[0], "descriptors": [genome[0], genome[1]]}

elites_worker.serve()
`;

/** The same 10 ms of CPU as an ES module in a worker thread: what a machine's load costs any evaluator. */
const BUSY_MODULE = `export default {
  name: 'busy',
  version: '1',
  evaluate(g) {
    const end = performance.now() + 10;
    while (performance.now() < end);
    return { fitness: g[0], descriptors: [g[0], g[1]] };
  },
};
`;

/** setup() sleeps options.seconds (a model load) and logs this process's pid to options.setupsFile. */
const SLOW_SETUP = `import os
import time
import elites_worker

def setup(options):
    time.sleep(options["seconds"])
    with open(options["setupsFile"], "a") as f:
        f.write("%d\\n" % os.getpid())

def evaluate(genome, ctx):
    time.sleep(0.002)
    return {"fitness": sum(genome), "descriptors": [genome[0], genome[1]]}

elites_worker.serve()
`;

const load = (): string => `load average ${loadavg()[0]?.toFixed(2)}`;
const quantile = (sorted: readonly number[], q: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;

/** A context as the runner gives one (no reports): the seed is drawn once from rng. */
const context = (signal: AbortSignal): EvalContext => ({ rng: () => 0.5, signal, options: {}, fidelity: 1, sample: 0 });

function configOf(script: string, extra: Partial<RunConfigInput>): RunConfigInput {
  return {
    name: 'bench-process',
    seed: 1,
    space: { type: 'vector', dimensions: 8, min: 0, max: 1, mutation: { type: 'gaussian', sigma: 0.1 } },
    evaluator: { process: { argv: ['python3', script], forwardStderr: false } },
    search: { strategy: 'map-elites', initialRandom: 100 },
    archive: {
      type: 'grid',
      dims: [
        { name: 'a', min: 0, max: 1, bins: 20 },
        { name: 'b', min: 0, max: 1, bins: 20 },
      ],
    },
    budget: { evaluations: 1000 },
    workers: 1,
    cache: { enabled: false },
    ...extra,
  };
}

/** Round trips (µs) of `n` evaluate requests with a genome of `size` floats, after `warm` untimed ones. */
async function roundTrips(script: string, dir: string, size: number, n: number, warm: number): Promise<number[]> {
  const evaluator = createProcessEvaluator({
    ...processSpecSchema.parse({ argv: ['python3', script], forwardStderr: false }),
    cwd: dir,
  });
  await evaluator.setup({});
  const genome = Float64Array.from({ length: size }, (_, i) => (i % 100) / 100);
  const signal = new AbortController().signal;
  const times: number[] = [];
  try {
    for (let i = 0; i < warm + n; i++) {
      const t0 = performance.now();
      await evaluator.evaluate(genome, context(signal));
      if (i >= warm) times.push((performance.now() - t0) * 1000);
    }
  } finally {
    await evaluator.close();
  }
  return times.sort((a, b) => a - b);
}

/** The same through the process executor: submit → result, the runner's checks included. */
async function poolRoundTrips(script: string, dir: string, n: number, warm: number): Promise<number[]> {
  const pool = createProcessPool(
    {
      process: { ...processSpecSchema.parse({ argv: ['python3', script], forwardStderr: false }), cwd: dir },
      options: {},
      seed: 1,
      fidelity: 1,
      timeoutMs: 60_000,
      descriptorCount: 2,
    },
    1,
  );
  await pool.start();
  const times: number[] = [];
  try {
    for (let i = 0; i < warm + n; i++) {
      const genome = Float64Array.from({ length: 8 }, (_, j) => ((i + j) % 100) / 100);
      const t0 = performance.now();
      const result = await pool.submit({ id: i, genome, key: `k${i}`, repeat: 0 });
      if (!result.ok) throw new Error(`bench evaluation failed: ${result.failure.message}`);
      if (i >= warm) times.push((performance.now() - t0) * 1000);
    }
  } finally {
    await pool.close();
  }
  return times.sort((a, b) => a - b);
}

/** µs per request of this process's JSON work: encoding an evaluate request and parsing its reply. */
function jsonMicroseconds(size: number, reps: number): number {
  const genome = Float64Array.from({ length: size }, (_, i) => (i % 100) / 100);
  const reply = JSON.stringify({ type: 'done', id: 1, value: { fitness: 0.5, descriptors: [0.1, 0.2] } });
  let bytes = 0;
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) {
    bytes += encodeRequest({ type: 'evaluate', id: i, genome, ctx: { fidelity: 1, sample: 0, seed: i } }).length;
    bytes += 'type' in parseReply(reply) ? 1 : 0;
  }
  const us = ((performance.now() - t0) * 1000) / reps;
  if (bytes === 0) throw new Error('nothing encoded'); // results consumed
  return us;
}

const setupsIn = (file: string): number =>
  existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').length : 0;

/** Events logged in a run directory so far, 0 while its store is not readable yet. */
function eventsIn(dir: string): number {
  if (!existsSync(join(dir, STORE_FILE))) return 0;
  try {
    const store = openRunStore(dir, { write: false });
    const n = store.lastSeq() + 1;
    void store.close();
    return n;
  } catch {
    return 0;
  }
}

function runBin(args: readonly string[], cwd: string): { kill: () => void; done: Promise<number | null> } {
  const child = spawn(process.execPath, eliteArgs(args), { cwd, stdio: 'ignore' });
  return {
    kill: () => void child.kill('SIGKILL'),
    done: new Promise((resolve) => child.on('close', (code) => resolve(code))),
  };
}

export async function processBench(record: (row: BenchRow) => void, scratch: string, quick: boolean): Promise<void> {
  const trivial = join(scratch, 'trivial.py');
  const busy = join(scratch, 'busy.py');
  const slow = join(scratch, 'slow_setup.py');
  writeFileSync(trivial, TRIVIAL);
  writeFileSync(busy, BUSY);
  writeFileSync(slow, SLOW_SETUP);
  const n = quick ? 2000 : 10_000;

  // (1) Round trips: the protocol alone (evaluator level), then through the executor.
  const small = await roundTrips(trivial, scratch, 8, n, 500);
  const median = quantile(small, 0.5);
  record({
    name: 'process evaluator round trip, trivial Python evaluator, 8-float genome (median)',
    value: Math.round(median),
    unit: 'µs',
    target: '< 1,000 µs',
    met: median < 1000,
    detail: `p99 ${Math.round(quantile(small, 0.99))} µs, p10 ${Math.round(quantile(small, 0.1))} µs over ${n} sequential requests (JSON lines over pipes, python3 with elites_worker); ${load()}`,
  });
  const pool = await poolRoundTrips(trivial, scratch, n, 500);
  record({
    name: 'the same through the process executor (submit → checked result, median)',
    value: Math.round(quantile(pool, 0.5)),
    unit: 'µs',
    target: '< 1,000 µs',
    met: quantile(pool, 0.5) < 1000,
    detail: `p99 ${Math.round(quantile(pool, 0.99))} µs over ${n} tasks, one process`,
  });
  const json = jsonMicroseconds(8, 100_000);
  record({
    name: "elites' JSON work per round trip, 8-float genome (encode the request, parse the reply)",
    value: Number(json.toFixed(2)),
    unit: 'µs',
    target: 'a small share of the round trip (else a binary framing would pay)',
    met: json < median / 10,
    detail: `${((100 * json) / median).toFixed(1)}% of the median round trip: the pipes, the wake-ups and Python's side are the rest`,
  });
  for (const size of [1000, 100_000]) {
    const times = await roundTrips(trivial, scratch, size, size > 10_000 ? 50 : 1000, 10);
    record({
      name: `process evaluator round trip, ${size.toLocaleString('en')}-float genome (median)`,
      value: Math.round(quantile(times, 0.5)),
      unit: 'µs',
      target: '–',
      met: null,
      detail: `p99 ${Math.round(quantile(times, 0.99))} µs; elites' own JSON work ${jsonMicroseconds(size, size > 10_000 ? 20 : 2000).toFixed(0)} µs of it, about ${Math.round((size * 19) / 1024)} KiB each way`,
    });
  }

  // (2) Whole runs: proposals/s with 1 and 2 workers on the trivial evaluator, and a 10 ms one's loss.
  const proposals = quick ? 3000 : 20_000;
  for (const workers of [1, 2]) {
    const dir = join(scratch, `process-run-${workers}`);
    const s = await runSearch(
      parseRunConfig(configOf(trivial, { workers, budget: { evaluations: proposals } }), scratch),
      { out: dir },
    );
    record({
      name: `MAP-Elites with a trivial Python evaluator process, ${workers} worker${workers > 1 ? 's' : ''}`,
      value: Math.round(s.proposals / s.seconds),
      unit: 'proposals/s',
      target: '–',
      met: null,
      detail: `${s.proposals} proposals (cache off, every one evaluated) in ${s.seconds.toFixed(2)} s, ${s.failures} failures; ${load()}`,
    });
  }
  const busyN = quick ? 100 : 300;
  const busyModule = join(scratch, 'busy.mjs');
  writeFileSync(busyModule, BUSY_MODULE);
  const thread = await runSearch(
    parseRunConfig(configOf(busy, { budget: { evaluations: busyN }, evaluator: { module: busyModule } }), scratch),
    { out: join(scratch, 'thread-busy') },
  );
  const threadMs = (thread.seconds * 1000) / thread.proposals;
  const b = await runSearch(
    parseRunConfig(
      configOf(busy, {
        budget: { evaluations: busyN },
        evaluator: { process: { argv: ['python3', busy] }, options: { ms: 10 } },
      }),
      scratch,
    ),
    { out: join(scratch, 'process-busy') },
  );
  const perEvalMs = (b.seconds * 1000) / b.proposals;
  const loss = (perEvalMs - 10) / perEvalMs;
  record({
    name: 'a 10 ms (CPU-bound) Python evaluator, 1 worker: time lost to the protocol and the engine',
    value: Number((loss * 100).toFixed(1)),
    unit: '%',
    target: '< 10%',
    met: loss < 0.1,
    detail: `${b.proposals} evaluations in ${b.seconds.toFixed(2)} s = ${perEvalMs.toFixed(2)} ms each (10 ms of work); the same 10 ms as an ES module in a worker thread, same run: ${threadMs.toFixed(2)} ms each (${((100 * (threadMs - 10)) / threadMs).toFixed(1)}% lost): what the machine's load costs any evaluator; ${load()}`,
  });

  // (3) Setup counts: a 3 s setup, 1,000 evaluations on 2 workers; then a run SIGKILLed mid-way and resumed.
  const whole = join(scratch, 'setups-whole.txt');
  const setupOptions = (file: string): Partial<RunConfigInput> => ({
    evaluator: {
      process: { argv: ['python3', slow], forwardStderr: false },
      options: { seconds: 3, setupsFile: file },
    },
    workers: 2,
    budget: { evaluations: 1000 },
  });
  const w = await runSearch(parseRunConfig(configOf(slow, setupOptions(whole)), scratch), {
    out: join(scratch, 'process-setup-whole'),
  });
  record({
    name: 'setup() runs of a 3 s-setup Python evaluator over 1,000 evaluations on 2 workers',
    value: setupsIn(whole),
    unit: 'setups',
    target: '2 (once per process)',
    met: setupsIn(whole) === 2 && w.evaluations === 1000,
    detail: `${w.evaluations} evaluations in ${w.seconds.toFixed(1)} s of search (the 3 s setups run before the clock starts)`,
  });
  const killed = join(scratch, 'setups-killed.txt');
  const configPath = join(scratch, 'killed.json');
  writeFileSync(configPath, JSON.stringify(configOf(slow, setupOptions(killed))));
  const runDir = join(scratch, 'process-setup-killed');
  const first = runBin(['run', configPath, '--out', runDir], scratch);
  const started = performance.now();
  while (eventsIn(runDir) < 300) {
    if (performance.now() - started > 120_000) throw new Error('the run to be killed never logged 300 events');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  first.kill();
  await first.done;
  const before = setupsIn(killed);
  const eventsAtKill = eventsIn(runDir);
  const resumed = await runBin(['resume', runDir], scratch).done;
  const after = setupsIn(killed);
  record({
    name: 'the same run SIGKILLed after 300+ events and resumed: setup() runs before the kill, then in all',
    value: after,
    unit: 'setups',
    target: '2 then 4 (only the new processes)',
    met: before === 2 && after === 4 && resumed === 0,
    detail: `${before} setups before the kill (at ${eventsAtKill} events), ${after} after the resume (exit ${resumed}), run of 1,000 proposals`,
  });
}
