// The machine-ceiling probes of the kernel report on real gcc: the FMA peak (peak.ts) and the read bandwidth
// (bandwidth.ts). Timings are not asserted (the machine is shared); structure, the vector width and refusals are.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { bandwidthProbe } from '../../evaluators/kernel/bandwidth.js';
import { measurePeakFlops } from '../../evaluators/kernel/peak.js';
import { useRunFiles } from '../helpers/files.js';

const hasGcc = spawnSync('gcc', ['--version'], { stdio: 'ignore' }).status === 0;

/** The vector width the probes should pick: what gcc -march=native defines, read independently of the probe. */
function nativeVectorBytes(): number {
  const out = spawnSync('gcc', ['-march=native', '-dM', '-E', '-'], { input: '', encoding: 'utf8' });
  if (out.status !== 0) throw new Error(`gcc -march=native -dM -E failed: ${out.stderr}`);
  if (/^#define __AVX512F__ /m.test(out.stdout)) return 64;
  if (/^#define __AVX__ /m.test(out.stdout)) return 32;
  return 16;
}

describe.skipIf(!hasGcc)(`kernel probes${hasGcc ? '' : ' (skipped: no gcc)'}`, () => {
  it('measures peak GFLOP/s on one core and on two, at the native vector width', async () => {
    const buildDir = useRunFiles();
    const vectorBytes = nativeVectorBytes();
    for (const threads of [1, 2]) {
      const r = await measurePeakFlops({ threads, repeats: 2, minSampleMs: 2, buildDir });
      expect(r.threads).toBe(threads);
      expect(r.vectorBytes).toBe(vectorBytes);
      expect(r.samples).toHaveLength(2);
      for (const x of r.samples) expect(Number.isFinite(x) && x > 0).toBe(true);
      expect(r.gflops).toBeGreaterThanOrEqual(Math.min(...r.samples));
      expect(r.gflops).toBeLessThanOrEqual(Math.max(...r.samples));
    }
  });

  it('takes its vector width from -march (16 bytes for baseline x86-64)', async () => {
    const machine = spawnSync('gcc', ['-dumpmachine'], { encoding: 'utf8' }).stdout;
    if (!machine.startsWith('x86_64')) return; // -march=x86-64 names an x86 baseline only
    const buildDir = useRunFiles();
    const r = await measurePeakFlops({ threads: 1, repeats: 1, minSampleMs: 1, march: 'x86-64', buildDir });
    expect(r.vectorBytes).toBe(16);
    expect(r.gflops).toBeGreaterThan(0);
  });

  it('refuses options that are not positive, with a message naming them', async () => {
    const buildDir = useRunFiles();
    await expect(measurePeakFlops({ threads: 0, buildDir })).rejects.toThrow(
      /measurePeakFlops: threads must be a positive integer, got 0/,
    );
    await expect(measurePeakFlops({ threads: 1.5, buildDir })).rejects.toThrow(/threads must be a positive integer/);
    await expect(measurePeakFlops({ repeats: 0, buildDir })).rejects.toThrow(/repeats must be a positive integer/);
    await expect(measurePeakFlops({ minSampleMs: -1, buildDir })).rejects.toThrow(/minSampleMs must be a positive/);
    await expect(bandwidthProbe({ threads: 0, buildDir })).rejects.toThrow(
      /bandwidthProbe: threads must be a positive integer, got 0/,
    );
    await expect(bandwidthProbe({ streams: 0, buildDir })).rejects.toThrow(/streams must be a positive integer/);
  });

  it('reads the bandwidth array whole, in any number of streams, with or without huge pages', async () => {
    const buildDir = useRunFiles();
    for (const [threads, streams, hugePages] of [
      [1, 3, true],
      [2, 8, false],
    ] as const) {
      const r = await bandwidthProbe({ buildDir, megabytes: 4, repeats: 2, threads, streams, hugePages });
      expect(r.samples).toHaveLength(2);
      for (const x of r.samples) expect(Number.isFinite(x) && x > 0).toBe(true);
      // Whole 512-byte blocks of every stream: 4 MiB for 8 streams, the largest multiple of 3 × 512 B for 3.
      expect(r.bytes).toBe(Math.floor((4 * 2 ** 20) / (512 * streams)) * 512 * streams);
    }
  });
});
