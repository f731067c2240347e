// Benchmark plumbing: the genome and factory types shared by the built-in benchmark evaluators, and their checks.
import { ConfigError } from '../../core/errors.js';
import type { Factory } from '../../core/factory.js';
import type { EvalContext, EvalResult, Evaluator } from '../../core/types.js';

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

/**
 * The benchmark with `evaluateBatch`: the inline executor then evaluates a batch (config `batch`) in one call instead
 * of one call per task. Each genome is evaluated as `evaluate` would, in order; a benchmark answers synchronously.
 */
export function withEvaluateBatch(evaluator: BenchmarkEvaluator): BenchmarkEvaluator {
  const evaluate = evaluator.evaluate.bind(evaluator);
  return {
    ...evaluator,
    evaluateBatch(genomes, ctxs) {
      const results = new Array<EvalResult>(genomes.length);
      for (let i = 0; i < genomes.length; i++)
        results[i] = evaluate(genomes[i] as BenchmarkGenome, ctxs[i] as EvalContext) as EvalResult;
      return results;
    },
  };
}

/** The factory of a benchmark whose evaluators have `evaluateBatch` (withEvaluateBatch). */
export function batchedFactory(factory: BenchmarkFactory): BenchmarkFactory {
  return { ...factory, create: (options, deps) => withEvaluateBatch(factory.create(options, deps)) };
}
