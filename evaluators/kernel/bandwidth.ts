// A tiny read-bandwidth probe (a STREAM-like sum over a large array), for the roofline of memory-bound shapes: at
// M = 1 (decode) the GEMM reads all of B once per 2·K·N flops, so GFLOP/s ≤ 0.5 flop/byte × GB/s.
import { compileKernel } from './compile.js';
import { runProcess, trimOutput } from './process.js';
import { median } from './run.js';

export interface BandwidthOptions {
  /** Array size; well above the last-level cache for a DRAM figure. Default 256. */
  readonly megabytes?: number;
  /** Timed passes; the result is their median. Default 5. */
  readonly repeats?: number;
  readonly threads?: number;
  /** Sequential streams read at once (1: one pass front to back; 8: like a GEMV over 8 rows of B). Default 1. */
  readonly streams?: number;
  readonly buildDir?: string;
  readonly cc?: string;
  readonly march?: string;
  readonly timeoutSeconds?: number;
}

export interface BandwidthResult {
  /** Median GB/s (10^9 bytes read per second) over the passes. */
  readonly gbps: number;
  readonly samples: number[];
  readonly bytes: number;
}

const SOURCE = `/* elites evaluators/kernel: read-bandwidth probe. argv: floats repeats streams; prints {"gbps_samples":[...]}.
   The array is read as \`streams\` equal segments advanced together, 128 bytes from each in turn (as a GEMV reads the
   rows of B); each thread takes the same share of every segment. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
typedef float vf __attribute__((vector_size(32)));
static double now_seconds(void) { struct timespec ts; clock_gettime(CLOCK_MONOTONIC, &ts); return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec; }
int main(int argc, char **argv) {
  if (argc < 4) return 2;
  long streams = atol(argv[3]); int repeats = atoi(argv[2]);
  if (streams <= 0 || repeats <= 0) return 2;
  long n = atol(argv[1]) / (32 * streams) * (32 * streams), seg = n / streams;
  if (n <= 0) return 2;
  float *x = aligned_alloc(64, (size_t)n * sizeof(float));
  if (!x) { fprintf(stderr, "out of memory\\n"); return 3; }
  for (long i = 0; i < n; i++) x[i] = (float)(i & 1023) * 1e-3f;
  volatile float sink = 0.0f;
  printf("{\\"gbps_samples\\":[");
  for (int r = -1; r < repeats; r++) { /* pass -1 warms up (page faults) */
    double t0 = now_seconds();
    vf s0 = {0}, s1 = {0}, s2 = {0}, s3 = {0};
#ifdef _OPENMP
#pragma omp declare reduction(vadd : vf : omp_out += omp_in) initializer(omp_priv = (vf){0})
#pragma omp parallel for reduction(vadd : s0, s1, s2, s3) schedule(static)
#endif
    for (long i = 0; i < seg; i += 32)
      for (long s = 0; s < streams; s++) {
        const float *p = x + s * seg + i;
        s0 += *(const vf *)(p); s1 += *(const vf *)(p + 8); s2 += *(const vf *)(p + 16); s3 += *(const vf *)(p + 24);
      }
    double t = now_seconds() - t0;
    vf s = s0 + s1 + s2 + s3;
    sink += s[0] + s[7];
    if (r >= 0) printf("%s%.6g", r ? "," : "", (double)n * sizeof(float) / t * 1e-9);
  }
  printf("]}\\n");
  free(x);
  return 0;
}
`;

/**
 * Median read bandwidth in GB/s of summing a `megabytes` array (`threads` > 1 uses OpenMP) as `streams` streams.
 * @throws {Error} when the probe does not compile, crashes or times out.
 */
export async function bandwidthProbe(options: BandwidthOptions = {}): Promise<BandwidthResult> {
  const megabytes = options.megabytes ?? 256;
  const repeats = options.repeats ?? 5;
  const threads = options.threads ?? 1;
  const streams = options.streams ?? 1;
  const march = options.march ?? 'native';
  const args = ['-O2', ...(march === 'none' ? [] : [`-march=${march}`]), ...(threads > 1 ? ['-fopenmp'] : [])];
  const compiled = await compileKernel(SOURCE, {
    buildDir: options.buildDir ?? '.elites/kernels',
    args,
    ...(options.cc ? { cc: options.cc } : {}),
  });
  const floats = Math.max(32, Math.floor((megabytes * 2 ** 20) / 4));
  const out = await runProcess(compiled.binary, [String(floats), String(repeats), String(streams)], {
    timeoutSeconds: options.timeoutSeconds ?? 60,
    env: { ...process.env, OMP_NUM_THREADS: String(threads) },
  });
  if (out.code !== 0)
    throw new Error(
      `bandwidth probe failed (${out.timedOut ? 'timed out' : (out.signal ?? `exit ${out.code}`)}): ${trimOutput(out.stderr, 4)}`,
    );
  const samples = (JSON.parse(out.stdout.trim()) as { gbps_samples: number[] }).gbps_samples;
  return { gbps: median(samples), samples, bytes: Math.floor(floats / (32 * streams)) * 32 * streams * 4 };
}
