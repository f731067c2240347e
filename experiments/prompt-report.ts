// Regenerates docs/prompts.md and bench/results/prompts.json: token pruning of the brown-genre 16-shot prompt with the
// OFFLINE stand-in scorer (a nearest-neighbour classifier, not an LLM) — PromptQuine's GGA versus the full prompt,
// TAPruning, random pruning, simulated annealing and hill climbing, at an equal budget over several seeds — with the
// best prompt's dev and test accuracy and the share of proposals answered by the rendered-prompt key.
// Usage: node dist/experiments/prompt-report.js [--evaluations 3000] [--seeds 3]
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { evaluators } from '../evaluators/index.js';
import { loadRunConfig, type RunConfig } from '../search/config.js';
import { openRunView, runSearch } from '../search/run.js';
import { rngFromSeed } from '../core/rng.js';
import { flag, repoRoot } from '../bench/args.js';

const root = repoRoot;
const evaluations = Number(flag('--evaluations') ?? 3000);
const seeds = Number(flag('--seeds') ?? 3);
const scratch = mkdtempSync(join(tmpdir(), 'elites-prompt-report-'));

interface Method {
  readonly label: string;
  readonly search: RunConfig['search'];
  readonly space?: Record<string, unknown>;
}

const METHODS: readonly Method[] = [
  { label: 'PromptQuine GGA (population 30, 50 offspring)', search: { strategy: 'gga', populationSize: 30, offspring: 50, tournamentFraction: 0.2, minMeanLength: 15 } },
  { label: 'TAPruning (threshold 0.96, left to right)', search: { strategy: 'threshold-accepting', threshold: 0.96, order: 'sequential' } },
  { label: 'random pruning (rates 5–95%)', search: { strategy: 'random' }, space: { initialPruning: { min: 0.05, max: 0.95 } } },
  { label: 'simulated annealing (Plum; T0 = 0.1)', search: { strategy: 'simulated-annealing', candidates: 10, t0: 0.1, tau: 5, patience: 0 } },
  { label: 'hill climbing (Plum)', search: { strategy: 'hill-climbing', candidates: 10, patience: 0 } },
];

interface Outcome {
  readonly seed: number;
  readonly dev: number;
  readonly test: number;
  readonly tokens: number;
  readonly demonstrations: number;
  readonly proposals: number;
  readonly evaluations: number;
  readonly keyShare: number;
  readonly stopReason: string | null;
  readonly seconds: number;
}

async function runMethod(method: Method, seed: number): Promise<Outcome> {
  const base = loadRunConfig(join(root, 'configs/prompt-quine.yaml'), { evaluations, seed });
  const config: RunConfig = {
    ...base,
    name: `prompt-report-${method.search.strategy}-${seed}`,
    search: method.search,
    space: { ...base.space, ...(method.space ?? {}) } as RunConfig['space'],
    cache: { ...base.cache, path: join(scratch, `${method.search.strategy}-${seed}.mdb`) }, // fresh per run: the key share is the run's own
  };
  const out = join(scratch, `${config.name}`);
  const summary = await runSearch(config, { out });
  const view = await openRunView(out);
  try {
    let best: { id: number; score: number; descriptors: readonly number[] } | undefined;
    for (const e of view.archive.elites()) if (!best || e.score > best.score || (e.score === best.score && e.id < best.id)) best = e;
    if (!best) throw new Error(`${config.name}: no elite`);
    let test = NaN;
    for (const e of view.events()) if (e.id === best.id && e.ok) test = e.m?.testAccuracy ?? NaN;
    return {
      seed, dev: best.score, test, tokens: best.descriptors[0] ?? NaN, demonstrations: best.descriptors[1] ?? NaN,
      proposals: summary.proposals, evaluations: summary.evaluations, keyShare: summary.cacheHits.key / summary.proposals,
      stopReason: summary.stopReason, seconds: summary.seconds,
    };
  } finally {
    await view.close();
  }
}

async function fullPrompt(): Promise<{ dev: number; test: number; tokens: number; demonstrations: number }> {
  const evaluator = evaluators.prompt.create({ task: 'brown-genre', scorer: 'offline' }, undefined);
  await evaluator.setup?.({});
  const { readFileSync } = await import('node:fs');
  const text = readFileSync(join(root, 'tasks/brown-genre/prompt.txt'), 'utf8');
  const r = await evaluator.evaluate(text, { rng: rngFromSeed('full'), signal: new AbortController().signal, options: {}, fidelity: 1, sample: 0 });
  return { dev: r.fitness, test: r.metrics?.testAccuracy ?? NaN, tokens: r.descriptors?.[0] ?? NaN, demonstrations: r.descriptors?.[1] ?? NaN };
}

const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

async function main(): Promise<void> {
  process.chdir(root); // the configs name the prompt file relative to the working directory
  const full = await fullPrompt();
  console.log(`full prompt: ${JSON.stringify(full)}`);
  const results: { method: string; runs: Outcome[] }[] = [];
  for (const method of METHODS) {
    const runs: Outcome[] = [];
    for (let seed = 0; seed < seeds; seed++) {
      const r = await runMethod(method, seed);
      console.log(`${method.label} seed ${seed}: ${JSON.stringify(r)}`);
      runs.push(r);
    }
    results.push({ method: method.label, runs });
  }
  const report = { date: new Date().toISOString(), scorer: 'offline nearest-neighbour stand-in (not an LLM)', evaluations, seeds, full, results };
  mkdirSync(join(root, 'bench/results'), { recursive: true });
  writeFileSync(join(root, 'bench/results/prompts.json'), `${JSON.stringify(report, null, 2)}\n`);
  const f = (x: number, d = 3): string => (Number.isFinite(x) ? x.toFixed(d) : '–');
  const lines = [
    '# Prompt pruning on brown-genre (offline stand-in scorer)', '',
    `Regenerated by \`node dist/experiments/prompt-report.js\` on ${report.date.slice(0, 10)}: ${evaluations} proposals per run, seeds 0–${seeds - 1}, the 16-shot prompt of \`tasks/brown-genre/prompt.txt\`.`,
    '',
    '**The scorer is not an LLM.** `scorer: offline` is an in-context nearest-neighbour classifier (TF-IDF cosine to the demonstrations left in the prompt): a stand-in that lets the search machinery run, be tested and be compared on a fresh machine. These numbers say how the *search methods* compare on that objective, nothing about any language model; run `configs/prompt-quine-llm.yaml` against your server for that.',
    '',
    'Fitness = dev accuracy (400 examples); the best elite of each run (highest dev accuracy, earliest on ties) is reported with its test accuracy (800 examples from other Brown files). Means over seeds, then each seed.',
    '',
    '| method | dev (mean) | test (mean) | tokens | demonstrations | proposals answered by the key | stop | per seed: dev / test |',
    '|---|---|---|---|---|---|---|---|',
    `| full unpruned prompt | ${f(full.dev)} | ${f(full.test)} | ${full.tokens} | ${full.demonstrations} | – | – | – |`,
    ...results.map(({ method, runs }) => `| ${method} | ${f(mean(runs.map((r) => r.dev)))} | ${f(mean(runs.map((r) => r.test)))} | ${f(mean(runs.map((r) => r.tokens)), 0)} | ${f(mean(runs.map((r) => r.demonstrations)), 1)} | ${f(mean(runs.map((r) => r.keyShare)) * 100, 1)}% | ${[...new Set(runs.map((r) => r.stopReason))].join(', ')} | ${runs.map((r) => `${f(r.dev, 2)} / ${f(r.test, 3)}`).join(' · ')} |`),
    '',
  ];
  writeFileSync(join(root, 'docs/prompts.md'), `${lines.join('\n')}\n`);
  console.log(lines.join('\n'));
  rmSync(scratch, { recursive: true, force: true });
}

await main();
