// numpy's sgemm (OpenBLAS through python3) as the peer of the searched kernels: numpy-gemm.py, run with two threads.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { median, type GemmShape } from '../../evaluators/kernel/index.js';
import { repoRoot } from '../../tools/args.js';

// A source file, not compiled: read from the repository (like the configs), not from dist/.
const SCRIPT = join(repoRoot, 'experiments/kernel/numpy-gemm.py');

export interface NumpyResult {
  readonly gflops: number;
  readonly numpy: string;
  readonly blas: string;
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
): Promise<NumpyResult | undefined> {
  try {
    const env = { ...process.env, OPENBLAS_NUM_THREADS: '2', OMP_NUM_THREADS: '2', MKL_NUM_THREADS: '2' };
    const args = [
      SCRIPT,
      String(shape.m),
      String(shape.n),
      String(shape.k),
      String(samples),
      String(minSeconds),
      String(copies),
    ];
    const { stdout } = await promisify(execFile)('python3', args, { env, timeout: 120_000 });
    const r = JSON.parse(stdout.trim().split('\n').pop()!) as { gflops_samples: number[]; numpy: string; blas: string };
    return { gflops: median(r.gflops_samples), numpy: r.numpy, blas: r.blas };
  } catch (error) {
    console.log(`numpy unavailable: ${(error as Error).message.split('\n')[0]}`);
    return undefined;
  }
}
