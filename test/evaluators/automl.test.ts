// The `automl` evaluator on real tfjs training (wasm backend) of small MLPs on MNIST subsets from the mnist package:
// accuracy well above chance, one report per epoch, early stopping, determinism, fidelity, the fingerprint's
// canonical form, option and genome errors, tensors freed, and the config run through the engine in a worker thread.
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import {
  automlOptionsSchema,
  canonicalConfig,
  createAutomlEvaluator,
  epochsAt,
  mnistSplits,
  parameterCount,
  resolveAutomlConfig,
  type AutomlContext,
  type AutomlEvaluator,
} from '../../evaluators/automl/index.js';
import { MlpDense } from '../../evaluators/automl/layers.js';
import { evaluators } from '../../evaluators/registry.js';
import { rngFromSeed } from '../../core/rng.js';
import { loadRunConfig } from '../../search/config.js';
import { runSearch } from '../../search/run.js';
import type { CategoricalGenome } from '../../spaces/categorical.js';
import { repoRoot, useRunFiles } from '../helpers/files.js';

const ctx = (extra: Partial<AutomlContext> = {}): AutomlContext => ({
  rng: rngFromSeed('automl'),
  signal: new AbortController().signal,
  options: {},
  fidelity: 1,
  sample: 0,
  ...extra,
});

const small: CategoricalGenome = {
  layers: 1,
  width: 64,
  activation: 'relu',
  learningRate: 0.003,
  batchSize: 32,
  dropout: 0,
};

// One evaluator (one data upload) for the training tests: 500 training, 200 validation, 200 test images.
const tiny: AutomlEvaluator = createAutomlEvaluator({
  trainExamples: 500,
  validationExamples: 200,
  testExamples: 200,
  maxEpochs: 2,
});
afterAll(() => tiny.runtime()?.dispose());

describe('automl evaluator: training', () => {
  it('trains a real MLP to well above chance, reporting every epoch; the last report is the fitness', async () => {
    const reports: [number, number][] = [];
    const r = await tiny.evaluate(small, ctx({ report: (step, value) => reports.push([step, value]) }));
    expect(r.fitness).toBeGreaterThanOrEqual(0.6); // chance is 0.1
    expect(reports.map(([step]) => step)).toEqual([1, 2]);
    expect(reports.at(-1)![1]).toBe(r.fitness);
    const m = r.metrics!;
    expect(m.valAccuracy).toBe(r.fitness);
    expect(m.testAccuracy).toBeGreaterThanOrEqual(0.5);
    expect(m).toMatchObject({ epochs: 2, plannedEpochs: 2, stoppedEarly: 0, params: 784 * 64 + 64 + 64 * 10 + 10 });
    expect(m.bestValAccuracy).toBe(Math.max(...reports.map(([, v]) => v)));
    expect(m.trainSeconds).toBeGreaterThan(0);
    expect(Number.isFinite(m.valLoss) && Number.isFinite(m.trainLoss)).toBe(true);
    expect(r.descriptors).toEqual([Math.log2(784 * 64 + 64 + 64 * 10 + 10), 1]);
  });

  it('stops after the epoch where shouldStop() says so, returning the result so far', async () => {
    const reports: number[] = [];
    const r = await tiny.evaluate(
      small,
      ctx({ report: (step) => reports.push(step), shouldStop: () => reports.length >= 1 }),
    );
    expect(reports).toEqual([1]);
    expect(r.metrics).toMatchObject({ epochs: 1, plannedEpochs: 2, stoppedEarly: 1 });
    expect(r.fitness).toBeGreaterThan(0.3);
  });

  it('stops on an aborted signal: after an epoch with its result, before the first with an error', async () => {
    const controller = new AbortController();
    const r = await tiny.evaluate(small, ctx({ signal: controller.signal, report: () => controller.abort() }));
    expect(r.metrics).toMatchObject({ epochs: 1, stoppedEarly: 1 });
    await expect(tiny.evaluate(small, ctx({ signal: AbortSignal.abort() }))).rejects.toThrow(/stopped/);
  });

  it('is deterministic: the same genome and seed give the same bits (dropout masks included)', async () => {
    const g = { ...small, layers: 2, width: 32, dropout: 0.25, activation: 'elu' };
    const a = await tiny.evaluate(g, ctx());
    const b = await tiny.evaluate(g, ctx());
    const { trainSeconds: _ta, ...ma } = a.metrics!;
    const { trainSeconds: _tb, ...mb } = b.metrics!;
    expect(b.fitness).toBe(a.fitness);
    expect(mb).toEqual(ma); // losses too, to the last bit
    // Another training seed (ctx.sample) trains another network on the same images.
    const other = await tiny.evaluate(g, ctx({ sample: 1 }));
    expect(other.metrics!.trainLoss).not.toBe(a.metrics!.trainLoss);
  });

  it('trains as many epochs as the fidelity says', async () => {
    const steps: number[] = [];
    const r = await tiny.evaluate(small, ctx({ fidelity: 0.5, report: (step) => steps.push(step) }));
    expect(steps).toEqual([1]);
    expect(r.metrics).toMatchObject({ epochs: 1, plannedEpochs: 1, stoppedEarly: 0 });
    expect(epochsAt(1, 9)).toBe(9);
    expect(epochsAt(0.5, 9)).toBe(5);
    expect(epochsAt(0.01, 9)).toBe(1);
    expect(epochsAt(3, 9)).toBe(3);
    expect(epochsAt(3.7, 9)).toBe(3);
    expect(epochsAt(50, 9)).toBe(9);
    expect(() => epochsAt(0, 9)).toThrow(RangeError);
    expect(() => epochsAt(Number.NaN, 9)).toThrow(/fidelity/);
  });

  it('frees its tensors: the count does not grow across evaluations', async () => {
    await tiny.evaluate({ ...small, dropout: 0.1 }, ctx({ fidelity: 0.5 }));
    const before = tf.memory().numTensors;
    await tiny.evaluate({ ...small, layers: 3, dropout: 0.5 }, ctx({ fidelity: 0.5 }));
    await tiny.evaluate({ ...small, activation: 'tanh' }, ctx({ fidelity: 0.5 }));
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('automl evaluator: fingerprint', () => {
  const evaluator = createAutomlEvaluator({ trainExamples: 100, validationExamples: 100, testExamples: 0 });
  const fp = (g: CategoricalGenome) => evaluator.fingerprint!(g, ctx());

  it('is one for configurations that build and train the same network, and differs otherwise', () => {
    // Batch sizes at or above the 100 training images are one full batch per epoch.
    expect(fp({ ...small, batchSize: 128 })).toBe(fp({ ...small, batchSize: 256 }));
    expect(fp({ ...small, batchSize: 128 })).toBe(fp({ ...small, batchSize: 100 }));
    expect(fp({ ...small, batchSize: 64 })).not.toBe(fp({ ...small, batchSize: 128 }));
    // Defaults filled in: no dropout parameter is dropout 0, no activation is relu; key order does not matter.
    const { dropout: _d, activation: _a, ...bare } = small;
    expect(fp(bare)).toBe(fp(small));
    expect(fp(Object.fromEntries(Object.entries(small).reverse()))).toBe(fp(small));
    const changes: CategoricalGenome[] = [
      { layers: 2 },
      { width: 32 },
      { activation: 'tanh' },
      { learningRate: 0.001 },
      { dropout: 0.1 },
    ];
    for (const change of changes) expect(fp({ ...small, ...change })).not.toBe(fp(small));
    expect(canonicalConfig(resolveAutomlConfig({ ...small, batchSize: 256 }), 100).batchSize).toBe(100);
    expect(evaluator.fingerprintDeterminesResult).toBe(true);
  });

  it('canonicalises soundly: equal fingerprints train to the same bits', async () => {
    const a = await evaluator.evaluate({ ...small, batchSize: 128 }, ctx({ fidelity: 2 }));
    const b = await evaluator.evaluate({ ...small, batchSize: 256 }, ctx({ fidelity: 2 }));
    expect(b.fitness).toBe(a.fitness);
    expect(b.metrics!.trainLoss).toBe(a.metrics!.trainLoss);
    expect(b.metrics!.valLoss).toBe(a.metrics!.valLoss);
    evaluator.runtime()?.dispose();
  });
});

describe('automl evaluator: errors', () => {
  it('refuses bad options with a clear message', () => {
    expect(() => createAutomlEvaluator({ trainExamples: 9000, validationExamples: 1000, testExamples: 1000 })).toThrow(
      /at most 10000/,
    );
    expect(() => createAutomlEvaluator({ maxEpochs: 0 })).toThrow(/maxEpochs/);
    expect(() => createAutomlEvaluator({ trainExamples: 2.5 })).toThrow(/trainExamples/);
    expect(() => createAutomlEvaluator({ backend: 'webgl' } as never)).toThrow(/backend/);
    expect(() => evaluators.automl.create({ bogus: 1 }, undefined)).toThrow(/bogus/);
    expect(automlOptionsSchema.safeParse({}).success).toBe(true);
  });

  it('refuses bad genomes naming the parameter', async () => {
    const fails = (g: unknown, pattern: RegExp) =>
      expect(tiny.evaluate(g as CategoricalGenome, ctx())).rejects.toThrow(pattern);
    const { width: _w, ...noWidth } = small;
    await fails(noWidth, /width/);
    await fails({ ...small, activation: 'gelu' }, /activation must be one of relu/);
    await fails({ ...small, learningRate: '0.001' }, /learningRate must be a number/);
    await fails({ ...small, dropout: 1 }, /dropout must be < 1/);
    await fails({ ...small, layers: 0 }, /layers must be at least 1/);
    await fails({ ...small, optimizer: 'sgd' }, /optimizer/);
    await expect(tiny.evaluate(small, ctx({ fidelity: 0 }))).rejects.toThrow(/fidelity 0/);
  });
});

describe('automl evaluator: parts', () => {
  it('splits MNIST into disjoint seeded subsets of every class, pixels in [0, 1]', () => {
    const sizes = { trainExamples: 300, validationExamples: 100, testExamples: 100, seed: 0 };
    const a = mnistSplits(sizes);
    expect([a.train.count, a.validation.count, a.test.count]).toEqual([300, 100, 100]);
    expect(new Set(a.train.labels).size).toBe(10);
    expect(a.train.images.reduce((lo, v) => Math.min(lo, v), 1)).toBe(0);
    expect(a.train.images.reduce((hi, v) => Math.max(hi, v), 0)).toBeLessThanOrEqual(1);
    const b = mnistSplits(sizes);
    expect(b.train.labels).toEqual(a.train.labels);
    const other = mnistSplits({ ...sizes, seed: 1 });
    expect(other.train.labels).not.toEqual(a.train.labels);
    // Disjoint: no training image is also a validation or test image.
    const key = (images: Float32Array, i: number) => images.subarray(i * 784, (i + 1) * 784).join(',');
    const train = new Set(Array.from({ length: 300 }, (_, i) => key(a.train.images, i)));
    for (const set of [a.validation, a.test])
      for (let i = 0; i < set.count; i++) expect(train.has(key(set.images, i))).toBe(false);
  });

  it("MlpDense computes tf.layers.dense's output and gradients", () => {
    const x = tf.randomUniform([8, 20], 0, 1, 'float32', 1);
    const ours = new MlpDense({ units: 5, activation: 'tanh', seed: 3, inputShape: [20] });
    const stock = tf.layers.dense({ units: 5, activation: 'tanh', inputShape: [20] });
    ours.apply(x);
    stock.apply(x);
    stock.setWeights(ours.getWeights());
    expect(ours.countParams()).toBe(20 * 5 + 5);
    const loss = (layer: tf.layers.Layer) => () => tf.sum(tf.square(layer.apply(x) as tf.Tensor)) as tf.Scalar;
    const g1 = tf.variableGrads(
      loss(ours),
      ours.trainableWeights.map((w) => w.read() as tf.Variable),
    );
    const g2 = tf.variableGrads(
      loss(stock),
      stock.trainableWeights.map((w) => w.read() as tf.Variable),
    );
    expect(g1.value.dataSync()[0]).toBeCloseTo(g2.value.dataSync()[0]!, 4);
    const grads = (g: typeof g1) => Object.values(g.grads).map((t) => Array.from(t.dataSync()));
    const [k1, b1] = grads(g1);
    const [k2, b2] = grads(g2);
    k1!.forEach((v, i) => expect(v).toBeCloseTo(k2![i]!, 4));
    b1!.forEach((v, i) => expect(v).toBeCloseTo(b2![i]!, 4));
    expect(parameterCount({ layers: 3, width: 256 })).toBe(784 * 256 + 256 + 2 * (256 * 256 + 256) + 2560 + 10);
    tf.dispose([x, g1.value, g2.value, ...Object.values(g1.grads), ...Object.values(g2.grads)]);
    ours.dispose();
    stock.dispose();
  });
});

describe('configs/automl-mnist.yaml', () => {
  it('runs through the engine in a worker thread with a tiny budget', async () => {
    const dir = useRunFiles();
    const config = loadRunConfig(join(repoRoot, 'configs', 'automl-mnist.yaml'), { evaluations: 6 });
    expect(config.evaluator.type).toBe('automl');
    const options = { ...config.evaluator.options, trainExamples: 300, validationExamples: 100, testExamples: 100 };
    const s = await runSearch(
      {
        ...config,
        evaluator: { ...config.evaluator, options: { ...options, maxEpochs: 1 } },
        search: { ...config.search, populationSize: 3, sampleSize: 2 },
        cache: { ...config.cache, path: join(dir, 'cache.mdb') },
      },
      { out: join(dir, 'run') },
    );
    expect(s.status).toBe('done');
    expect(s.failures).toBe(0);
    expect(s.proposals).toBe(6);
    expect(s.archive.size).toBeGreaterThan(0);
  });
});
