// CVT archive (CVT-MAP-Elites, Vassiliades, Chatzilygeroudis & Mouret 2018, arXiv:1610.05729): one elite per Voronoi cell of k centroids.
import { z } from 'zod';
import { lazySchema } from '../core/lazy-schema.js';
import { ConfigError } from '../core/errors.js';
import type { SeededRng } from '../core/rng.js';
import type { ArchiveDim } from './archive.js';
import { createNearestLookup, cvtCentroids, type NearestLookup } from './centroids.js';
import { CellArchive, checkRange, descriptorCountError, dimRange, nanDescriptorError, uniqueDimNames } from './grid.js';

/** A CVT descriptor axis: a name and a range; the cells come from the centroids, not from bins. */
export interface CvtDim {
  readonly name: string;
  readonly min: number;
  readonly max: number;
}

/** Options of the `cvt` archive (the config object minus `type`; the run's `qdOffset` arrives via the deps). */
export const cvtArchiveOptionsSchema = lazySchema(() =>
  z
    .strictObject({
      /** k, the number of centroids (pymap_elites and pyribs use 10,000 for the arm). */
      cells: z.number().int().positive(),
      dims: z
        .array(z.strictObject({ name: z.string().min(1), min: z.number(), max: z.number() }).superRefine(dimRange))
        .min(1, 'a cvt archive needs at least one descriptor dim')
        .superRefine(uniqueDimNames),
      /** Uniform samples the k-means is fitted on; default max(25,000, 2·cells). */
      samples: z.number().int().positive().optional(),
    })
    .refine((o) => o.samples === undefined || o.samples >= o.cells, {
      message: 'samples must be at least cells (k-means needs one sample per centroid)',
      path: ['samples'],
    }),
);

/** Options for `createCvtArchive`. */
export interface CvtArchiveOptions {
  readonly cells: number;
  readonly dims: readonly CvtDim[];
  /** Uniform samples for the k-means; default max(25,000, 2·cells). Ignored when restoring from a geometry. */
  readonly samples?: number;
  /** In score units, direction applied. Omitted: the minimum score ever added. */
  readonly qdOffset?: number;
}

/** The plain data `geometry()` returns and `createCvtArchive` restores from: the exact centroids of the run. */
export interface CvtGeometry {
  readonly type: 'cvt';
  readonly dims: readonly CvtDim[];
  readonly centroids: number[][];
}

/** Where the centroids come from: a saved geometry when given, else k-means seeded from `rng.fork('centroids')`. */
export interface CvtSource {
  readonly rng?: SeededRng;
  readonly geometry?: unknown;
}

/**
 * A centroidal Voronoi tessellation: the cell of a descriptor vector is its nearest centroid (Euclidean, ties to
 * the lower index), after clipping each descriptor into its dim's [min, max]. Lookup is a KD-tree up to 6 dims.
 */
export class CvtArchive<G> extends CellArchive<G> {
  readonly dims: readonly CvtDim[];
  /** Flat centroid coordinates: centroid c is at c·d … c·d + d − 1. */
  private readonly centroids: Float64Array;
  private readonly lookup: NearestLookup;
  private readonly mins: Float64Array;
  private readonly maxs: Float64Array;
  /** Scratch for the clipped query, so `cellOf` allocates nothing. */
  private readonly query: Float64Array;

  constructor(dims: readonly CvtDim[], centroids: Float64Array, qdOffset?: number) {
    const d = dims.length;
    super(centroids.length / d, qdOffset);
    this.dims = dims.map((dim) => ({ name: dim.name, min: dim.min, max: dim.max }));
    this.centroids = centroids;
    this.lookup = createNearestLookup(centroids, d);
    this.mins = Float64Array.from(dims, (dim) => dim.min);
    this.maxs = Float64Array.from(dims, (dim) => dim.max);
    this.query = new Float64Array(d);
  }

  /**
   * Index of the centroid nearest to `descriptors` clipped into the box.
   * @throws {Error} when `descriptors.length` differs from the number of dims, or a descriptor is NaN.
   */
  cellOf(descriptors: readonly number[]): number {
    const { query, mins, maxs } = this;
    const d = query.length;
    if (descriptors?.length !== d) throw descriptorCountError('cvt', this.dims, descriptors?.length);
    for (let j = 0; j < d; j++) {
      const x = descriptors[j]!;
      if (x !== x) throw nanDescriptorError(this.dims, j);
      query[j] = x < mins[j]! ? mins[j]! : x > maxs[j]! ? maxs[j]! : x;
    }
    return this.lookup.nearest(query);
  }

  /** Coordinates of centroid `cell` (a copy). */
  centroid(cell: number): number[] {
    const d = this.dims.length;
    return Array.from(this.centroids.subarray(cell * d, cell * d + d));
  }

  protected stateKind(): string {
    return 'cvt';
  }

  geometry(): CvtGeometry {
    const centroids: number[][] = [];
    for (let c = 0; c < this.cells; c++) centroids.push(this.centroid(c));
    return { type: 'cvt', dims: this.dims.map((dim) => ({ ...dim })), centroids };
  }
}

/**
 * Builds a CVT archive. With `source.geometry` (what `geometry()` returned for the run) the centroids are reused
 * exactly, so a resumed run keeps its cells; otherwise they are fitted by k-means on `samples` uniform points,
 * drawing from `source.rng.fork('centroids')` (about a second for 10,000 cells in 2 dims).
 * @throws {ConfigError} when a dim's range is invalid, the geometry does not match `options`, or neither an rng nor
 * a geometry is given.
 */
export function createCvtArchive<G>(options: CvtArchiveOptions, source: CvtSource): CvtArchive<G> {
  const dims = options.dims;
  if (dims.length === 0) throw new ConfigError('a cvt archive needs at least one descriptor dim');
  for (const dim of dims) checkRange(dim);
  if (!Number.isSafeInteger(options.cells) || options.cells < 1) {
    throw new ConfigError(`a cvt archive needs a positive integer number of cells, got ${options.cells}`);
  }
  if (source.geometry !== undefined)
    return new CvtArchive<G>(dims, restoreCentroids(options, source.geometry), options.qdOffset);
  if (!source.rng)
    throw new ConfigError('a cvt archive needs an rng to fit its centroids, or a saved geometry to restore them');
  const samples = options.samples;
  const centroids = cvtCentroids(
    dims,
    options.cells,
    source.rng.fork('centroids').next,
    samples === undefined ? {} : { samples },
  );
  return new CvtArchive<G>(dims, centroids, options.qdOffset);
}

const cvtGeometrySchema = lazySchema(() =>
  z.object({
    type: z.literal('cvt'),
    dims: z.array(z.object({ name: z.string(), min: z.number(), max: z.number() })),
    centroids: z.array(z.array(z.number())),
  }),
);

function restoreCentroids(options: CvtArchiveOptions, geometry: unknown): Float64Array {
  const parsed = cvtGeometrySchema.safeParse(geometry);
  const d = options.dims.length;
  const describe = (cells: number, dims: readonly ArchiveDim[]): string =>
    `${cells} cells over ${dims.map((dim) => `${dim.name} [${dim.min}, ${dim.max}]`).join(' × ')}`;
  const mismatch = (saved: string): ConfigError =>
    new ConfigError(
      `the run's cvt archive geometry (${saved}) does not match the config (${describe(options.cells, options.dims)})`,
      [],
      'Resume with the archive settings the run was started with, or start a new run.',
    );
  if (!parsed.success) throw mismatch('not a cvt geometry');
  const saved = parsed.data;
  const sameDims =
    saved.dims.length === d &&
    saved.dims.every(
      (dim, j) =>
        dim.name === options.dims[j]!.name && dim.min === options.dims[j]!.min && dim.max === options.dims[j]!.max,
    );
  if (!sameDims || saved.centroids.length !== options.cells)
    throw mismatch(describe(saved.centroids.length, saved.dims));
  const flat = new Float64Array(options.cells * d);
  saved.centroids.forEach((centroid, c) => {
    if (centroid.length !== d) throw mismatch(`centroid ${c} has ${centroid.length} coordinates, expected ${d}`);
    flat.set(centroid, c * d);
  });
  return flat;
}
