// The `emitters:` list of a scheduler config: each entry's schema (a type, a count, a batch size and the type's own
// options) and the emitters it makes.
import { z } from 'zod';
import { lazySchema } from '../../../core/lazy-schema.js';
import type { ArchiveView } from '../../../archive/archive.js';
import { ConfigError } from '../../../core/errors.js';
import type { VectorSpace } from '../../../spaces/vector.js';
import { rankerNames } from '../cma/rankers.js';
import type { Emitter } from './emitter.js';
import { startPoint } from './emitter.js';
import { EsEmitter } from './es.js';
import { GaussianEmitter } from './gaussian.js';
import { IsoLineEmitter } from './iso-line.js';

const x0 = lazySchema(() => z.union([z.number(), z.array(z.number())]).optional());
const common = {
  /** How many emitters of this entry (each its own batches and, for es, its own CMA-ES). */
  count: z.number().int().positive().default(1),
  /** Proposals per batch (pyribs batch_size; pyribs' sphere example: 36 per emitter). */
  batchSize: z.number().int().positive().default(36),
};

export const gaussianEntry = lazySchema(() =>
  z.strictObject({
    type: z.literal('gaussian'),
    ...common,
    /** σ of the Gaussian step. Default: the space's mutation sigma. */
    sigma: z.number().positive().optional(),
    /** Centre of the samples while the archive is empty. Default: the space's own start sample. */
    x0,
  }),
);

export const isoLineEntry = lazySchema(() =>
  z.strictObject({
    type: z.literal('iso-line'),
    ...common,
    /** Default: the space's iso-line-dd isoSigma, else its mutation sigma. */
    isoSigma: z.number().min(0).optional(),
    /** Default: the space's iso-line-dd lineSigma, else 0.2 (pyribs' sphere example). */
    lineSigma: z.number().min(0).optional(),
    x0,
  }),
);

/** A CMA-ES emitter; defaults are pyribs' EvolutionStrategyEmitter's (as cma-me): 2imp, filter, no_improvement. */
export const esEntry = lazySchema(() =>
  z.strictObject({
    type: z.literal('es'),
    ...common,
    batchSize: z.number().int().min(2).default(36),
    sigma0: z.number().positive().default(0.5),
    /** Start (and restart point while the archive is empty). Default: the space's init.x0, else 0. */
    x0,
    ranker: z.enum(rankerNames).default('2imp'),
    selection: z.enum(['mu', 'filter']).default('filter'),
    restartRule: z.union([z.enum(['basic', 'no_improvement']), z.number().int().positive()]).default('no_improvement'),
    covariance: z.enum(['full', 'cholesky', 'diagonal']).default('full'),
    update: z.enum(['hansen', 'pyribs']).default('hansen'),
    measureRanges: z.array(z.number().positive()).optional(),
  }),
);

export const emitterEntry = lazySchema(() => z.discriminatedUnion('type', [gaussianEntry, isoLineEntry, esEntry]));
export type EmitterEntry = z.infer<typeof emitterEntry>;

/**
 * The emitters of the entries, in order (entry 0's count first).
 * @throws {ConfigError} when an x0 does not fit the space.
 */
export function buildEmitters(
  entries: readonly EmitterEntry[],
  space: VectorSpace,
  archive: ArchiveView<unknown>,
  name: string,
): Emitter[] {
  const n = space.dimensions;
  const out: Emitter[] = [];
  entries.forEach((entry, index) => {
    const point = (fallback: Float64Array | undefined): Float64Array | undefined => {
      try {
        return entry.x0 === undefined ? fallback : startPoint(entry.x0, undefined, n);
      } catch (error) {
        throw new ConfigError(`${name}: emitters[${index}].x0 does not fit the space`, [
          { path: `search.emitters.${index}.x0`, message: (error as Error).message },
        ]);
      }
    };
    const v = space.variation;
    for (let k = 0; k < entry.count; k++) {
      if (entry.type === 'gaussian') {
        const sigma = entry.sigma ?? (v.mutation === 'gaussian' ? v.sigma : v.isoSigma);
        out.push(new GaussianEmitter({ batchSize: entry.batchSize, sigma, x0: point(undefined) }, n));
      } else if (entry.type === 'iso-line') {
        const isoSigma = entry.isoSigma ?? (v.mutation === 'gaussian' ? v.sigma : v.isoSigma);
        const lineSigma = entry.lineSigma ?? (v.mutation === 'iso-line-dd' ? v.lineSigma : 0.2);
        out.push(new IsoLineEmitter({ batchSize: entry.batchSize, isoSigma, lineSigma, x0: point(undefined) }, n));
      } else {
        const x = point(startPoint(undefined, space.init?.x0, n))!;
        const measureRanges = measureRangesOf(archive, entry.measureRanges);
        out.push(
          new EsEmitter({
            n,
            lambda: entry.batchSize,
            sigma0: entry.sigma0,
            x0: x,
            ranker: entry.ranker,
            selection: entry.selection,
            restartRule: entry.restartRule,
            covariance: entry.covariance,
            update: entry.update,
            measureRanges,
          }),
        );
      }
    }
  });
  return out;
}

/**
 * The descriptor ranges that scale the rd rankers' random direction, per descriptor count: the given ones, else the
 * grid's dims (max − min), else 1 each.
 */
export function measureRangesOf(
  archive: ArchiveView<unknown>,
  given: readonly number[] | undefined,
): (count: number) => readonly number[] {
  const dims = (archive as { dims?: readonly { min: number; max: number }[] }).dims;
  return (count) =>
    given ?? (dims?.length === count ? dims.map((d) => d.max - d.min) : Array.from({ length: count }, () => 1));
}
