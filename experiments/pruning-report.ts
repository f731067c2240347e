// Regenerates docs/pruning.md: test perplexity of dense and baseline metrics at 50% unstructured and 2:4 on the default
// model, the best evolved formulas of finished runs, how much hashing answered, and seconds per evaluation.
// Usage: node dist/experiments/pruning-report.js [--model default|tiny] [RUN_DIR …]   (run dirs of configs/pruning-metric*.yaml)
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadPruningContext, type PruningContext } from '../evaluators/pruning/context.js';
import { sparsityOf } from '../evaluators/pruning/masks.js';
import { formulaMasks, pruneTarget, type PruneTarget } from '../evaluators/pruning/scoring.js';
import { inspectRun } from '../report/inspect.js';
import { openRunView } from '../search/run-view.js';
import { SeededRng } from '../core/rng.js';
import { formulaOf, parseFormula, simplify, type ExprGenome } from '../spaces/expression/index.js';
import { repoRoot } from '../tools/args.js';

const root = repoRoot;
const args = process.argv.slice(2);
const modelFlag = args.indexOf('--model');
const model = modelFlag >= 0 ? (args[modelFlag + 1] as 'default' | 'tiny') : 'default';
const runDirs = args.filter((a, i) => !a.startsWith('--') && !(modelFlag >= 0 && i === modelFlag + 1));

// The search's own validation tokens (configs/pruning-metric.yaml keeps the evaluator defaults); test: a larger slice.
const options = {
  model,
  backend: 'wasm' as const,
  cacheDir: join(root, '.elites/models'),
  calibrationTokens: 8192,
  validationTokens: 8192,
  testTokens: 32768,
};

interface Row {
  readonly method: string;
  readonly formula: string;
  readonly pattern: string;
  readonly validation: number;
  readonly test: number;
  readonly sparsity: number;
}

const BASELINES: readonly { method: string; formula: string | null; group: 'row' | 'layer' }[] = [
  { method: 'magnitude (per layer)', formula: 'W', group: 'layer' },
  { method: 'magnitude (per row)', formula: 'W', group: 'row' },
  { method: 'Wanda (per row)', formula: 'mul(W, sqrt(X))', group: 'row' },
  { method: 'Pruner-Zero published (per row)', formula: 'mul(abs(mul(W, W)), mms(G))', group: 'row' },
  { method: 'random', formula: null, group: 'row' },
];

function randomMasks(ctx: PruningContext, target: PruneTarget): Map<string, Uint8Array> {
  const rng = SeededRng.fromSeed('random-baseline').next;
  const layers = ctx.layers.map((l) => ({
    ...l,
    G: { rows: l.dOut, cols: l.dIn, data: Float64Array.from({ length: l.dOut * l.dIn }, rng) },
  }));
  return formulaMasks(['G'], layers, target);
}

function evaluate(
  ctx: PruningContext,
  method: string,
  formula: string,
  masks: Map<string, Uint8Array>,
  pattern: string,
): Row {
  return {
    method,
    formula,
    pattern,
    validation: ctx.model.perplexity(ctx.validation, masks),
    test: ctx.model.perplexity(ctx.test, masks),
    sparsity: sparsityOf(masks),
  };
}

async function main(): Promise<void> {
  const started = performance.now();
  const ctx = await loadPruningContext(options);
  const setupSeconds = (performance.now() - started) / 1000;
  const rows: Row[] = [];
  const dense = {
    method: 'dense',
    formula: '–',
    pattern: '0%',
    validation: ctx.model.perplexity(ctx.validation),
    test: ctx.model.perplexity(ctx.test),
    sparsity: 0,
  };
  rows.push(dense);
  for (const pattern of ['unstructured', '2:4']) {
    for (const b of BASELINES) {
      const target = pruneTarget(pattern, 0.5, b.group);
      const masks =
        b.formula === null ? randomMasks(ctx, target) : formulaMasks(parseFormula(b.formula), ctx.layers, target);
      rows.push(
        evaluate(
          ctx,
          b.method,
          b.formula ?? 'uniform random scores',
          masks,
          pattern === 'unstructured' ? '50%' : '2:4',
        ),
      );
    }
  }

  // Seconds per evaluation as the search does it: formula → masks → validation and test perplexity (search uses 8,192 test tokens).
  const search = { ...ctx, test: ctx.test.subarray(0, 8192) };
  const t0 = performance.now();
  const reps = 5;
  for (let i = 0; i < reps; i++) {
    const masks = formulaMasks(parseFormula('mul(W, sqrt(X))'), ctx.layers, pruneTarget('unstructured', 0.5, 'row'));
    search.model.perplexity(search.validation, masks);
    search.model.perplexity(search.test, masks);
  }
  const secondsPerEvaluation = (performance.now() - t0) / 1000 / reps;

  const runs: string[] = [];
  for (const dir of runDirs) {
    const view = await openRunView(dir);
    const opts = (view.config.evaluator.options ?? {}) as {
      pattern?: string;
      sparsity?: number;
      group?: 'row' | 'layer';
    };
    const pattern = opts.pattern ?? 'unstructured';
    const report = await inspectRun(dir, { top: 1 });
    const best = report.top[0];
    await view.close();
    if (!best) continue;
    const genome = best.genome as ExprGenome;
    const masks = formulaMasks(genome, ctx.layers, pruneTarget(pattern, opts.sparsity ?? 0.5, opts.group ?? 'row'));
    rows.push(
      evaluate(
        ctx,
        `evolved (${view.config.search.strategy}, ${report.summary.proposals} proposals)`,
        formulaOf(simplify(genome)),
        masks,
        pattern === 'unstructured' ? '50%' : pattern,
      ),
    );
    const s = report.summary;
    const hits = s.cacheHits.key + s.cacheHits.fingerprint;
    const meanEval = (s.seconds * view.config.workers) / Math.max(1, s.evaluations);
    runs.push(
      `- \`${dir.split('/').pop()}\` (${view.config.search.strategy}, ${pattern}): ${s.proposals} proposals, ${s.evaluations} evaluations, ` +
        `level-1 (key) hits ${s.cacheHits.key} (${pct(s.cacheHits.key, s.proposals)}), level-2 (mask fingerprint) hits ${s.cacheHits.fingerprint} (${pct(s.cacheHits.fingerprint, s.proposals)}), ` +
        `failures ${s.failures}; ${s.seconds.toFixed(0)} s wall on ${view.config.workers} workers; the ${hits} hits saved about ${((hits * meanEval) / view.config.workers).toFixed(0)} s of wall time ` +
        `(${meanEval.toFixed(2)} s per evaluation per worker).`,
    );
  }

  const fmt = (v: number): string => v.toFixed(2);
  const table = [
    '| pattern | method | formula | validation ppl | test ppl | sparsity |',
    '|---|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${r.pattern} | ${r.method} | \`${r.formula}\` | ${fmt(r.validation)} | ${fmt(r.test)} | ${(r.sparsity * 100).toFixed(1)}% |`,
    ),
  ];
  const text = [
    '# Pruning-metric search: results',
    '',
    `Regenerated by \`npm run build && node dist/experiments/pruning-report.js${model === 'default' ? '' : ` --model ${model}`} RUN_DIR…\` on ${new Date().toISOString().slice(0, 10)}.`,
    `Model: the \`${model}\` preset (a ${ctx.model.config.layers}-block, d=${ctx.model.config.dModel} transformer LM on the Brown corpus, vocabulary ${ctx.model.config.vocabSize}); ` +
      `${ctx.layers.length} prunable linear layers; validation ${ctx.validation.length} tokens (the search's fitness), test ${ctx.test.length} tokens (never seen by the search). ` +
      'W = |weight|, G = gradient aggregate and X = Wanda input statistic on 8,192 calibration tokens; one-shot (layers are not re-calibrated in sequence).',
    '',
    ...table,
    '',
    '## Hashing in the searches',
    '',
    ...(runs.length ? runs : ['(no run directories given)']),
    '',
    `Seconds per evaluation (formula → masks → validation + test perplexity on 8,192 tokens each, one worker): ${secondsPerEvaluation.toFixed(3)} s; loading the model and computing W, G, X: ${setupSeconds.toFixed(1)} s per worker.`,
    '',
  ].join('\n');
  mkdirSync(join(root, 'docs'), { recursive: true });
  writeFileSync(join(root, 'docs/pruning.md'), text);
  mkdirSync(join(root, 'bench/results'), { recursive: true });
  writeFileSync(
    join(root, 'bench/results/pruning.json'),
    `${JSON.stringify({ model, rows, secondsPerEvaluation, setupSeconds }, null, 2)}\n`,
  );
  console.log(text);
}

function pct(n: number, d: number): string {
  return `${((100 * n) / Math.max(1, d)).toFixed(1)}%`;
}

await main();
