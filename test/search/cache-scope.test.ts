// The cache namespace names the whole setting: runs that share one cache file never answer for another space,
// another plug-in source, other input files or another machine's timings.
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Evaluator } from '../../core/types.js';
import { cacheScopeOf, evaluatorVersion, machineFingerprint } from '../../search/cache-scope.js';
import { parseRunConfig, type RunConfigInput } from '../../search/config.js';
import { runSearch } from '../../search/run.js';
import { cacheNamespace } from '../../store/result-cache.js';
import { openRunStore } from '../../store/run-store.js';
import { createKernelEvaluator } from '../../evaluators/kernel/index.js';
import { createPromptEvaluator } from '../../evaluators/prompt/index.js';
import { rngFromSeed } from '../../core/rng.js';
import { createTokenMaskSpace } from '../../spaces/prompt/index.js';
import { spawnCli } from '../helpers/cli.js';
import { useRunFiles } from '../helpers/files.js';

/** Every logged (fitness, genome) pair of a run, genomes logged for all events. */
async function loggedPairs(dir: string): Promise<{ f: number; g: unknown; src: string }[]> {
  const store = openRunStore(dir, { write: false });
  try {
    return [...store.events()].flatMap((e) => (e.ok ? [{ f: e.f, g: e.g, src: e.src }] : []));
  } finally {
    await store.close();
  }
}

const sharedCache = (dir: string) => ({ path: join(dir, 'shared.mdb') });

describe('a cache shared by runs of different settings', () => {
  it('never answers a bitstring of one length with a result of another length', async () => {
    const dir = useRunFiles();
    const config = (length: number): RunConfigInput => ({
      name: `binval-${length}`,
      seed: 3,
      space: { type: 'bitstring', length },
      evaluator: { type: 'binval' },
      search: { strategy: 'map-elites', initialRandom: 20 },
      archive: { type: 'grid', dims: [{ name: 'ones', min: 0, max: length, bins: length + 1 }] },
      budget: { evaluations: 400 },
      workers: 0,
      cache: sharedCache(dir),
      log: { genomes: 'all' },
    });
    await runSearch(parseRunConfig(config(5), dir), { out: join(dir, 'five') });
    await runSearch(parseRunConfig(config(8), dir), { out: join(dir, 'eight') });
    const pairs = await loggedPairs(join(dir, 'eight'));
    expect(pairs.length).toBe(400);
    expect(pairs.some((p) => p.src === 'k')).toBe(true); // the cache is in use within the run
    const wrong = pairs.filter((p) => p.f !== Number.parseInt(String(p.g), 2));
    expect(wrong.map((p) => `${String(p.g)} logged as ${p.f}`)).toEqual([]);
  });

  it('never answers with the result of an edited plug-in evaluator (no version given: its source names it)', async () => {
    const dir = useRunFiles();
    const plugin = (scale: number): string =>
      `export default { name: 'scaled-ones', evaluate(g) { const ones = [...g].filter((b) => b).length; return { fitness: ${scale} * ones, descriptors: [ones] }; } };\n`;
    writeFileSync(join(dir, 'scaled.mjs'), plugin(1));
    const config: RunConfigInput = {
      name: 'plugin',
      seed: 4,
      space: { type: 'bitstring', length: 6 },
      evaluator: { module: './scaled.mjs' },
      search: { strategy: 'map-elites', initialRandom: 20 },
      archive: { type: 'grid', dims: [{ name: 'ones', min: 0, max: 6, bins: 7 }] },
      budget: { evaluations: 200 },
      workers: 0,
      cache: sharedCache(dir),
      log: { genomes: 'all' },
    };
    // Each run in a process of its own, as a user runs them (a process imports a module once).
    writeFileSync(join(dir, 'run.json'), JSON.stringify(config));
    expect((await spawnCli(['run', 'run.json', '--out', 'before'], dir).done).code).toBe(0);
    writeFileSync(join(dir, 'scaled.mjs'), plugin(10));
    const after = await spawnCli(['run', 'run.json', '--out', 'after'], dir).done;
    expect(after.code, after.stderr).toBe(0);
    const pairs = await loggedPairs(join(dir, 'after'));
    const ones = (g: unknown): number => [...String(g)].filter((c) => c === '1').length;
    expect(pairs.filter((p) => p.f !== 10 * ones(p.g))).toEqual([]);
  });

  it('never answers a prompt scored on one task file with its score on another', async () => {
    const dir = useRunFiles();
    const task = join(dir, 'task');
    cpSync(join(import.meta.dirname, '../../tasks/brown-genre'), task, { recursive: true });
    const options = { task, scorer: 'offline' as const, devExamples: 40, testExamples: 0 };
    const config: RunConfigInput = {
      name: 'prompt-task',
      seed: 5,
      space: { type: 'token-mask', promptFile: join(task, 'prompt.txt') },
      evaluator: { type: 'prompt', options },
      search: { strategy: 'map-elites', initialRandom: 10 },
      archive: {
        type: 'grid',
        dims: [
          { name: 'tokens', min: 0, max: 500, bins: 10 },
          { name: 'demonstrations', min: 0, max: 16, bins: 17 },
        ],
      },
      budget: { evaluations: 60 },
      workers: 0,
      cache: sharedCache(dir),
      log: { genomes: 'all' },
    };
    await runSearch(parseRunConfig(config, dir), { out: join(dir, 'first') });
    // The same prompts, judged against other gold labels: every score of the first run is now wrong.
    const rotate: Record<string, string> = {
      news: 'religion',
      religion: 'government',
      government: 'romance',
      romance: 'news',
    };
    const dev = readFileSync(join(task, 'dev.jsonl'), 'utf8').trim().split('\n');
    const relabelled = dev.map((line) => {
      const e = JSON.parse(line) as { label: string };
      return JSON.stringify({ ...e, label: rotate[e.label] });
    });
    writeFileSync(join(task, 'dev.jsonl'), `${relabelled.join('\n')}\n`);
    await runSearch(parseRunConfig(config, dir), { out: join(dir, 'second') });

    const space = createTokenMaskSpace({ promptFile: join(task, 'prompt.txt') });
    const evaluator = createPromptEvaluator(options);
    await evaluator.setup?.(options);
    const ctx = {
      rng: rngFromSeed('truth'),
      signal: new AbortController().signal,
      options: {},
      fidelity: 1,
      sample: 0,
    };
    const pairs = await loggedPairs(join(dir, 'second'));
    expect(pairs.length).toBe(60);
    const wrong: string[] = [];
    for (const p of pairs) {
      const truth = (await evaluator.evaluate(space.decode(p.g), ctx)).fitness;
      if (truth !== p.f) wrong.push(`logged ${p.f}, true ${truth} (source ${p.src})`);
    }
    expect(wrong).toEqual([]);
  });

  it('names the space, the input files, a plug-in source and, for timings, the machine', () => {
    const dir = useRunFiles({
      'prompt.txt': 'Classify the genre of this text: {text}\n',
    });
    const base: RunConfigInput = {
      name: 'p',
      space: { type: 'bitstring', length: 5 },
      evaluator: { type: 'prompt', options: { promptFile: join(dir, 'prompt.txt') } },
      search: { strategy: 'random' },
      archive: { type: 'grid', dims: [{ name: 'x', min: 0, max: 1, bins: 2 }] },
      budget: { evaluations: 1 },
    };
    const namespace = (input: RunConfigInput, evaluator: Evaluator<unknown>): string => {
      const config = parseRunConfig(input, dir);
      return cacheNamespace(cacheScopeOf(config, evaluator, evaluatorVersion(config, evaluator)));
    };
    const prompt = createPromptEvaluator({ promptFile: join(dir, 'prompt.txt') }) as Evaluator<unknown>;
    const first = namespace(base, prompt);
    expect(namespace(base, prompt)).toBe(first);
    expect(namespace({ ...base, space: { type: 'bitstring', length: 6 } }, prompt)).not.toBe(first);
    writeFileSync(join(dir, 'prompt.txt'), 'Which genre is this? {text}\n');
    expect(namespace(base, prompt)).not.toBe(first);
    expect(readFileSync(join(dir, 'prompt.txt'), 'utf8')).toContain('Which');

    const kernel = createKernelEvaluator({}) as Evaluator<unknown>;
    const config = parseRunConfig({ ...base, evaluator: { type: 'kernel' } }, dir);
    expect(cacheScopeOf(config, kernel, '1').machine).toBe(machineFingerprint());
    expect(cacheScopeOf(config, prompt, '1').machine).toBeUndefined();
  });
});
