// A tiny read-bandwidth probe (a STREAM-like sum over a large array), for the roofline of memory-bound shapes: at
// M = 1 (decode) the GEMM reads all of B once per 2·K·N flops, so GFLOP/s ≤ 0.5 flop/byte × GB/s.
import { positiveInteger, runProbe } from './probe.js';
import { median } from './run.js';

export interface BandwidthOptions {
  /** Array size; well above the last-level cache for a DRAM figure. Default 256. */
  readonly megabytes?: number;
  /** Timed passes; the result is their median. Default 5. */
  readonly repeats?: number;
  readonly threads?: number;
  /** Sequential streams read at once (1: one pass front to back; 8: like a GEMV over 8 rows of B). Default 1. */
  readonly streams?: number;
  /** Ask for transparent huge pages (madvise), as numpy does for its large arrays. Default true. */
  readonly hugePages?: boolean;
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

/** Floats read from one stream before the next: 512 bytes, 8 cache lines. */
const BLOCK = 128;

// Why it is written this way (measured on a 2-core Zen 5 VM at low load, old loop against changed loop, interleaved
// rounds, median GB/s):
// - page-aligned array. malloc put the old one 64 bytes into a page, and with 8 streams that cost ~20%: 31.8 → 38.8
//   on one thread, 62 → 71 on two (one stream: no difference). This was why the probe (~60 GB/s at best) could fall
//   near numpy's sgemv (~50 GB/s read) and, on a loaded machine, below it;
// - MADV_HUGEPAGE, as numpy does for its large arrays: 38 → 41 on one thread, no measurable change on two;
// - the widest vector -march allows, 8 accumulators and 512 bytes (8 lines) per stream per turn, so neither the adds
//   nor the loop limit the loads: no measurable change here, kept so a faster memory system is not under-read;
// - first touch by the threads that read (same split), so on a NUMA machine each thread reads local pages.
// Software prefetch (prefetcht0/nta 1-8 KiB ahead) was tried and gained nothing over the hardware prefetchers.
const SOURCE = `/* elites evaluators/kernel: read-bandwidth probe. argv: floats repeats streams huge_pages;
   prints {"gbps_samples":[...],"bytes":...}. The array is read as \`streams\` equal segments advanced together,
   ${BLOCK * 4} bytes from each in turn (as a GEMV reads the rows of B); each thread takes the same share of every segment. */
#define _DEFAULT_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <sys/mman.h>
#if defined(__AVX512F__)
#define VB 64
#elif defined(__AVX__)
#define VB 32
#else
#define VB 16
#endif
#define BLOCK ${BLOCK}
typedef float vf __attribute__((vector_size(VB)));
enum { LANES = VB / (int)sizeof(float), PER = BLOCK / LANES, ACC = 8 };
static double now_seconds(void) { struct timespec ts; clock_gettime(CLOCK_MONOTONIC, &ts); return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec; }
int main(int argc, char **argv) {
  if (argc < 5) return 2;
  long streams = atol(argv[3]); int repeats = atoi(argv[2]), huge = atoi(argv[4]);
  if (streams <= 0 || repeats <= 0) return 2;
  long n = atol(argv[1]) / (BLOCK * streams) * (BLOCK * streams), seg = n / streams, blocks = seg / BLOCK;
  if (n <= 0) return 2;
  size_t bytes = (size_t)n * sizeof(float), align = (size_t)1 << 21;
  float *x = aligned_alloc(align, (bytes + align - 1) / align * align); /* page and huge-page aligned */
  if (!x) { fprintf(stderr, "out of memory\\n"); return 3; }
#ifdef MADV_HUGEPAGE
  if (huge) madvise(x, bytes, MADV_HUGEPAGE); /* advice only: ignored where THP is off */
#endif
#ifdef _OPENMP
#pragma omp parallel for schedule(static)
#endif
  for (long b = 0; b < blocks; b++)
    for (long s = 0; s < streams; s++)
      for (long i = 0; i < BLOCK; i++) x[s * seg + b * BLOCK + i] = (float)((b + i) & 1023) * 1e-3f;
  volatile float sink = 0.0f;
  printf("{\\"gbps_samples\\":[");
  for (int r = -1; r < repeats; r++) { /* pass -1 warms up (threads, TLB) */
    float total = 0.0f;
    double t0 = now_seconds();
#ifdef _OPENMP
#pragma omp parallel reduction(+ : total)
#endif
    {
      vf acc[ACC];
      for (int a = 0; a < ACC; a++) acc[a] = (vf){0};
#ifdef _OPENMP
#pragma omp for schedule(static) nowait
#endif
      for (long b = 0; b < blocks; b++)
        for (long s = 0; s < streams; s++) {
          const vf *p = (const vf *)(x + s * seg + b * BLOCK);
#pragma GCC unroll 32
          for (int v = 0; v < PER; v++) acc[v % ACC] += p[v];
        }
      for (int a = 1; a < ACC; a++) acc[0] += acc[a];
      for (int l = 0; l < LANES; l++) total += acc[0][l];
    }
    double t = now_seconds() - t0;
    sink += total;
    if (r >= 0) printf("%s%.6g", r ? "," : "", (double)bytes / t * 1e-9);
  }
  printf("],\\"bytes\\":%zu}\\n", bytes);
  free(x);
  return 0;
}
`;

/**
 * Median read bandwidth in GB/s of summing a `megabytes` array (`threads` > 1 uses OpenMP) as `streams` streams.
 * @throws {RangeError} for a repeats, threads or streams that is not a positive integer, or megabytes not positive.
 * @throws {Error} when the probe does not compile, crashes or times out.
 */
export async function bandwidthProbe(options: BandwidthOptions = {}): Promise<BandwidthResult> {
  const megabytes = options.megabytes ?? 256;
  if (!(Number.isFinite(megabytes) && megabytes > 0))
    throw new RangeError(`bandwidthProbe: megabytes must be a positive number, got ${String(megabytes)}`);
  const repeats = positiveInteger('bandwidthProbe', 'repeats', options.repeats ?? 5);
  const threads = positiveInteger('bandwidthProbe', 'threads', options.threads ?? 1);
  const streams = positiveInteger('bandwidthProbe', 'streams', options.streams ?? 1);
  const floats = Math.max(BLOCK * streams, Math.floor((megabytes * 2 ** 20) / 4));
  const parsed = await runProbe<{ gbps_samples: number[]; bytes: number }>({
    label: 'bandwidth probe',
    source: SOURCE,
    flags: ['-O2'],
    argv: [String(floats), String(repeats), String(streams), options.hugePages === false ? '0' : '1'],
    threads,
    march: options.march,
    buildDir: options.buildDir,
    cc: options.cc,
    timeoutSeconds: options.timeoutSeconds ?? 60,
  });
  return { gbps: median(parsed.gbps_samples), samples: parsed.gbps_samples, bytes: parsed.bytes };
}
