// Training the small LM: Adam with warm-up and cosine decay on seeded random windows of the train split.
import * as tf from '@tensorflow/tfjs';
import { randomInt, SeededRng } from '../core/rng.js';
import { TransformerLm } from './model.js';
import type { LmTrainingConfig, TrainOptions } from './presets.js';

export type { LmTrainingConfig, TrainOptions } from './presets.js';

/** Reported after every step. */
export interface TrainProgress {
  readonly step: number;
  readonly steps: number;
  /** This step's mean cross-entropy (nats per token). */
  readonly loss: number;
  /** Tokens (batchSize·context per step) per wall-clock second since training started. */
  readonly tokensPerSecond: number;
  readonly seconds: number;
}

/** What a finished training run reports. */
export interface TrainReport {
  readonly steps: number;
  readonly seconds: number;
  /** Mean loss of the first and of the last 5% of steps. */
  readonly initialLoss: number;
  readonly finalLoss: number;
}

export { DEFAULT_LM, TINY_LM } from './presets.js';

// tfjs's Adam reads its learning rate at every step but keeps it protected; a subclass may set it.
class ScheduledAdam extends tf.AdamOptimizer {
  setLearningRate(rate: number): void {
    this.learningRate = rate;
  }
}

/** Learning rate at `step` (0-based): linear warm-up to the peak, then cosine decay to peak/10 at the last step. */
export function learningRateAt(
  step: number,
  options: Pick<TrainOptions, 'steps' | 'learningRate' | 'warmupSteps'>,
): number {
  const { steps, learningRate, warmupSteps } = options;
  if (step < warmupSteps) return (learningRate * (step + 1)) / warmupSteps;
  const progress = steps - warmupSteps <= 1 ? 1 : (step - warmupSteps) / (steps - warmupSteps - 1);
  return learningRate * (0.1 + 0.45 * (1 + Math.cos(Math.PI * Math.min(1, progress))));
}

/**
 * Trains a freshly initialised model on `train` (token ids) for `config.steps` steps. Batches are windows of
 * context + 1 tokens at uniformly random starts drawn from a stream seeded by `config.seed`, so the same config and
 * data give the same weights on the same backend.
 * @throws {RangeError} when the config is invalid or `train` is shorter than one window.
 */
export function trainLanguageModel(
  config: LmTrainingConfig,
  train: Int32Array,
  onProgress?: (progress: TrainProgress) => void,
): { model: TransformerLm; report: TrainReport } {
  const { steps, batchSize, context: t } = config;
  if (!Number.isInteger(steps) || steps < 1) throw new RangeError(`steps must be a positive integer, got ${steps}`);
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new RangeError(`batchSize must be a positive integer, got ${batchSize}`);
  if (train.length < t + 1) throw new RangeError(`the train split has ${train.length} tokens; a window needs ${t + 1}`);
  const model = TransformerLm.create(config);
  const rng = SeededRng.fromSeed(config.seed).fork('batches').next;
  const optimizer = new ScheduledAdam(config.learningRate, 0.9, 0.99, 1e-8);
  const losses: number[] = [];
  const started = performance.now();
  try {
    for (let step = 0; step < steps; step++) {
      const inputs = new Int32Array(batchSize * t);
      const targets = new Int32Array(batchSize * t);
      for (let w = 0; w < batchSize; w++) {
        const start = randomInt(rng, train.length - t);
        inputs.set(train.subarray(start, start + t), w * t);
        targets.set(train.subarray(start + 1, start + t + 1), w * t);
      }
      optimizer.setLearningRate(learningRateAt(step, config));
      const loss = tf.tidy(() => {
        const x = tf.tensor2d(inputs, [batchSize, t], 'int32');
        const y = tf.tensor2d(targets, [batchSize, t], 'int32');
        const cost = optimizer.minimize(() => model.loss(x, y), true, model.variables());
        return (cost as tf.Scalar).dataSync()[0] as number;
      });
      if (!Number.isFinite(loss))
        throw new Error(`training diverged at step ${step + 1} (loss ${loss}); lower learningRate`);
      losses.push(loss);
      const seconds = (performance.now() - started) / 1000;
      onProgress?.({ step: step + 1, steps, loss, tokensPerSecond: ((step + 1) * batchSize * t) / seconds, seconds });
    }
  } catch (error) {
    model.dispose();
    throw error;
  } finally {
    optimizer.dispose();
  }
  const tail = Math.max(1, Math.round(steps * 0.05));
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  return {
    model,
    report: {
      steps,
      seconds: (performance.now() - started) / 1000,
      initialLoss: mean(losses.slice(0, tail)),
      finalLoss: mean(losses.slice(-tail)),
    },
  };
}
