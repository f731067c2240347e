// CMA-MAE's soft archive (Fontaine & Nikolaidis, GECCO 2023, arXiv:2205.10752; pyribs ribs/archives/_grid_archive.py
// `add` with learning_rate / threshold_min): a threshold per cell, kept by the strategy beside the run's archive, which
// stays the plain MAP-Elites result archive that users inspect.
import { decodeFloats, encodeFloats } from './codec.js';

/** pyribs' add status: 2 a new cell, 1 above an occupied cell's threshold, 0 not added. */
export type SoftStatus = 0 | 1 | 2;

export interface SoftAdd {
  readonly status: SoftStatus;
  /** The improvement value the rankers sort by: f − the threshold before this add. */
  readonly value: number;
}

export interface ThresholdState {
  readonly cells: number[];
  readonly thresholds: string;
}

/**
 * Per-cell thresholds. A candidate with objective f in cell e is added iff f > t_e (an empty cell's t is
 * `thresholdMin`); then t_e ← (1 − α)·t_e + α·f. Its value is f − t_e before the update, and for a new cell
 * f − thresholdMin (f − 0 when thresholdMin = −∞, pyribs' convention for CMA-ME). With α = 1 and thresholdMin = −∞
 * this is the standard archive: t_e is the elite's objective.
 * Adds are applied one at a time in tell order; pyribs applies a batch at once (t ← (1−α)^k·t + (1 − (1−α)^k)·mean f
 * for k adds to one cell, each valued against the threshold before the batch). The two agree for one add per cell.
 */
export class CellThresholds {
  private readonly thresholds = new Map<number, number>();

  constructor(
    readonly learningRate: number,
    readonly thresholdMin: number,
  ) {
    if (!(learningRate > 0 && learningRate <= 1))
      throw new Error(`learningRate must be in (0, 1], got ${learningRate}`);
  }

  get size(): number {
    return this.thresholds.size;
  }

  /** The threshold of `cell`, or undefined while it is empty. */
  get(cell: number): number | undefined {
    return this.thresholds.get(cell);
  }

  add(cell: number, objective: number): SoftAdd {
    const current = this.thresholds.get(cell);
    const min = this.thresholdMin;
    const standard = min === -Infinity;
    if (current === undefined) {
      if (!(objective > min)) return { status: 0, value: objective - min };
      this.thresholds.set(cell, standard ? objective : (1 - this.learningRate) * min + this.learningRate * objective);
      return { status: 2, value: objective - (standard ? 0 : min) };
    }
    const value = objective - current;
    if (!(objective > current)) return { status: 0, value };
    this.thresholds.set(cell, standard ? objective : (1 - this.learningRate) * current + this.learningRate * objective);
    return { status: 1, value };
  }

  state(): ThresholdState {
    const cells = [...this.thresholds.keys()].sort((a, b) => a - b);
    return { cells, thresholds: encodeFloats(Float64Array.from(cells, (c) => this.thresholds.get(c)!)) };
  }

  restore(state: ThresholdState): void {
    const values = decodeFloats(state.thresholds, state.cells.length);
    this.thresholds.clear();
    state.cells.forEach((cell, i) => this.thresholds.set(cell, values[i]!));
  }
}
