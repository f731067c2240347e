// Evaluator registry: the built-in fitness functions by config `type` (STYLE.md "Extension points").
import type { BenchmarkFactory } from './benchmarks/benchmark.js';
import { binval } from './benchmarks/binval.js';
import { leadingOnes } from './benchmarks/leading-ones.js';
import { onemax } from './benchmarks/onemax.js';
import { planarArm } from './benchmarks/planar-arm.js';
import { rastrigin } from './benchmarks/rastrigin.js';
import { sphere } from './benchmarks/sphere.js';
import { kernel } from './kernel/index.js';
import { command } from './command/index.js';
import { prompt } from './prompt/index.js';
import { pruning } from './pruning/index.js';
import { sparsity } from './sparsity/index.js';
import type { Factory } from '../core/factory.js';
import type { Evaluator } from '../core/types.js';

export type { BenchmarkEvaluator, BenchmarkFactory, BenchmarkGenome } from './benchmarks/benchmark.js';
export { createBinVal, type BinValOptions } from './benchmarks/binval.js';
export { createLeadingOnes, type LeadingOnesOptions } from './benchmarks/leading-ones.js';
export { createOneMax, type OneMaxOptions } from './benchmarks/onemax.js';
export { createPlanarArm, type PlanarArmOptions } from './benchmarks/planar-arm.js';
export { createRastrigin, type RastriginOptions } from './benchmarks/rastrigin.js';
export { createSphere, type SphereOptions } from './benchmarks/sphere.js';
export {
  commandOptionsSchema,
  createCommandEvaluator,
  type CommandOptions,
  type CommandOptionsInput,
} from './command/index.js';
export {
  createKernelEvaluator,
  kernelOptionsSchema,
  type KernelEvaluator,
  type KernelGenome,
  type KernelOptions,
} from './kernel/index.js';
export { createPruningEvaluator, pruningOptionsSchema, type PruningOptions } from './pruning/index.js';
export { createPromptEvaluator, promptOptionsSchema, type PromptGenome, type PromptOptions } from './prompt/index.js';
export {
  createSparsityEvaluator,
  sparsityOptionsSchema,
  type SparsityGenome,
  type SparsityOptions,
} from './sparsity/index.js';

/** The benchmark functions over bit strings and real vectors (cheap, exact: used to check the engine). */
export const benchmarks = {
  onemax,
  'leading-ones': leadingOnes,
  binval,
  sphere,
  rastrigin,
  'planar-arm': planarArm,
} satisfies Record<string, BenchmarkFactory>;

/** Built-in evaluators by config `type`. Each entry validates its options (minus `type`) with a strict schema. */
export const evaluators = {
  ...benchmarks,
  pruning,
  sparsity,
  prompt,
  command,
  kernel,
} satisfies Record<string, Factory<void, Evaluator<never>>>;

export type EvaluatorType = keyof typeof evaluators;
