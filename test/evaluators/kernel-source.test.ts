// Generated SGEMM kernels (real gcc, real processes): correct on sizes that are not multiples of the tiles, for
// every loop order, with packing on and off, one and two threads, every vector width, and the naive baseline.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compileArgs } from '../../evaluators/kernel/index.js';
import { compileKernel } from '../../evaluators/kernel/compile.js';
import {
  LOOP_ORDERS,
  NAIVE_KERNEL_CONFIG,
  resolveKernelConfig,
  type KernelGenome,
} from '../../evaluators/kernel/config.js';
import { runBenchmark } from '../../evaluators/kernel/run.js';
import { generateKernelSource } from '../../evaluators/kernel/source.js';

const buildDir = mkdtempSync(join(tmpdir(), 'elites-kernels-'));
afterAll(() => rmSync(buildDir, { recursive: true, force: true }));

/** Small blocks, so odd sizes cross several blocks in every dimension and end in partial tiles. */
const small = { mc: 16, nc: 32, kc: 8, flags: '-O2' } satisfies KernelGenome;
const decode = { kernel: 'decode', nc: 32, vec: 64, kUnroll: 4, flags: '-O2' } satisfies KernelGenome;
const PACKS = [
  { packA: true, packB: true },
  { packA: false, packB: false },
  { packA: true, packB: false },
  { packA: false, packB: true },
];
const configs: [string, KernelGenome][] = [
  ...LOOP_ORDERS.map((loopOrder, i): [string, KernelGenome] => [
    `${loopOrder} packA=${PACKS[i % 4]!.packA} packB=${PACKS[i % 4]!.packB}`,
    { ...small, loopOrder, ...PACKS[i % 4]!, mr: 4, nr: 16 },
  ]),
  ...PACKS.map(({ packA, packB }): [string, KernelGenome] => [
    `2 threads knm packA=${packA} packB=${packB}`,
    { ...small, loopOrder: 'knm', packA, packB, threads: 2, mr: 6, nr: 8 },
  ]),
  ['2 threads nkm, vec 64, mr 3, kUnroll 8', { ...small, threads: 2, vec: 64, nr: 32, mr: 3, kUnroll: 8 }],
  [
    'vec 16, mr 1, nr 4, unpacked, mc not a multiple of mr',
    { ...small, vec: 16, mr: 1, nr: 4, mc: 7, packA: false, packB: false, loopOrder: 'mkn' },
  ],
  ['prefetch 4, B packed', { ...small, prefetch: 4, packB: true, mr: 4, nr: 16 }],
  ['prefetch 8, B in place, 2 threads', { ...small, prefetch: 8, packB: false, threads: 2, vec: 64, mr: 2, nr: 48 }],
  ['split k, 2 threads, B in place', { ...small, split: 'k', threads: 2, packB: false, mr: 4, nr: 16 }],
  ['split k, 2 threads, both packed, knm', { ...small, split: 'k', threads: 2, loopOrder: 'knm', mr: 6, nr: 8 }],
  // The decode kernel: rows split into streams that do not divide them, leftover rows, column edges, both splits.
  ['decode, 3 streams, split k, prefetch', { ...decode, streams: 3, threads: 2, split: 'k', mc: 4, prefetch: 2 }],
  ['decode, 8 streams, split n, vec 32', { ...decode, streams: 8, threads: 2, split: 'mn', mc: 8, vec: 32, nc: 48 }],
  ['decode, one stream, one thread, vec 16', { ...decode, streams: 1, vec: 16, mc: 384, nc: 4096, kUnroll: 1 }],
  ['decode, 4 streams, split n, mc 1', { ...decode, streams: 4, threads: 2, split: 'mn', mc: 1, nc: 16 }],
  ['default blocks (larger than the matrices)', { flags: '-O2' }],
  ['naive', { ...NAIVE_KERNEL_CONFIG, flags: '-O2' }],
  ['naive, 2 threads', { ...NAIVE_KERNEL_CONFIG, flags: '-O2', threads: 2 }],
];
const shapes = [
  { m: 37, n: 53, k: 29 },
  { m: 1, n: 67, k: 45 },
  { m: 5, n: 3, k: 1 },
];

describe('generated SGEMM kernels', () => {
  it.each(configs)('%s: correct on odd sizes', async (_name, genome) => {
    const config = resolveKernelConfig(genome);
    const compiled = await compileKernel(generateKernelSource(config), {
      buildDir,
      args: compileArgs(config, 'native'),
    });
    for (const shape of shapes) {
      const out = await runBenchmark(compiled.binary, shape, { repeats: 2, warmup: 1, timeoutSeconds: 20, seed: 7 });
      const where = `${shape.m}x${shape.n}x${shape.k}`;
      expect(out.checked, where).toBe(shape.m * shape.n); // small: every entry is checked
      expect(out.nonfinite, where).toBe(0);
      expect(out.maxRelError, where).toBeLessThan(1e-5);
      expect(out.gflopsSamples, where).toHaveLength(2);
      for (const g of out.gflopsSamples) expect(g, where).toBeGreaterThan(0);
    }
    // With B in three copies used in turn, the checked GEMM is the last one run, against its own copy.
    const cold = await runBenchmark(compiled.binary, shapes[0]!, {
      repeats: 2,
      warmup: 1,
      timeoutSeconds: 20,
      seed: 7,
      copies: 3,
    });
    expect(cold.maxRelError).toBeLessThan(1e-5);
  });

  it('checks a sample of entries on larger shapes and catches a wrong answer', async () => {
    const config = resolveKernelConfig({ ...small, mc: 64, nc: 256, kc: 64 });
    const good = await compileKernel(generateKernelSource(config), { buildDir, args: compileArgs(config, 'native') });
    const out = await runBenchmark(
      good.binary,
      { m: 257, n: 300, k: 70 },
      { repeats: 1, warmup: 0, timeoutSeconds: 20 },
    );
    expect(out.checked).toBe(1028);
    expect(out.maxRelError).toBeLessThan(1e-5);
    // The fault hook adds 1 to the middle entry; with every entry checked it shows up.
    const bad = await compileKernel(generateKernelSource(config, { fault: 'wrong' }), {
      buildDir,
      args: compileArgs(config, 'native'),
    });
    const wrong = await runBenchmark(bad.binary, { m: 9, n: 11, k: 13 }, { repeats: 1, warmup: 0, timeoutSeconds: 20 });
    expect(wrong.maxRelError).toBeGreaterThan(1e-2);
  });

  it('rejects bad configurations with clear messages', () => {
    expect(() => resolveKernelConfig({ nr: 12, vec: 32 })).toThrow(/nr = 12 is not a multiple of the vector width 8/);
    expect(() => resolveKernelConfig({ loopOrder: 'xyz' })).toThrow(/loopOrder must be one of nkm/);
    expect(() => resolveKernelConfig({ flags: '-O2 -o /tmp/x' })).toThrow(/flags "-o", "\/tmp\/x" not allowed/);
    for (const flags of [
      '-fplugin=evil.so',
      '-fprofile-arcs',
      '-fdump-tree-all',
      '-B/tmp',
      '@opts',
      '-wrapper gdb',
      '-O2;ls',
    ])
      expect(() => resolveKernelConfig({ flags }), flags).toThrow(/not allowed/);
    expect(resolveKernelConfig({ flags: '-O3 -funroll-loops -mno-avx512f -DX=1' }).flags).toBe(
      '-O3 -funroll-loops -mno-avx512f -DX=1',
    );
    expect(() => resolveKernelConfig({ bogus: 1 } as KernelGenome)).toThrow(/invalid kernel configuration.*bogus/);
    expect(() => resolveKernelConfig({ mc: 0 })).toThrow(/mc: mc must be positive/);
    // mc and nc round up to whole tiles; the naive kernel ignores the blocked parameters.
    expect(resolveKernelConfig({ mc: 7, mr: 6, nc: 20, nr: 16 })).toMatchObject({ mc: 12, nc: 32 });
    expect(resolveKernelConfig({ kernel: 'naive', mc: 7, kc: 3, flags: ' -O2  ' })).toEqual(
      resolveKernelConfig({ kernel: 'naive', flags: '-O2' }),
    );
    // The decode kernel ignores the blocked kernel's tile, depth, packing and order; the blocked one ignores streams.
    const shape = { m: 1, n: 100, k: 50 };
    expect(
      resolveKernelConfig({ kernel: 'decode', mr: 8, nr: 64, kc: 16, packA: false, loopOrder: 'kmn' }, shape),
    ).toEqual(resolveKernelConfig({ kernel: 'decode' }, shape));
    expect(resolveKernelConfig({ kernel: 'decode', mc: 32, nc: 4096, vec: 64, streams: 4 }, shape)).toMatchObject({
      mc: 1, // one pass over B when mc ≥ M
      nc: 112, // cut to N, then whole vectors
      streams: 4,
    });
    expect(resolveKernelConfig({ kernel: 'decode', mc: 384 }).mc).toBe(64); // a small-M kernel: 64 rows a pass
    expect(resolveKernelConfig({ streams: 8 })).toEqual(resolveKernelConfig({}));
    expect(() => resolveKernelConfig({ streams: 0 })).toThrow(/streams must be positive/);
  });
});
