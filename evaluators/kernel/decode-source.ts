// The small-M decode kernel (kernel: 'decode'): C = A·B for M = 1…32 rows against a large B, written as a GEMV that
// streams B once. The threads split K (each a contiguous slab of rows into its own copy of C, summed at the end) or
// N (each a range of columns of C); each thread's rows are cut into `streams` equal segments walked together, so it
// reads `streams` sequential streams of B at once, as the bandwidth probe does with 8 streams (the blocked kernel's
// split k reads one stream per thread). The A values of the current rows are scalars broadcast from
// registers; the block of C being accumulated (mc rows × nc columns) stays in L1/L2.
import type { KernelConfig } from './config.js';

/** C source that grows the other threads' copies of C (split K) to M×N each before a call; empty without split K. */
export function growCpart(splitK: boolean): string {
  return splitK
    ? `
  if (Cpart_floats < (THREADS - 1) * M * N) {
    free(Cpart);
    Cpart_floats = (THREADS - 1) * M * N;
    Cpart = alloc_floats(Cpart_floats);
  }`
    : '';
}

/** The decode kernel's sgemm(M, N, K, A, B, C), with the same contract as the blocked one (C overwritten). */
export function decodeKernel(c: KernelConfig): string {
  const vw = c.vec / 4;
  const splitK = c.threads > 1 && c.split === 'k';
  const omp = c.threads > 1;
  const prefetch =
    c.prefetch > 0
      ? `      for (int s = 0; s < S; s++) __builtin_prefetch(b[s] + ${c.prefetch}L * N + j, 0, 0); /* prefetchnta, ${c.prefetch} row(s) ahead in the stream */\n`
      : '';
  return `#define MB ${c.mc} /* rows of A per pass over B */
#define NB ${c.nc} /* columns of C per block (MB x NB floats stay in cache while B streams through) */
#define S ${c.streams} /* concurrent sequential streams of B per thread */
#define VW ${vw}
typedef float vf __attribute__((vector_size(${c.vec})));
typedef float vfu __attribute__((vector_size(${c.vec}), aligned(4), may_alias)); /* unaligned access */
/* Ct[0:mb][j0:j1] += A[i0:i0+mb][k0:k1] * B[k0:k1][j0:j1] (ldc = N). Rows k0..k1 are S segments of seg rows, walked
   together: step i reads row k0 + s*seg + i of every segment s, so B is read as S sequential streams. The rows left
   over (fewer than S) are added one at a time. */
static void decode_block(long N, long K, const float *restrict A, const float *restrict B, float *restrict Ct,
                         long i0, long mb, long k0, long k1, long j0, long j1) {
  const long seg = (k1 - k0) / S;
  for (long i = 0, tail = k0 + S * seg; i < seg || tail < k1; i++) {
    const int streams = i < seg ? S : 1; /* past the segments: one leftover row per step */
    const long row0 = i < seg ? k0 + i : tail++;
    const float *b[S];
    float a[MB][S];
    for (int s = 0; s < S; s++) {
      const long r = s < streams ? row0 + s * seg : row0; /* unused streams repeat a row with a zero weight */
      b[s] = B + r * N;
      for (int m = 0; m < MB; m++) a[m][s] = (s < streams && m < mb) ? A[(i0 + m) * K + r] : 0.0f;
    }
    long j = j0;
#pragma GCC unroll ${c.kUnroll}
    for (; j + VW <= j1; j += VW) {
${prefetch}      vf bv[S];
      for (int s = 0; s < S; s++) bv[s] = *(const vfu *)(b[s] + j);
      for (int m = 0; m < MB; m++) {
        if (m >= mb) break;
        vf acc = *(vfu *)(Ct + m * N + j);
        for (int s = 0; s < S; s++) acc += a[m][s] * bv[s];
        *(vfu *)(Ct + m * N + j) = acc;
      }
    }
    for (; j < j1; j++) /* the right edge: fewer than VW columns */
      for (long m = 0; m < mb; m++) {
        float acc = Ct[m * N + j];
        for (int s = 0; s < S; s++) acc += a[m][s] * b[s][j];
        Ct[m * N + j] = acc;
      }
  }
}
${splitK ? "static float *Cpart; /* the other threads' copies of C */\nstatic long Cpart_floats;\n" : ''}
/* decode: ${splitK ? 'K split across the threads (own copies of C, summed)' : omp ? 'N split across the threads' : 'one thread'}, ${c.streams} stream(s) of B per thread; C = A*B */
static void sgemm(long M, long N, long K, const float *restrict A, const float *restrict B, float *restrict C) {
  memset(C, 0, (size_t)M * (size_t)N * sizeof(float));
  if (M <= 0 || N <= 0 || K <= 0) return;${growCpart(splitK)}
${omp ? '#pragma omp parallel num_threads(THREADS)\n' : ''}  {
    const int tid = ${omp ? 'omp_get_thread_num()' : '0'}, nt = ${omp ? 'omp_get_num_threads()' : '1'};
    (void)tid; (void)nt;
${
  splitK
    ? `    const long k0 = K * tid / nt, k1 = K * (tid + 1) / nt, jlo = 0, jhi = N;
    float *Ct = tid == 0 ? C : Cpart + (long)(tid - 1) * M * N;
    if (tid > 0) memset(Ct, 0, (size_t)M * (size_t)N * sizeof(float));`
    : `    /* columns in whole vectors per thread (the last takes the edge) */
    const long k0 = 0, k1 = K, jlo = N * tid / nt / VW * VW, jhi = tid == nt - 1 ? N : N * (tid + 1) / nt / VW * VW;
    float *Ct = C;`
}
    for (long i0 = 0; i0 < M; i0 += MB)
      for (long jb = jlo; jb < jhi; jb += NB)
        decode_block(N, K, A, B, Ct + i0 * N, i0, min_l(MB, M - i0), k0, k1, jb, min_l(jb + NB, jhi));${
          splitK
            ? `
#pragma omp barrier
#pragma omp for schedule(static)
    for (long i = 0; i < M * N; i++) {
      float s = C[i];
      for (int t = 1; t < nt; t++) s += Cpart[(long)(t - 1) * M * N + i];
      C[i] = s;
    }`
            : ''
        }
  }
}
`;
}
