// Regenerates docs/sparsity.md and bench/results/sparsity.json: EvoPress-style searches on the default model —
// per-layer sparsity allocations at 50%, 60% and 70% (uniform vs evolved, same per-layer pruning method; and again
// with SparseGPT-reconstructed levels, `reconstruct: sparsegpt`) and 2:4 masks (magnitude and Wanda 2:4 vs evolved) —
// with held-out perplexities, per-layer sparsities, database build time and search speed.
// Usage: node dist/experiments/sparsity-report.js [--evaluations N] [--workers N] [--method magnitude|wanda] [--baselines]
//        [--no-reconstruct: skip the SparseGPT databases and searches]
//        [--markdown-only: rewrite docs/sparsity.md from bench/results/sparsity.json, running nothing]
// Runs go to runs/report-sparsity-*/ (an existing finished run is reused, an interrupted one resumed).
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureModel } from '../evaluators/pruning/context.js';
import { loadOrBuildLevelDatabase } from '../evaluators/sparsity/database.js';
import { initBackend } from '../lm/backend.js';
import { loadBrownSplits } from '../lm/corpus.js';
import {
  createSparsityEvaluator,
  layerSparsities,
  resolveSparsityOptions,
  type SparsityGenome,
} from '../evaluators/sparsity/index.js';
import { MODEL_PRESETS, prunableLayers } from '../lm/presets.js';
import { loadRunConfig } from '../search/config.js';
import { resumeRun, runSearch } from '../search/run.js';
import { openRunView } from '../search/run-view.js';
import { rngFromSeed } from '../core/rng.js';
import type { RunSummary } from '../search/summary.js';
import { flag, hasFlag, repoRoot } from '../tools/args.js';
import { markdown } from './sparsity/markdown.js';
import type { Dense, EvolvedAllocation, Level, Nm, Reconstructed, Report, Scored, Speed } from './sparsity/types.js';

const root = repoRoot;
const evaluations = Number(flag('--evaluations') ?? 2300);
const workers = Number(flag('--workers') ?? 2);
const method = (flag('--method') ?? 'magnitude') as 'magnitude' | 'wanda';
const baselinesOnly = hasFlag('--baselines');
const reconstruct = !hasFlag('--no-reconstruct');
const SPARSITIES = [0.5, 0.6, 0.7] as const;
// Held-out slices: the search reports 8,192-token validation/test perplexities; the table uses a 4× larger test slice.
const HELD_OUT = { validationTokens: 8192, testTokens: 32768, cacheDir: join(root, '.elites/models') } as const;

/** Validation and test perplexity (and calibration KL) of one genome, at full fidelity. */
async function score(options: Record<string, unknown>, genome: SparsityGenome, label: string): Promise<Scored> {
  const evaluator = createSparsityEvaluator({ ...options, ...HELD_OUT }, { log: () => undefined });
  await evaluator.prepare?.(options);
  await evaluator.setup?.(options);
  const r = await evaluator.evaluate(genome, {
    rng: rngFromSeed('report'),
    signal: new AbortController().signal,
    options,
    fidelity: 1,
    sample: 0,
  });
  const m = r.metrics ?? {};
  return {
    label,
    validation: m.validationPerplexity as number,
    test: m.testPerplexity as number,
    kl: m.klDivergence as number,
  };
}

/** A finished run of `configFile` with its evaluator options replaced; reused or resumed when it already exists. */
async function search(
  configFile: string,
  name: string,
  options: Record<string, unknown>,
  drop: readonly string[] = [],
): Promise<RunSummary> {
  const out = join(root, 'runs', name);
  if (existsSync(join(out, 'config.json'))) {
    const view = await openRunView(out);
    const { summary, status } = view;
    await view.close();
    if (status === 'done') return summary;
    console.log(`resuming ${name} (${status})`);
    return resumeRun(out);
  }
  const base = loadRunConfig(join(root, configFile), { evaluations, workers });
  // Options of the config that the ones given replace (`reconstruct: sparsegpt` refuses a `method`).
  const kept = Object.entries(base.evaluator.options ?? {}).filter(([key]) => !drop.includes(key));
  const config = {
    ...base,
    name,
    evaluator: { ...base.evaluator, options: { ...Object.fromEntries(kept), ...options } },
  };
  console.log(`running ${name}: ${evaluations} proposals on ${workers} worker(s)`);
  return runSearch(config, { out });
}

/** The run's best genome (the archive's best: the last parent of a (1+λ) search whose last stage is deterministic). */
async function bestGenome(name: string): Promise<{ genome: SparsityGenome; text: string }> {
  const view = await openRunView(join(root, 'runs', name));
  try {
    let best: { score: number; genome: unknown } | undefined;
    for (const e of view.archive.elites()) if (!best || e.score > best.score) best = e;
    if (!best) throw new Error(`run ${name} has no elite`);
    return { genome: best.genome as SparsityGenome, text: view.space.describe(best.genome) };
  } finally {
    await view.close();
  }
}

const speed = (s: RunSummary): Speed => ({
  proposals: s.proposals,
  evaluations: s.evaluations,
  minutes: s.seconds / 60,
  evaluationsPerMinute: s.evaluations / (s.seconds / 60),
  proposalsPerMinute: s.proposals / (s.seconds / 60),
  keyHitShare: s.cacheHits.key / s.proposals,
  failures: s.failures,
});

/** A levels search at one target (reused or resumed when its run exists) and its best allocation, scored. */
async function evolve(
  name: string,
  options: Record<string, unknown>,
  label: string,
  drop: readonly string[] = [],
): Promise<EvolvedAllocation> {
  const summary = await search('configs/sparsity-levels.yaml', name, options, drop);
  const best = await bestGenome(name);
  const evolved = await score(options, best.genome, label);
  const settings = resolveSparsityOptions(options);
  const perLayer = Object.fromEntries(
    layerSparsities(
      prunableLayers(MODEL_PRESETS.default),
      settings.levels as NonNullable<typeof settings.levels>,
      best.genome as number[],
    ),
  );
  console.log(`${name}: evolved ${JSON.stringify(evolved)} ${best.text}`);
  return {
    evolved,
    genome: best.text,
    levels: best.genome as number[],
    perLayer,
    search: speed(summary),
    run: `runs/${name}`,
  };
}

/** Seconds to build a level database from scratch (into a fresh directory, removed afterwards), one process. */
async function databaseSeconds(options: Record<string, unknown>): Promise<number> {
  const settings = resolveSparsityOptions({ ...options, ...HELD_OUT });
  await initBackend(settings.backend);
  const model = await ensureModel(settings);
  const preset = MODEL_PRESETS[settings.model];
  const split = loadBrownSplits({ vocabSize: preset.vocabSize }).calibration;
  const windows = Math.floor(Math.min(settings.calibrationTokens, split.length) / preset.context);
  const dir = mkdtempSync(join(tmpdir(), 'elites-levels-'));
  try {
    const t0 = performance.now();
    loadOrBuildLevelDatabase(model, settings.levels as NonNullable<typeof settings.levels>, {
      cacheDir: dir,
      calibration: split.subarray(0, windows * preset.context),
    });
    return (performance.now() - t0) / 1000;
  } finally {
    rmSync(dir, { recursive: true, force: true });
    model.dispose();
  }
}

/** Seconds of one evaluation on one worker: full fidelity (with held-out perplexities) and a 1,024-token screening. */
async function evaluationSeconds(options: Record<string, unknown>): Promise<{ full: number; screening: number }> {
  const evaluator = createSparsityEvaluator({ ...options, ...HELD_OUT }, { log: () => undefined });
  await evaluator.prepare?.(options);
  await evaluator.setup?.(options);
  const layers = prunableLayers(MODEL_PRESETS.default);
  const timed = async (fidelity: number, reps: number): Promise<number> => {
    const t0 = performance.now();
    for (let i = 0; i < reps; i++)
      await evaluator.evaluate(
        layers.map(() => 0),
        { rng: rngFromSeed('time'), signal: new AbortController().signal, options, fidelity, sample: i },
      );
    return (performance.now() - t0) / 1000 / reps;
  };
  return { full: await timed(1, 2), screening: await timed(1024, 5) };
}

/** Uniform and evolved allocations with SparseGPT-reconstructed levels at one target. */
async function reconstructed(s: number): Promise<Reconstructed> {
  const options = { model: 'default', mode: 'levels', sparsity: s, reconstruct: 'sparsegpt', maxLevel: 8 };
  const built = await databaseSeconds(options);
  const zeros = prunableLayers(MODEL_PRESETS.default).map(() => 0);
  const uniform = await score(options, zeros, 'uniform (SparseGPT)');
  const sequentialUniform = await score(
    { ...options, calibration: 'sequential' },
    zeros,
    'uniform (SparseGPT, sequential calibration)',
  );
  console.log(`${s} SparseGPT: ${JSON.stringify([uniform, sequentialUniform])}, database ${built.toFixed(1)} s`);
  if (baselinesOnly) return { uniform, sequentialUniform, databaseSeconds: built };
  const name = `report-sparsity-levels-sparsegpt-${Math.round(s * 100)}`;
  const evolved = await evolve(name, options, 'evolved (SparseGPT)', ['method']);
  return { uniform, sequentialUniform, ...evolved, databaseSeconds: built };
}

async function main(): Promise<void> {
  const layers = prunableLayers(MODEL_PRESETS.default);
  const zeros = layers.map(() => 0);
  const levels: Level[] = [];
  for (const s of SPARSITIES) {
    const options = { model: 'default', mode: 'levels', sparsity: s, method, maxLevel: 8 };
    const uniform = await score(options, zeros, `uniform (${method})`);
    const other = method === 'magnitude' ? 'wanda' : 'magnitude';
    const otherUniform = await score({ ...options, method: other }, zeros, `uniform (${other})`);
    console.log(`${s}: ${JSON.stringify([uniform, otherUniform])}`);
    const rebuilt = reconstruct ? { reconstructed: await reconstructed(s) } : {};
    if (baselinesOnly) {
      levels.push({ sparsity: s, uniform, otherUniform, ...rebuilt });
      continue;
    }
    const evolved = await evolve(`report-sparsity-levels-${Math.round(s * 100)}`, options, `evolved (${method})`);
    levels.push({ sparsity: s, uniform, otherUniform, ...evolved, ...rebuilt });
  }

  const nmOptions = { model: 'default', mode: 'nm', pattern: '2:4' };
  const empty = layers.map(() => ({ groups: new Uint32Array(0), kept: new Uint8Array(0) }));
  const magnitude = await score({ ...nmOptions, init: 'magnitude' }, empty, 'magnitude 2:4');
  const wanda = await score({ ...nmOptions, init: 'wanda' }, empty, 'Wanda 2:4');
  let nm: Nm = { magnitude, wanda };
  if (!baselinesOnly) {
    const summary = await search('configs/sparsity-nm.yaml', 'report-sparsity-nm', { ...nmOptions, init: 'wanda' });
    const best = await bestGenome('report-sparsity-nm');
    const evolved = await score({ ...nmOptions, init: 'wanda' }, best.genome, 'evolved 2:4 (from Wanda)');
    nm = { ...nm, evolved, genome: best.text, search: speed(summary), run: 'runs/report-sparsity-nm' };
    console.log(`nm: ${JSON.stringify(nm)}`);
  }
  const timing = await evaluationSeconds({ model: 'default', mode: 'levels', sparsity: 0.6, method, maxLevel: 8 });
  const report: Report = {
    date: new Date().toISOString(),
    model: 'default',
    method,
    evaluations,
    workers,
    levels,
    nm,
    evaluationSeconds: timing,
  };
  mkdirSync(join(root, 'bench/results'), { recursive: true });
  writeFileSync(
    join(root, 'bench/results', baselinesOnly ? 'sparsity-baselines.json' : 'sparsity.json'),
    `${JSON.stringify(report, null, 2)}\n`,
  );
  if (!baselinesOnly)
    writeFileSync(join(root, 'docs/sparsity.md'), markdown(report, layers, densePerplexities(report.model)));
}

/**
 * The dense model's perplexities from bench/results/pruning.json, if it is there, for this model and the same test
 * slice; its validation only when that slice is this report's too (older reports name no slices: they were).
 */
function densePerplexities(model: string): Dense | undefined {
  const file = join(root, 'bench/results/pruning.json');
  if (!existsSync(file)) return undefined;
  const pruning = JSON.parse(readFileSync(file, 'utf8')) as {
    main?: { model?: string; dense?: Required<Dense>; validationTokens?: number; testTokens?: number };
    // Reports written before the transfer section: the dense row among the others.
    model?: string;
    rows?: { method: string; validation: number; test: number }[];
  };
  const { main } = pruning;
  if (main) {
    const { validationTokens = HELD_OUT.validationTokens, testTokens = HELD_OUT.testTokens, dense } = main;
    if (main.model !== model || !dense || testTokens !== HELD_OUT.testTokens) return undefined;
    return validationTokens === HELD_OUT.validationTokens ? dense : { test: dense.test };
  }
  const row = pruning.model === model ? pruning.rows?.find((r) => r.method === 'dense') : undefined;
  return row && { validation: row.validation, test: row.test };
}

// --markdown-only: rewrite docs/sparsity.md from bench/results/sparsity.json without scoring or searching anything.
if (hasFlag('--markdown-only')) {
  const report = JSON.parse(readFileSync(join(root, 'bench/results/sparsity.json'), 'utf8')) as Report;
  writeFileSync(
    join(root, 'docs/sparsity.md'),
    markdown(report, prunableLayers(MODEL_PRESETS.default), densePerplexities(report.model)),
  );
} else await main();
