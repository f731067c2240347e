// Training one MLP configuration on the MNIST subsets with tfjs: the per-worker state (backend, data tensors) and the
// seeded training loop. Imported lazily: it loads tfjs.
import * as tf from '@tensorflow/tfjs';
import { hashString } from '../../core/hash.js';
import { rngFromSeed } from '../../core/rng.js';
import { initBackend, type BackendName } from '../../lm/backend.js';
import { mnistSplits, shuffleInPlace, type DigitSet, type SplitSizes } from './data.js';
import { MlpDense, SeededDropout } from './layers.js';
import { CLASSES, INPUTS, type AutomlConfig } from './genome.js';

/** Images per forward pass when scoring a split (bounds the activations held at once). */
const SCORE_CHUNK = 2048;

/** What the training loop tells the engine, and asks it, after every epoch. */
export interface TrainHooks {
  readonly signal: AbortSignal;
  /** Called once per epoch with (epoch, validation accuracy after it), epochs counted from 1. */
  report?(step: number, value: number): void;
  /** Asked after every epoch's report: true stops the training there. */
  shouldStop?(): boolean;
}

export interface TrainOutcome {
  /** Validation accuracy after the last epoch trained. */
  readonly valAccuracy: number;
  readonly valLoss: number;
  /** Mean training loss over the last epoch's batches (with dropout active). */
  readonly trainLoss: number;
  /** Best validation accuracy over the epochs, and the epoch (from 1) that reached it first. */
  readonly bestValAccuracy: number;
  readonly bestEpoch: number;
  /** Accuracy on the held-out test images with the final weights; undefined without test images. */
  readonly testAccuracy: number | undefined;
  readonly epochs: number;
  /** The epochs asked for; more than `epochs` when shouldStop() or the signal ended the training early. */
  readonly plannedEpochs: number;
  /** Wall time of the training loop, the per-epoch validation included, in seconds. */
  readonly trainSeconds: number;
}

interface Split {
  readonly x: tf.Tensor2D;
  readonly labels: Int32Array;
  readonly count: number;
}

/** A 32-bit integer seed from a string (tfjs initializers take numbers). */
function seedInt(label: string): number {
  return Number.parseInt(hashString(label).slice(0, 8), 16);
}

/** Yields to the event loop (a macrotask), so an abort or a pruning decision sent to this thread can arrive. */
const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** The per-worker state: the backend started and the three splits as tensors, kept for the worker's life. */
export class AutomlRuntime {
  private constructor(
    readonly backend: string,
    private readonly trainX: tf.Tensor2D,
    private readonly trainY: tf.Tensor2D,
    private readonly validation: Split,
    private readonly test: Split | undefined,
  ) {}

  /** Starts the backend (wasm by default; see lm/backend.ts) and uploads the seeded MNIST subsets. */
  static async load(sizes: SplitSizes, backend: BackendName): Promise<AutomlRuntime> {
    const actual = await initBackend(backend);
    const splits = mnistSplits(sizes);
    const asSplit = (set: DigitSet): Split => ({
      x: tf.tensor2d(set.images, [set.count, INPUTS]),
      labels: set.labels,
      count: set.count,
    });
    const trainX = tf.tensor2d(splits.train.images, [splits.train.count, INPUTS]);
    const trainY = tf.tidy(
      () => tf.oneHot(tf.tensor1d(splits.train.labels, 'int32'), CLASSES).toFloat() as tf.Tensor2D,
    );
    return new AutomlRuntime(
      actual,
      trainX,
      trainY,
      asSplit(splits.validation),
      splits.test.count > 0 ? asSplit(splits.test) : undefined,
    );
  }

  get trainExamples(): number {
    return this.trainX.shape[0];
  }

  /**
   * Trains `config` for up to `epochs` epochs from `seed` (weights: Glorot-uniform per layer from `${seed}/init/i`;
   * the order of the training images: one alea stream from `${seed}/shuffle`, reshuffled every epoch; dropout masks:
   * `${seed}/dropout/i/n`), reporting the validation accuracy after every epoch. Stops after an epoch when
   * `hooks.shouldStop()` says so or the signal is aborted, and returns what it has.
   * @throws {Error} when the signal is aborted in the middle of an epoch (checked before every batch).
   */
  async train(config: AutomlConfig, epochs: number, seed: string, hooks: TrainHooks): Promise<TrainOutcome> {
    const started = performance.now();
    const model = buildModel(config, seed);
    const optimizer = tf.train.adam(config.learningRate);
    try {
      model.compile({ optimizer, loss: 'categoricalCrossentropy' });
      const n = this.trainExamples;
      const batchSize = Math.min(config.batchSize, n);
      const order = Int32Array.from({ length: n }, (_, i) => i);
      const shuffle = rngFromSeed(`${seed}/shuffle`);
      let valAccuracy = 0;
      let valLoss = Number.NaN;
      let trainLoss = Number.NaN;
      let best = -1;
      let bestEpoch = 0;
      let done = 0;
      while (done < epochs) {
        shuffleInPlace(order, shuffle);
        let lossSum = 0;
        let batches = 0;
        for (let start = 0; start < n; start += batchSize) {
          await yieldToEventLoop();
          // Mid-epoch aborts are timeouts or the run stopping (pruning decisions come between epochs).
          if (hooks.signal.aborted)
            throw new Error(`automl: evaluation stopped (signal aborted) during epoch ${done + 1} of ${epochs}`);
          const indices = tf.tensor1d(order.subarray(start, Math.min(n, start + batchSize)), 'int32');
          const xb = tf.gather(this.trainX, indices);
          const yb = tf.gather(this.trainY, indices);
          try {
            const loss = await model.trainOnBatch(xb, yb);
            lossSum += typeof loss === 'number' ? loss : loss[0]!;
            batches++;
          } finally {
            tf.dispose([indices, xb, yb]);
          }
        }
        done++;
        trainLoss = lossSum / batches;
        ({ accuracy: valAccuracy, loss: valLoss } = score(model, this.validation));
        if (valAccuracy > best) {
          best = valAccuracy;
          bestEpoch = done;
        }
        hooks.report?.(done, valAccuracy);
        if (done < epochs) {
          await yieldToEventLoop(); // a decision about this report may be on its way
          if (hooks.signal.aborted || hooks.shouldStop?.() === true) break;
        }
      }
      const trainSeconds = (performance.now() - started) / 1000;
      const testAccuracy = this.test ? score(model, this.test).accuracy : undefined;
      return {
        valAccuracy,
        valLoss,
        trainLoss,
        bestValAccuracy: best,
        bestEpoch,
        testAccuracy,
        epochs: done,
        plannedEpochs: epochs,
        trainSeconds,
      };
    } finally {
      model.dispose();
      optimizer.dispose();
    }
  }

  /** Frees the data tensors (tests; a worker keeps them for its life). */
  dispose(): void {
    tf.dispose([this.trainX, this.trainY, this.validation.x, ...(this.test ? [this.test.x] : [])]);
  }
}

/**
 * 784 → (dense width, activation[, seeded dropout]) × layers → dense 10 softmax; Glorot-uniform kernels seeded from
 * `${seed}/init/i`, zero biases. The dense layers are {@link MlpDense}: tf.layers.dense's maths with a faster gradient.
 */
export function buildModel(config: AutomlConfig, seed: string): tf.Sequential {
  const model = tf.sequential();
  for (let i = 0; i < config.layers; i++) {
    model.add(
      new MlpDense({
        ...(i === 0 ? { inputShape: [INPUTS] } : {}),
        units: config.width,
        activation: config.activation,
        seed: seedInt(`${seed}/init/${i}`),
      }),
    );
    if (config.dropout > 0) model.add(new SeededDropout(config.dropout, `${seed}/dropout/${i}`));
  }
  model.add(new MlpDense({ units: CLASSES, activation: 'softmax', seed: seedInt(`${seed}/init/${config.layers}`) }));
  return model;
}

/** Accuracy and mean cross-entropy of `model` on a split, in chunks. */
function score(model: tf.LayersModel, split: Split): { accuracy: number; loss: number } {
  let correct = 0;
  let lossSum = 0;
  for (let start = 0; start < split.count; start += SCORE_CHUNK) {
    const size = Math.min(SCORE_CHUNK, split.count - start);
    const labels = split.labels.subarray(start, start + size);
    let predicted: ArrayLike<number> = [];
    let logLikelihood = 0;
    tf.tidy(() => {
      const x = split.x.slice([start, 0], [size, INPUTS]);
      const p = model.predict(x, { batchSize: size }) as tf.Tensor2D;
      const own = tf.sum(tf.mul(tf.oneHot(tf.tensor1d(labels, 'int32'), CLASSES), tf.log(tf.maximum(p, 1e-7))));
      predicted = p.argMax(1).dataSync();
      logLikelihood = own.dataSync()[0]!;
    });
    for (let i = 0; i < size; i++) if (predicted[i] === labels[i]) correct++;
    lossSum -= logLikelihood;
  }
  return { accuracy: correct / split.count, loss: lossSum / split.count };
}
