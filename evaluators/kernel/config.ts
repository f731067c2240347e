// Kernel configurations: the genome of the `kernel` evaluator (a categorical-space record), its validation, and
// the effective configuration the C generator reads (tiles rounded, ignored parameters fixed for the naive kernel).
import { z } from 'zod';
import { lazySchema } from '../../core/lazy-schema.js';
import type { GemmShape } from './run.js';

/** The three block loops of the GEMM by the dimension they walk: m (rows of A, C), n (columns of B, C), k (depth). */
export const LOOP_ORDERS = ['nkm', 'nmk', 'knm', 'kmn', 'mnk', 'mkn'] as const;
export type LoopOrder = (typeof LOOP_ORDERS)[number];

/**
 * gcc flag tokens a configuration may set (split on spaces, passed as argv entries, never through a shell):
 * -O levels, -f… and -m… options and -D macros. Anything else (-o, -B, -wrapper, @file, specs) is refused, and so are
 * -fplugin and the options that write profile or dump files.
 */
const FLAG_TOKEN =
  /^(-O[0-3sz]?|-Ofast|-Og|-f(?!plugin|profile|auto-profile|dump|test-coverage)[a-z0-9][\w+.=,-]*|-m[a-z0-9][\w+.=,-]*|-D[A-Za-z_]\w*(=[\w.+-]*)?)$/;

const positive = (name: string) =>
  z.int({ message: `${name} must be an integer` }).positive({ message: `${name} must be positive` });

/**
 * A kernel configuration as it arrives from the search: every key optional (missing ones take
 * {@link DEFAULT_KERNEL_CONFIG}'s value), unknown keys refused.
 */
export const kernelGenomeSchema = lazySchema(() =>
  z
    .strictObject({
      kernel: z
        .enum(['blocked', 'decode', 'naive'], { message: 'kernel must be "blocked", "decode" or "naive"' })
        .optional()
        .describe(
          'naive: the textbook triple loop (baseline); blocked: the tiled kernel below; decode: a small-M kernel that streams B once (mc, nc, vec, kUnroll, prefetch, streams, split, threads, flags)',
        ),
      mc: positive('mc').max(65536).optional().describe('rows of A per cache block (rounded up to a multiple of mr)'),
      nc: positive('nc')
        .max(65536)
        .optional()
        .describe('columns of B per cache block (rounded up to a multiple of nr)'),
      kc: positive('kc').max(65536).optional().describe('depth of a cache block'),
      mr: positive('mr').max(16).optional().describe('rows of the register micro-tile'),
      nr: positive('nr')
        .max(256)
        .optional()
        .describe('columns of the register micro-tile; a multiple of the vector width vec/4'),
      vec: z
        .union([z.literal(16), z.literal(32), z.literal(64)], {
          message: 'vec must be 16, 32 or 64 (bytes per SIMD vector)',
        })
        .optional()
        .describe('bytes per GCC vector (16: SSE, 32: AVX, 64: AVX-512)'),
      packA: z
        .boolean({ message: 'packA must be true or false' })
        .optional()
        .describe('copy each mc×kc block of A into contiguous mr-row panels'),
      packB: z
        .boolean({ message: 'packB must be true or false' })
        .optional()
        .describe('copy each kc×nc block of B into contiguous nr-column panels'),
      loopOrder: z
        .enum(LOOP_ORDERS, { message: `loopOrder must be one of ${LOOP_ORDERS.join(', ')}` })
        .optional()
        .describe('order of the block loops, outermost first (nkm = BLIS: jc, pc, ic)'),
      kUnroll: positive('kUnroll')
        .max(64)
        .optional()
        .describe('#pragma GCC unroll of the micro-kernel k loop (1 = no unrolling)'),
      prefetch: z
        .int({ message: 'prefetch must be an integer' })
        .min(0, { message: 'prefetch must be 0 (none) or a positive number of rows' })
        .max(64)
        .optional()
        .describe('software prefetch of B this many rows ahead, where B is read from memory (0 = none)'),
      streams: positive('streams')
        .max(16)
        .optional()
        .describe(
          'decode kernel: sequential streams of B each thread reads at once (its rows cut into that many segments)',
        ),
      split: z
        .enum(['mn', 'k'], { message: 'split must be "mn" or "k"' })
        .optional()
        .describe(
          'what the threads divide: mn, the outermost m or n block loop (disjoint blocks of C); k, the depth (each thread a contiguous slab of B into its own copy of C, summed at the end: long sequential reads for flat shapes)',
        ),
      threads: positive('threads')
        .max(256)
        .optional()
        .describe('OpenMP threads over the outermost m or n block loop (1 = no OpenMP)'),
      flags: z
        .string({ message: 'flags must be a string of gcc options' })
        .optional()
        .describe('gcc options, space-separated (e.g. "-O3 -funroll-loops"); -march comes from the evaluator options'),
    })
    .superRefine((g, ctx) => {
      const vec = g.vec ?? DEFAULT_KERNEL_CONFIG.vec;
      const nr = g.nr ?? DEFAULT_KERNEL_CONFIG.nr;
      if (nr % (vec / 4) !== 0)
        ctx.addIssue({
          code: 'custom',
          path: ['nr'],
          message: `nr = ${nr} is not a multiple of the vector width ${vec / 4} floats (vec = ${vec} bytes)`,
        });
      if (g.flags !== undefined) {
        const bad = flagTokens(g.flags).filter((t) => !FLAG_TOKEN.test(t));
        if (bad.length > 0)
          ctx.addIssue({
            code: 'custom',
            path: ['flags'],
            message: `flags ${bad.map((t) => JSON.stringify(t)).join(', ')} not allowed: use -O…, -f…, -m… or -D… options`,
          });
      }
    }),
);
export type KernelGenome = z.input<typeof kernelGenomeSchema>;

/** A complete configuration. */
export interface KernelConfig {
  readonly kernel: 'blocked' | 'decode' | 'naive';
  readonly mc: number;
  readonly nc: number;
  readonly kc: number;
  readonly mr: number;
  readonly nr: number;
  readonly vec: 16 | 32 | 64;
  readonly packA: boolean;
  readonly packB: boolean;
  readonly loopOrder: LoopOrder;
  readonly kUnroll: number;
  readonly prefetch: number;
  /** Decode kernel only (1 elsewhere). */
  readonly streams: number;
  readonly split: 'mn' | 'k';
  readonly threads: number;
  readonly flags: string;
}

/**
 * A sane blocked configuration for AVX2-class machines: a 6×16 register tile (12 ymm accumulators), both operands
 * packed, BLIS loop order, kc×nr panels of B in L1 and the mc×kc block of A in L2.
 */
export const DEFAULT_KERNEL_CONFIG: KernelConfig = Object.freeze({
  kernel: 'blocked',
  mc: 96,
  nc: 1024,
  kc: 256,
  mr: 6,
  nr: 16,
  vec: 32,
  packA: true,
  packB: true,
  loopOrder: 'nkm',
  kUnroll: 4,
  prefetch: 0,
  streams: 1,
  split: 'mn',
  threads: 1,
  flags: '-O3',
});

/** The triple-loop baseline (i, j, p with a strided walk down B); only `threads` and `flags` matter. */
export const NAIVE_KERNEL_CONFIG: KernelConfig = Object.freeze({ ...DEFAULT_KERNEL_CONFIG, kernel: 'naive' });

/** The decode kernel's rows of A per pass over B at most (their A values live in a stack array of mc × streams). */
export const DECODE_MAX_MC = 64;

/** A good default grid for the categorical space's `params` (without `kernel`: searches tune the blocked kernel). */
export const KERNEL_PARAMS = {
  mc: [16, 32, 48, 64, 96, 128, 192, 256, 384],
  nc: [64, 128, 256, 512, 1024, 2048, 4096],
  kc: [8, 16, 32, 64, 128, 192, 256, 384, 512], // 8–16: a few rows of B at a time, as a GEMV streams them
  mr: [1, 2, 4, 6, 8, 12],
  nr: [8, 16, 24, 32, 48, 64, 128],
  vec: [16, 32, 64],
  packA: [true, false],
  packB: [true, false],
  loopOrder: [...LOOP_ORDERS],
  kUnroll: [1, 2, 4, 8],
  prefetch: [0, 4, 8, 16],
  split: ['mn', 'k'],
  threads: [1, 2],
  flags: ['-O2', '-O3', '-O3 -funroll-loops', '-Ofast'],
} satisfies Record<string, (string | number | boolean)[]>;

/** Constraints for the categorical space over {@link KERNEL_PARAMS}: the micro-tile is whole vectors wide. */
export const KERNEL_CONSTRAINTS: string[] = ['nr % (vec / 4) === 0'];

/** The flags string as gcc argv entries. */
export function flagTokens(flags: string): string[] {
  return flags.split(/\s+/).filter((t) => t.length > 0);
}

/**
 * The configuration the generator compiles: defaults filled in, mc and nc rounded up to whole micro-tiles, and for
 * the naive kernel every parameter it ignores set to the default (so its canonical form, and source, ignore them).
 * With a shape, cache blocks larger than the matrix are cut to it (mc ≥ M, nc ≥ N, kc ≥ K all mean one block, and
 * now compile to the same code), so configurations that run identically on that shape share one binary, and one
 * fingerprint.
 * @throws {Error} with every problem of the genome, one per line, when it does not validate.
 */
export function resolveKernelConfig(genome: unknown, shape?: GemmShape): KernelConfig {
  const parsed = kernelGenomeSchema.safeParse(genome);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => (i.path.length > 0 ? `${i.path.join('.')}: ${i.message}` : i.message));
    throw new Error(`invalid kernel configuration: ${lines.join('; ')}`);
  }
  const g = { ...DEFAULT_KERNEL_CONFIG, ...dropUndefined(parsed.data) };
  const flags = flagTokens(g.flags).join(' ');
  if (g.kernel === 'naive') return { ...DEFAULT_KERNEL_CONFIG, kernel: 'naive', threads: g.threads, flags };
  const cutToShape = (block: number, extent: number | undefined): number =>
    extent === undefined ? block : Math.min(block, extent);
  const split = g.threads > 1 ? g.split : 'mn'; // one thread splits nothing: one code
  if (g.kernel === 'decode') {
    // What the decode kernel ignores takes the default, so configurations differing only there are one config.
    const { mr, nr, kc, packA, packB, loopOrder } = DEFAULT_KERNEL_CONFIG;
    return {
      ...g,
      ...{ mr, nr, kc, packA, packB, loopOrder },
      mc: Math.min(DECODE_MAX_MC, cutToShape(g.mc, shape?.m)),
      nc: roundUp(cutToShape(g.nc, shape?.n), g.vec / 4),
      split,
      flags,
    };
  }
  return {
    ...g,
    mc: roundUp(cutToShape(g.mc, shape?.m), g.mr),
    nc: roundUp(cutToShape(g.nc, shape?.n), g.nr),
    kc: cutToShape(g.kc, shape?.k),
    streams: 1, // the blocked kernel reads B its own way
    split,
    flags,
  };
}

function roundUp(x: number, step: number): number {
  return Math.ceil(x / step) * step;
}

function dropUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** One line describing a configuration, for logs and the source header. */
export function describeKernelConfig(c: KernelConfig): string {
  if (c.kernel === 'naive') return `naive triple loop, threads=${c.threads}, flags="${c.flags}"`;
  if (c.kernel === 'decode')
    return (
      `decode mc=${c.mc} nc=${c.nc} vec=${c.vec}B streams=${c.streams} kUnroll=${c.kUnroll}` +
      `${c.prefetch > 0 ? ` prefetch=${c.prefetch}` : ''}${c.threads > 1 ? ` split=${c.split === 'k' ? 'k' : 'n'}` : ''} threads=${c.threads} flags="${c.flags}"`
    );
  return (
    `blocked mc=${c.mc} nc=${c.nc} kc=${c.kc} tile=${c.mr}x${c.nr} vec=${c.vec}B packA=${c.packA} packB=${c.packB} ` +
    `order=${c.loopOrder} kUnroll=${c.kUnroll}${c.prefetch > 0 ? ` prefetch=${c.prefetch}` : ''}${c.split === 'k' && c.threads > 1 ? ' split=k' : ''} threads=${c.threads} flags="${c.flags}"`
  );
}
