// QD statistics of an archive (coverage, QD score with its offset, best), defined once here and kept up to date in O(1).
import type { ArchiveStats } from './archive.js';
import { compareScored, type Scored } from '../core/score.js';

/*
 * Definitions (pyribs' metrics; Pugh, Soros & Stanley 2015 for the QD score):
 * - coverage = filled cells / cells, in 0..1.
 * - qdScore  = Σ over filled cells of (score − offset).
 * - offset   = the configured `qdOffset` when given; otherwise the minimum score ever passed to `add()`,
 *              rejected candidates included (0 before any add). Every elite's score is ≥ that minimum, so the
 *              default qdScore is never negative. A configured offset above some score can make it negative.
 * - bestScore / bestId: the elite that is best by `compareScored` (score, then tiebreak); undefined when empty.
 * Scores are finite: the engine rejects NaN before it calls `add()`.
 */

/** An archive entry the tracker can rank: a score, its tiebreak and the id of the evaluation. */
export interface RankedEntry extends Scored {
  readonly id: number;
}

/** A tracker's state in plain data (archive snapshots): `best` is the id of the best entry. */
export interface TrackerState {
  readonly filled: number;
  readonly sum: number;
  readonly compensation: number;
  readonly minSeen: number;
  readonly best?: number;
}

/**
 * Incremental QD statistics shared by the archives: filled count, a compensated running sum of the elites'
 * scores, the minimum score seen and the best entry. `stats()` is O(1) because qdScore = Σscore − size·offset.
 */
export class QdStatsTracker<E extends RankedEntry = RankedEntry> {
  private filled = 0;
  // Neumaier-compensated sum: replacing elites adds and subtracts scores millions of times in a long run.
  private sum = 0;
  private compensation = 0;
  private minSeen = Infinity;
  private top: E | undefined;

  /** @param qdOffset the configured offset in score units; omitted: the minimum score seen. */
  constructor(
    readonly cells: number,
    readonly qdOffset?: number,
  ) {}

  /** Filled cells. */
  get size(): number {
    return this.filled;
  }

  /** The best elite: elites leave a cell only for better ones, and `rescore` looks for a new best when it falls. */
  get best(): E | undefined {
    return this.top;
  }

  /** Records a score passed to `add()`, whatever its status; feeds the default offset. */
  observe(score: number): void {
    if (score < this.minSeen) this.minSeen = score;
  }

  /** Records `entry` entering a cell, replacing `replaced` when the cell was already filled. */
  insert(entry: E, replaced?: Scored): void {
    if (replaced) this.accumulate(-replaced.score);
    else this.filled++;
    this.accumulate(entry.score);
    if (!this.top || compareScored(entry, this.top) > 0) this.top = entry;
  }

  /**
   * Records `entry` taking the place of `old` in its cell with another score (noisy fitness held at its mean); when
   * the best falls, the new best is searched among `elites()` (O(n), only then).
   */
  rescore(entry: E, old: E, elites: () => Iterable<E>): void {
    this.accumulate(entry.score - old.score);
    if (this.top === old) {
      this.top = entry;
      if (compareScored(entry, old) < 0) for (const e of elites()) if (compareScored(e, this.top) > 0) this.top = e;
    } else if (!this.top || compareScored(entry, this.top) > 0) this.top = entry;
  }

  /** Empties the tracked cells; the minimum score seen stays (it counts every score ever passed to `add()`). */
  clear(): void {
    this.filled = 0;
    this.sum = 0;
    this.compensation = 0;
    this.top = undefined;
  }

  /** The offset in use now (see the definitions at the top of this file). */
  offset(): number {
    if (this.qdOffset !== undefined) return this.qdOffset;
    return this.minSeen === Infinity ? 0 : this.minSeen;
  }

  qdScore(): number {
    const value = this.sum + this.compensation - this.filled * this.offset();
    // With the default offset every term is ≥ 0; clamp the rounding residue of the subtraction.
    return this.qdOffset === undefined && value < 0 ? 0 : value;
  }

  stats(): ArchiveStats {
    return {
      size: this.filled,
      cells: this.cells,
      coverage: this.cells > 0 ? this.filled / this.cells : 0,
      qdScore: this.qdScore(),
      qdOffset: this.offset(),
      bestScore: this.top?.score,
      bestId: this.top?.id,
    };
  }

  /** The tracker's exact state (floats as they are, so a restored tracker sums on bit for bit); `best`: its id. */
  state(): TrackerState {
    const state = { filled: this.filled, sum: this.sum, compensation: this.compensation, minSeen: this.minSeen };
    return this.top ? { ...state, best: this.top.id } : state;
  }

  /** Sets the state back; `bestEntry` is the entry with the saved `best` id (the caller holds the entries). */
  restore(state: TrackerState, bestEntry: E | undefined): void {
    this.filled = state.filled;
    this.sum = state.sum;
    this.compensation = state.compensation;
    this.minSeen = state.minSeen;
    this.top = bestEntry;
  }

  private accumulate(x: number): void {
    const t = this.sum + x;
    this.compensation += Math.abs(this.sum) >= Math.abs(x) ? this.sum - t + x : x - t + this.sum;
    this.sum = t;
  }
}

/**
 * The same statistics computed directly from a list of elites in O(n): the reference the incremental tracker is
 * tested against, and a way to get stats for elites that did not come from an archive (e.g. an export).
 * @param qdOffset the offset to use; omitted: the minimum score among `elites` (0 when empty).
 */
export function computeArchiveStats(elites: Iterable<RankedEntry>, cells: number, qdOffset?: number): ArchiveStats {
  const list = [...elites];
  let offset = qdOffset;
  if (offset === undefined) {
    offset = list.length === 0 ? 0 : Infinity;
    for (const elite of list) if (elite.score < offset) offset = elite.score;
  }
  let best: RankedEntry | undefined;
  let qdScore = 0;
  for (const elite of list) {
    qdScore += elite.score - offset;
    if (!best || compareScored(elite, best) > 0) best = elite;
  }
  return {
    size: list.length,
    cells,
    coverage: cells > 0 ? list.length / cells : 0,
    qdScore,
    qdOffset: offset,
    bestScore: best?.score,
    bestId: best?.id,
  };
}
