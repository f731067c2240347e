// The archive contract: one elite per cell of a behaviour space. Knows nothing of evaluators or LMDB.
import type { Rng } from '../core/rng.js';
import type { Scored } from '../core/score.js';

export type AddStatus = 'new' | 'improved' | 'rejected';

/** An elite. `score` is higher-is-better (the run's direction already applied). */
export interface Elite<G> extends Scored {
  readonly cell: number;
  readonly id: number;
  readonly genome: G;
  readonly descriptors: readonly number[];
  /** The evaluator's extra numbers for this elite (e.g. a held-out accuracy): carried, never compared. */
  readonly metrics?: Readonly<Record<string, number>>;
  /** Several objectives, each higher-is-better (directions applied): what a Pareto archive compares. */
  readonly objectives?: readonly number[];
}

/** What the engine adds. Compare candidates only with `compareScored` (score, then tiebreak). */
export interface Candidate<G> extends Scored {
  readonly id: number;
  readonly genome: G;
  readonly descriptors: readonly number[];
  readonly metrics?: Readonly<Record<string, number>>;
  /** With the config's `objectives`: each higher-is-better (directions applied). */
  readonly objectives?: readonly number[];
}

export interface AddResult {
  readonly status: AddStatus;
  readonly cell: number;
  /** Id of the elite this candidate replaced, when it improved a cell. */
  readonly previous?: number;
}

/** Defined once in archive/stats.ts. */
export interface ArchiveStats {
  /** Filled cells. */
  readonly size: number;
  readonly cells: number;
  /** size / cells, in 0..1. */
  readonly coverage: number;
  /** Σ over filled cells of (score − offset); never negative when offset ≤ every score. */
  readonly qdScore: number;
  readonly qdOffset: number;
  /** Highest score, or undefined when empty. */
  readonly bestScore: number | undefined;
  readonly bestId: number | undefined;
  /**
   * Pareto archives only (mome, pareto): the hypervolume of the front of all their members against the reference
   * point (then `qdScore` is the MOQD score, Σ over cells of each cell's front's hypervolume, and `qdOffset` 0), and
   * how many members the fronts hold in all.
   */
  readonly hypervolume?: number;
  readonly members?: number;
}

/** What strategies may see: reads only. */
export interface ArchiveView<G> {
  readonly size: number;
  readonly cells: number;
  get(cell: number): Elite<G> | undefined;
  /** n elites drawn uniformly (with replacement) over filled cells; [] when empty. */
  sample(rng: Rng, n: number): Elite<G>[];
  elites(): IterableIterator<Elite<G>>;
  best(): Elite<G> | undefined;
  stats(): ArchiveStats;
  /** Cell index for descriptors (clipped into range). */
  cellOf(descriptors: readonly number[]): number;
  /**
   * Pareto archives only: every member of every cell's front, in cell order then order of entry (`elites()` and
   * `get` show one per cell, the member with the best score, so maps and tables keep one entry per cell).
   */
  members?(): IterableIterator<Elite<G>>;
  /** Pareto archives only: the reference point of its hypervolumes, each objective higher-is-better. */
  readonly reference?: readonly number[];
}

/**
 * An elite archive. Invariant: `add` is deterministic given the order of calls, so replaying the adds
 * from the event log rebuilds the same archive. A candidate enters a cell when it is empty or when its
 * score is strictly better than the elite's by `compareScored` (the reference MAP-Elites rule).
 */
export interface Archive<G> extends ArchiveView<G> {
  add(candidate: Candidate<G>): AddResult;
  /**
   * True when a candidate rejected now may take a cell later (a sliding-boundaries remap adds its buffer again):
   * the run then logs every genome, so a replay of the log rebuilds those elites with their genomes.
   */
  readonly keepsRejected?: boolean;
  /**
   * Sets the score (and tiebreak) of the elite in `cell`, up or down, keeping its id, genome, descriptors and cell:
   * with noisy fitness an elite is held at the current mean of its samples, so a falling mean lets later candidates
   * take the cell. Deterministic like `add`. Returns false when the cell is empty.
   */
  rescore(cell: number, score: number, tiebreak?: readonly number[]): boolean;
  /** Plain data needed to rebuild the archive's geometry (e.g. CVT centroids); stored with the run. */
  geometry(): unknown;
  /**
   * The archive's exact state as plain data, genomes through `encode`: stored in the run's snapshots so that readers
   * and resume replay only the log after it. Absent: this archive is rebuilt from the whole log.
   */
  saveState?(encode: (genome: G) => unknown): ArchiveState;
  /**
   * Puts a saved state into this archive, which must be empty and of the same geometry: it then answers every later
   * `add` as the saved one would have.
   * @throws {Error} when the state is not one this archive saves.
   */
  loadState?(state: ArchiveState, decode: (encoded: unknown) => G): void;
}

/** What `saveState` returns: plain data (structured-clone and msgpack safe), tagged with the archive kind. */
export interface ArchiveState {
  readonly kind: string;
}

/** Descriptor axis of a grid or CVT archive. */
export interface ArchiveDim {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly bins?: number;
}

/** The bin index in each dim of a row-major `cell` (the first dim varies slowest): the inverse of the cell index. */
export function cellBins(bins: ArrayLike<number>, cell: number): number[] {
  const out = new Array<number>(bins.length);
  for (let i = bins.length - 1; i >= 0; i--) {
    const b = bins[i]!;
    out[i] = cell % b;
    cell = Math.floor(cell / b);
  }
  return out;
}
