// GEMM kernel autotuning evaluator (ALGORITHMS.md §7: Kernel Tuner, OpenTuner, CLTune, ATF; FlashDecoding++ for the
// flat decode shapes). A categorical genome (cache blocks, register tile, packing, loop order, k-unroll, threads, gcc
// flags) → a generated C SGEMM program → gcc (cached by source and flags) → a benchmark process with a timeout.
// Fitness = median GFLOP/s (maximize). Fingerprint = hash of the machine code, so configurations that compile to the
// same instructions share one measurement. Noisy: repeats of a key in aggregate mode are fresh measurements.
import type { EvalContext, EvalResult, Evaluator } from '../../core/types.js';
import { codeFingerprint, compileKernel, toolchainId, type CompiledKernel } from './compile.js';
import { flagTokens, resolveKernelConfig, type KernelConfig, type KernelGenome } from './config.js';
import {
  copiesOfB,
  kernelOptionsSchema,
  resolveShape,
  type KernelOptions,
  type KernelOptionsInput,
  type ShapeInput,
} from './options.js';
import { median, runBenchmark, type BenchmarkOutput, type GemmShape } from './run.js';
import { generateKernelSource } from './source.js';

/** The evaluator; `build(genome)` compiles (or finds) a configuration's binary, for reports and tests. */
export interface KernelEvaluator extends Evaluator<KernelGenome> {
  build(genome: KernelGenome, signal?: AbortSignal): Promise<CompiledKernel>;
}

/** gcc argv for a configuration: its flags, -march from the options, -fopenmp when threads > 1. */
export function compileArgs(config: KernelConfig, march: string): string[] {
  return [
    ...flagTokens(config.flags),
    ...(march === 'none' ? [] : [`-march=${march}`]),
    ...(config.threads > 1 ? ['-fopenmp'] : []),
  ];
}

/** Builds kept per evaluator so fingerprint() and evaluate() of one proposal compile (and look up) once. */
const BUILD_MEMO = 256;

/**
 * The `kernel` evaluator.
 *
 * Result: fitness = median GFLOP/s of `repeats` timed samples (2·M·N·K flops per GEMM; maximize). Metrics:
 * gflopsMedian, gflopsMin, gflopsMax, gflopsMean, spread ((max − min)/median), samples, iterations (GEMMs per
 * sample), maxRelError, checked (entries compared with the reference), compileSeconds (0 when the binary was cached),
 * runSeconds (the whole benchmark process), threads. Descriptors per `descriptors`: tile-kc → [log2(mr·nr),
 * log2(min(kc, K))] (register-level against cache-level blocking; the naive kernel is [0, log2 K]), tile-threads →
 * [log2(mr·nr), threads]. A configuration that does not validate, does not compile, crashes, times out or computes
 * a wrong answer (error above `errorBound`) throws: the engine records a failure and the run goes on. On a fingerprint
 * hit (another configuration compiled to the same machine code) the timings are the other's measurement, and the
 * descriptors, `threads` and `compileSeconds` this configuration's own (`describe`).
 */
export function createKernelEvaluator(input: KernelOptionsInput = {}): KernelEvaluator {
  const options = kernelOptionsSchema.parse(input);
  const shape = resolveShape(options.shape);
  const builds = new Map<string, Promise<CompiledKernel>>();

  const build = (genome: KernelGenome, signal?: AbortSignal): Promise<CompiledKernel> => {
    const config = resolveKernelConfig(genome, shape);
    const id = JSON.stringify(config);
    let pending = builds.get(id);
    if (!pending) {
      pending = compileConfig(config, options, signal);
      pending.catch(() => builds.delete(id)); // an aborted compile may succeed next time
      builds.set(id, pending);
      if (builds.size > BUILD_MEMO) builds.delete(builds.keys().next().value!);
    }
    return pending;
  };

  return {
    name: 'kernel',
    version: '2', // 2: B packed row by row, software prefetch (the same genome generates other code than in 1)
    noisy: true,
    machineDependent: true, // timings
    // Fails the run at once, with gcc's message, when the compiler is missing.
    async prepare() {
      await toolchainId(options.cc, compileArgs(resolveKernelConfig({}), options.march));
    },
    async fingerprint(genome, ctx) {
      const { binary } = await build(genome, ctx.signal);
      return codeFingerprint(binary);
    },
    async evaluate(genome, ctx: EvalContext): Promise<EvalResult> {
      const config = resolveKernelConfig(genome, shape);
      const compiled = await build(genome, ctx.signal);
      const out = await runBenchmark(compiled.binary, shape, {
        repeats: options.repeats,
        warmup: options.warmup,
        minSampleMs: options.minSampleMs,
        copies: copiesOfB(shape, options.coldMiB),
        seed: Math.floor(ctx.rng() * 2 ** 32),
        timeoutSeconds: options.runTimeoutSeconds,
        signal: ctx.signal,
      });
      checkAnswer(out, options.errorBound);
      const stats = sampleStats(out.gflopsSamples);
      const result: EvalResult = {
        fitness: stats.median,
        // For runs with objectives: GFLOP/s (maximize) against the threads it takes (minimize).
        objectives: [stats.median, config.threads],
        metrics: {
          gflopsMedian: stats.median,
          gflopsMin: stats.min,
          gflopsMax: stats.max,
          gflopsMean: stats.mean,
          spread: stats.spread,
          samples: out.gflopsSamples.length,
          iterations: out.iterations,
          maxRelError: out.maxRelError,
          checked: out.checked,
          compileSeconds: compiled.seconds,
          runSeconds: out.seconds,
          threads: config.threads,
        },
      };
      const descriptors = kernelDescriptors(config, shape, options.descriptors);
      if (descriptors) result.descriptors = descriptors;
      return result;
    },
    async describe(genome, cached, ctx): Promise<EvalResult> {
      const config = resolveKernelConfig(genome, shape);
      const compiled = await build(genome, ctx.signal); // memoised: fingerprint() has just built it
      const { descriptors: _theirs, ...measured } = cached;
      const descriptors = kernelDescriptors(config, shape, options.descriptors);
      return {
        ...measured,
        metrics: { ...cached.metrics, compileSeconds: compiled.seconds, threads: config.threads },
        objectives: [cached.fitness, config.threads],
        ...(descriptors ? { descriptors } : {}),
      };
    },
    build,
  };
}

function compileConfig(config: KernelConfig, options: KernelOptions, signal?: AbortSignal): Promise<CompiledKernel> {
  const source = generateKernelSource(config, { fault: options.fault });
  return compileKernel(source, {
    buildDir: options.buildDir,
    args: compileArgs(config, options.march),
    cc: options.cc,
    timeoutSeconds: options.compileTimeoutSeconds,
    signal,
  });
}

/** @throws {Error} when the harness found a non-finite entry or an error above the bound. */
function checkAnswer(out: BenchmarkOutput, bound: number): void {
  if (out.nonfinite > 0)
    throw new Error(`wrong answer: ${out.nonfinite} of ${out.checked} checked entries of C are not finite`);
  if (!(out.maxRelError <= bound)) {
    throw new Error(
      `wrong answer: max relative error ${out.maxRelError.toExponential(3)} > bound ${bound} (${out.checked} entries checked against a double-precision reference)`,
    );
  }
}

export interface SampleStats {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly mean: number;
  /** (max − min) / median; 0 for a single sample. */
  readonly spread: number;
}

export function sampleStats(samples: readonly number[]): SampleStats {
  const m = median(samples);
  const min = Math.min(...samples);
  const max = Math.max(...samples);
  const mean = samples.reduce((a, b) => a + b, 0) / samples.length;
  return { median: m, min, max, mean, spread: m > 0 ? (max - min) / m : 0 };
}

/** The descriptors of a configuration on a shape (undefined for 'none'). */
export function kernelDescriptors(
  config: KernelConfig,
  shape: GemmShape,
  kind: KernelOptions['descriptors'],
): number[] | undefined {
  if (kind === 'none') return undefined;
  if (config.kernel === 'decode') {
    // Its own classes, so a grid archive keeps several decode kernels: floats of B per step × rows of A, C's block width.
    const tile = Math.log2(config.streams * (config.vec / 4) * Math.min(config.mc, shape.m));
    if (kind === 'tile-threads') return [tile, config.threads];
    return [tile, Math.log2(Math.min(config.nc, shape.n))];
  }
  const blocked = config.kernel === 'blocked';
  const tile = blocked ? Math.log2(config.mr * config.nr) : 0;
  if (kind === 'tile-threads') return [tile, config.threads];
  return [tile, Math.log2(blocked ? Math.min(config.kc, shape.k) : shape.k)];
}

export interface MeasureOptions extends Partial<Omit<KernelOptions, 'shape' | 'descriptors'>> {
  readonly seed?: number;
  readonly signal?: AbortSignal;
}

export interface KernelMeasurement extends SampleStats {
  readonly config: KernelConfig;
  readonly shape: GemmShape;
  readonly samples: number[];
  readonly maxRelError: number;
  readonly checked: number;
  readonly iterations: number;
  readonly binary: string;
  readonly fingerprint: string;
  readonly compileSeconds: number;
}

/**
 * Compiles (cached) and times one configuration on one shape, outside any search: for reports and baselines.
 * @throws {Error} like evaluate(): compile failure, crash, timeout or a wrong answer.
 */
export async function measureKernel(
  genome: KernelGenome,
  shapeInput: ShapeInput | GemmShape,
  input: MeasureOptions = {},
): Promise<KernelMeasurement> {
  const { seed, signal, ...rest } = input;
  const options = kernelOptionsSchema.parse(rest);
  const shape = typeof shapeInput === 'string' ? resolveShape(shapeInput) : shapeInput;
  const config = resolveKernelConfig(genome, shape);
  const compiled = await compileConfig(config, options, signal);
  const out = await runBenchmark(compiled.binary, shape, {
    repeats: options.repeats,
    warmup: options.warmup,
    minSampleMs: options.minSampleMs,
    copies: copiesOfB(shape, options.coldMiB),
    seed: seed ?? 1,
    timeoutSeconds: options.runTimeoutSeconds,
    signal,
  });
  checkAnswer(out, options.errorBound);
  return {
    ...sampleStats(out.gflopsSamples),
    config,
    shape,
    samples: out.gflopsSamples,
    maxRelError: out.maxRelError,
    checked: out.checked,
    iterations: out.iterations,
    binary: compiled.binary,
    fingerprint: await codeFingerprint(compiled.binary),
    compileSeconds: compiled.seconds,
  };
}

export {
  copiesOfB,
  kernelOptionsSchema,
  resolveShape,
  SHAPE_PRESETS,
  shapeSchema,
  type KernelOptions,
  type KernelOptionsInput,
  type ShapeInput,
  type ShapePreset,
} from './options.js';
export {
  DEFAULT_KERNEL_CONFIG,
  describeKernelConfig,
  flagTokens,
  KERNEL_CONSTRAINTS,
  KERNEL_PARAMS,
  kernelGenomeSchema,
  LOOP_ORDERS,
  NAIVE_KERNEL_CONFIG,
  resolveKernelConfig,
  type KernelConfig,
  type KernelGenome,
  type LoopOrder,
} from './config.js';
export { generateKernelSource, type KernelFault, type KernelSourceOptions } from './source.js';
export {
  codeFingerprint,
  CompileError,
  compileKernel,
  toolchainId,
  type CompiledKernel,
  type CompileOptions,
} from './compile.js';
export { median, runBenchmark, type BenchmarkOptions, type BenchmarkOutput, type GemmShape } from './run.js';
export { runProcess, type ProcessOutcome } from './process.js';
export { bandwidthProbe, type BandwidthOptions, type BandwidthResult } from './bandwidth.js';
export { measurePeakFlops, type PeakOptions, type PeakResult } from './peak.js';
