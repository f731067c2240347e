// The offline scorer (a nearest-neighbour stand-in, not an LLM) on the shipped task: deterministic, sensitive to which
// demonstrations and words remain (pruning can help and hurt), and a search over token masks that finds better prompts.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  createPromptEvaluator,
  findDemonstrations,
  inverseDocumentFrequencies,
  loadTask,
  offlineClassifier,
} from '../../evaluators/prompt/index.js';
import { parseRunConfig } from '../../search/config.js';
import { rngFromSeed } from '../../core/rng.js';
import { runSearch } from '../../search/run.js';
import type { EvalContext } from '../../core/types.js';
import { createTokenMaskSpace } from '../../spaces/prompt/index.js';
import { useRunFiles } from '../helpers/files.js';

const task = loadTask('brown-genre');
const prompt = task.prompt!;
const ctx = (fidelity = 1, sample = 0): EvalContext => ({
  rng: rngFromSeed('offline'),
  signal: new AbortController().signal,
  options: {},
  fidelity,
  sample,
});
const idf = inverseDocumentFrequencies(task.train.map((e) => e.text));

describe('offline scorer', () => {
  it('scores the full prompt deterministically: dev accuracy 0.3275, test accuracy 0.30625 (chance: 0.25)', async () => {
    const a = createPromptEvaluator();
    const b = createPromptEvaluator({ task: 'brown-genre' });
    await a.setup?.({});
    const r = await a.evaluate(prompt, ctx());
    expect(r).toEqual(await b.evaluate(prompt, ctx()));
    expect(r).toEqual(await a.evaluate(prompt, ctx()));
    expect(r.fitness).toBe(0.3275);
    expect(r.descriptors).toEqual([453, 16]);
    expect(r.metrics).toMatchObject({
      devAccuracy: 0.3275,
      testAccuracy: 0.30625,
      devExamples: 400,
      testExamples: 800,
      unparsed: 0,
      requests: 0,
    });
  });

  it('never predicts a label whose demonstrations were all removed', () => {
    const blocks = prompt.split('\n\n');
    for (const label of Object.keys(task.verbalizers)) {
      const without = blocks.filter((b) => !b.endsWith(`\nGenre: ${label}`)).join('\n\n');
      expect(findDemonstrations(without, task)).toHaveLength(12);
      const classifier = offlineClassifier(without, task, idf, 3);
      const predicted = new Set([...task.dev, ...task.test].map((e) => classifier.predict(e.text).label));
      expect(predicted.has(label), label).toBe(false);
      expect(predicted.size).toBe(3);
    }
  });

  it('depends on which words remain: some single-token removals raise dev accuracy, others lower it', async () => {
    const evaluator = createPromptEvaluator({ testExamples: 0 });
    const space = createTokenMaskSpace({ prompt });
    const full = (await evaluator.evaluate(space.full(), ctx())).fitness;
    const scores: number[] = [];
    for (const g of space.removals(space.full())) scores.push((await evaluator.evaluate(g, ctx())).fitness);
    expect(Math.max(...scores)).toBeGreaterThan(full);
    expect(Math.min(...scores)).toBeLessThan(full);
    expect(scores.filter((s) => s === full).length).toBeGreaterThan(scores.length / 3); // many words do not matter at all
  });

  it('a prompt without demonstrations answers nothing: every example unparsed, fitness 0', async () => {
    const r = await createPromptEvaluator().evaluate(
      'Classify the genre of each sentence.\n\nSentence: {text}\nGenre:',
      ctx(),
    );
    expect(r.fitness).toBe(0);
    expect(r.descriptors).toEqual([17, 0]); // words, punctuation and line breaks
    expect(r.metrics).toMatchObject({ unparsed: 1200, testAccuracy: 0 });
  });

  it('fidelity: a fraction of the dev set (drawn by sample), without the test split', async () => {
    const evaluator = createPromptEvaluator();
    const quarter = await evaluator.evaluate(prompt, ctx(0.25));
    expect(quarter.metrics).toMatchObject({ devExamples: 100, testExamples: 0 });
    expect(quarter.metrics?.testAccuracy).toBeUndefined();
    expect((await evaluator.evaluate(prompt, ctx(10, 3))).metrics).toMatchObject({ devExamples: 10 });
    expect((await evaluator.evaluate(prompt, ctx(1000))).metrics).toMatchObject({
      devExamples: 400,
      testExamples: 800,
    });
    expect(
      (await createPromptEvaluator({ devExamples: 40, testExamples: 10 }).evaluate(prompt, ctx())).metrics,
    ).toMatchObject({ devExamples: 40, testExamples: 10 });
  });

  it("reward 'gap' scores the neighbours' vote shares", async () => {
    const r = await createPromptEvaluator({ reward: 'gap' }).evaluate(prompt, ctx());
    expect(r.fitness).toBeGreaterThan(-180);
    expect(r.fitness).toBeLessThan(200);
    expect(r.metrics?.devAccuracy).toBe(0.3275);
  });

  it('a MAP-Elites search over token masks finds prompts that beat the full prompt on dev', async () => {
    const dir = useRunFiles();
    const config = parseRunConfig(
      {
        name: 'quine',
        seed: 4,
        space: { type: 'token-mask', prompt },
        evaluator: { type: 'prompt', options: { testExamples: 50 } },
        search: { strategy: 'map-elites', initialRandom: 1 },
        archive: {
          type: 'grid',
          dims: [
            { name: 'tokens', min: 0, max: 460, bins: 46 },
            { name: 'demonstrations', min: 0, max: 17, bins: 17 },
          ],
        },
        budget: { evaluations: 300 },
        workers: 0,
        cache: { path: join(dir, 'cache.mdb') },
      },
      dir,
    );
    const s = await runSearch(config, { out: join(dir, 'run') });
    expect(s).toMatchObject({ status: 'done', failures: 0 });
    expect(s.best?.fitness).toBeGreaterThan(0.3275);
  });
});
