// The kernel report's verdicts and its numpy reference: a goal is met only if it holds in every round, and the
// OpenBLAS coretype variables are removed (or forced to AVX2) in numpy's environment only.
import { describe, expect, it } from 'vitest';
import { GOALS, rooflineRounds, roundRatios, verdict } from '../../experiments/kernel/goals.js';
import { numpyEnv } from '../../experiments/kernel/numpy.js';

const square = GOALS.find((g) => g.shape === 'square-1024')!;

describe('kernel report goals', () => {
  it('pairs rounds by index and stops at the shorter series', () => {
    expect(roundRatios([100, 90, 80], [100, 100])).toEqual([1, 0.9]);
    expect(roundRatios([100, 90], [0, 100])).toEqual([0.9]); // a reference of 0 is no measurement
  });

  it('is met only when every round holds, whatever the median', () => {
    const good = verdict(square, [1.07, 1.04, 0.96, 1.1, 1.05]);
    expect(good).toMatchObject({ met: true, held: 5, min: 0.96, median: 1.05 });
    // A median well above the goal with one round under it: missed.
    const oneBad = verdict(square, [1.07, 1.04, 0.94, 1.1, 1.05]);
    expect(oneBad).toMatchObject({ met: false, held: 4, min: 0.94, median: 1.05 });
    expect(verdict(square, []).met).toBe(false);
  });
});

describe('numpy reference environment', () => {
  const base = { PATH: '/usr/bin', OPENBLAS_CORETYPE: 'Haswell', OPENBLAS_L2_SIZE: '512', OTHER: 'kept' };

  it('lets OpenBLAS choose its kernels: both coretype variables removed, two threads', () => {
    const env = numpyEnv('native', base);
    expect(env).not.toHaveProperty('OPENBLAS_CORETYPE');
    expect(env).not.toHaveProperty('OPENBLAS_L2_SIZE');
    expect(env).toMatchObject({ OTHER: 'kept', OPENBLAS_NUM_THREADS: '2' });
    expect(base.OPENBLAS_CORETYPE).toBe('Haswell'); // the caller's environment is not touched
  });

  it('forces the AVX2 kernels for the second column', () => {
    const env = numpyEnv('avx2', { PATH: '/usr/bin' });
    expect(env.OPENBLAS_CORETYPE).toBe('Haswell');
    expect(env).not.toHaveProperty('OPENBLAS_L2_SIZE');
  });
});

describe('roofline rounds', () => {
  it("takes each round's ceiling as the higher of the round's probe and the bandwidth measured beside the kernel", () => {
    // 0.5 flop per byte: 30 GB/s is a 15 GFLOP/s roofline.
    const best = { rounds: [15, 15, 12], bandwidthBeside: [20, 40, 30] };
    expect(rooflineRounds(best, [30, 30, 30], 0.5)).toEqual([1, 0.75, 0.8]);
    expect(rooflineRounds({ rounds: [15, 15, 12] }, [30, 30, 30], 0.5)).toEqual([1, 1, 0.8]);
  });
});
