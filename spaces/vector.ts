// Real-vector space: Float64Array genomes with Gaussian, Iso+LineDD, polynomial and SBX variation, clipped, reflected or
// left unbounded at [min, max], started uniform in the box or from a Gaussian around x0 (pyribs' emitters: x0, σ, no bounds).
// Iso+LineDD: Vassiliades & Mouret, GECCO 2018, doi:10.1145/3205455.3205602. SBX: Deb & Agrawal, Complex Systems 9, 1995.
// Polynomial mutation: Deb & Goyal, Computer Science and Informatics 26(4), 1996, in its bounded form of the NSGA-II
// reference code (Deb et al., IEEE TEVC 6(2), 2002; nsga2-v1.1.6 realmutation()).
import { z } from 'zod';
import { lazySchema } from '../core/lazy-schema.js';
import { toSignificant } from '../core/significant.js';
import type { Rng, Space } from '../core/types.js';
import { hashBytes } from '../core/hash.js';
import { standardNormal } from '../core/normal.js';
import { binomialPositions, type NormalRng } from '../core/rng.js';

export { standardNormal } from '../core/normal.js';

const gaussianMutationSchema = lazySchema(() =>
  z.strictObject({
    type: z.literal('gaussian'),
    /** Standard deviation per gene, in genotype units. Default: 5% of (max − min), i.e. ≈ 0.5 on [−5.12, 5.12]. */
    sigma: z.number().positive().optional(),
  }),
);

const isoLineDdMutationSchema = lazySchema(() =>
  z.strictObject({
    type: z.literal('iso-line-dd'),
    /** Isotropic SD, in genotype units. Default: 1% of (max − min), i.e. pymap_elites' 0.01 on [0, 1]. */
    isoSigma: z.number().positive().optional(),
    /** SD of the step along the line between the two parents; unitless (scales b − a). */
    lineSigma: z.number().positive().default(0.2),
  }),
);

const polynomialMutationSchema = lazySchema(() =>
  z.strictObject({
    type: z.literal('polynomial'),
    /** Distribution index η_m: larger keeps the mutant closer to the parent (NSGA-II's ZDT setting: 20). */
    eta: z.number().min(0).default(20),
    /** Probability that each gene mutates. Default: 1/dimensions (one gene per child on average). */
    rate: z.number().gt(0).max(1).optional(),
  }),
);

/** Options of the `vector` space (the config object minus `type`). */
export const vectorOptionsSchema = lazySchema(() =>
  z
    .strictObject({
      dimensions: z.number().int().positive(),
      min: z.number(),
      max: z.number(),
      mutation: z
        .discriminatedUnion('type', [gaussianMutationSchema, isoLineDdMutationSchema, polynomialMutationSchema])
        .default({ type: 'gaussian' }),
      /** Omitted: Iso+LineDD when `mutation.type` is `iso-line-dd`, else (gaussian, polynomial) SBX with η = 10. */
      crossover: z
        .strictObject({
          type: z.literal('sbx'),
          eta: z.number().positive().default(10),
          /**
           * Probability that a gene is crossed (else the first parent's is kept): 1 as in pymap_elites (the default);
           * 0.5 as in Deb's NSGA-II code, which keeps more of a parent's good genes together (ZDT's tail of zeros).
           */
          geneRate: z.number().gt(0).max(1).default(1),
        })
        .optional(),
      /** Omitted: `sample` is uniform in [min, max]. Given: x0 + sigma·N(0, I) (then bounded), as pyribs' emitters start. */
      init: z.strictObject({ x0: z.union([z.number(), z.array(z.number())]), sigma: z.number().min(0) }).optional(),
      /**
       * What happens to a coordinate outside [min, max]: clip to the bound (default, the behaviour before this option),
       * reflect back inside, or none (left as it is: pyribs' emitters are unbounded; min and max then only shape the
       * uniform start and SBX).
       */
      bounds: z.enum(['clip', 'reflect', 'none']).default('clip'),
    })
    .refine((o) => o.max > o.min, { message: 'max must be greater than min', path: ['max'] })
    .refine((o) => typeof o.init?.x0 === 'number' || o.init === undefined || o.init.x0.length === o.dimensions, {
      message: 'init.x0 must be one number or have one entry per dimension',
      path: ['init', 'x0'],
    })
    .refine((o) => o.mutation.type !== 'polynomial' || o.bounds !== 'none', {
      message: "polynomial mutation scales its steps by the bounds: it needs bounds 'clip' or 'reflect', not 'none'",
      path: ['mutation'],
    }),
);
export type VectorOptions = z.infer<typeof vectorOptionsSchema>;
/** What a config may hold before defaults are applied. */
export type VectorOptionsInput = z.input<typeof vectorOptionsSchema>;

/** Variation settings after defaults, all sigmas in genotype units. */
export type ResolvedVectorVariation =
  | { readonly mutation: 'gaussian'; readonly sigma: number; readonly crossover: 'sbx'; readonly eta: number }
  | {
      readonly mutation: 'iso-line-dd';
      readonly isoSigma: number;
      readonly lineSigma: number;
      readonly crossover: 'iso-line-dd' | 'sbx';
      readonly eta: number;
    }
  | {
      readonly mutation: 'polynomial';
      /** The mutation's distribution index η_m (`eta` is SBX's). */
      readonly mutationEta: number;
      /** Per-gene mutation probability. */
      readonly rate: number;
      /**
       * The standard deviation of one mutated gene's step away from the bounds, √(2/((η_m+2)(η_m+3)))·(max − min):
       * the Gaussian scale that Gaussian and iso-line emitters default to on this space (about 6% of the range at
       * η_m = 20). The mutation itself does not use it.
       */
      readonly isoSigma: number;
      readonly crossover: 'sbx';
      readonly eta: number;
    };

export type VectorBounds = 'clip' | 'reflect' | 'none';

/** A real-vector space. Unless `bounds` is 'none', every genome it returns lies in [min, max] in each coordinate. */
export interface VectorSpace extends Space<Float64Array> {
  readonly dimensions: number;
  readonly min: number;
  readonly max: number;
  readonly bounds: VectorBounds;
  /** The configured start (x0 expanded to every dimension), if any. */
  readonly init: { readonly x0: Float64Array; readonly sigma: number } | undefined;
  readonly variation: ResolvedVectorVariation;
  crossover(a: Float64Array, b: Float64Array, rng: Rng): Float64Array;
  /** Applies `bounds` in place, so that strategies that sample their own vectors (CMA-ES) respect them. */
  applyBounds(x: Float64Array): void;
}

/** True for a space with the real-vector capabilities that CMA-ES emitters need. */
export function isVectorSpace(space: Space<unknown>): space is Space<unknown> & VectorSpace {
  const s = space as Partial<VectorSpace>;
  return typeof s.dimensions === 'number' && typeof s.applyBounds === 'function';
}

const DESCRIBE_MAX_ENTRIES = 8;

/**
 * Builds a real-vector space; `options` are validated and defaults applied here.
 * @throws {ZodError} when the options do not validate (e.g. `max <= min`).
 */
export function createVectorSpace(input: VectorOptionsInput): VectorSpace {
  const options = vectorOptionsSchema.parse(input);
  const { dimensions: n, min, max, bounds } = options;
  const range = max - min;
  const init = options.init && {
    x0:
      typeof options.init.x0 === 'number'
        ? new Float64Array(n).fill(options.init.x0)
        : Float64Array.from(options.init.x0),
    sigma: options.init.sigma,
  };
  const variation = resolveVariation(options, range, n);
  // Gaussian mutation and the iso part of Iso+LineDD are the same operator with different sigmas.
  const mutationSigma = variation.mutation === 'gaussian' ? variation.sigma : variation.isoSigma;

  // One coordinate into the bounds; `bound` is what every operator applies to its result.
  const clip = (v: number): number => (v < min ? min : v > max ? max : v);
  const reflect = (v: number): number => {
    if (v >= min && v <= max) return v;
    const t = (v - min) % (2 * range); // mirror images repeat with period 2·range
    const u = t < 0 ? t + 2 * range : t;
    return min + (u > range ? 2 * range - u : u);
  };
  const bound = bounds === 'clip' ? clip : bounds === 'reflect' ? reflect : (v: number): number => v;
  // Unbounded SBX: the spread factor's bound term vanishes (β → ∞), as in Deb & Agrawal's unbounded form.
  const sbxLow = bounds === 'none' ? -Infinity : min;
  const sbxHigh = bounds === 'none' ? Infinity : max;
  const allocate = genomeSlab(n);
  const normals = new Float64Array(n); // scratch for a stream that fills normals in one call

  const isoLineDd = (a: Float64Array, b: Float64Array, rng: Rng, isoSigma: number, lineSigma: number): Float64Array => {
    const line = lineSigma * standardNormal(rng); // one draw shared by all genes: the step is along the line a → b
    const child = allocate();
    for (let i = 0; i < n; i++) {
      const ai = a[i]!;
      child[i] = bound(ai + isoSigma * standardNormal(rng) + line * (b[i]! - ai));
    }
    return child;
  };

  const geneRate = options.crossover?.geneRate ?? 1;
  const sbx = (a: Float64Array, b: Float64Array, rng: Rng, eta: number): Float64Array => {
    // Bounded SBX as in pymap_elites (map_elites/common.py): each gene crossed (all at geneRate 1), one of the two children's genes kept.
    const child = allocate();
    const exponent = 1 / (eta + 1);
    for (let i = 0; i < n; i++) {
      const ai = a[i]!;
      const bi = b[i]!;
      if (geneRate < 1 && rng() >= geneRate) {
        child[i] = bound(ai); // not crossed (no draw at the default rate 1: the stream is as before the option)
        continue;
      }
      const u = rng();
      const pick = rng();
      if (Math.abs(ai - bi) <= 1e-15) {
        child[i] = bound(ai);
        continue;
      }
      const x1 = ai < bi ? ai : bi;
      const x2 = ai < bi ? bi : ai;
      const spread = x2 - x1;
      if (pick <= 0.5) {
        const betaQ = sbxBetaQ(u, 1 + (2 * (sbxHigh - x2)) / spread, eta, exponent);
        child[i] = bound(0.5 * (x1 + x2 + betaQ * spread));
      } else {
        const betaQ = sbxBetaQ(u, 1 + (2 * (x1 - sbxLow)) / spread, eta, exponent);
        child[i] = bound(0.5 * (x1 + x2 - betaQ * spread));
      }
    }
    return child;
  };

  const gaussian = (parent: Float64Array, rng: Rng): Float64Array => {
    // Hot path of MAP-Elites on vectors: no allocation of its own (a slab view), one uniform per gene (almost always).
    const child = allocate();
    // The engine's streams carry a fast normal generator (xoshiro128**, checkpointed with them); a plain Rng gets
    // standardNormal's draws from its uniforms.
    const fill = (rng as NormalRng).fillNormal;
    if (fill) {
      fill(normals);
      if (bounds === 'clip') {
        for (let i = 0; i < n; i++) {
          const v = parent[i]! + mutationSigma * normals[i]!;
          child[i] = v < min ? min : v > max ? max : v;
        }
      } else for (let i = 0; i < n; i++) child[i] = bound(parent[i]! + mutationSigma * normals[i]!);
      return child;
    }
    for (let i = 0; i < n; i++) child[i] = bound(parent[i]! + mutationSigma * standardNormal(rng));
    return child;
  };

  // Bounded polynomial mutation as in the NSGA-II reference code's realmutation(): each gene with probability `rate`
  // moves by δ_q·(max − min), δ_q ∈ [−δ1, δ2] by construction (δ1, δ2: the distances to the bounds over the range).
  const polynomial = (eta: number, rate: number) => {
    const power = eta + 1;
    const exponent = 1 / power;
    return (parent: Float64Array, rng: Rng): Float64Array => {
      const child = allocate();
      child.set(parent);
      for (const i of binomialPositions(rng, n, rate)) {
        const x = clip(parent[i]!); // a genome decoded from elsewhere may lie outside: keep the powers' bases ≥ 0
        const u = rng();
        let deltaQ: number;
        if (u < 0.5) {
          const delta1 = (x - min) / range;
          deltaQ = (2 * u + (1 - 2 * u) * (1 - delta1) ** power) ** exponent - 1;
        } else {
          const delta2 = (max - x) / range;
          deltaQ = 1 - (2 * (1 - u) + 2 * (u - 0.5) * (1 - delta2) ** power) ** exponent;
        }
        child[i] = bound(x + deltaQ * range);
      }
      return child;
    };
  };

  return {
    name: 'vector',
    dimensions: n,
    min,
    max,
    bounds,
    init,
    variation,

    sample(rng) {
      const g = allocate();
      if (init) {
        for (let i = 0; i < n; i++) g[i] = bound(init.x0[i]! + init.sigma * standardNormal(rng));
        return g;
      }
      for (let i = 0; i < n; i++) g[i] = clip(min + rng() * range);
      return g;
    },

    applyBounds(x) {
      if (bounds === 'none') return;
      for (let i = 0; i < x.length; i++) x[i] = bound(x[i]!);
    },

    mutate: variation.mutation === 'polynomial' ? polynomial(variation.mutationEta, variation.rate) : gaussian,

    crossover(a, b, rng) {
      if (variation.crossover === 'iso-line-dd' && variation.mutation === 'iso-line-dd') {
        return isoLineDd(a, b, rng, variation.isoSigma, variation.lineSigma);
      }
      return sbx(a, b, rng, variation.eta);
    },

    key(g) {
      // Exact bits, except that -0 and 0 are the same genome.
      for (let i = 0; i < g.length; i++) {
        if (g[i] === 0 && 1 / g[i]! < 0) {
          const copy = Float64Array.from(g);
          for (let j = i; j < copy.length; j++) if (copy[j] === 0) copy[j] = 0;
          return hashBytes(copy);
        }
      }
      return hashBytes(g);
    },

    describe(g) {
      const shown = Math.min(g.length, DESCRIBE_MAX_ENTRIES);
      const parts: string[] = [];
      for (let i = 0; i < shown; i++) parts.push(formatNumber(g[i]!));
      if (g.length > shown) parts.push(`… (${g.length} dims)`);
      return `[${parts.join(', ')}]`;
    },

    encode(g) {
      const out = new Array<number>(g.length);
      for (let i = 0; i < g.length; i++) out[i] = g[i] === 0 ? 0 : g[i]!; // JSON has no -0
      return out;
    },

    decode(x) {
      if (!Array.isArray(x) && !(x instanceof Float64Array) && !(x instanceof Float32Array)) {
        throw new TypeError(`vector.decode: expected an array of ${n} numbers, got ${x === null ? 'null' : typeof x}`);
      }
      const values = x as ArrayLike<unknown>;
      if (values.length !== n) {
        throw new RangeError(`vector.decode: expected ${n} numbers, got ${values.length}`);
      }
      const g = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        const v = values[i];
        if (typeof v !== 'number' || !Number.isFinite(v)) {
          throw new TypeError(`vector.decode: entry ${i} must be a finite number, got ${String(v)}`);
        }
        g[i] = v;
      }
      return g;
    },
  };
}

/** Bytes of one slab of genomes: small enough that a slab kept alive by one genome wastes little. */
const SLAB_BYTES = 16 * 1024;

/**
 * Genome allocation from slabs: views of a shared buffer, about 6× cheaper than one Float64Array each (a typed array
 * over 64 bytes gets a buffer of its own outside the JS heap, which the garbage collector must finalise), the cost that
 * dominated a cheap objective. A slab lives as long as one of its genomes: archives keep elites as their own copies
 * (archive/grid.ts), so only short-lived genomes share one.
 */
function genomeSlab(n: number): () => Float64Array {
  const perSlab = Math.max(1, Math.floor(SLAB_BYTES / (8 * n)));
  if (perSlab === 1) return () => new Float64Array(n);
  let slab = new Float64Array(0);
  let next = 0;
  return () => {
    if (next === slab.length) {
      slab = new Float64Array(perSlab * n);
      next = 0;
    }
    const view = slab.subarray(next, next + n);
    next += n;
    return view;
  };
}

function resolveVariation(options: VectorOptions, range: number, dimensions: number): ResolvedVectorVariation {
  const eta = options.crossover?.eta ?? 10;
  const m = options.mutation;
  if (m.type === 'gaussian') return { mutation: 'gaussian', sigma: m.sigma ?? 0.05 * range, crossover: 'sbx', eta };
  if (m.type === 'polynomial') {
    return {
      mutation: 'polynomial',
      mutationEta: m.eta,
      rate: m.rate ?? 1 / dimensions,
      // E[δ_q²] = 2/((η+2)(η+3)) when the bounds are far (δ_q then has density (η+1)/2·(1 − |δ_q|)^η on [−1, 1]).
      isoSigma: Math.sqrt(2 / ((m.eta + 2) * (m.eta + 3))) * range,
      crossover: 'sbx',
      eta,
    };
  }
  return {
    mutation: 'iso-line-dd',
    isoSigma: m.isoSigma ?? 0.01 * range,
    lineSigma: m.lineSigma,
    crossover: options.crossover ? 'sbx' : 'iso-line-dd',
    eta,
  };
}

/** Spread factor β_q of bounded SBX for uniform draw `u`, given β from the distance to the bound. */
function sbxBetaQ(u: number, beta: number, eta: number, exponent: number): number {
  const alpha = 2 - beta ** -(eta + 1);
  return u <= 1 / alpha ? (u * alpha) ** exponent : (1 / (2 - u * alpha)) ** exponent;
}

function formatNumber(v: number): string {
  return Object.is(v, -0) ? '0' : toSignificant(v, 6);
}
