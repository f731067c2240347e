// Regenerates docs/sparsity.md and bench/results/sparsity.json: EvoPress-style searches on the default model —
// per-layer sparsity allocations at 50%, 60% and 70% (uniform vs evolved, same per-layer pruning method) and 2:4
// masks (magnitude and Wanda 2:4 vs evolved) — with held-out perplexities, per-layer sparsities and search speed.
// Usage: node dist/experiments/sparsity-report.js [--evaluations N] [--workers N] [--method magnitude|wanda] [--baselines]
// Runs go to runs/report-sparsity-*/ (an existing finished run is reused, an interrupted one resumed).
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createSparsityEvaluator, layerSparsities, resolveSparsityOptions, type SparsityGenome } from '../evaluators/sparsity/index.js';
import { MODEL_PRESETS, prunableLayers } from '../lm/presets.js';
import { loadRunConfig } from '../search/config.js';
import { openRunView, resumeRun, runSearch } from '../search/run.js';
import { rngFromSeed } from '../core/rng.js';
import type { RunSummary } from '../search/summary.js';
import { flag, hasFlag, repoRoot } from '../bench/args.js';

const root = repoRoot;
const evaluations = Number(flag('--evaluations') ?? 2300);
const workers = Number(flag('--workers') ?? 2);
const method = (flag('--method') ?? 'magnitude') as 'magnitude' | 'wanda';
const baselinesOnly = hasFlag('--baselines');
const SPARSITIES = [0.5, 0.6, 0.7] as const;
// Held-out slices: the search reports 8,192-token validation/test perplexities; the table uses a 4× larger test slice.
const HELD_OUT = { validationTokens: 8192, testTokens: 32768, cacheDir: join(root, '.elites/models') } as const;

interface Scored {
  readonly label: string;
  readonly validation: number;
  readonly test: number;
  readonly kl: number;
}

/** Validation and test perplexity (and calibration KL) of one genome, at full fidelity. */
async function score(options: Record<string, unknown>, genome: SparsityGenome, label: string): Promise<Scored> {
  const evaluator = createSparsityEvaluator({ ...options, ...HELD_OUT }, { log: () => undefined });
  await evaluator.prepare?.(options);
  await evaluator.setup?.(options);
  const r = await evaluator.evaluate(genome, { rng: rngFromSeed('report'), signal: new AbortController().signal, options, fidelity: 1, sample: 0 });
  const m = r.metrics ?? {};
  return { label, validation: m.validationPerplexity as number, test: m.testPerplexity as number, kl: m.klDivergence as number };
}

/** A finished run of `configFile` with its evaluator options replaced; reused or resumed when it already exists. */
async function search(configFile: string, name: string, options: Record<string, unknown>): Promise<RunSummary> {
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
  const config = { ...base, name, evaluator: { ...base.evaluator, options: { ...(base.evaluator.options as object), ...options } } };
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

const speed = (s: RunSummary) => ({
  proposals: s.proposals,
  evaluations: s.evaluations,
  minutes: s.seconds / 60,
  evaluationsPerMinute: s.evaluations / (s.seconds / 60),
  proposalsPerMinute: s.proposals / (s.seconds / 60),
  keyHitShare: s.cacheHits.key / s.proposals,
  failures: s.failures,
});

async function main(): Promise<void> {
  const layers = prunableLayers(MODEL_PRESETS.default);
  const zeros = layers.map(() => 0);
  const levels: Record<string, unknown>[] = [];
  for (const s of SPARSITIES) {
    const options = { model: 'default', mode: 'levels', sparsity: s, method, maxLevel: 8 };
    const uniform = await score(options, zeros, `uniform (${method})`);
    const other = method === 'magnitude' ? 'wanda' : 'magnitude';
    const otherUniform = await score({ ...options, method: other }, zeros, `uniform (${other})`);
    console.log(`${s}: ${JSON.stringify([uniform, otherUniform])}`);
    if (baselinesOnly) {
      levels.push({ sparsity: s, uniform, otherUniform });
      continue;
    }
    const name = `report-sparsity-levels-${Math.round(s * 100)}`;
    const summary = await search('configs/sparsity-levels.yaml', name, options);
    const best = await bestGenome(name);
    const evolved = await score(options, best.genome, `evolved (${method})`);
    const settings = resolveSparsityOptions(options);
    const perLayer = Object.fromEntries(layerSparsities(layers, settings.levels ?? { sparsity: s, maxLevel: 8, weightsPerLevel: 0 }, best.genome as number[]));
    console.log(`${s}: evolved ${JSON.stringify(evolved)} ${best.text}`);
    levels.push({ sparsity: s, uniform, otherUniform, evolved, genome: best.text, levels: best.genome, perLayer, search: speed(summary), run: `runs/${name}` });
  }

  const nmOptions = { model: 'default', mode: 'nm', pattern: '2:4' };
  const empty = layers.map(() => ({ groups: new Uint32Array(0), kept: new Uint8Array(0) }));
  const magnitude = await score({ ...nmOptions, init: 'magnitude' }, empty, 'magnitude 2:4');
  const wanda = await score({ ...nmOptions, init: 'wanda' }, empty, 'Wanda 2:4');
  let nm: Record<string, unknown> = { magnitude, wanda };
  if (!baselinesOnly) {
    const summary = await search('configs/sparsity-nm.yaml', 'report-sparsity-nm', { ...nmOptions, init: 'wanda' });
    const best = await bestGenome('report-sparsity-nm');
    const evolved = await score({ ...nmOptions, init: 'wanda' }, best.genome, 'evolved 2:4 (from Wanda)');
    nm = { ...nm, evolved, genome: best.text, search: speed(summary), run: 'runs/report-sparsity-nm' };
    console.log(`nm: ${JSON.stringify(nm)}`);
  }
  const report = { date: new Date().toISOString(), model: 'default', method, evaluations, workers, levels, nm };
  mkdirSync(join(root, 'bench/results'), { recursive: true });
  writeFileSync(join(root, 'bench/results', baselinesOnly ? 'sparsity-baselines.json' : 'sparsity.json'), `${JSON.stringify(report, null, 2)}\n`);
  if (!baselinesOnly) writeFileSync(join(root, 'docs/sparsity.md'), markdown(report, layers.map((l) => l.name)));
}

function markdown(report: { date: string; method: string; evaluations: number; workers: number; levels: Record<string, unknown>[]; nm: Record<string, unknown> }, names: readonly string[]): string {
  const f = (x: unknown, digits = 2): string => (typeof x === 'number' ? x.toFixed(digits) : '–');
  const lines: string[] = [];
  lines.push('# Sparsity allocations and N:M masks (EvoPress on the default model)', '');
  lines.push(`Regenerated by \`node dist/experiments/sparsity-report.js\` on ${report.date.slice(0, 10)} (${report.evaluations} proposals per search, ${report.workers} workers, wasm).`);
  lines.push('Validation perplexity on 8,192 tokens, test on 32,768 (the Brown test split, files the model and the search never saw); KL = mean KL(dense ‖ pruned) per calibration token on the 16,384 calibration tokens the search optimises.', '');
  lines.push(
    'How the searches ran: `configs/sparsity-levels.yaml` (with `sparsity` set to each target) and `configs/sparsity-nm.yaml`, strategy `evopress`: a (1+λ) search whose 16 distinct offspring race on a fresh random 1,024-token sample of the calibration windows, the best 4 go on to a fresh 4,096-token sample, and the best 2 plus the parent are scored on all 16,384 calibration tokens (a fixed sample, so the parent is a cache hit); the best there is the next parent. Fitness = KL(dense ‖ pruned) against the dense model\'s top-256 next-token probabilities. Validation and test perplexities below were never seen by the search.',
    '',
    'The allocation genome has one level per prunable layer; a level moves the same number of weights (Δ = round(0.5·min(s, 1−s)/8·128²): 512 at 50%, 410 at 60%, 307 at 70%) in every layer, so every genome prunes exactly the target number of weights. Within a layer the level database prunes by the method named (magnitude: one threshold per layer; Wanda: per output row). Dense model: validation 46.62, test 45.44 (docs/pruning.md, same slices).',
    '',
  );
  lines.push(`## Per-layer allocation (${report.method} within each layer)`, '');
  lines.push('| sparsity | allocation | calibration KL | validation ppl | test ppl |', '|---|---|---|---|---|');
  for (const row of report.levels) {
    const s = `${Math.round((row.sparsity as number) * 100)}%`;
    for (const key of ['otherUniform', 'uniform', 'evolved'] as const) {
      const r = row[key] as Scored | undefined;
      if (r) lines.push(`| ${s} | ${r.label} | ${f(r.kl, 4)} | ${f(r.validation)} | ${f(r.test)} |`);
    }
  }
  lines.push('', '### Evolved per-layer sparsity', '');
  lines.push(`| layer | ${report.levels.map((r) => `${Math.round((r.sparsity as number) * 100)}%`).join(' | ')} |`, `|---|${report.levels.map(() => '---|').join('')}`);
  for (const name of names) lines.push(`| ${name} | ${report.levels.map((r) => f(((r.perLayer as Record<string, number> | undefined)?.[name] ?? NaN) * 100, 1)).join(' | ')} |`);
  lines.push('', '## 2:4 masks', '', '| mask | calibration KL | validation ppl | test ppl |', '|---|---|---|---|');
  for (const key of ['magnitude', 'wanda', 'evolved'] as const) {
    const r = report.nm[key] as Scored | undefined;
    if (r) lines.push(`| ${r.label} | ${f(r.kl, 4)} | ${f(r.validation)} | ${f(r.test)} |`);
  }
  if (report.nm.genome) lines.push('', `Evolved mask: ${String(report.nm.genome)}.`);
  lines.push('', '## Search speed', '', '| search | proposals | evaluations | minutes | evaluations/min | proposals answered by the key |', '|---|---|---|---|---|---|');
  const speedRow = (label: string, s: unknown) => {
    const v = s as ReturnType<typeof speed> | undefined;
    if (v) lines.push(`| ${label} | ${v.proposals} | ${v.evaluations} | ${f(v.minutes, 1)} | ${f(v.evaluationsPerMinute, 1)} | ${f(v.keyHitShare * 100, 1)}% |`);
  };
  for (const row of report.levels) speedRow(`levels ${Math.round((row.sparsity as number) * 100)}%`, row.search);
  speedRow('2:4 mask', report.nm.search);
  return `${lines.join('\n')}\n`;
}

await main();
