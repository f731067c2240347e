// The pruning LM end to end on a tiny config: Brown splits, custom-gradient ops, training, perplexity under masks, X and G.
import * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../lm/backend.js';
import {
  brownDirectory,
  brownFiles,
  loadBrownSplits,
  parseBrownText,
  splitOfFile,
  type BrownSplits,
} from '../../lm/corpus.js';
import { batchMatMul, crossEntropy, embed, linear } from '../../lm/ops.js';
import type { TransformerLm } from '../../lm/model.js';
import { buildVocabulary, EOS_ID, unigramPerplexity } from '../../lm/tokenizer.js';
import { TINY_LM, trainLanguageModel, type TrainReport } from '../../lm/train.js';
import { relativeError } from '../helpers/numbers.js';

const DATA = { vocabSize: TINY_LM.vocabSize, maxFiles: TINY_LM.maxFiles ?? 40 } as const;

let splits: BrownSplits;
let model: TransformerLm;
let report: TrainReport;

beforeAll(async () => {
  expect(await initBackend()).toBe('wasm');
  splits = loadBrownSplits(DATA);
  ({ model, report } = trainLanguageModel(TINY_LM, splits.train));
});

afterAll(() => model?.dispose());

describe('Brown corpus splits', () => {
  it('assigns every file by its index in the sorted list (mod 20: 0 test, 1 validation, 2 calibration)', () => {
    const files = brownFiles();
    expect(files).toHaveLength(500);
    const counts = { train: 0, calibration: 0, validation: 0, test: 0 };
    files.forEach((_, i) => counts[splitOfFile(i)]++);
    expect(counts).toEqual({ train: 425, calibration: 25, validation: 25, test: 25 });
    expect(splits.files.test).toEqual([files[0], files[20]]);
    expect(splits.files.validation).toEqual([files[1], files[21]]);
    expect(splits.files.calibration).toEqual([files[2], files[22]]);
  });

  it('is disjoint by file and deterministic', () => {
    const all = Object.values(splits.files).flat();
    expect(new Set(all).size).toBe(all.length);
    expect(all).toHaveLength(DATA.maxFiles);
    const again = loadBrownSplits(DATA);
    expect(again.vocab).toEqual(splits.vocab);
    for (const split of ['train', 'calibration', 'validation', 'test'] as const) {
      expect(again[split]).toEqual(splits[split]);
      expect(splits[split].length).toBeGreaterThan(1000);
    }
  });

  it('builds the vocabulary from train files only, with <unk> and <eos> first', () => {
    const read = (names: readonly string[]) =>
      names.flatMap((name) => parseBrownText(readFileSync(join(brownDirectory(), name), 'utf8')));
    expect(splits.vocab).toEqual(buildVocabulary(read(splits.files.train), DATA.vocabSize));
    const withHeldOut = buildVocabulary(read(Object.values(splits.files).flat()), DATA.vocabSize);
    expect(withHeldOut).not.toEqual(splits.vocab); // held-out text would change it, so it really was left out
    expect(splits.vocab.slice(0, 3)).toEqual(['<unk>', '<eos>', 'the']);
    expect(splits.vocab).toHaveLength(DATA.vocabSize);
    expect(splits.validation.filter((id) => id === EOS_ID).length).toBeGreaterThan(50);
  });

  it('strips tags, lowercases and splits sentences by line', () => {
    expect(parseBrownText('\n\n\tThe/at jury/nn said/vbd ./.\n\n\t1/2/cd and/or/cc\n')).toEqual([
      ['the', 'jury', 'said', '.'],
      ['1/2', 'and/or'],
    ]);
  });
});

describe('custom-gradient ops match tfjs built-ins', () => {
  it('linear and batchMatMul gradients equal plain tf.matMul gradients (within 1e-4)', () => {
    tf.tidy(() => {
      const x = tf.randomNormal([6, 5], 0, 1, 'float32', 1);
      const w = tf.randomNormal([5, 4], 0, 1, 'float32', 2);
      const r = tf.randomNormal([6, 4], 0, 1, 'float32', 3);
      const ours = tf.grads((a, b) => tf.sum(tf.mul(linear(a as tf.Tensor2D, b as tf.Tensor2D), r)))([x, w]);
      const plain = tf.grads((a, b) => tf.sum(tf.mul(tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D), r)))([x, w]);
      ours.forEach((g, i) =>
        expect(relativeError(g.dataSync(), (plain[i] as tf.Tensor).dataSync())).toBeLessThan(1e-4),
      );
      const a3 = tf.randomNormal([3, 4, 5], 0, 1, 'float32', 4);
      const b3 = tf.randomNormal([3, 5, 2], 0, 1, 'float32', 5);
      const r3 = tf.randomNormal([3, 4, 2], 0, 1, 'float32', 6);
      const ours3 = tf.grads((a, b) => tf.sum(tf.mul(batchMatMul(a as tf.Tensor3D, b as tf.Tensor3D), r3)))([a3, b3]);
      const plain3 = tf.grads((a, b) => tf.sum(tf.mul(tf.matMul(a as tf.Tensor3D, b as tf.Tensor3D), r3)))([a3, b3]);
      ours3.forEach((g, i) =>
        expect(relativeError(g.dataSync(), (plain3[i] as tf.Tensor).dataSync())).toBeLessThan(1e-4),
      );
    });
  });

  it('embed (gather, scatter-add gradient) equals a one-hot matMul; crossEntropy equals logSoftmax', () => {
    tf.tidy(() => {
      const table = tf.randomNormal([7, 3], 0, 1, 'float32', 7);
      const ids = tf.tensor1d([1, 4, 1, 6, 0], 'int32');
      const r = tf.randomNormal([5, 3], 0, 1, 'float32', 8);
      const oneHot = tf.cast(tf.oneHot(ids, 7), 'float32');
      const [ours] = tf.grads((t) => tf.sum(tf.mul(embed(t as tf.Tensor2D, ids), r)))([table]);
      const [plain] = tf.grads((t) => tf.sum(tf.mul(tf.matMul(oneHot, t as tf.Tensor2D), r)))([table]);
      expect(relativeError((ours as tf.Tensor).dataSync(), (plain as tf.Tensor).dataSync())).toBeLessThan(1e-5);
      const z = tf.mul(tf.randomNormal([5, 7], 0, 1, 'float32', 9), 30); // wide logits: tiny probabilities
      const reference = (l: tf.Tensor) => tf.neg(tf.mean(tf.sum(tf.mul(tf.logSoftmax(l as tf.Tensor2D), oneHot), -1)));
      expect(crossEntropy(z as tf.Tensor2D, ids).dataSync()[0]).toBeCloseTo(reference(z).dataSync()[0] as number, 3);
      const [g1] = tf.grads((l) => crossEntropy(l as tf.Tensor2D, ids))([z]);
      const [g2] = tf.grads((l) => reference(l))([z]);
      expect(relativeError((g1 as tf.Tensor).dataSync(), (g2 as tf.Tensor).dataSync())).toBeLessThan(1e-4);
    });
  });
});

describe('tiny LM', () => {
  it('training lowers the loss and beats the unigram baseline by far', () => {
    expect(report.finalLoss).toBeLessThan(report.initialLoss - 1);
    const ppl = model.perplexity(splits.validation);
    const unigram = unigramPerplexity(splits.train, splits.validation, TINY_LM.vocabSize);
    expect(ppl).toBeLessThan(TINY_LM.vocabSize / 4);
    expect(ppl).toBeLessThan(unigram * 0.8);
  });

  it('names the prunable layers in forward order and returns weights as [dOut][dIn]', () => {
    const parts = ['q', 'k', 'v', 'o', 'up', 'down'];
    expect(model.linearNames()).toEqual([0, 1].flatMap((l) => parts.map((p) => `block${l}.${p}`)));
    const up = model.weight('block0.up');
    expect([up.dOut, up.dIn]).toEqual([TINY_LM.dFF, TINY_LM.dModel]);
    const stored = model.parameters().get('block0.up') as Float32Array; // tfjs layout [dIn][dOut]
    expect(up.data[3 * up.dIn + 5]).toBe(stored[5 * up.dOut + 3]);
    expect(() => model.weight('head')).toThrow(/not a prunable layer/);
  });

  it('perplexity: all-ones masks = dense, all-zero masks much worse, dense weights untouched', () => {
    const tokens = splits.validation;
    const before = tf.memory().numTensors;
    const dense = model.perplexity(tokens);
    const weightsBefore = model.weight('block1.down').data;
    const ones = new Map(model.linearNames().map((n) => [n, new Uint8Array(model.weight(n).data.length).fill(1)]));
    const zeros = new Map(model.linearNames().map((n) => [n, new Uint8Array(model.weight(n).data.length)]));
    expect(model.perplexity(tokens, ones)).toBeCloseTo(dense, 6);
    expect(model.perplexity(tokens, zeros)).toBeGreaterThan(dense * 1.5);
    const half = new Map([['block0.up', Uint8Array.from({ length: TINY_LM.dFF * TINY_LM.dModel }, (_, i) => i % 2)]]);
    expect(model.perplexity(tokens, half)).not.toBeCloseTo(dense, 6);
    expect(model.perplexity(tokens)).toBe(dense);
    expect(model.weight('block1.down').data).toEqual(weightsBefore);
    expect(tf.memory().numTensors).toBe(before);
    expect(() => model.perplexity(tokens, new Map([['block0.q', new Uint8Array(3)]]))).toThrow(/expected/);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('inputStats: X of block0.q equals a hand computation of LayerNorm(embedding + position)², averaged over tokens', () => {
    const { context: t, dModel: d } = TINY_LM;
    const tokens = splits.calibration.subarray(0, 3 * t + 5); // three windows; the tail is dropped
    const before = tf.memory().numTensors;
    const stats = model.inputStats(tokens);
    expect(tf.memory().numTensors).toBe(before);
    for (const name of model.linearNames()) {
      const { dIn } = model.weight(name);
      expect(stats.get(name)).toHaveLength(dIn);
      expect(stats.get(name)?.every((v) => v >= 0 && Number.isFinite(v))).toBe(true);
    }
    expect(stats.get('block0.k')).toEqual(stats.get('block0.q'));
    const p = model.parameters();
    const [embedding, positions, gain, bias] = ['embed', 'pos', 'block0.ln1.gain', 'block0.ln1.bias'].map(
      (n) => p.get(n) as Float32Array,
    ) as [Float32Array, Float32Array, Float32Array, Float32Array];
    const expected = new Float64Array(d);
    for (let i = 0; i < 3 * t; i++) {
      const x = Array.from(
        { length: d },
        (_, j) => (embedding[(tokens[i] as number) * d + j] as number) + (positions[(i % t) * d + j] as number),
      );
      const mean = x.reduce((a, b) => a + b, 0) / d;
      const variance = x.reduce((a, b) => a + (b - mean) ** 2, 0) / d;
      x.forEach((v, j) => {
        const y = ((v - mean) / Math.sqrt(variance + 1e-5)) * (gain[j] as number) + (bias[j] as number);
        expected[j] = (expected[j] as number) + (y * y) / (3 * t);
      });
    }
    expect(relativeError(stats.get('block0.q') as Float32Array, expected)).toBeLessThan(1e-4);
  });

  it('gradientStats: sqrt(Σ_windows (100·∂L_w/∂W)²) in [dOut][dIn], matching per-window backprop', () => {
    const { context: t } = TINY_LM;
    const tokens = splits.calibration.subarray(0, 3 * t);
    const before = tf.memory().numTensors;
    const stats = model.gradientStats(tokens);
    expect(tf.memory().numTensors).toBe(before);
    for (const name of model.linearNames()) {
      const g = stats.get(name) as Float32Array;
      expect(g).toHaveLength(model.weight(name).data.length);
      expect(g.every((v) => v >= 0 && Number.isFinite(v))).toBe(true);
      expect(g.some((v) => v > 0)).toBe(true);
    }
    // Independent reference: one backward pass per window, for two layers.
    const names = ['block0.v', 'block1.down'];
    const variables = model.variables();
    const index = [...model.parameters().keys()];
    const sums = names.map((n) => new Float64Array(model.weight(n).data.length));
    for (let w = 0; w < 3; w++) {
      tf.tidy(() => {
        const x = tf.tensor2d(tokens.subarray(w * t, w * t + t - 1), [1, t - 1], 'int32');
        const y = tf.tensor2d(tokens.subarray(w * t + 1, w * t + t), [1, t - 1], 'int32');
        const vars = names.map((n) => variables[index.indexOf(n)] as tf.Variable);
        const { grads } = tf.variableGrads(() => model.loss(x, y), vars);
        names.forEach((_n, k) => {
          const g = tf.transpose(grads[vars[k]!.name] as tf.Tensor2D).dataSync(); // → [dOut][dIn]
          const sum = sums[k] as Float64Array;
          g.forEach((v, i) => (sum[i] = (sum[i] as number) + (100 * v) ** 2));
        });
      });
    }
    names.forEach((n, k) =>
      expect(relativeError(stats.get(n) as Float32Array, sums[k]!.map(Math.sqrt))).toBeLessThan(1e-3),
    );
  });

  it('rejects token arrays shorter than one window', () => {
    expect(() => model.perplexity(new Int32Array(TINY_LM.context - 1))).toThrow(/at least one window/);
  });
});
