// The genome of the `automl` evaluator (a categorical-space record of MLP hyperparameters), its validation, its
// canonical form (what the fingerprint hashes) and what follows from it without training: parameters, descriptors.
import { z } from 'zod';
import { lazySchema } from '../../core/lazy-schema.js';
import { hashCanonical } from '../../core/hash.js';

/** Pixels of a flattened 28×28 digit. */
export const INPUTS = 784;
/** Digit classes. */
export const CLASSES = 10;

/** Hidden-layer activations (tfjs-layers names). */
export const ACTIVATIONS = ['relu', 'relu6', 'elu', 'selu', 'tanh', 'sigmoid', 'softplus', 'swish', 'linear'] as const;
export type Activation = (typeof ACTIVATIONS)[number];

/**
 * An MLP configuration as it arrives from the search. `activation` (default relu) and `dropout` (default 0) may be
 * left out of the space; the others are required; unknown keys are refused (a misspelt parameter must not be ignored).
 */
export const automlGenomeSchema = lazySchema(() =>
  z.strictObject({
    layers: z
      .int({ message: 'layers must be an integer' })
      .min(1, { message: 'layers must be at least 1' })
      .max(16, { message: 'layers must be at most 16' })
      .describe('hidden dense layers'),
    width: z
      .int({ message: 'width must be an integer' })
      .min(1, { message: 'width must be at least 1' })
      .max(4096, { message: 'width must be at most 4096' })
      .describe('units of every hidden layer'),
    activation: z
      .enum(ACTIVATIONS, { message: `activation must be one of ${ACTIVATIONS.join(', ')}` })
      .default('relu')
      .describe('activation of the hidden layers'),
    learningRate: z
      .number({ message: 'learningRate must be a number' })
      .gt(0, { message: 'learningRate must be > 0' })
      .max(1, { message: 'learningRate must be at most 1' })
      .describe("Adam's step size"),
    batchSize: z
      .int({ message: 'batchSize must be an integer' })
      .min(1, { message: 'batchSize must be at least 1' })
      .max(65_536, { message: 'batchSize must be at most 65536' })
      .describe('examples per Adam step'),
    dropout: z
      .number({ message: 'dropout must be a number' })
      .min(0, { message: 'dropout must be ≥ 0' })
      .lt(1, { message: 'dropout must be < 1' })
      .default(0)
      .describe('dropout rate after every hidden layer (0: none)'),
  }),
);
export type AutomlGenomeInput = z.input<typeof automlGenomeSchema>;

/** A validated configuration, every field present. */
export type AutomlConfig = z.infer<typeof automlGenomeSchema>;

/**
 * The configuration a genome trains, validated, defaults applied.
 * @throws {Error} naming each bad parameter (missing, wrong type, out of range, unknown).
 */
export function resolveAutomlConfig(genome: unknown): AutomlConfig {
  const parsed = automlGenomeSchema.safeParse(genome);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => (i.path.length > 0 ? `${i.path.join('.')}: ${i.message}` : i.message));
    throw new Error(`automl: invalid configuration ${JSON.stringify(genome)}: ${lines.join('; ')}`);
  }
  return parsed.data;
}

/**
 * The configuration as it is trained on `trainExamples` images: a batch size at or above the training set is one
 * full batch per epoch (the same Adam steps on the same seeded permutation), so it becomes `trainExamples`; the
 * defaults are filled in (a space without `dropout` trains as dropout 0). Two genomes with the same canonical form
 * build and train the same network, bit for bit.
 */
export function canonicalConfig(config: AutomlConfig, trainExamples: number): AutomlConfig {
  return { ...config, batchSize: Math.min(config.batchSize, trainExamples) };
}

/** Level-2 hash: the canonical configuration, hashed as stable JSON (sorted keys). */
export function configFingerprint(config: AutomlConfig, trainExamples: number): string {
  return hashCanonical(canonicalConfig(config, trainExamples));
}

/** Trainable parameters: 784 → width (× layers) → 10 dense layers, weights and biases. */
export function parameterCount(config: Pick<AutomlConfig, 'layers' | 'width'>): number {
  const { layers, width } = config;
  return INPUTS * width + width + (layers - 1) * (width * width + width) + width * CLASSES + CLASSES;
}

/** Descriptors: [log2(trainable parameters), hidden layers] (size against depth). */
export function automlDescriptors(config: AutomlConfig): number[] {
  return [Math.log2(parameterCount(config)), config.layers];
}

/**
 * Epochs trained at `fidelity`: ≤ 1 is a fraction of `maxEpochs` (round(f · maxEpochs), at least 1); > 1 is an epoch
 * count (rounded down, at most maxEpochs).
 * @throws {RangeError} when fidelity is not a positive finite number.
 */
export function epochsAt(fidelity: number, maxEpochs: number): number {
  if (!(Number.isFinite(fidelity) && fidelity > 0))
    throw new RangeError(
      `automl: fidelity ${fidelity}: expected a fraction of maxEpochs (0 < f ≤ 1) or an epoch count (> 1)`,
    );
  const epochs = fidelity <= 1 ? Math.round(fidelity * maxEpochs) : Math.floor(fidelity);
  return Math.min(maxEpochs, Math.max(1, epochs));
}
