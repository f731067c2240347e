// Runs a compiled benchmark in its own process: argv only, a timeout and the abort signal kill its process group;
// a crash, a timeout, a non-zero exit or output that is not the harness's JSON line are thrown as errors.
import { z } from 'zod';
import { lazySchema } from '../../core/lazy-schema.js';
import { runProcess, trimOutput } from './process.js';

export interface GemmShape {
  readonly m: number;
  readonly n: number;
  readonly k: number;
}

export interface BenchmarkOptions {
  readonly repeats: number;
  readonly warmup: number;
  /** Seed of the LCG that fills A and B. */
  readonly seed?: number;
  /** Each timed sample repeats the GEMM until it lasts this long (0: one GEMM per sample). */
  readonly minSampleMs?: number;
  /** B is held in this many copies, used in turn (see the `coldMiB` option). Default 1. */
  readonly copies?: number;
  readonly timeoutSeconds: number;
  readonly signal?: AbortSignal | undefined;
}

/** What the harness reports. */
export interface BenchmarkOutput {
  /** GFLOP/s of each timed sample (2·M·N·K flops per GEMM). */
  readonly gflopsSamples: number[];
  /** Largest |C − ref| / Σ|A·B| over the checked entries (1e300 when one is not finite). */
  readonly maxRelError: number;
  readonly checked: number;
  readonly nonfinite: number;
  /** GEMMs per timed sample. */
  readonly iterations: number;
  /** Wall time of the whole process (allocation, warm-up, samples, check). */
  readonly seconds: number;
}

const outputSchema = lazySchema(() =>
  z.object({
    gflops_samples: z.array(z.number()).min(1),
    max_rel_error: z.number(),
    checked: z.number(),
    nonfinite: z.number(),
    iterations: z.number(),
  }),
);

/** @throws {Error} naming the signal on a crash, the limit on a timeout, the exit code, or the bad output. */
export async function runBenchmark(
  binary: string,
  shape: GemmShape,
  options: BenchmarkOptions,
): Promise<BenchmarkOutput> {
  // The harness also sets an alarm a little past the timeout: it dies even if this process is gone before its timer fires.
  const alarm = Math.ceil(options.timeoutSeconds) + 2;
  const args = [
    shape.m,
    shape.n,
    shape.k,
    options.repeats,
    options.warmup,
    options.seed ?? 1,
    options.minSampleMs ?? 0,
    alarm,
    options.copies ?? 1,
  ].map(String);
  const out = await runProcess(binary, args, {
    timeoutSeconds: options.timeoutSeconds,
    signal: options.signal,
    maxOutput: 1 << 16,
  });
  const what = `benchmark ${shape.m}x${shape.n}x${shape.k}`;
  if (out.timedOut || out.signal === 'SIGALRM')
    throw new Error(`${what} timed out after ${options.timeoutSeconds} s (process killed)`);
  if (out.aborted) throw new Error(`${what} aborted (process killed)`);
  if (out.signal)
    throw new Error(
      `${what} crashed: killed by signal ${out.signal}${out.stderr.trim() ? `: ${trimOutput(out.stderr, 4)}` : ''}`,
    );
  if (out.code !== 0)
    throw new Error(`${what} exited with code ${out.code}: ${trimOutput(out.stderr, 4) || 'no message'}`);
  const line = out.stdout.trim().split('\n').pop() ?? '';
  let parsed: z.infer<typeof outputSchema>;
  try {
    parsed = outputSchema.parse(JSON.parse(line));
  } catch {
    throw new Error(
      `${what} printed no result line (expected one JSON object, got ${JSON.stringify(line.slice(0, 200))})`,
    );
  }
  return {
    gflopsSamples: parsed.gflops_samples,
    maxRelError: parsed.max_rel_error,
    checked: parsed.checked,
    nonfinite: parsed.nonfinite,
    iterations: parsed.iterations,
    seconds: out.seconds,
  };
}

/** Median of a non-empty list. */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}
