// The built-in evaluators: the registry (by config `type`) and each evaluator's own factory function, for library use.

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

export { benchmarks, evaluators, type EvaluatorType } from './registry.js';
