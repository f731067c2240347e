// A register-only FMA-throughput probe: the compute ceiling of the roofline (peak single-precision GFLOP/s of one core
// or of all cores), next to bandwidth.ts's memory ceiling. No loads or stores in the timed loop, so the figure is what
// the FMA pipes deliver, whatever the caches and memory do.
import { availableParallelism } from 'node:os';
import { positiveInteger, runProbe } from './probe.js';
import { median } from './run.js';

export interface PeakOptions {
  /** OpenMP threads, one accumulator set each. Default: node:os availableParallelism() (all cores). */
  readonly threads?: number;
  /** Timed samples; the result is their median. Default 5. */
  readonly repeats?: number;
  readonly buildDir?: string;
  readonly cc?: string;
  /** gcc -march (default 'native'; 'none' passes none). It decides the vector width. */
  readonly march?: string;
  readonly timeoutSeconds?: number;
  /** Least wall time of one sample, in ms (the iteration count is calibrated to it before timing). Default 50. */
  readonly minSampleMs?: number;
}

export interface PeakResult {
  /** Median GFLOP/s (10^9 single-precision flops per second, an FMA counting 2) over the samples, all threads. */
  readonly gflops: number;
  readonly samples: number[];
  /** Threads that ran (as OpenMP reported them). */
  readonly threads: number;
  /** Bytes of one vector: 64 with AVX-512, 32 with AVX, else 16. */
  readonly vectorBytes: number;
}

// Vector width and chain count are chosen by the preprocessor from what -march enables, so the binary uses the widest
// vectors gcc targets. FMA latency is ~4 cycles on recent x86 with two FMA pipes, so at least 8 independent chains
// are needed to keep both busy; 16 zmm chains (of 32 registers) or 12 ymm/xmm chains (of 16, leaving room for x and
// y) give margin without spilling. x and y come from a volatile so nothing folds, and the sum of the accumulators
// goes to a volatile sink so the loop is not removed. Checked with gcc -S: the inner loop is 16 (AVX-512) or 12
// (AVX2) vfmadd132ps on registers, no memory operands.
// Measured on a 2-core Zen 5 VM: ~216 GFLOP/s on one core (64 flops a cycle: two 512-bit FMA pipes), ~434 on two.
const SOURCE = `/* elites evaluators/kernel: FMA-throughput probe. argv: repeats min_sample_ms.
   Prints {"gflops_samples":[...],"vector_bytes":...,"chains":...,"threads":...,"iterations":...}. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#ifdef _OPENMP
#include <omp.h>
#endif
#if defined(__AVX512F__)
#define VB 64
#define CHAINS 16
#elif defined(__AVX__)
#define VB 32
#define CHAINS 12
#else
#define VB 16
#define CHAINS 12
#endif
typedef float vf __attribute__((vector_size(VB)));
enum { LANES = VB / (int)sizeof(float) };
static double now_seconds(void) { struct timespec ts; clock_gettime(CLOCK_MONOTONIC, &ts); return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec; }
static volatile float seed_x = 0.999999f, seed_y = 1e-6f; /* acc converges to y / (1 - x) = 1: no overflow, no denormals */
/* noinline: one copy of the loop, the same for every thread, easy to find in gcc -S. */
__attribute__((noinline)) static float chains(long iterations) {
  vf acc[CHAINS], x = (vf){0} + seed_x, y = (vf){0} + seed_y;
#pragma GCC unroll 16
  for (int c = 0; c < CHAINS; c++) acc[c] = (vf){0} + (float)c;
  for (long i = 0; i < iterations; i++) {
#pragma GCC unroll 16
    for (int c = 0; c < CHAINS; c++) acc[c] = acc[c] * x + y; /* contracted to one FMA per chain */
  }
  vf s = (vf){0};
#pragma GCC unroll 16
  for (int c = 0; c < CHAINS; c++) s += acc[c];
  float t = 0.0f;
  for (int l = 0; l < LANES; l++) t += s[l];
  return t;
}
int main(int argc, char **argv) {
  if (argc < 3) return 2;
  int repeats = atoi(argv[1]);
  double min_ms = atof(argv[2]);
  if (repeats <= 0 || !(min_ms > 0)) return 2;
  int threads = 1;
  long iterations = 1024;
  volatile float sink = 0.0f;
  /* Calibrated on this thread alone: timing the parallel region would count thread start-up and, on a loaded
     machine, wake-up delays as work and stop the calibration too early. Aims 20% over min_ms. */
  for (;;) {
    double t0 = now_seconds();
    sink += chains(iterations);
    double t = now_seconds() - t0;
    if (t * 1e3 >= min_ms) break;
    double grow = t > 0 ? 1.2 * min_ms / (t * 1e3) : 1000.0;
    iterations = (long)((double)iterations * (grow < 1000.0 ? grow : 1000.0)); /* a tiny t is mostly noise */
  }
  printf("{\\"gflops_samples\\":[");
  for (int r = -1; r < repeats; r++) { /* pass -1 starts the threads and warms the other cores up */
    double t0 = now_seconds();
    float part = 0.0f;
#ifdef _OPENMP
#pragma omp parallel reduction(+ : part)
    {
#pragma omp master
      threads = omp_get_num_threads();
      part += chains(iterations);
    }
#else
    part = chains(iterations);
#endif
    double t = now_seconds() - t0;
    sink += part;
    if (r >= 0) printf("%s%.6g", r ? "," : "", 2.0 * CHAINS * LANES * (double)iterations * threads / t * 1e-9);
  }
  printf("],\\"vector_bytes\\":%d,\\"chains\\":%d,\\"threads\\":%d,\\"iterations\\":%ld}\\n", VB, CHAINS, threads, iterations);
  return 0;
}
`;

/**
 * Median peak single-precision GFLOP/s of `threads` cores running independent FMA chains on registers.
 * @throws {RangeError} for a threads, repeats or minSampleMs that is not positive.
 * @throws {Error} when the probe does not compile, crashes, times out or runs another number of threads.
 */
export async function measurePeakFlops(options: PeakOptions = {}): Promise<PeakResult> {
  const threads = positiveInteger('measurePeakFlops', 'threads', options.threads ?? availableParallelism());
  const repeats = positiveInteger('measurePeakFlops', 'repeats', options.repeats ?? 5);
  const minSampleMs = options.minSampleMs ?? 50;
  if (!(Number.isFinite(minSampleMs) && minSampleMs > 0))
    throw new RangeError(`measurePeakFlops: minSampleMs must be a positive number, got ${String(minSampleMs)}`);
  const parsed = await runProbe<{ gflops_samples: number[]; vector_bytes: number; threads: number }>({
    label: 'peak-flops probe',
    source: SOURCE,
    flags: ['-O2', '-ffp-contract=fast'], // gcc's default for GNU C, spelled out: the multiply-add must become one FMA
    argv: [String(repeats), String(minSampleMs)],
    threads,
    march: options.march,
    buildDir: options.buildDir,
    cc: options.cc,
    // calibration + samples, each ~1.2 × minSampleMs on an idle machine; the default leaves room for a loaded one
    timeoutSeconds: options.timeoutSeconds ?? 30 + ((repeats + 2) * 4 * minSampleMs) / 1000,
    env: { OMP_DYNAMIC: 'false' },
  });
  if (parsed.threads !== threads)
    throw new Error(`peak-flops probe ran ${parsed.threads} threads, not the ${threads} asked for`);
  const samples = parsed.gflops_samples;
  return { gflops: median(samples), samples, threads: parsed.threads, vectorBytes: parsed.vector_bytes };
}
