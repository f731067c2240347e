// Options of the `kernel` evaluator: the GEMM shape (a preset or explicit), measurement, toolchain and limits.
import { z } from 'zod';
import { lazySchema } from '../../core/lazy-schema.js';
import type { GemmShape } from './run.js';

/**
 * Named shapes: square GEMMs, and the flat GEMMs of LLM decoding (M = batch × tokens rows against a K = N = 4096
 * weight matrix; FlashDecoding++ §7.1: at M = 1 a GEMV, bound by reading B).
 */
export const SHAPE_PRESETS = {
  'square-256': { m: 256, n: 256, k: 256 },
  'square-512': { m: 512, n: 512, k: 512 },
  'square-1024': { m: 1024, n: 1024, k: 1024 },
  'square-2048': { m: 2048, n: 2048, k: 2048 },
  'decode-m1': { m: 1, n: 4096, k: 4096 },
  'decode-m8': { m: 8, n: 4096, k: 4096 },
  'decode-m32': { m: 32, n: 4096, k: 4096 },
} as const satisfies Record<string, GemmShape>;
export type ShapePreset = keyof typeof SHAPE_PRESETS;

const dim = lazySchema(() =>
  z
    .int()
    .positive()
    .max(1 << 20),
);
export const shapeSchema = lazySchema(() =>
  z.union([
    z.enum(Object.keys(SHAPE_PRESETS) as [ShapePreset, ...ShapePreset[]]),
    z.strictObject({ m: dim, n: dim, k: dim }).refine((s) => s.m * s.k + s.k * s.n + s.m * s.n <= 2 ** 31, {
      message: 'A, B and C together must hold at most 2^31 floats',
    }),
  ]),
);
export type ShapeInput = z.infer<typeof shapeSchema>;

export const kernelOptionsSchema = lazySchema(() =>
  z.strictObject({
    shape: shapeSchema
      .default('square-1024')
      .describe(`{ m, n, k } or a preset: ${Object.keys(SHAPE_PRESETS).join(', ')}`),
    repeats: z
      .int()
      .positive()
      .max(1000)
      .default(5)
      .describe('timed samples per evaluation; fitness = their median GFLOP/s'),
    warmup: z.int().nonnegative().max(100).default(1).describe('untimed runs before the samples'),
    minSampleMs: z
      .number()
      .nonnegative()
      .max(60_000)
      .default(0)
      .describe('repeat the GEMM inside a sample until it lasts this long (0: one GEMM per sample)'),
    coldMiB: z
      .number()
      .nonnegative()
      .max(65536)
      .default(0)
      .describe(
        'hold B in enough copies to fill this many MiB and use them in turn, so B is read from memory, not the last-level cache (decode: every layer has its own weights); 0: one B, cached when it fits',
      ),
    march: z
      .string()
      .regex(/^[A-Za-z0-9_.+-]+$/, 'a -march value such as native, x86-64-v3 or znver3 (or none)')
      .default('native')
      .describe('-march for gcc; "none" passes no -march'),
    cc: z.string().min(1).default('gcc').describe('the C compiler (gcc-compatible: vector extensions, -fopenmp)'),
    buildDir: z
      .string()
      .min(1)
      .default('.elites/kernels')
      .describe('compile cache: binaries keyed by source, flags and toolchain'),
    compileTimeoutSeconds: z.number().positive().default(60),
    runTimeoutSeconds: z
      .number()
      .positive()
      .default(60)
      .describe('limit on one benchmark process (warm-up, samples and check)'),
    errorBound: z
      .number()
      .positive()
      .default(1e-3)
      .describe('largest |C − ref| / Σ|A·B| over the checked entries; above it the configuration fails'),
    descriptors: z
      .enum(['tile-kc', 'tile-threads', 'none'])
      .default('tile-kc')
      .describe(
        'tile-kc: [log2(mr·nr), log2(min(kc, K))]; tile-threads: [log2(mr·nr), threads]; none: no descriptors (decode kernel: log2(streams·vec/4·min(mc, M)) for the tile, log2(min(nc, N)) for kc)',
      ),
    fault: z
      .enum(['segv', 'wrong', 'hang'])
      .optional()
      .describe('test hook: every harness crashes, computes a wrong C, or hangs'),
  }),
);
export type KernelOptions = z.infer<typeof kernelOptionsSchema>;
export type KernelOptionsInput = z.input<typeof kernelOptionsSchema>;

/** Copies of B that together fill at least `coldMiB` (1 when 0 or when one B already does). */
export function copiesOfB(shape: GemmShape, coldMiB: number): number {
  return Math.max(1, Math.ceil((coldMiB * 2 ** 20) / (4 * shape.k * shape.n)));
}

export function resolveShape(shape: ShapeInput): GemmShape {
  return typeof shape === 'string' ? SHAPE_PRESETS[shape] : shape;
}
