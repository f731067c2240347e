// Regenerates docs/sparsity.md and bench/results/sparsity.json: EvoPress-style searches on the default model —
// per-layer sparsity allocations at 50%, 60% and 70% (uniform vs evolved, same per-layer pruning method) and 2:4
// masks (magnitude and Wanda 2:4 vs evolved) — with held-out perplexities, per-layer sparsities and search speed.
// Usage: node dist/experiments/sparsity-report.js [--evaluations N] [--workers N] [--method magnitude|wanda] [--baselines]
//        [--markdown-only: rewrite docs/sparsity.md from bench/results/sparsity.json, running nothing]
// Runs go to runs/report-sparsity-*/ (an existing finished run is reused, an interrupted one resumed).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
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
import type { Dense, Level, Nm, Report, Scored, Speed } from './sparsity/types.js';

const root = repoRoot;
const evaluations = Number(flag('--evaluations') ?? 2300);
const workers = Number(flag('--workers') ?? 2);
const method = (flag('--method') ?? 'magnitude') as 'magnitude' | 'wanda';
const baselinesOnly = hasFlag('--baselines');
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
  const config = {
    ...base,
    name,
    evaluator: { ...base.evaluator, options: { ...(base.evaluator.options as object), ...options } },
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
    if (baselinesOnly) {
      levels.push({ sparsity: s, uniform, otherUniform });
      continue;
    }
    const name = `report-sparsity-levels-${Math.round(s * 100)}`;
    const summary = await search('configs/sparsity-levels.yaml', name, options);
    const best = await bestGenome(name);
    const evolved = await score(options, best.genome, `evolved (${method})`);
    const settings = resolveSparsityOptions(options);
    const perLayer = Object.fromEntries(
      layerSparsities(
        layers,
        settings.levels ?? { sparsity: s, maxLevel: 8, weightsPerLevel: 0 },
        best.genome as number[],
      ),
    );
    console.log(`${s}: evolved ${JSON.stringify(evolved)} ${best.text}`);
    levels.push({
      sparsity: s,
      uniform,
      otherUniform,
      evolved,
      genome: best.text,
      levels: best.genome as number[],
      perLayer,
      search: speed(summary),
      run: `runs/${name}`,
    });
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
  const report: Report = { date: new Date().toISOString(), model: 'default', method, evaluations, workers, levels, nm };
  mkdirSync(join(root, 'bench/results'), { recursive: true });
  writeFileSync(
    join(root, 'bench/results', baselinesOnly ? 'sparsity-baselines.json' : 'sparsity.json'),
    `${JSON.stringify(report, null, 2)}\n`,
  );
  if (!baselinesOnly)
    writeFileSync(join(root, 'docs/sparsity.md'), markdown(report, layers, densePerplexities(report.model)));
}

/** The dense model's perplexities from bench/results/pruning.json (same held-out slices), if it is there and for this model. */
function densePerplexities(model: string): Dense | undefined {
  const file = join(root, 'bench/results/pruning.json');
  if (!existsSync(file)) return undefined;
  const pruning = JSON.parse(readFileSync(file, 'utf8')) as { main?: { model?: string; dense?: Dense } };
  return pruning.main?.model === model ? pruning.main.dense : undefined;
}

// --markdown-only: rewrite docs/sparsity.md from bench/results/sparsity.json without scoring or searching anything.
if (hasFlag('--markdown-only')) {
  const report = JSON.parse(readFileSync(join(root, 'bench/results/sparsity.json'), 'utf8')) as Report;
  writeFileSync(
    join(root, 'docs/sparsity.md'),
    markdown(report, prunableLayers(MODEL_PRESETS.default), densePerplexities(report.model)),
  );
} else await main();
