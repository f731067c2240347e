// numpy's sgemm (OpenBLAS through python3) as the peer of the searched kernels: numpy-gemm.py, run with two threads.
//
// Which OpenBLAS kernels numpy runs depends on the environment: OPENBLAS_CORETYPE forces a kernel family (machines
// often set Haswell, i.e. AVX2, because older OpenBLAS builds misbehave on some processors without it) and
// OPENBLAS_L2_SIZE its blocking. The reference is OpenBLAS at its best on this machine: both variables removed from
// the environment of the measuring command only (OpenBLAS then picks its kernels from the CPU: SkylakeX, AVX-512, on
// an AVX-512 machine). The AVX2 figure (CORETYPE=Haswell) is kept as a second column for machines that need it.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { median, type GemmShape } from '../../evaluators/kernel/index.js';
import { repoRoot } from '../../tools/args.js';

// A source file, not compiled: read from the repository (like the configs), not from dist/.
const SCRIPT = join(repoRoot, 'experiments/kernel/numpy-gemm.py');

/** 'native': OpenBLAS chooses its kernels from the CPU; 'avx2': forced to its Haswell (AVX2) kernels. */
export type NumpyReference = 'native' | 'avx2';
export const NUMPY_REFERENCES: readonly NumpyReference[] = ['native', 'avx2'];

export interface NumpyResult {
  readonly gflops: number;
  readonly numpy: string;
  readonly blas: string;
  /** The kernel family OpenBLAS ran (its core name, e.g. SkylakeX or Haswell); null when it could not be read. */
  readonly core: string | null;
  /** OpenBLAS's build description (version, DYNAMIC_ARCH, the core). */
  readonly config: string | null;
  readonly reference: NumpyReference;
}

/** The environment of one numpy measurement: two threads, and the coretype variables as `reference` wants them. */
export function numpyEnv(reference: NumpyReference, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base, OPENBLAS_NUM_THREADS: '2', OMP_NUM_THREADS: '2', MKL_NUM_THREADS: '2' };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  if (reference === 'avx2') env.OPENBLAS_CORETYPE = 'Haswell';
  return env;
}

/**
 * numpy's A @ B in float32 (both threads), median of `samples` timed samples, B in `copies` used in turn (as the
 * kernel's cold operands); undefined when numpy is missing.
 */
export async function numpyGemm(
  shape: GemmShape,
  samples = 3,
  minSeconds = 0.1,
  copies = 1,
  reference: NumpyReference = 'native',
): Promise<NumpyResult | undefined> {
  try {
    const args = [
      SCRIPT,
      String(shape.m),
      String(shape.n),
      String(shape.k),
      String(samples),
      String(minSeconds),
      String(copies),
    ];
    const { stdout } = await promisify(execFile)('python3', args, { env: numpyEnv(reference), timeout: 120_000 });
    const r = JSON.parse(stdout.trim().split('\n').pop()!) as {
      gflops_samples: number[];
      numpy: string;
      blas: string;
      core?: string | null;
      config?: string | null;
    };
    return {
      gflops: median(r.gflops_samples),
      numpy: r.numpy,
      blas: r.blas,
      core: r.core ?? null,
      config: r.config ?? null,
      reference,
    };
  } catch (error) {
    console.log(`numpy unavailable: ${(error as Error).message.split('\n')[0]}`);
    return undefined;
  }
}
