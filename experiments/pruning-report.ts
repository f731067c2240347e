// Regenerates docs/pruning.md and bench/results/pruning.json: validation and test perplexity of the dense model, of
// every baseline (magnitude, Wanda, Pruner-Zero's metric, SparseGPT, random) in every comparison group (per row and
// per layer at 50%, 2:4) under dense and sequential calibration, of the best formula of each finished search, and of
// all of them again on a second model (transfer, no search); the searches' hashing and the seconds per evaluation.
// Usage: node dist/experiments/pruning-report.js [--model default|tiny|wide] [--transfer wide|default|tiny|none]
//        [--keep-runs: also the searches already in bench/results/pruning.json, their formulas scored again]
//        [--shortlist K: each run's best formula is the best on this page's validation slice of the K best distinct
//         formulas of its search (default 10; 1: the search's own best)]
//        [RUN_DIR …]   (run dirs of configs/pruning-metric*.yaml)
//        [--markdown-only: rewrite docs/pruning.md from bench/results/pruning.json, running nothing]
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadPruningContext, type ModelPreset, type PruningContext } from '../evaluators/pruning/context.js';
import { sparsityOf } from '../evaluators/pruning/masks.js';
import { pruneModel, prunedPerplexity, type PrunedModel, type PruningMethod } from '../evaluators/pruning/methods.js';
import { pruningOptionsSchema } from '../evaluators/pruning/options.js';
import { formulaMasks, pruneTarget, type PruneTarget } from '../evaluators/pruning/scoring.js';
import type { Calibration } from '../lm/model.js';
import { inspectRun } from '../report/inspect.js';
import { openRunView } from '../search/run-view.js';
import { SeededRng } from '../core/rng.js';
import { formulaOf, parseFormula, simplify, type ExprGenome } from '../spaces/expression/index.js';
import { flag, hasFlag, repoRoot } from '../tools/args.js';
import { markdown } from './pruning/markdown.js';
import type { Group, ModelResult, PruningReport, Row, RunRecord, Timing } from './pruning/types.js';

const root = repoRoot;
const valueFlags = ['--model', '--transfer', '--shortlist'];
const args = process.argv.slice(2);
const runDirs = args.filter((a, i) => !a.startsWith('--') && !valueFlags.includes(args[i - 1] ?? ''));
const mainModel = (flag('--model') ?? 'default') as ModelPreset;
const transferFlag = flag('--transfer') ?? 'wide';
const transferModel = transferFlag === 'none' ? undefined : (transferFlag as ModelPreset);

const shortlistSize = Number(flag('--shortlist') ?? 10);
if (!Number.isInteger(shortlistSize) || shortlistSize < 1)
  throw new Error(`--shortlist takes a whole number ≥ 1, got ${flag('--shortlist')}`);

// Calibration as the searches (the evaluator defaults). Validation: four times the searches' 8,192 tokens (which it
// starts with), so a formula that only fits the fitness slice does not carry its luck onto the page; test: never seen.
const SLICES = { calibrationTokens: 8192, validationTokens: 32768, testTokens: 32768 } as const;
/** The slices a search's evaluation reads (the configs keep the evaluator defaults). */
const { validationTokens, testTokens } = pruningOptionsSchema.parse({});
const SEARCH_SLICES = { validationTokens, testTokens };
const contextOptions = (model: ModelPreset) => ({
  model,
  backend: 'wasm' as const,
  cacheDir: join(root, '.elites/models'),
  ...SLICES,
});

const GROUPS: readonly { group: Group; target: PruneTarget }[] = [
  { group: 'row', target: pruneTarget('unstructured', 0.5, 'row') },
  { group: 'layer', target: pruneTarget('unstructured', 0.5, 'layer') },
  { group: '2:4', target: pruneTarget('2:4', 0.5, 'row') },
];

/** A method the report scores, by name; random has no calibration (its scores are noise). */
interface Candidate {
  readonly method: string;
  readonly formula: string;
  readonly run?: string;
  readonly prune: PruningMethod | 'random';
  /** Only under sequential calibration (the variants with SparseGPT's update). */
  readonly sequentialOnly?: boolean;
}

/** The formula's masks with SparseGPT's update of the kept weights: mask selection compared at equal reconstruction. */
function withUpdate(candidate: Candidate): Candidate {
  const prune = candidate.prune as Extract<PruningMethod, { kind: 'formula' }>;
  return {
    ...candidate,
    method: `${candidate.method} + update`,
    prune: { ...prune, reconstruct: true },
    sequentialOnly: true,
  };
}

const BASELINES: readonly Candidate[] = [
  { method: 'magnitude', formula: 'W', prune: { kind: 'formula', genome: parseFormula('W') } },
  { method: 'Wanda', formula: 'mul(W, sqrt(X))', prune: { kind: 'formula', genome: parseFormula('mul(W, sqrt(X))') } },
  {
    method: 'Pruner-Zero',
    formula: 'mul(abs(mul(W, W)), mms(G))',
    prune: { kind: 'formula', genome: parseFormula('mul(abs(mul(W, W)), mms(G))') },
  },
  { method: 'SparseGPT', formula: '–', prune: { kind: 'sparsegpt' } },
];

function randomMasks(ctx: PruningContext, target: PruneTarget): Map<string, Uint8Array> {
  const rng = SeededRng.fromSeed('random-baseline').next;
  const layers = ctx.layers.map((l) => ({
    ...l,
    G: { rows: l.dOut, cols: l.dIn, data: Float64Array.from({ length: l.dOut * l.dIn }, rng) },
  }));
  return formulaMasks(['G'], layers, target);
}

function score(
  ctx: PruningContext,
  candidate: Candidate,
  group: Group,
  target: PruneTarget,
  calibration: Calibration,
): Row {
  const pruned: PrunedModel =
    candidate.prune === 'random'
      ? { masks: randomMasks(ctx, target) }
      : pruneModel(ctx, candidate.prune, target, calibration);
  const row: Row = {
    group,
    method: candidate.method,
    formula: candidate.formula,
    ...(candidate.run ? { run: candidate.run } : {}),
    calibration,
    validation: prunedPerplexity(ctx.model, ctx.validation, pruned),
    test: prunedPerplexity(ctx.model, ctx.test, pruned),
    sparsity: sparsityOf(pruned.masks),
  };
  console.log(`${ctx.model.config.dModel}: ${JSON.stringify(row)}`);
  return row;
}

/** Every candidate in every group under each calibration (random once per group: it reads no statistics). */
function scoreModel(
  { model, ctx, setupSeconds }: LoadedModel,
  candidates: readonly Candidate[],
  calibrations: readonly Calibration[],
): ModelResult {
  const rows: Row[] = [];
  for (const { group, target } of GROUPS) {
    for (const calibration of calibrations)
      for (const candidate of candidates)
        if (calibration === 'sequential' || !candidate.sequentialOnly)
          rows.push(score(ctx, candidate, group, target, calibration));
    rows.push(
      score(ctx, { method: 'random', formula: 'uniform random scores', prune: 'random' }, group, target, 'dense'),
    );
  }
  const { layers, dModel, dFF, seed } = ctx.model.config;
  return {
    model,
    layers,
    dModel,
    dFF,
    seed,
    ...SLICES,
    dense: { validation: ctx.model.perplexity(ctx.validation), test: ctx.model.perplexity(ctx.test) },
    rows,
    setupSeconds,
  };
}

/** A model's pruning context on the page's slices, and the seconds it took to load (model, W, G and X). */
interface LoadedModel {
  readonly model: ModelPreset;
  readonly ctx: PruningContext;
  readonly setupSeconds: number;
}

/** Runs `use` on `model`'s context, loaded once, and frees the model after. */
async function withModel<T>(model: ModelPreset, use: (loaded: LoadedModel) => T): Promise<T> {
  const started = performance.now();
  const ctx = await loadPruningContext(contextOptions(model));
  try {
    return use({ model, ctx, setupSeconds: (performance.now() - started) / 1000 });
  } finally {
    ctx.model.dispose();
  }
}

/** The evolved formula of a search, pruned as its search pruned (masks alone, or inside SparseGPT's loop). */
function evolvedCandidate(record: RunRecord, genome: ExprGenome): Candidate {
  const { run, formula } = record;
  return record.reconstruct === 'sparsegpt'
    ? { method: 'evolved in SparseGPT', formula, run, prune: { kind: 'sparsegpt', genome } }
    : { method: 'evolved', formula, run, prune: { kind: 'formula', genome } };
}

/** The searches of an earlier report (their records as written), for --keep-runs; none when there is no report. */
function keptRuns(skip: ReadonlySet<string>): { records: RunRecord[]; evolved: Candidate[] } {
  const path = join(root, 'bench/results/pruning.json');
  let earlier: PruningReport;
  try {
    earlier = JSON.parse(readFileSync(path, 'utf8')) as PruningReport;
  } catch (error) {
    throw new Error(`--keep-runs: cannot read ${path} (${(error as Error).message}); run without --keep-runs`);
  }
  const records = earlier.runs.filter((r) => !skip.has(r.run));
  return { records, evolved: records.map((r) => evolvedCandidate(r, parseFormula(r.formula))) };
}

/** One of a search's best formulas (simplified), with what its search measured. */
interface Shortlisted {
  readonly formula: string;
  readonly genome: ExprGenome;
  readonly fitness: number;
  readonly perLayer?: number;
}

/** A shortlisted formula's part of its run's record. */
const searched = ({
  formula,
  fitness,
  perLayer,
}: Shortlisted): Pick<RunRecord, 'formula' | 'fitness' | 'perLayer'> => ({
  formula,
  fitness,
  ...(perLayer !== undefined ? { perLayer } : {}),
});

/** A search as read from its run directory: its record and its best distinct formulas, best first. */
interface ReadRun {
  readonly record: RunRecord;
  readonly shortlist: readonly Shortlisted[];
  readonly targets: readonly PruneTarget[];
}

/** The best formulas of each run (up to `shortlistSize` distinct ones), and how the search went. */
async function readRuns(dirs: readonly string[]): Promise<ReadRun[]> {
  const read: ReadRun[] = [];
  for (const dir of dirs) {
    const view = await openRunView(dir);
    const options = (view.config.evaluator.options ?? {}) as {
      sparsity?: number;
      pattern?: string;
      group?: 'row' | 'layer' | 'free';
      calibration?: Calibration;
      reconstruct?: 'none' | 'sparsegpt';
      validationOffset?: number;
      validationTokens?: number;
    };
    const slice = {
      offset: options.validationOffset ?? 0,
      tokens: options.validationTokens ?? SEARCH_SLICES.validationTokens,
    };
    const workers = view.config.workers;
    const strategy = view.config.search.strategy;
    await view.close();
    // Elites of several cells may be one formula once simplified: read more than the shortlist needs.
    const report = await inspectRun(dir, { top: shortlistSize * 4 });
    const shortlist = new Map<string, Shortlisted>();
    for (const elite of report.top) {
      const genome = simplify(elite.genome as ExprGenome);
      const formula = formulaOf(genome);
      const { perLayer } = elite.metrics;
      if (shortlist.size < shortlistSize && !shortlist.has(formula))
        shortlist.set(formula, {
          formula,
          genome,
          fitness: elite.fitness,
          ...(perLayer !== undefined ? { perLayer } : {}),
        });
    }
    const best = shortlist.values().next().value;
    if (!best) continue;
    const run = dir.replace(/\/+$/, '').split('/').pop() as string;
    const s = report.summary;
    const pattern = options.pattern ?? 'unstructured';
    const group = options.group ?? 'row';
    const groups =
      pattern !== 'unstructured' ? ['row' as const] : group === 'free' ? (['row', 'layer'] as const) : [group];
    read.push({
      record: {
        run,
        strategy,
        pattern,
        group,
        calibration: options.calibration ?? 'dense',
        ...(options.reconstruct === 'sparsegpt' ? { reconstruct: 'sparsegpt' as const } : {}),
        proposals: s.proposals,
        evaluations: s.evaluations,
        keyHits: s.cacheHits.key,
        fingerprintHits: s.cacheHits.fingerprint,
        failures: s.failures,
        seconds: s.seconds,
        workers,
        ...searched(best),
        ...(slice.offset !== 0 || slice.tokens !== SEARCH_SLICES.validationTokens ? { fitnessSlice: slice } : {}),
      },
      shortlist: [...shortlist.values()],
      targets: groups.map((g) => pruneTarget(pattern, options.sparsity ?? 0.5, g)),
    });
  }
  return read;
}

/**
 * Each run's formula for the page: of its shortlist, the one with the lowest perplexity on the page's validation slice
 * (in the run's groups, the lower counting, as its search did). The test slice plays no part in the choice.
 */
function chooseFormulas(ctx: PruningContext, runs: readonly ReadRun[]): RunRecord[] {
  return runs.map(({ record, shortlist, targets }): RunRecord => {
    if (shortlist.length <= 1) return record;
    const scored = shortlist.map((entry) => {
      const { prune } = evolvedCandidate(record, entry.genome);
      const validation = Math.min(
        ...targets.map((target) =>
          prunedPerplexity(
            ctx.model,
            ctx.validation,
            pruneModel(ctx, prune as PruningMethod, target, record.calibration),
          ),
        ),
      );
      console.log(`shortlist of ${record.run}: ${JSON.stringify({ formula: entry.formula, validation })}`);
      return { entry, validation };
    });
    const { entry } = scored.reduce((a, b) => (b.validation < a.validation ? b : a));
    const { perLayer: _searchBest, ...rest } = record;
    return {
      ...rest,
      ...searched(entry),
      shortlist: { size: shortlist.length, searchBest: record.formula, validationTokens: SLICES.validationTokens },
    };
  });
}

/** Seconds per evaluation as the searches do it (8,192 validation and test tokens), and SparseGPT on the whole model. */
async function measureTiming(model: ModelPreset): Promise<Timing> {
  const ctx = await loadPruningContext({ ...contextOptions(model), ...SEARCH_SLICES });
  const wanda: PruningMethod = { kind: 'formula', genome: parseFormula('mul(W, sqrt(X))') };
  const timed = (f: () => void, reps = 3): number => {
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) f();
    return (performance.now() - t0) / 1000 / reps;
  };
  const evaluation = (calibration: Calibration, groups: readonly ('row' | 'layer')[]) => () => {
    const masks = groups.map((g) => pruneModel(ctx, wanda, pruneTarget('unstructured', 0.5, g), calibration).masks);
    for (const m of masks) ctx.model.perplexity(ctx.validation, m);
    ctx.model.perplexity(ctx.test, masks[0] as Map<string, Uint8Array>);
  };
  const timing: Timing = {
    denseEvaluation: timed(evaluation('dense', ['row'])),
    sequentialEvaluation: timed(evaluation('sequential', ['row'])),
    freeEvaluation: timed(evaluation('sequential', ['row', 'layer'])),
    sparseGpt: timed(
      () => pruneModel(ctx, { kind: 'sparsegpt' }, pruneTarget('unstructured', 0.5, 'row'), 'sequential'),
      1,
    ),
    inSparseGptEvaluation: timed(() => {
      const method: PruningMethod = { kind: 'sparsegpt', genome: parseFormula('mul(sqr(W), H)') };
      const pruned = (['row', 'layer'] as const).map((g) =>
        pruneModel(ctx, method, pruneTarget('unstructured', 0.5, g), 'sequential'),
      );
      for (const p of pruned) prunedPerplexity(ctx.model, ctx.validation, p);
      prunedPerplexity(ctx.model, ctx.test, pruned[0] as PrunedModel);
    }, 1),
  };
  ctx.model.dispose();
  return timing;
}

async function main(): Promise<void> {
  const runs = await readRuns(runDirs);
  // One load of the main model: each run's formula is chosen on it, then every candidate is scored on it.
  const { records, candidates, main } = await withModel(mainModel, (loaded) => {
    const read = chooseFormulas(loaded.ctx, runs);
    const kept = hasFlag('--keep-runs') ? keptRuns(new Set(read.map((r) => r.run))) : { records: [], evolved: [] };
    const evolved = [...kept.evolved, ...read.map((r) => evolvedCandidate(r, parseFormula(r.formula)))];
    const wanda = BASELINES.find((b) => b.method === 'Wanda') as Candidate;
    // Formulas whose masks were chosen alone get SparseGPT's update too; those chosen inside SparseGPT already have it.
    const masksAlone = evolved.filter((c) => c.method === 'evolved');
    const candidates = [...BASELINES, ...evolved, withUpdate(wanda), ...masksAlone.map(withUpdate)];
    const main = scoreModel(loaded, candidates, ['sequential', 'dense']);
    return { records: [...kept.records, ...read], candidates, main };
  });
  const transfer = transferModel
    ? await withModel(transferModel, (loaded) => scoreModel(loaded, candidates, ['sequential']))
    : undefined;
  const timing = await measureTiming(mainModel);
  const report: PruningReport = {
    date: new Date().toISOString(),
    main,
    ...(transfer ? { transfer } : {}),
    runs: records,
    timing,
  };
  mkdirSync(join(root, 'bench/results'), { recursive: true });
  writeFileSync(join(root, 'bench/results/pruning.json'), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(join(root, 'docs/pruning.md'), markdown(report));
}

if (hasFlag('--markdown-only')) {
  const report = JSON.parse(readFileSync(join(root, 'bench/results/pruning.json'), 'utf8')) as PruningReport;
  writeFileSync(join(root, 'docs/pruning.md'), markdown(report));
} else await main();
