// Benchmark plumbing: the genome and factory types shared by the built-in benchmark evaluators, and their checks.
import { ConfigError } from '../../core/errors.js';
import type { Factory } from '../../core/factory.js';
import type { Evaluator } from '../../core/types.js';

/**
 * A benchmark genome: a bit string (`Uint8Array` of 0/1) or a real vector (`Float64Array`).
 * Bit-string benchmarks count any nonzero entry as a one.
 */
export type BenchmarkGenome = ArrayLike<number>;

export type BenchmarkEvaluator = Evaluator<BenchmarkGenome>;

/** The registry signature shared by every benchmark: options in, evaluator out, no dependencies. */
export type BenchmarkFactory = Factory<void, BenchmarkEvaluator>;

/**
 * Checks that a genome is long enough for an evaluator.
 * @throws {ConfigError} when `length < min` (the space and the evaluator were configured for different sizes).
 */
export function requireLength(evaluator: string, length: number, min: number, why: string): void {
  if (length < min) {
    throw new ConfigError(
      `${evaluator}: the genome has ${length} entries but needs at least ${min} (${why})`,
      [],
      `Give the space a length of at least ${min}.`,
    );
  }
}
