// What the machine probes (bandwidth.ts, peak.ts) share: option checks, and compiling a small C program, running it
// with OpenMP's thread count set, and reading its one JSON line.
import { compileKernel } from './compile.js';
import { runProcess, trimOutput } from './process.js';

/** `value` when it is a positive integer. @throws {RangeError} naming the probe and the option otherwise. */
export function positiveInteger(probe: string, name: string, value: number): number {
  if (!Number.isInteger(value) || value <= 0)
    throw new RangeError(`${probe}: ${name} must be a positive integer, got ${String(value)}`);
  return value;
}

export interface ProbeRun {
  /** Names the probe in errors, e.g. "bandwidth probe". */
  readonly label: string;
  readonly source: string;
  /** gcc options before -march and -fopenmp (which are added from `march` and `threads`). */
  readonly flags: readonly string[];
  readonly argv: readonly string[];
  readonly threads: number;
  readonly march?: string | undefined;
  readonly buildDir?: string | undefined;
  readonly cc?: string | undefined;
  readonly timeoutSeconds: number;
  readonly env?: Readonly<Record<string, string>>;
}

/** Compiles (cached) and runs a probe; its stdout's JSON. @throws {Error} when it does not compile, crashes or times out. */
export async function runProbe<T>(run: ProbeRun): Promise<T> {
  const march = run.march ?? 'native';
  const compiled = await compileKernel(run.source, {
    buildDir: run.buildDir ?? '.elites/kernels',
    args: [...run.flags, ...(march === 'none' ? [] : [`-march=${march}`]), ...(run.threads > 1 ? ['-fopenmp'] : [])],
    ...(run.cc ? { cc: run.cc } : {}),
  });
  const out = await runProcess(compiled.binary, [...run.argv], {
    timeoutSeconds: run.timeoutSeconds,
    env: { ...process.env, OMP_NUM_THREADS: String(run.threads), ...run.env },
  });
  if (out.code !== 0)
    throw new Error(
      `${run.label} failed (${out.timedOut ? 'timed out' : (out.signal ?? `exit ${out.code}`)}): ${trimOutput(out.stderr, 4)}`,
    );
  return JSON.parse(out.stdout.trim()) as T;
}
