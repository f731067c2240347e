// Regenerates docs/prompts.md and bench/results/prompts.json: token pruning of the brown-genre 16-shot prompt with the
// OFFLINE stand-in scorer (a nearest-neighbour classifier, not an LLM) — PromptQuine's GGA versus the full prompt,
// TAPruning, random pruning, simulated annealing and hill climbing, at an equal budget over several seeds — with the
// best prompt's dev and test accuracy and the share of proposals answered by the rendered-prompt key.
// Usage: node dist/experiments/prompt-report.js [--evaluations 3000] [--seeds 3]
//        [--markdown-only: rewrite docs/prompts.md from bench/results/prompts.json, running nothing]
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { evaluators } from '../evaluators/index.js';
import { loadRunConfig, type RunConfig } from '../search/config.js';
import { runSearch } from '../search/run.js';
import { openRunView } from '../search/run-view.js';
import { rngFromSeed } from '../core/rng.js';
import { flag, hasFlag, repoRoot } from '../tools/args.js';
import { markdown, type Outcome, type Report } from './prompt/markdown.js';
import { METHODS, type Method } from './prompt/methods.js';

const root = repoRoot;
const evaluations = Number(flag('--evaluations') ?? 3000);
const seeds = Number(flag('--seeds') ?? 3);

async function runMethod(method: Method, seed: number, scratch: string): Promise<Outcome> {
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
    for (const e of view.archive.elites())
      if (!best || e.score > best.score || (e.score === best.score && e.id < best.id)) best = e;
    if (!best) throw new Error(`${config.name}: no elite`);
    let test = NaN;
    for (const e of view.events()) if (e.id === best.id && e.ok) test = e.m?.testAccuracy ?? NaN;
    return {
      seed,
      dev: best.score,
      test,
      tokens: best.descriptors[0] ?? NaN,
      demonstrations: best.descriptors[1] ?? NaN,
      proposals: summary.proposals,
      evaluations: summary.evaluations,
      keyShare: summary.cacheHits.key / summary.proposals,
      stopReason: summary.stopReason,
      seconds: summary.seconds,
    };
  } finally {
    await view.close();
  }
}

async function fullPrompt(): Promise<{ dev: number; test: number; tokens: number; demonstrations: number }> {
  const evaluator = await evaluators.prompt.create({ task: 'brown-genre', scorer: 'offline' }, undefined);
  await evaluator.setup?.({});
  const text = readFileSync(join(root, 'tasks/brown-genre/prompt.txt'), 'utf8');
  const r = await evaluator.evaluate(text, {
    rng: rngFromSeed('full'),
    signal: new AbortController().signal,
    options: {},
    fidelity: 1,
    sample: 0,
  });
  return {
    dev: r.fitness,
    test: r.metrics?.testAccuracy ?? NaN,
    tokens: r.descriptors?.[0] ?? NaN,
    demonstrations: r.descriptors?.[1] ?? NaN,
  };
}

async function main(): Promise<void> {
  process.chdir(root); // the configs name the prompt file relative to the working directory
  const scratch = mkdtempSync(join(tmpdir(), 'elites-prompt-report-'));
  const full = await fullPrompt();
  console.log(`full prompt: ${JSON.stringify(full)}`);
  const results: { method: string; runs: Outcome[] }[] = [];
  for (const method of METHODS) {
    const runs: Outcome[] = [];
    for (let seed = 0; seed < seeds; seed++) {
      const r = await runMethod(method, seed, scratch);
      console.log(`${method.label} seed ${seed}: ${JSON.stringify(r)}`);
      runs.push(r);
    }
    results.push({ method: method.label, runs });
  }
  const report: Report = {
    date: new Date().toISOString(),
    scorer: 'offline nearest-neighbour stand-in (not an LLM)',
    evaluations,
    seeds,
    full,
    results,
  };
  mkdirSync(join(root, 'bench/results'), { recursive: true });
  writeFileSync(join(root, 'bench/results/prompts.json'), `${JSON.stringify(report, null, 2)}\n`);
  const text = markdown(report);
  writeFileSync(join(root, 'docs/prompts.md'), text);
  process.stdout.write(text);
  rmSync(scratch, { recursive: true, force: true });
}

// --markdown-only: rewrite docs/prompts.md from bench/results/prompts.json without running any search.
if (hasFlag('--markdown-only'))
  writeFileSync(
    join(root, 'docs/prompts.md'),
    markdown(JSON.parse(readFileSync(join(root, 'bench/results/prompts.json'), 'utf8')) as Report),
  );
else await main();
