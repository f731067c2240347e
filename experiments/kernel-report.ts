// Regenerates docs/kernels.md and bench/results/kernels.json (issue 6): SGEMM kernel autotuning on this machine.
//  - per shape (square-1024, decode-m1, decode-m8, decode-m32): the naive triple loop, the default configuration,
//    the best of a 300-proposal MAP-Elites search (configs/kernel-gemm.yaml, configs/kernel-gemm-flat.yaml with the
//    shape overridden) and numpy's sgemm (OpenBLAS through python3), re-measured interleaved over several rounds
//    (round-robin over the candidates, median and spread over rounds), with the read bandwidth and the
//    memory-bandwidth roofline of the flat shapes measured in the same rounds;
//  - a reduced space small enough to enumerate: every configuration measured, then MAP-Elites, GA and random search
//    replayed against that table over several seeds: proposals needed to reach 95% and 99% of the exhaustive
//    optimum, and the optimum itself;
//  - the share of proposals answered by the machine-code hash (the evaluator's fingerprint) in the searches.
// Usage: npm run build && node dist/experiments/kernel-report.js [--evaluations 300] [--rounds 5] [--seeds 10] [--max-wait 600]
//        [--markdown-only: rewrite docs/kernels.md from bench/results/kernels.json, measuring nothing]
// Runs go to runs/report-kernel-*/ (a finished run is reused, an interrupted one resumed; the exhaustive table of
// the reduced space is kept in runs/report-kernel-reduced/table.json and reused).
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { open as openLmdb } from 'lmdb';
import { promisify } from 'node:util';
import {
  bandwidthProbe,
  copiesOfB,
  DEFAULT_KERNEL_CONFIG,
  describeKernelConfig,
  measureKernel,
  median,
  NAIVE_KERNEL_CONFIG,
  resolveKernelConfig,
  resolveShape,
  type GemmShape,
  type KernelGenome,
  type ShapePreset,
} from '../evaluators/kernel/index.js';
import { loadRunConfig, parseRunConfig } from '../search/config.js';
import { openRunView, resumeRun, runSearch } from '../search/run.js';
import type { RunSummary } from '../search/summary.js';
import { flag, hasFlag, repoRoot } from '../bench/args.js';

const root = repoRoot;
const evaluations = Number(flag('--evaluations') ?? 300);
const rounds = Number(flag('--rounds') ?? 5);
const seeds = Number(flag('--seeds') ?? 10);
const maxWaitSeconds = Number(flag('--max-wait') ?? 600);
const LOAD_LIMIT = 1.5;
const buildDir = join(root, '.elites/kernels');
const execFileAsync = promisify(execFile);

const SHAPES: { preset: ShapePreset; config: string }[] = [
  { preset: 'square-1024', config: 'configs/kernel-gemm.yaml' },
  { preset: 'decode-m1', config: 'configs/kernel-gemm-flat.yaml' },
  { preset: 'decode-m8', config: 'configs/kernel-gemm-flat.yaml' },
  { preset: 'decode-m32', config: 'configs/kernel-gemm-flat.yaml' },
];

const loads: { phase: string; load1: number; load5: number; waitedSeconds: number }[] = [];

/** Waits (polling every 20 s, up to --max-wait) until the 1-minute load is at most LOAD_LIMIT; records the load. */
async function waitForQuiet(phase: string): Promise<void> {
  const start = Date.now();
  while (loadavg()[0]! > LOAD_LIMIT && (Date.now() - start) / 1000 < maxWaitSeconds) {
    console.log(`${phase}: load ${loadavg()[0]!.toFixed(2)} > ${LOAD_LIMIT}, waiting`);
    await new Promise((r) => setTimeout(r, 20_000));
  }
  const [l1, l5] = loadavg();
  loads.push({ phase, load1: l1!, load5: l5!, waitedSeconds: Math.round((Date.now() - start) / 1000) });
  console.log(`${phase}: load ${l1!.toFixed(2)} (5 min ${l5!.toFixed(2)})`);
}

// ---------------------------------------------------------------------------------------------------------------
// numpy's sgemm

const NUMPY = `
import sys, time, json
import numpy as np
m, n, k, samples, min_s, copies = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5]), int(sys.argv[6])
rng = np.random.default_rng(1)
A = rng.uniform(-1, 1, (m, k)).astype(np.float32)
Bs = [rng.uniform(-1, 1, (k, n)).astype(np.float32) for _ in range(copies)]  # used in turn, like the kernel's copies
for B in Bs + Bs: C = A @ B
out = []
for _ in range(samples):
    it = 0; t0 = time.perf_counter()
    while True:
        C = A @ Bs[it % copies]; it += 1; t = time.perf_counter() - t0
        if t >= min_s: break
    out.append(2.0 * m * n * k * it / t * 1e-9)
try:
    cfg = np.show_config(mode="dicts")
except Exception:
    cfg = {}
blas = cfg.get("Build Dependencies", {}).get("blas", {}) if isinstance(cfg, dict) else {}
print(json.dumps({"gflops_samples": out, "numpy": np.__version__, "blas": f"{blas.get('name', '?')} {blas.get('version', '')}".strip()}))
`;

interface NumpyResult {
  readonly gflops: number;
  readonly numpy: string;
  readonly blas: string;
}

/**
 * numpy's A @ B in float32 (both threads), median of `samples` timed samples, B in `copies` used in turn (as the
 * kernel's cold operands); undefined when numpy is missing.
 */
async function numpyGemm(shape: GemmShape, samples = 3, minSeconds = 0.1, copies = 1): Promise<NumpyResult | undefined> {
  try {
    const env = { ...process.env, OPENBLAS_NUM_THREADS: '2', OMP_NUM_THREADS: '2', MKL_NUM_THREADS: '2' };
    const { stdout } = await execFileAsync('python3', ['-c', NUMPY, String(shape.m), String(shape.n), String(shape.k), String(samples), String(minSeconds), String(copies)], { env, timeout: 120_000 });
    const r = JSON.parse(stdout.trim().split('\n').pop()!) as { gflops_samples: number[]; numpy: string; blas: string };
    return { gflops: median(r.gflops_samples), numpy: r.numpy, blas: r.blas };
  } catch (error) {
    console.log(`numpy unavailable: ${(error as Error).message.split('\n')[0]}`);
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Searches

/** A finished search of `configFile` on `preset`; an existing run is reused (or resumed). */
async function search(configFile: string, preset: ShapePreset): Promise<{ summary: RunSummary; name: string }> {
  const name = `report-kernel-${preset}`;
  const out = join(root, 'runs', name);
  if (existsSync(join(out, 'config.json'))) {
    const view = await openRunView(out);
    const { summary, status } = view;
    await view.close();
    if (status === 'done') return { summary, name };
    console.log(`resuming ${name} (${status})`);
    return { summary: await resumeRun(out), name };
  }
  const base = loadRunConfig(join(root, configFile), { evaluations });
  const options = { ...(base.evaluator.options as object), shape: preset, buildDir };
  const config = { ...base, name, evaluator: { ...base.evaluator, options }, cache: { ...base.cache, path: join(out, 'cache.mdb') } };
  console.log(`running ${name}: ${evaluations} proposals`);
  const summary = await runSearch(config, { out });
  console.log(`${name}: best ${summary.best?.fitness.toFixed(1)} GFLOP/s, ${summary.evaluations} evaluations, ${summary.cacheHits.fingerprint} fingerprint hits, ${summary.failures} failures, ${(summary.seconds / 60).toFixed(1)} min`);
  return { summary, name };
}

/** The `n` best elites of a run (distinct configurations), best first. */
async function topElites(name: string, n: number): Promise<{ genome: KernelGenome; searchFitness: number }[]> {
  const view = await openRunView(join(root, 'runs', name));
  try {
    const elites = [...view.archive.elites()].sort((a, b) => b.score - a.score);
    return elites.slice(0, n).map((e) => ({ genome: e.genome as KernelGenome, searchFitness: e.score }));
  } finally {
    await view.close();
  }
}

/**
 * What the machine-code hash did in a search, read from its result cache: distinct keys measured, distinct codes
 * (fingerprints), and the keys whose code had already been measured under another key (answered from it, or in
 * aggregate mode pooled with its samples).
 */
function codeRepeats(cacheFile: string, proposals: number): Record<string, number> {
  const root = openLmdb({ path: cacheFile, noSubdir: true, readOnly: true, maxDbs: 4 });
  try {
    const db = root.openDB<{ n: number }, string>({ name: 'results' });
    let keys = 0;
    let codes = 0;
    let codeSamples = 0;
    for (const { key, value } of db.getRange()) {
      if (key.includes(':k:')) keys++;
      else if (key.includes(':f:')) {
        codes++;
        codeSamples += value.n;
      }
    }
    return { distinctKeys: keys, distinctCodes: codes, sharedCodeKeys: keys - codes, sharedCodeShare: (keys - codes) / proposals, samplesPerCode: codeSamples / Math.max(1, codes) };
  } finally {
    void root.close();
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Interleaved re-measurement

interface Candidate {
  readonly label: string;
  readonly genome?: KernelGenome;
  readonly searchFitness?: number;
  readonly numpy?: boolean;
}

interface Measured {
  readonly label: string;
  readonly config?: string;
  readonly genome?: unknown;
  readonly searchFitness?: number;
  readonly gflops: number;
  readonly rounds: number[];
  /** (max − min) / median over the rounds. */
  readonly spread: number;
  readonly error?: string;
}

const stats = (xs: number[]): { gflops: number; spread: number } => {
  if (xs.length === 0) return { gflops: Number.NaN, spread: Number.NaN };
  const m = median(xs);
  return { gflops: m, spread: m > 0 ? (Math.max(...xs) - Math.min(...xs)) / m : 0 };
};

/** The best read bandwidth of this round: 1 and 2 threads, one stream and eight (as a GEMV reads rows of B). */
async function bandwidthNow(): Promise<number> {
  let best = 0;
  for (const threads of [1, 2]) for (const streams of [1, 8]) best = Math.max(best, (await bandwidthProbe({ threads, streams, repeats: 3, buildDir })).gbps);
  return best;
}

/**
 * Round-robin over the candidates (rotated start each round) × rounds; also the read bandwidth once per round.
 * `coldMiB` is the shape's config's: kernels and numpy alike take B from copies used in turn.
 */
async function interleaved(shape: GemmShape, candidates: Candidate[], coldMiB: number): Promise<{ rows: Measured[]; bandwidth: number[]; numpyInfo?: NumpyResult }> {
  const values = candidates.map(() => [] as number[]);
  const errors: (string | undefined)[] = candidates.map(() => undefined);
  const bandwidth: number[] = [];
  let numpyInfo: NumpyResult | undefined;
  for (let r = 0; r < rounds; r++) {
    for (let j = 0; j < candidates.length; j++) {
      const i = (j + r) % candidates.length;
      const c = candidates[i]!;
      if (errors[i]) continue;
      try {
        if (c.numpy) {
          const np = await numpyGemm(shape, 3, 0.1, copiesOfB(shape, coldMiB));
          if (!np) {
            errors[i] = 'numpy is not importable';
            continue;
          }
          numpyInfo = np;
          values[i]!.push(np.gflops);
        } else {
          const naive = resolveKernelConfig(c.genome).kernel === 'naive';
          const m = await measureKernel(c.genome!, shape, naive ? { repeats: 1, warmup: 0, runTimeoutSeconds: 120, buildDir, seed: r + 1, coldMiB } : { repeats: 3, warmup: 1, minSampleMs: 50, runTimeoutSeconds: 60, buildDir, seed: r + 1, coldMiB });
          values[i]!.push(m.median);
        }
      } catch (error) {
        errors[i] = (error as Error).message.split('\n')[0];
        console.log(`${c.label}: ${errors[i]}`);
      }
    }
    bandwidth.push(await bandwidthNow());
    console.log(`  round ${r + 1}/${rounds}: ${candidates.map((c, i) => `${c.label} ${values[i]!.at(-1)?.toFixed(1) ?? '–'}`).join(', ')}, bandwidth ${bandwidth.at(-1)!.toFixed(1)} GB/s`);
  }
  const rows = candidates.map((c, i) => ({
    label: c.label,
    ...(c.genome ? { config: describeKernelConfig(resolveKernelConfig(c.genome)), genome: c.genome } : {}),
    ...(c.searchFitness !== undefined ? { searchFitness: c.searchFitness } : {}),
    ...stats(values[i]!),
    rounds: values[i]!,
    ...(errors[i] ? { error: errors[i] } : {}),
  }));
  return { rows, bandwidth, ...(numpyInfo ? { numpyInfo } : {}) };
}

// ---------------------------------------------------------------------------------------------------------------
// Reduced space: exhaustive table, then strategies replayed against it

// 600 configurations: large enough that the top 1% is a handful, small enough to measure every one (~10 min).
const REDUCED_PARAMS = {
  mr: [2, 4, 6, 8, 12],
  nr: [8, 16, 32, 48, 64],
  kc: [64, 128, 256, 512],
  packB: [true, false],
  loopOrder: ['nkm', 'knm', 'mkn'],
} as const;
/** Fractions of the exhaustive optimum a search must reach: 95%, 99% and the optimum itself. */
const TARGETS = [0.95, 0.99, 1] as const;
const REDUCED_SHAPE: ShapePreset = 'square-512';
const REDUCED_KEYS = Object.keys(REDUCED_PARAMS) as (keyof typeof REDUCED_PARAMS)[];

function reducedConfigs(): Record<string, number | boolean | string>[] {
  let out: Record<string, number | boolean | string>[] = [{}];
  for (const key of REDUCED_KEYS) out = out.flatMap((g) => (REDUCED_PARAMS[key] as readonly (number | boolean | string)[]).map((v) => ({ ...g, [key]: v })));
  return out;
}
const tableKey = (g: Record<string, unknown>): string => REDUCED_KEYS.map((k) => String(g[k])).join('|');

const TABLE_EVALUATOR = `// Written by bench/kernel-report.ts: the reduced kernel space's exhaustive measurements as an evaluator.
import { readFileSync } from 'node:fs';
const KEYS = ${JSON.stringify(REDUCED_KEYS)};
let table;
const load = (options) => (table ??= JSON.parse(readFileSync(options.table, 'utf8')).values);
export default {
  name: 'kernel-table',
  version: '1',
  setup(options) { load(options); },
  evaluate(g, ctx) {
    const v = load(ctx.options)[KEYS.map((k) => String(g[k])).join('|')];
    if (typeof v !== 'number') throw new Error('no measurement for ' + JSON.stringify(g));
    return { fitness: v, descriptors: [Math.log2(g.mr * g.nr), Math.log2(g.kc)] };
  },
};
`;

async function reducedSpace(): Promise<Record<string, unknown>> {
  const dir = join(root, 'runs', 'report-kernel-reduced');
  mkdirSync(dir, { recursive: true });
  const tableFile = join(dir, 'table.json');
  const configs = reducedConfigs();
  if (!existsSync(tableFile)) {
    await waitForQuiet('reduced space: exhaustive measurement');
    const values: Record<string, number | null> = {};
    const t0 = Date.now();
    for (const g of configs) {
      try {
        const m = await measureKernel(g, REDUCED_SHAPE, { repeats: 3, warmup: 1, minSampleMs: 20, buildDir });
        values[tableKey(g)] = m.median;
      } catch (error) {
        values[tableKey(g)] = null;
        console.log(`reduced ${tableKey(g)}: ${(error as Error).message.split('\n')[0]}`);
      }
    }
    writeFileSync(tableFile, `${JSON.stringify({ shape: REDUCED_SHAPE, params: REDUCED_PARAMS, seconds: (Date.now() - t0) / 1000, values }, null, 1)}\n`);
  }
  const table = JSON.parse(readFileSync(tableFile, 'utf8')) as { values: Record<string, number | null>; seconds: number };
  const measured = Object.entries(table.values).filter((e): e is [string, number] => typeof e[1] === 'number');
  const optimum = Math.max(...measured.map(([, v]) => v));
  const thresholds = TARGETS.map((t) => t * optimum);
  const within = thresholds.map((x) => measured.filter(([, v]) => v >= x).length);
  const evaluatorFile = join(dir, 'table-evaluator.mjs');
  writeFileSync(evaluatorFile, TABLE_EVALUATOR);
  const budget = configs.length;
  const strategies: Record<string, Record<string, unknown>> = {
    'map-elites': { strategy: 'map-elites', initialRandom: 10 },
    ga: { strategy: 'ga', populationSize: 10, tournamentSize: 3 },
    random: { strategy: 'random' },
  };
  const results: Record<string, unknown> = {};
  const scratch = mkdtempSync(join(tmpdir(), 'kernel-report-'));
  try {
    for (const [label, searchOptions] of Object.entries(strategies)) {
      const needed: (number | null)[][] = TARGETS.map(() => []);
      for (let seed = 0; seed < seeds; seed++) {
        const out = join(scratch, `${label}-${seed}`);
        const raw = {
          name: `kernel-reduced-${label}`,
          seed,
          direction: 'maximize',
          space: { type: 'categorical', params: REDUCED_PARAMS },
          evaluator: { module: evaluatorFile, options: { table: tableFile } },
          search: searchOptions,
          archive: { type: 'grid', dims: [{ name: 'log2-tile', min: 4, max: 10, bins: 6 }, { name: 'log2-kc', min: 6, max: 10, bins: 4 }] },
          budget: { evaluations: budget },
          workers: 0,
          cache: { path: join(out, 'cache.mdb') },
        };
        await runSearch(parseRunConfig(raw, dir), { out });
        const view = await openRunView(out);
        let count = 0;
        const hits: (number | null)[] = TARGETS.map(() => null);
        for (const e of view.events()) {
          count++;
          if (e.ok) thresholds.forEach((x, t) => void (hits[t] ??= e.f >= x ? count : null));
        }
        await view.close();
        hits.forEach((h, t) => needed[t]!.push(h));
      }
      // Seeds that never reached a target count as the budget + 1 in its median (censored).
      results[label] = Object.fromEntries(
        TARGETS.map((target, t) => {
          const forMedian = needed[t]!.map((n) => n ?? budget + 1);
          return [String(target), { needed: needed[t], reached: needed[t]!.filter((n) => n !== null).length, median: median(forMedian), min: Math.min(...forMedian), max: Math.max(...forMedian) }];
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
    seeds,
    randomExpectedMedian: within.map(randomMedian),
    strategies: results,
  };
}

// ---------------------------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const started = new Date().toISOString();
  await waitForQuiet('start');
  const numpyProbe = await numpyGemm(resolveShape('square-1024'), 1, 0.05);
  const shapes: Record<string, unknown>[] = [];
  const searches: Record<string, Record<string, number | string | null>> = {};
  for (const { preset, config } of SHAPES) {
    await waitForQuiet(`search ${preset}`);
    const { summary, name } = await search(config, preset);
    searches[preset] = {
      run: `runs/${name}`,
      proposals: summary.proposals,
      evaluations: summary.evaluations,
      keyHits: summary.cacheHits.key,
      fingerprintHits: summary.cacheHits.fingerprint,
      fingerprintShare: summary.cacheHits.fingerprint / summary.proposals,
      ...codeRepeats(join(root, 'runs', name, 'cache.mdb'), summary.proposals),
      failures: summary.failures,
      minutes: summary.seconds / 60,
      bestSearchFitness: summary.best?.fitness ?? null,
      archiveSize: summary.archive.size,
    };
  }
  for (const { preset, config } of SHAPES) {
    const shape = resolveShape(preset);
    const name = `report-kernel-${preset}`;
    const elites = await topElites(name, 3);
    const candidates: Candidate[] = [
      { label: 'naive', genome: { ...NAIVE_KERNEL_CONFIG } },
      { label: 'default', genome: { ...DEFAULT_KERNEL_CONFIG } },
      ...elites.map((e, i) => ({ label: `elite ${i + 1}`, genome: e.genome, searchFitness: e.searchFitness })),
      ...(numpyProbe ? [{ label: 'numpy', numpy: true }] : []),
    ];
    await waitForQuiet(`re-measure ${preset}`);
    console.log(`re-measuring ${preset}: ${candidates.length} candidates × ${rounds} rounds`);
    const coldMiB = (loadRunConfig(join(root, config)).evaluator.options as { coldMiB?: number }).coldMiB ?? 0;
    const { rows, bandwidth, numpyInfo } = await interleaved(shape, candidates, coldMiB);
    const eliteRows = rows.filter((r) => r.label.startsWith('elite') && Number.isFinite(r.gflops)).sort((a, b) => b.gflops - a.gflops);
    const best = eliteRows[0];
    const get = (label: string) => rows.find((r) => r.label === label);
    const gbps = median(bandwidth);
    const bytes = 4 * (shape.m * shape.k + shape.k * shape.n + shape.m * shape.n);
    const roofline = ((2 * shape.m * shape.n * shape.k) / bytes) * gbps;
    shapes.push({
      shape: preset,
      m: shape.m,
      n: shape.n,
      k: shape.k,
      coldMiB,
      copiesOfB: copiesOfB(shape, coldMiB),
      naive: get('naive'),
      default: get('default'),
      best: best ?? null,
      elites: eliteRows,
      numpy: get('numpy') ?? null,
      numpyInfo: numpyInfo ?? null,
      bandwidthGBps: gbps,
      bandwidthRounds: bandwidth,
      rooflineGflops: roofline,
      bestOverNumpy: best && get('numpy') ? best.gflops / get('numpy')!.gflops : null,
      bestOverRoofline: best ? best.gflops / roofline : null,
    });
  }
  const reduced = await reducedSpace();
  const totalProposals = Object.values(searches).reduce((a: number, s) => a + (s as { proposals: number }).proposals, 0);
  const totalFingerprint = Object.values(searches).reduce((a: number, s) => a + (s as { fingerprintHits: number }).fingerprintHits, 0);
  const totalShared = Object.values(searches).reduce((a: number, s) => a + Number(s.sharedCodeKeys ?? 0), 0);
  const table = Object.fromEntries(shapes.map((s) => [s.shape as string, { genome: (s.best as Measured | null)?.genome ?? null, config: (s.best as Measured | null)?.config ?? null, gflops: (s.best as Measured | null)?.gflops ?? null }]));
  const report = {
    date: started,
    finished: new Date().toISOString(),
    machine: await machine(),
    evaluations,
    rounds,
    loads,
    numpy: numpyProbe ? { numpy: numpyProbe.numpy, blas: numpyProbe.blas } : null,
    table,
    shapes,
    searches,
    fingerprintShare: totalFingerprint / totalProposals,
    sharedCodeShare: totalShared / totalProposals,
    reduced,
  };
  mkdirSync(join(root, 'bench/results'), { recursive: true });
  writeFileSync(join(root, 'bench/results/kernels.json'), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(join(root, 'bench/results/kernel-table.json'), `${JSON.stringify(table, null, 2)}\n`);
  writeFileSync(join(root, 'docs/kernels.md'), markdown(report));
  console.log('wrote bench/results/kernels.json, bench/results/kernel-table.json, docs/kernels.md');
}

async function machine(): Promise<Record<string, unknown>> {
  const cpu = readFileSync('/proc/cpuinfo', 'utf8');
  const model = /model name\s*:\s*(.*)/.exec(cpu)?.[1] ?? '?';
  const cores = (cpu.match(/^processor/gm) ?? []).length;
  let gcc = '?';
  try {
    gcc = (await execFileAsync('gcc', ['--version'])).stdout.split('\n')[0]!;
  } catch {
    /* reported as '?' */
  }
  return { cpu: model, cores, avx512: /avx512f/.test(cpu), gcc };
}

type Report = Record<string, unknown> & { shapes: Record<string, unknown>[]; searches: Record<string, Record<string, number | string | null>>; reduced: Record<string, unknown>; loads: typeof loads };

function markdown(report: Report): string {
  const f = (x: unknown, digits = 1): string => (typeof x === 'number' && Number.isFinite(x) ? x.toFixed(digits) : '–');
  const pct = (x: unknown): string => (typeof x === 'number' && Number.isFinite(x) ? `${(x * 100).toFixed(0)}%` : '–');
  const cell = (m: Measured | null | undefined): string => (m ? (m.error ? `– (${m.error})` : `${f(m.gflops)} ±${pct(m.spread / 2)}`) : '–');
  const machineInfo = report.machine as Record<string, unknown>;
  const lines: string[] = [];
  lines.push('# SGEMM kernel autotuning (issue 6)', '');
  lines.push(
    `Regenerated by \`npm run build && node dist/experiments/kernel-report.js\` on ${String(report.date).slice(0, 10)}: ${String(machineInfo.cpu)}, ${String(machineInfo.cores)} cores${machineInfo.avx512 ? ' (AVX-512)' : ''}, ${String(machineInfo.gcc)}; numpy ${report.numpy ? `${(report.numpy as NumpyResult).numpy} (${(report.numpy as NumpyResult).blas})` : 'not importable: no BLAS column'}.`,
    '',
    `Searches: \`configs/kernel-gemm.yaml\` (square-1024) and \`configs/kernel-gemm-flat.yaml\` with \`evaluator.options.shape\` set to each decode shape (${searchStrategies()}), ${report.evaluations} proposals each, one worker, \`cache.mode: aggregate\` (max 3 samples per key). Every number in the tables below is a **re-measurement after the searches**: the naive loop, the default configuration, the three best elites of the search and numpy run round-robin (the starting candidate rotates every round) for ${String(report.rounds)} rounds; a cell is the median over rounds of each round's median GFLOP/s, ± half the spread (max − min)/median over rounds. "Best" is the best elite of the re-measurement. The decode shapes take B from copies used in turn (\`coldMiB\` in the flat config; numpy the same way), so their weights come from memory at every call, as in decoding. The read bandwidth (a STREAM-like sum over 256 MiB, the best of 1 and 2 threads × 1 and 8 streams) is measured once per round, and the roofline of a shape is 2·M·N·K / (4·(M·K + K·N + M·N) bytes) × GB/s.`,
    '',
  );
  lines.push('## Per-shape GFLOP/s', '');
  lines.push('| shape | naive | default | best found | numpy sgemm | best / numpy | bandwidth GB/s | roofline GFLOP/s | best / roofline |', '|---|---|---|---|---|---|---|---|---|');
  for (const s of report.shapes) {
    lines.push(
      `| ${String(s.shape)} (${String(s.m)}×${String(s.n)}×${String(s.k)}) | ${cell(s.naive as Measured)} | ${cell(s.default as Measured)} | ${cell(s.best as Measured)} | ${cell(s.numpy as Measured)} | ${f(s.bestOverNumpy, 2)}× | ${f(s.bandwidthGBps)} | ${f(s.rooflineGflops)} | ${pct(s.bestOverRoofline)} |`,
    );
  }
  lines.push('', '### The per-shape table (bench/results/kernel-table.json)', '', '| shape | best configuration | GFLOP/s |', '|---|---|---|');
  for (const s of report.shapes) {
    const b = s.best as Measured | null;
    lines.push(`| ${String(s.shape)} | ${b?.config ?? '–'} | ${f(b?.gflops)} |`);
  }
  lines.push('', '### Goals', '');
  const byShape = Object.fromEntries(report.shapes.map((s) => [s.shape as string, s]));
  const goal = (label: string, value: number | null | undefined, target: number, unit: string): string =>
    `- ${label}: ${value === null || value === undefined || !Number.isFinite(value) ? 'not measured' : `${unit === '%' ? pct(value) : `${f(value, 2)}×`} (goal ${unit === '%' ? pct(target) : `${target}×`}): **${value >= target ? 'met' : 'missed'}**`}`;
  lines.push(goal('square-1024, best / numpy', byShape['square-1024']?.bestOverNumpy as number | null, 0.95, '%'));
  lines.push(goal('decode-m8, best / numpy', byShape['decode-m8']?.bestOverNumpy as number | null, 1.5, '×'));
  lines.push(goal('decode-m32, best / numpy', byShape['decode-m32']?.bestOverNumpy as number | null, 1.5, '×'));
  lines.push(goal('decode-m1, best / bandwidth roofline', byShape['decode-m1']?.bestOverRoofline as number | null, 0.9, '%'));
  lines.push('', '## Searches', '', '| shape | proposals | evaluations | key hits | answered by the machine-code hash | keys whose code was already measured | distinct codes (samples each) | failures | minutes | best during search |', '|---|---|---|---|---|---|---|---|---|---|');
  for (const [shape, s] of Object.entries(report.searches)) {
    lines.push(`| ${shape} | ${String(s.proposals)} | ${String(s.evaluations)} | ${String(s.keyHits)} | ${String(s.fingerprintHits)} (${pct(s.fingerprintShare)}) | ${String(s.sharedCodeKeys)} (${pct(s.sharedCodeShare)}) | ${String(s.distinctCodes)} (${f(s.samplesPerCode, 2)}) | ${String(s.failures)} | ${f(s.minutes)} | ${f(s.bestSearchFitness)} |`);
  }
  lines.push(
    '',
    `Machine-code hash, over all searches: **${pct(report.sharedCodeShare)}** of proposals were configurations (distinct keys) whose \`.text\` + \`.rodata\` matched code already measured under another key, and **${pct(report.fingerprintShare)}** were answered by it without running. In \`cache.mode: aggregate\` (these configs) a code with fewer than \`maxRepeats\` samples is measured again and the sample pooled with that code's others, whichever key proposed it; once it has them, the hash answers.`,
    '',
  );
  const r = report.reduced;
  type Reached = { needed: (number | null)[]; reached: number; median: number; min: number; max: number };
  const st = r.strategies as Record<string, Record<string, Reached>>;
  const targets = r.targets as number[];
  const within = r.within as number[];
  const randomMedians = r.randomExpectedMedian as number[];
  const targetName = (t: number): string => (t === 1 ? 'the optimum' : `${pct(t)} of it`);
  lines.push('## Reduced space: proposals to reach the exhaustive optimum', '');
  lines.push(
    `Space: ${Object.entries(r.params as Record<string, unknown[]>).map(([k, v]) => `${k} ∈ {${v.join(', ')}}`).join(' × ')} (${String(r.size)} configurations, the other parameters at their defaults), at ${String(r.shape)}. Every configuration was measured (3 samples of ≥ 20 ms, median; ${f(r.exhaustiveSeconds, 0)} s in all). Optimum ${f(r.optimum)} GFLOP/s (${String(r.optimumConfig)} as ${Object.keys(r.params as object).join('|')}); ${targets.map((t, i) => `${String(within[i])} configurations reach ${targetName(t)}`).join(', ')}. The strategies then ran against that table (a plug-in evaluator returning the measured value, so the comparison is about the search, not the noise), ${String(r.seeds)} seeds each, budget ${String(r.budget)} proposals (= the size of the space; cache hits on repeated keys count as proposals). A seed that never reached a target counts as budget + 1 in the median.`,
    '',
    `| strategy | ${targets.map((t) => `median to ${t === 1 ? 'optimum' : pct(t)} (range, seeds)`).join(' | ')} |`,
    `|---|${targets.map(() => '---').join('|')}|`,
  );
  for (const [label, byTarget] of Object.entries(st)) {
    lines.push(`| ${label} | ${targets.map((t) => { const x = byTarget[String(t)]!; return `**${String(x.median)}** (${String(x.min)}–${String(x.max)}, ${String(x.reached)}/${String(r.seeds)})`; }).join(' | ')} |`);
  }
  lines.push(`| random, in expectation | ${randomMedians.map((m) => String(m)).join(' | ')} |`);
  lines.push('', `The last row is random sampling with replacement: a median of ln 2 / −ln(1 − w/S) proposals, with w the configurations at the target and S = ${String(r.measured)}.`, '');
  lines.push('### Per seed', '', '| strategy | target | proposals per seed |', '|---|---|---|');
  for (const [label, byTarget] of Object.entries(st)) for (const t of targets) lines.push(`| ${label} | ${t === 1 ? 'optimum' : pct(t)} | ${byTarget[String(t)]!.needed.map((n) => n ?? '>' + String(r.budget)).join(', ')} |`);
  lines.push('');
  lines.push(...readingNotes(report), '');
  lines.push('## Machine load', '', '| phase | 1-min load | 5-min load | waited (s) |', '|---|---|---|---|');
  for (const l of report.loads) lines.push(`| ${l.phase} | ${f(l.load1, 2)} | ${f(l.load5, 2)} | ${l.waitedSeconds} |`);
  lines.push('', `The report waits (up to ${maxWaitSeconds} s, polling every 20 s) for the 1-minute load to drop to ${LOAD_LIMIT} before each phase; a load above that means other processes shared the 2 cores while it measured.`, '');
  return `${lines.join('\n')}\n`;
}

/** "Reading the results": the conclusions, written from this run's numbers (regenerated with the tables). */
function readingNotes(report: Report): string[] {
  const f = (x: unknown, digits = 1): string => (typeof x === 'number' && Number.isFinite(x) ? x.toFixed(digits) : '–');
  const pct = (x: unknown): string => (typeof x === 'number' && Number.isFinite(x) ? `${(x * 100).toFixed(0)}%` : '–');
  const byShape = Object.fromEntries(report.shapes.map((s) => [s.shape as string, s]));
  const best = (shape: string): Measured | null => (byShape[shape]?.best as Measured | null) ?? null;
  const numpy = (shape: string): Measured | null => (byShape[shape]?.numpy as Measured | null) ?? null;
  const ratio = (shape: string): number | null => (byShape[shape]?.bestOverNumpy as number | null) ?? null;
  const verdict = (ok: boolean | null): string => (ok === null ? 'not measured' : ok ? 'met' : 'missed');
  const maxLoad = Math.max(...report.loads.map((l) => l.load1));
  const out = ['## Reading the results', ''];
  out.push(
    `- **Load.** The highest 1-minute load at the start of a phase was ${f(maxLoad, 2)}${maxLoad > LOAD_LIMIT ? ` (above ${LOAD_LIMIT}: other processes shared the cores, so absolute numbers are low and spreads wide)` : ''}. numpy and the kernels were measured in the same rounds, so their ratios are fairer than either number alone.`,
  );
  const sq = ratio('square-1024');
  out.push(`- **Square 1024: ${verdict(sq === null ? null : sq >= 0.95)}.** The best configuration found (${best('square-1024')?.config ?? '–'}) re-measures at ${pct(sq)} of numpy's sgemm (${f(numpy('square-1024')?.gflops)} GFLOP/s) and ${f((best('square-1024')?.gflops ?? NaN) / ((byShape['square-1024']?.default as Measured | null)?.gflops ?? NaN), 2)}× the default configuration.`);
  const cold = byShape['decode-m1']?.copiesOfB as number | undefined;
  out.push(
    `- **Decode shapes read cold weights.** In decoding every layer has its own B, so a B that was just read is not in the cache at the next call. The flat config sets \`coldMiB: 256\`: B (64 MiB) is held in ${String(cold ?? '–')} copies used in turn, by the kernels and by numpy alike. With one B reused, part of it stays in the 32 MiB last-level cache between calls and every number (numpy's most) reads above the memory roofline.`,
  );
  for (const shape of ['decode-m8', 'decode-m32']) {
    const x = ratio(shape);
    out.push(`- **${shape}: ${verdict(x === null ? null : x >= 1.5)}** (${f(x, 2)}× numpy, goal 1.5×): ${f(best(shape)?.gflops)} against ${f(numpy(shape)?.gflops)} GFLOP/s, with ${best(shape)?.config ?? '–'}.`);
  }
  const m1 = byShape['decode-m1'];
  const m1r = (m1?.bestOverRoofline as number | null) ?? null;
  out.push(
    `- **decode-m1: ${verdict(m1r === null ? null : m1r >= 0.9)}** (${pct(m1r)} of the roofline, goal 90%): ${f(best('decode-m1')?.gflops)} GFLOP/s against a roofline of ${f(m1?.rooflineGflops)} (${f(m1?.bandwidthGBps)} GB/s, the best of 1–2 threads × 1 or 8 streams over 256 MiB); numpy's sgemv reaches ${f(numpy('decode-m1')?.gflops)} (${pct((numpy('decode-m1')?.gflops ?? NaN) / ((m1?.rooflineGflops as number | undefined) ?? NaN))}). The winning kernels stream a few rows of B at a time (small kc: ${best('decode-m1')?.config ?? '–'}).`,
  );
  const searches = Object.values(report.searches);
  out.push(
    `- **Machine-code hash: ${pct(report.sharedCodeShare)} of all proposals shared code with an earlier configuration; ${pct(report.fingerprintShare)} were answered without running.** The evaluator cuts cache blocks to the shape before generating code (mc ≥ M, nc ≥ N, kc ≥ K all mean one block), so blockings that run the same on a shape compile to the same binary; shared code per shape: ${Object.entries(report.searches).map(([shape, s2]) => `${shape} ${pct(s2.sharedCodeShare)}`).join(', ')}. At M ≤ 32 every mc of the grid is one block of rows, which is where the hash answers most. ${searches.length} searches, ${searches.reduce((a, s2) => a + Number(s2.failures ?? 0), 0)} failures in all.`,
  );
  const r = report.reduced;
  const st = r.strategies as Record<string, Record<string, { median: number }>>;
  const at = (label: string, t: number): number | undefined => st[label]?.[String(t)]?.median;
  out.push(
    `- **Reduced space.** Median proposals to 99% of the optimum: MAP-Elites ${String(at('map-elites', 0.99) ?? '–')}, GA ${String(at('ga', 0.99) ?? '–')}, random ${String(at('random', 0.99) ?? '–')}; to the optimum: ${String(at('map-elites', 1) ?? '–')}, ${String(at('ga', 1) ?? '–')}, ${String(at('random', 1) ?? '–')} (of ${String(r.size)}). MAP-Elites and GA start from the same seeded random samples as random search (10 each), so the strategies can only differ after them.`,
  );
  return out;
}

/** How each config searches, from the configs themselves (e.g. "square-1024: map-elites; decode-*: ga"). */
function searchStrategies(): string {
  const describe = (file: string): string => {
    const { search } = loadRunConfig(join(root, file));
    const options = Object.entries(search).filter(([k]) => k !== 'strategy').map(([k, v]) => `${k} ${String(v)}`).join(', ');
    return `${search.strategy}${options ? ` (${options})` : ''}`;
  };
  const files = [...new Set(SHAPES.map((s) => s.config))];
  return files.map((f) => `${f.replace(/^configs\//, '')}: ${describe(f)}`).join('; ');
}

// --markdown-only: rewrite docs/kernels.md from bench/results/kernels.json without measuring anything.
if (hasFlag('--markdown-only')) writeFileSync(join(root, 'docs/kernels.md'), markdown(JSON.parse(readFileSync(join(root, 'bench/results/kernels.json'), 'utf8')) as Report));
else await main();
