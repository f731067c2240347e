// The kernel evaluator on a fingerprint hit: the measurement of the shared machine code is kept, the descriptors and
// the configuration's own metrics (threads, compileSeconds) are this configuration's (real gcc).
import { describe, expect, it } from 'vitest';
import { createKernelEvaluator, type KernelGenome } from '../../evaluators/kernel/index.js';
import { rngFromSeed } from '../../core/rng.js';
import type { EvalContext, EvalResult } from '../../core/types.js';
import { useRunFiles } from '../helpers/files.js';

const ctx = (): EvalContext => ({
  rng: rngFromSeed('kernel-describe'),
  signal: new AbortController().signal,
  options: {},
  fidelity: 1,
  sample: 0,
});

describe('kernel evaluator: describe()', () => {
  it('keeps the cached timings and recomputes descriptors, threads and compileSeconds for this configuration', async () => {
    const evaluator = createKernelEvaluator({
      shape: { m: 19, n: 23, k: 17 },
      descriptors: 'tile-threads',
      buildDir: useRunFiles(),
    });
    const genome: KernelGenome = { mc: 16, nc: 32, kc: 16, mr: 4, nr: 16, threads: 1, flags: '-O2' };
    await evaluator.fingerprint!(genome, ctx()); // compiles it, as a lookup does before describe()
    // A result measured for another configuration with the same machine code (made up, so every field shows).
    const cached: EvalResult = {
      fitness: 2.5,
      descriptors: [1, 2],
      metrics: { gflopsMedian: 2.5, runSeconds: 0.25, threads: 2, compileSeconds: 99 },
    };
    const described = await evaluator.describe!(genome, cached, ctx());
    expect(described.fitness).toBe(2.5);
    expect(described.descriptors).toEqual([6, 1]); // log2(4·16), threads
    expect(described.metrics).toMatchObject({ gflopsMedian: 2.5, runSeconds: 0.25, threads: 1 });
    expect(described.metrics?.compileSeconds).toBeGreaterThanOrEqual(0);
    expect(described.metrics?.compileSeconds).toBeLessThan(99);
  }, 60_000);
});
