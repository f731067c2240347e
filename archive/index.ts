// The archive registry: built-in elite archives by config `type`, plus the archive contracts, statistics and heatmap.
import { defineFactory, type Factory } from '../core/factory.js';
import type { SeededRng } from '../core/rng.js';
import type { Archive } from './archive.js';
import { createCvtArchive, cvtArchiveOptionsSchema } from './cvt.js';
import { createGridArchive, gridArchiveOptionsSchema } from './grid.js';
import {
  createMomeArchive,
  createParetoArchive,
  momeArchiveOptionsSchema,
  paretoArchiveOptionsSchema,
} from './mome.js';
import { createSlidingBoundariesArchive, slidingBoundariesArchiveOptionsSchema } from './sliding-boundaries.js';

export type {
  AddResult,
  AddStatus,
  Archive,
  ArchiveDim,
  ArchiveStats,
  ArchiveView,
  Candidate,
  Elite,
} from './archive.js';
export { CellArchive, createGridArchive, GridArchive, gridArchiveOptionsSchema } from './grid.js';
export type { GridArchiveOptions, GridGeometry } from './grid.js';
export { createCvtArchive, CvtArchive, cvtArchiveOptionsSchema } from './cvt.js';
export type { CvtArchiveOptions, CvtDim, CvtGeometry, CvtSource } from './cvt.js';
export {
  createSlidingBoundariesArchive,
  SlidingBoundariesArchive,
  slidingBoundariesArchiveOptionsSchema,
} from './sliding-boundaries.js';
export type {
  SlidingBoundariesArchiveOptions,
  SlidingBoundariesGeometry,
  SlidingDim,
} from './sliding-boundaries.js';
export {
  createMomeArchive,
  createParetoArchive,
  momeArchiveOptionsSchema,
  ParetoArchive,
  paretoArchiveOptionsSchema,
} from './mome.js';
export type { MomeArchiveOptions, ParetoArchiveOptions, ParetoDeps, Tessellation } from './mome.js';
export { edgeCellWarning, edgeShares } from './edges.js';
export { DEFAULT_EDGE_WARNING } from './grid.js';
export type { EdgeCellWarning, EdgeShare } from './edges.js';
export { cvtCentroids, defaultSampleCount } from './centroids.js';
export type { CvtCentroidOptions } from './centroids.js';
export { computeArchiveStats, QdStatsTracker } from './stats.js';
export type { RankedEntry } from './stats.js';
export { renderHeatmap } from './heatmap.js';
export type { HeatmapOptions } from './heatmap.js';

/** What every archive factory receives from the run. */
export interface ArchiveDeps {
  /** The archive's own stream; a CVT fits its centroids from `rng.fork('centroids')`. */
  readonly rng: SeededRng;
  /** The `geometry()` saved with the run: a resume rebuilds exactly the same cells (and a changed config is refused). */
  readonly geometry?: unknown;
  /**
   * The run's QD-score offset in score units, already direction-adjusted by the caller; omitted: the minimum score
   * ever added. It lives here, not in the options, because only the run knows the direction.
   */
  readonly qdOffset?: number;
  /** The config's `objectives.reference`, each objective higher-is-better: a Pareto archive's hypervolumes use it. */
  readonly reference?: readonly number[];
}

/** Built-in archives by config `type`. Each schema is strict and excludes `type` and `qdOffset` (the loader strips them). */
export const archives = {
  grid: defineFactory(
    'Regular grid over the descriptors (MAP-Elites): `bins` per dim, out-of-range descriptors clipped to the edge bins.',
    gridArchiveOptionsSchema,
    (options, deps: ArchiveDeps): Archive<unknown> =>
      createGridArchive<unknown>(withOffset(options, deps.qdOffset), { geometry: deps.geometry }),
  ),
  cvt: defineFactory(
    'Centroidal Voronoi tessellation (CVT-MAP-Elites): `cells` centroids fitted by seeded k-means; nearest centroid wins.',
    cvtArchiveOptionsSchema,
    (options, deps: ArchiveDeps): Archive<unknown> =>
      createCvtArchive<unknown>(withOffset(options, deps.qdOffset), deps),
  ),
  'sliding-boundaries': defineFactory(
    'Grid whose bin boundaries follow the percentiles of the last `bufferCapacity` descriptors, remapped every `remapFrequency` adds (pyribs SlidingBoundariesArchive): for descriptor ranges nobody knows in advance.',
    slidingBoundariesArchiveOptionsSchema,
    (options, deps: ArchiveDeps): Archive<unknown> =>
      createSlidingBoundariesArchive<unknown>(withOffset(options, deps.qdOffset), { geometry: deps.geometry }),
  ),
  mome: defineFactory(
    'MOME (Pierrot et al. 2022): a grid (`dims` with `bins`) or CVT (`cells`) whose cells each hold a Pareto front of up to `frontCapacity` members; needs the config’s `objectives` with a `reference` point. qdScore is the MOQD score.',
    momeArchiveOptionsSchema,
    (options, deps: ArchiveDeps): Archive<unknown> =>
      createMomeArchive<unknown>(options, { rng: deps.rng, geometry: deps.geometry, reference: deps.reference }),
  ),
  pareto: defineFactory(
    'One Pareto front of up to `capacity` members, no descriptors (for NSGA-II); needs the config’s `objectives` with a `reference` point.',
    paretoArchiveOptionsSchema,
    (options, deps: ArchiveDeps): Archive<unknown> =>
      createParetoArchive<unknown>(options, { reference: deps.reference }),
  ),
} satisfies Record<string, Factory<ArchiveDeps, Archive<unknown>>>;

export type ArchiveType = keyof typeof archives;

function withOffset<O extends object>(options: O, qdOffset: number | undefined): O & { qdOffset?: number } {
  return qdOffset === undefined ? options : { ...options, qdOffset };
}
