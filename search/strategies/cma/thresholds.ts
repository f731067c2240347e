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
  /** Adds not yet applied: [cell, count, sum of objectives, max objective]. */
  readonly pending?: [number, number, number, number][];
}

/**
 * Per-cell thresholds. A candidate with objective f in cell e is added iff f > t_e (an empty cell's t is
 * `thresholdMin`); then t_e ← (1 − α)·t_e + α·f. Its value is f − t_e before the update, and for a new cell
 * f − thresholdMin (f − 0 when thresholdMin = −∞, pyribs' convention for CMA-ME). With α = 1 and thresholdMin = −∞
 * this is the standard archive: t_e is the elite's objective.
 * As pyribs adds a whole batch at once, adds are valued against the thresholds as of the last `commit` (the strategy
 * commits at each ask, so a config that asks a whole iteration at once gets pyribs' batch semantics), and `commit`
 * applies them with pyribs' batch rule: for k adds with objectives f_1..f_k to one cell,
 * t ← (1 − α)^k·t + (1 − (1 − α)^k)·mean(f) (Fontaine & Nikolaidis 2023), or t ← max f for the standard archive.
 * (Applied one by one, later samples of a crowded cell were valued lower: QD 2–3% above pyribs' table.)
 */
export class CellThresholds {
  private readonly thresholds = new Map<number, number>();
  private readonly pending = new Map<number, { count: number; sum: number; max: number }>();

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

  /** The committed threshold of `cell`, or undefined while it is empty. */
  get(cell: number): number | undefined {
    return this.thresholds.get(cell);
  }

  /** Values `objective` in `cell` against the committed threshold; an accepted add waits for `commit`. */
  add(cell: number, objective: number): SoftAdd {
    const current = this.thresholds.get(cell);
    const min = this.thresholdMin;
    let result: SoftAdd;
    if (current === undefined) {
      if (!(objective > min)) return { status: 0, value: objective - min };
      result = { status: 2, value: objective - (min === -Infinity ? 0 : min) };
    } else {
      const value = objective - current;
      if (!(objective > current)) return { status: 0, value };
      result = { status: 1, value };
    }
    const waiting = this.pending.get(cell);
    if (waiting) {
      waiting.count++;
      waiting.sum += objective;
      if (objective > waiting.max) waiting.max = objective;
    } else this.pending.set(cell, { count: 1, sum: objective, max: objective });
    return result;
  }

  /** Applies the adds since the last commit (pyribs' batch threshold update). */
  commit(): void {
    if (this.pending.size === 0) return;
    const min = this.thresholdMin;
    for (const [cell, { count, sum, max }] of this.pending) {
      if (min === -Infinity) this.thresholds.set(cell, max);
      else {
        const ratio = (1 - this.learningRate) ** count;
        this.thresholds.set(cell, ratio * (this.thresholds.get(cell) ?? min) + (1 - ratio) * (sum / count));
      }
    }
    this.pending.clear();
  }

  state(): ThresholdState {
    const cells = [...this.thresholds.keys()].sort((a, b) => a - b);
    const state = { cells, thresholds: encodeFloats(Float64Array.from(cells, (c) => this.thresholds.get(c)!)) };
    if (this.pending.size === 0) return state;
    const pending = [...this.pending].map(([cell, p]): [number, number, number, number] => [
      cell,
      p.count,
      p.sum,
      p.max,
    ]);
    return { ...state, pending };
  }

  restore(state: ThresholdState): void {
    const values = decodeFloats(state.thresholds, state.cells.length);
    this.thresholds.clear();
    state.cells.forEach((cell, i) => this.thresholds.set(cell, values[i]!));
    this.pending.clear();
    for (const [cell, count, sum, max] of state.pending ?? []) this.pending.set(cell, { count, sum, max });
  }
}
