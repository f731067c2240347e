// Calibration on the real tiny LM (wasm): dense inputs match inputStats, and sequential calibration gives each layer
// exactly the inputs it has in the model whose earlier layers carry the weights returned so far.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TransformerLm, type LayerInputs } from '../../lm/model.js';
import { pruneMask } from '../../evaluators/pruning/masks.js';
import { relativeError } from '../helpers/numbers.js';
import { loadTinyModel } from '../helpers/tiny-lm.js';

let model: TransformerLm;
let calibration: Int32Array;

beforeAll(async () => {
  ({ model, calibration } = await loadTinyModel(48));
});
afterAll(() => model?.dispose());

/** Magnitude at 50% per layer: the weights with the lowest half of |w| zeroed. */
function magnitudeHalf(name: string): Float32Array {
  const w = model.weight(name);
  const mask = pruneMask(
    { dOut: w.dOut, dIn: w.dIn, data: Float64Array.from(w.data, Math.abs) },
    { kind: 'layer' },
    0.5,
  );
  return w.data.map((v, i) => (mask[i] ? v : 0));
}

/** The tiny model with some prunable layers' weights ([dOut][dIn]) replaced; the caller disposes it. */
function withWeights(weights: ReadonlyMap<string, Float32Array>): TransformerLm {
  const values = model.parameters();
  for (const [name, data] of weights) {
    const { dOut, dIn } = model.weight(name);
    const layout = new Float32Array(data.length); // tfjs layout [dIn][dOut]
    for (let o = 0; o < dOut; o++) for (let i = 0; i < dIn; i++) layout[i * dOut + o] = data[o * dIn + i] as number;
    values.set(name, layout);
  }
  return TransformerLm.fromParameters(model.config, values);
}

describe('calibrate', () => {
  it('dense: every layer sees the dense model’s inputs (inputStats’ X), with x·xᵀ whose diagonal is X', () => {
    const before = tf.memory().numTensors;
    const dense = model.inputStats(calibration);
    const seen: string[] = [];
    const returned = model.calibrate(
      calibration,
      (name, inputs) => {
        seen.push(name);
        const x = inputs.meanSquares();
        expect(inputs.positions).toBe(calibration.length);
        expect(relativeError(x, dense.get(name)!)).toBeLessThan(1e-5);
        if (name.endsWith('.q') || name.endsWith('.down')) {
          const moment = inputs.secondMoment();
          const d = x.length;
          expect(
            relativeError(
              Array.from({ length: d }, (_, i) => moment[i * d + i]!),
              x,
            ),
          ).toBeLessThan(1e-4);
          for (let i = 0; i < d; i++) for (let j = 0; j < i; j++) expect(moment[i * d + j]).toBe(moment[j * d + i]);
        }
        return magnitudeHalf(name); // dense mode: returned but not used downstream
      },
      'dense',
    );
    expect(seen).toEqual(model.linearNames());
    expect([...returned.keys()]).toEqual(model.linearNames());
    expect(returned.get('block1.up')).toEqual(magnitudeHalf('block1.up'));
    expect(tf.memory().numTensors).toBe(before);
  });

  it('sequential: each layer’s inputs are those of the model carrying the weights returned for the earlier layers', () => {
    const before = tf.memory().numTensors;
    const dense = model.inputStats(calibration);
    const sequentialX = new Map<string, Float32Array>();
    const returned = model.calibrate(
      calibration,
      (name, inputs: LayerInputs) => {
        sequentialX.set(name, inputs.meanSquares().slice());
        return magnitudeHalf(name);
      },
      'sequential',
    );
    expect(tf.memory().numTensors).toBe(before);
    // A layer's inputs depend only on earlier layers, so one model with every returned weight reproduces all of them.
    const pruned = withWeights(returned);
    try {
      const reference = pruned.inputStats(calibration);
      for (const name of model.linearNames())
        expect(relativeError(sequentialX.get(name)!, reference.get(name)!), name).toBeLessThan(1e-4);
    } finally {
      pruned.dispose();
    }
    // q, k, v of block 0 read the embeddings only; everything after them sees the pruned prefix.
    for (const name of ['block0.q', 'block0.k', 'block0.v'])
      expect(relativeError(sequentialX.get(name)!, dense.get(name)!)).toBeLessThan(1e-5);
    for (const name of ['block0.o', 'block0.up', 'block0.down', 'block1.q', 'block1.down'])
      expect(relativeError(sequentialX.get(name)!, dense.get(name)!), name).toBeGreaterThan(1e-3);
  });

  it('sequential with the dense weights returned is dense calibration', () => {
    const dense = new Map<string, Float32Array>();
    model.calibrate(
      calibration,
      (name, inputs) => {
        dense.set(name, inputs.meanSquares().slice());
        return model.weight(name).data;
      },
      'dense',
    );
    model.calibrate(
      calibration,
      (name, inputs) => {
        expect(relativeError(inputs.meanSquares(), dense.get(name)!)).toBeLessThan(1e-5);
        return model.weight(name).data;
      },
      'sequential',
    );
  });
});
