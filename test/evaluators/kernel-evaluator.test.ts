// The `kernel` evaluator on real gcc and real processes: results, the machine-code fingerprint, the compile cache,
// and failures (compile error, crash, wrong answer, timeout) recorded by the engine while the run goes on.
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  bandwidthProbe,
  codeFingerprint,
  compileKernel,
  copiesOfB,
  createKernelEvaluator,
  DEFAULT_KERNEL_CONFIG,
  generateKernelSource,
  KERNEL_CONSTRAINTS,
  KERNEL_PARAMS,
  kernelOptionsSchema,
  measureKernel,
  NAIVE_KERNEL_CONFIG,
  resolveKernelConfig,
  type KernelGenome,
  type KernelOptionsInput,
} from '../../evaluators/kernel/index.js';
import { parseRunConfig, type RunConfigInput } from '../../search/config.js';
import { exportRun } from '../../report/inspect.js';
import { rngFromSeed } from '../../core/rng.js';
import { runSearch } from '../../search/run.js';
import type { EvalContext } from '../../core/types.js';
import { createCategoricalSpace } from '../../spaces/categorical.js';
import { useRunFiles } from '../helpers/files.js';
import { childProcesses } from '../helpers/processes.js';
import { waitFor } from '../helpers/wait.js';

const ctx = (): EvalContext => ({
  rng: rngFromSeed('kernel'),
  signal: new AbortController().signal,
  options: {},
  fidelity: 1,
  sample: 0,
});
const tiny = { m: 19, n: 23, k: 17 };
const small: KernelGenome = { mc: 16, nc: 32, kc: 16, flags: '-O2' };

describe('kernel evaluator', () => {
  it('measures GFLOP/s with samples, spread, error and descriptors', async () => {
    const buildDir = useRunFiles();
    const evaluator = createKernelEvaluator({ shape: { m: 64, n: 80, k: 48 }, repeats: 3, buildDir });
    expect(evaluator.noisy).toBe(true);
    const r = await evaluator.evaluate({ ...small, mr: 4, nr: 16 }, ctx());
    expect(r.fitness).toBeGreaterThan(0);
    const m = r.metrics!;
    expect(m.gflopsMedian).toBe(r.fitness);
    expect(m.gflopsMin).toBeLessThanOrEqual(r.fitness);
    expect(m.gflopsMax).toBeGreaterThanOrEqual(r.fitness);
    expect(m.spread).toBeCloseTo((m.gflopsMax! - m.gflopsMin!) / r.fitness, 9);
    expect(m.samples).toBe(3);
    expect(m.maxRelError).toBeLessThan(1e-5);
    expect(m.checked).toBe(64 * 80);
    expect(m.compileSeconds).toBeGreaterThan(0);
    expect(r.descriptors).toEqual([6, 4]); // log2(4·16), log2(min(kc = 16, K = 48))
    const naive = await evaluator.evaluate({ kernel: 'naive', flags: '-O2' }, ctx());
    expect(naive.descriptors).toEqual([0, Math.log2(48)]);
    const threads = createKernelEvaluator({ shape: tiny, repeats: 1, buildDir, descriptors: 'tile-threads' });
    expect((await threads.evaluate({ ...small, threads: 2, mr: 2, nr: 8 }, ctx())).descriptors).toEqual([4, 2]);
  });

  it('reuses compiled binaries from the cache directory', async () => {
    const buildDir = useRunFiles();
    const first = createKernelEvaluator({ shape: tiny, repeats: 1, buildDir });
    const a = await first.build(small);
    expect(a.cached).toBe(false);
    expect(a.seconds).toBeGreaterThan(0);
    const mtime = statSync(a.binary).mtimeMs;
    // A new evaluator (another worker, a later run) finds the binary: no gcc, compileSeconds 0.
    const second = createKernelEvaluator({ shape: tiny, repeats: 1, buildDir });
    const b = await second.build({ ...small });
    expect(b).toMatchObject({ binary: a.binary, cached: true, seconds: 0 });
    expect(statSync(b.binary).mtimeMs).toBe(mtime);
    expect((await second.evaluate(small, ctx())).metrics?.compileSeconds).toBe(0);
    // Different flags are a different binary.
    expect((await second.build({ ...small, flags: '-O3' })).binary).not.toBe(a.binary);
  });

  it('fingerprints the machine code: same instructions, same hash, whatever the source text or directory', async () => {
    const [dirA, dirB] = [useRunFiles(), useRunFiles()];
    const config = resolveKernelConfig(small);
    const source = generateKernelSource(config);
    const args = ['-O2', '-march=native'];
    const inA = await compileKernel(source, { buildDir: dirA, args });
    const inB = await compileKernel(source, { buildDir: dirB, args });
    const commented = await compileKernel(`/* another comment, same code */\n${source.replace(/\n\n/g, '\n\n\n')}`, {
      buildDir: dirA,
      args,
    });
    expect(new Set([inA.binary, inB.binary, commented.binary]).size).toBe(3);
    const fp = await codeFingerprint(inA.binary);
    expect(fp).toMatch(/^[0-9a-f]{64}$/);
    expect(await codeFingerprint(inB.binary)).toBe(fp);
    expect(await codeFingerprint(commented.binary)).toBe(fp);

    // Through the evaluator: the naive kernel ignores the blocking parameters; the k-unroll and the tile change code.
    const evaluator = createKernelEvaluator({ shape: tiny, repeats: 1, buildDir: dirA });
    const fingerprint = (g: KernelGenome) => evaluator.fingerprint!(g, ctx());
    const naive = { ...NAIVE_KERNEL_CONFIG, flags: '-O2' };
    expect(await fingerprint({ ...naive, mc: 16, kc: 8, loopOrder: 'mkn' })).toBe(await fingerprint(naive));
    expect(await fingerprint({ ...small, kUnroll: 1 })).not.toBe(await fingerprint({ ...small, kUnroll: 4 }));
    expect(await fingerprint({ ...small, mr: 2 })).not.toBe(await fingerprint({ ...small, mr: 4 }));
    expect(await fingerprint(small)).toBe(fp);
  });

  it('cuts cache blocks to the shape, so blockings that run the same on it share one binary and fingerprint', async () => {
    const buildDir = useRunFiles();
    // tiny is 19 × 23 × 17: any mc ≥ 19 is one block of rows (rounded up to the tile: 24 for mr = 6), any nc ≥ 23 one block of columns.
    const evaluator = createKernelEvaluator({ shape: tiny, repeats: 1, buildDir });
    const fingerprint = (g: KernelGenome) => evaluator.fingerprint!(g, ctx());
    const base = { ...small, mr: 6, nr: 16 };
    expect(await fingerprint({ ...base, mc: 48 })).toBe(await fingerprint({ ...base, mc: 384 }));
    expect(await fingerprint({ ...base, nc: 64 })).toBe(await fingerprint({ ...base, nc: 4096 }));
    expect(await fingerprint({ ...base, kc: 32 })).toBe(await fingerprint({ ...base, kc: 512 }));
    expect(await fingerprint({ ...base, mc: 12 })).not.toBe(await fingerprint({ ...base, mc: 48 })); // two row blocks against one
    expect(resolveKernelConfig({ ...base, mc: 384, nc: 4096, kc: 512 }, tiny)).toMatchObject({
      mc: 24,
      nc: 32,
      kc: 17,
    });
    expect(resolveKernelConfig({ ...base, mc: 384 })).toMatchObject({ mc: 384 }); // without a shape nothing is cut
  });

  it('throws clear errors for a bad configuration, a failing compile, a crash and a wrong answer', async () => {
    const buildDir = useRunFiles();
    const evaluator = createKernelEvaluator({ shape: tiny, repeats: 1, buildDir });
    await expect(evaluator.evaluate({ ...small, nr: 12 }, ctx())).rejects.toThrow(
      /nr = 12 is not a multiple of the vector width 8/,
    );
    await expect(evaluator.fingerprint!({ ...small, flags: '-O2 -fno-such-flag' }, ctx())).rejects.toThrow(
      /gcc exited with code 1 \(flags: -O2 -fno-such-flag.*\): .*unrecognized command-line option.*-fno-such-flag/s,
    );
    const crash = createKernelEvaluator({ shape: tiny, repeats: 1, buildDir, fault: 'segv' });
    await expect(crash.evaluate(small, ctx())).rejects.toThrow(/crashed: killed by signal SIGSEGV/);
    const wrong = createKernelEvaluator({ shape: tiny, repeats: 1, buildDir, fault: 'wrong' });
    await expect(wrong.evaluate(small, ctx())).rejects.toThrow(/wrong answer: max relative error .* > bound 0.001/);
  });

  it('kills a benchmark at the run timeout and when the evaluation is aborted', async () => {
    const buildDir = useRunFiles();
    const slow = createKernelEvaluator({
      shape: { m: 2048, n: 2048, k: 2048 },
      repeats: 1,
      warmup: 0,
      buildDir,
      runTimeoutSeconds: 1,
    });
    const started = Date.now();
    await expect(slow.evaluate({ kernel: 'naive', flags: '-O2' }, ctx())).rejects.toThrow(
      /timed out after 1 s \(process killed\)/,
    );
    expect(Date.now() - started).toBeLessThan(8000);
    const hang = createKernelEvaluator({ shape: tiny, repeats: 1, buildDir, fault: 'hang' });
    await hang.build(small); // compile first, so the abort hits the benchmark
    const controller = new AbortController();
    const evaluation = hang.evaluate(small, { ...ctx(), signal: controller.signal });
    // Abort once the hanging benchmark (a binary in buildDir) is running, so the abort has a process to kill.
    const bench = await waitFor(() => childProcesses().find((p) => p.command.includes(buildDir)), {
      what: 'the hanging benchmark to start',
      timeoutMs: 20_000,
    });
    controller.abort();
    await expect(evaluation).rejects.toThrow(/aborted \(process killed\)/);
    await waitFor(() => !childProcesses().some((p) => p.pid === bench.pid), {
      what: `the benchmark (pid ${bench.pid}) to be gone after the abort`,
      timeoutMs: 10_000,
    });
  });

  it('validates its options', () => {
    expect(kernelOptionsSchema.parse({})).toMatchObject({
      shape: 'square-1024',
      repeats: 5,
      warmup: 1,
      march: 'native',
      buildDir: '.elites/kernels',
      errorBound: 1e-3,
    });
    for (const shape of ['square-1024', 'decode-m1', 'decode-m8', 'decode-m32', { m: 3, n: 5, k: 7 }])
      expect(kernelOptionsSchema.safeParse({ shape }).success).toBe(true);
    expect(kernelOptionsSchema.safeParse({ shape: 'decode-m2' }).success).toBe(false);
    expect(kernelOptionsSchema.safeParse({ march: 'native; rm -rf /' }).success).toBe(false);
    expect(kernelOptionsSchema.safeParse({ shape: { m: 1, n: 2 } }).success).toBe(false);
  });

  it('gives a categorical space whose every configuration resolves', () => {
    const space = createCategoricalSpace({ params: KERNEL_PARAMS, constraints: KERNEL_CONSTRAINTS });
    const rng = rngFromSeed('grid');
    for (let i = 0; i < 200; i++) expect(() => resolveKernelConfig(space.sample(rng))).not.toThrow();
    const { kernel: _kernel, ...rest } = DEFAULT_KERNEL_CONFIG; // the grid tunes the blocked kernel; its default is in it
    expect(space.isValid(rest)).toBe(true);
  });

  it('exports measureKernel and a read-bandwidth probe for reports', async () => {
    const buildDir = useRunFiles();
    const m = await measureKernel(DEFAULT_KERNEL_CONFIG, { m: 33, n: 65, k: 40 }, { buildDir, repeats: 3 });
    expect(m.samples).toHaveLength(3);
    expect(m.median).toBeGreaterThan(0);
    expect(m.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    for (const [threads, streams] of [
      [1, 1],
      [2, 1],
      [2, 8],
    ] as const) {
      const bw = await bandwidthProbe({ buildDir, megabytes: 8, repeats: 3, threads, streams });
      expect(bw.gbps).toBeGreaterThan(0);
      expect(bw.samples).toHaveLength(3);
      expect(bw.bytes).toBe(8 * 2 ** 20);
    }
    // Cold operands: B in copies used in turn (0.03 MiB takes 4 copies of a 40 × 65 B); the answer is still checked.
    const cold = await measureKernel(
      DEFAULT_KERNEL_CONFIG,
      { m: 33, n: 65, k: 40 },
      { buildDir, repeats: 3, coldMiB: 0.03 },
    );
    expect(copiesOfB({ m: 33, n: 65, k: 40 }, 0.03)).toBe(4);
    expect(cold.maxRelError).toBeLessThan(1e-5);
    expect(cold.checked).toBe(33 * 65);
  });
});

describe('kernel evaluator in a search', () => {
  const arena = (
    dir: string,
    params: Record<string, (string | number | boolean)[]>,
    options: KernelOptionsInput,
    extra: Partial<RunConfigInput> = {},
  ) =>
    parseRunConfig(
      {
        name: 'kernel',
        seed: 3,
        space: { type: 'categorical', params },
        evaluator: {
          type: 'kernel',
          options: { shape: tiny, repeats: 2, buildDir: join(dir, 'kernels'), ...options },
          timeoutSeconds: 60,
        },
        search: { strategy: 'random' },
        archive: {
          type: 'grid',
          dims: [
            { name: 'tile', min: 0, max: 10, bins: 10 },
            { name: 'kc', min: 0, max: 10, bins: 10 },
          ],
        },
        budget: { evaluations: 8 },
        workers: 0,
        cache: { path: join(dir, 'cache.mdb') },
        ...extra,
      },
      dir,
    );
  type Row = { ok: boolean; failure?: string; message?: string; source?: string; fitness?: number };
  const rows = async (dir: string): Promise<Row[]> =>
    JSON.parse(await exportRun(join(dir, 'run'), { format: 'json', all: true })) as Row[];

  it('records a failing compile as a failure and goes on', async () => {
    const dir = useRunFiles();
    const s = await runSearch(arena(dir, { mr: [2, 4], flags: ['-O2', '-O2 -fno-such-flag'] }, {}), {
      out: join(dir, 'run'),
    });
    expect(s.status).toBe('done');
    expect(s.proposals).toBe(8);
    const events = await rows(dir);
    const failed = events.filter((e) => !e.ok);
    expect(failed.length).toBeGreaterThan(0);
    for (const e of failed) {
      expect(e.failure).toBe('threw');
      expect(e.message).toMatch(/unrecognized command-line option .-fno-such-flag/);
    }
    expect(events.some((e) => e.ok && (e.fitness ?? 0) > 0)).toBe(true);
    expect(s.archive.size).toBeGreaterThan(0);
  });

  it('records a crash and a timeout as failures', async () => {
    const dir = useRunFiles();
    const crash = await runSearch(arena(dir, { mr: [2, 4] }, { fault: 'segv' }, { budget: { evaluations: 3 } }), {
      out: join(dir, 'run'),
    });
    expect(crash).toMatchObject({ status: 'done', proposals: 3, failures: 3 });
    for (const e of await rows(dir))
      expect(e).toMatchObject({
        ok: false,
        failure: 'threw',
        message: expect.stringMatching(/killed by signal SIGSEGV/),
      });

    const other = useRunFiles();
    const slow = { shape: { m: 2048, n: 2048, k: 2048 }, repeats: 1, warmup: 0, runTimeoutSeconds: 1 };
    const timeout = await runSearch(
      arena(other, { kernel: ['naive'], flags: ['-O2'] }, slow, { budget: { evaluations: 1 } }),
      { out: join(other, 'run') },
    );
    expect(timeout).toMatchObject({ status: 'done', proposals: 1, failures: 1 });
    expect((await rows(other))[0]).toMatchObject({
      ok: false,
      failure: 'threw',
      message: expect.stringMatching(/timed out after 1 s/),
    });
  });

  it('shares one measurement between configurations with the same machine code', async () => {
    const dir = useRunFiles();
    // Four keys, one program: the naive kernel ignores mc.
    const s = await runSearch(arena(dir, { kernel: ['naive'], mc: [16, 32, 48, 64], flags: ['-O2'] }, {}), {
      out: join(dir, 'run'),
    });
    expect(s).toMatchObject({ status: 'done', proposals: 8, failures: 0, evaluations: 1 });
    expect(s.cacheHits.fingerprint).toBeGreaterThan(0);
  });

  it('in aggregate mode, repeated proposals of a configuration add fresh samples', async () => {
    const dir = useRunFiles();
    const s = await runSearch(
      arena(
        dir,
        { mr: [4], flags: ['-O2'] },
        {},
        { cache: { path: join(dir, 'cache.mdb'), mode: 'aggregate', maxRepeats: 3 }, budget: { evaluations: 5 } },
      ),
      {
        out: join(dir, 'run'),
      },
    );
    expect(s).toMatchObject({ status: 'done', proposals: 5, failures: 0, evaluations: 3 });
    expect(s.cacheHits.key).toBe(2);
  });

  it('re-measures the elites with fresh timings, although machine code shares a fingerprint', async () => {
    const dir = useRunFiles();
    // As configs/kernel-gemm.yaml: aggregate mode, a fingerprint, and remeasure; before, five "samples" were one cached number.
    const s = await runSearch(
      arena(
        dir,
        { kernel: ['naive', 'blocked'], mc: [16, 32], flags: ['-O2'] },
        {},
        {
          cache: { path: join(dir, 'cache.mdb'), mode: 'aggregate', maxRepeats: 2 },
          budget: { evaluations: 6 },
          remeasure: { elites: 2, rounds: 3 },
        },
      ),
      { out: join(dir, 'run') },
    );
    expect(s.status).toBe('done');
    const rows = s.remeasured ?? [];
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) {
      expect(r.samples).toHaveLength(3);
      expect({ distinct: new Set(r.samples).size > 1, spread: (r.spread ?? 0) > 0 }).toEqual({
        distinct: true,
        spread: true,
      });
    }
  });
});
