// Shapes of bench/results/quality-diversity.json and of the rows that docs/quality-diversity.md is made of.

export type Benchmark = 'rastrigin' | 'arm' | 'sphere' | 'sphere-bounded';

/** A published table entry: QD (normalised, Σ objective / cells, for the paper rows) and coverage in percent. */
export interface Anchor {
  readonly source: string;
  readonly qd: number;
  readonly qdSd?: number;
  readonly coverage: number;
  readonly coverageSd?: number;
}

export interface RowSpec {
  readonly id: string;
  readonly benchmark: Benchmark;
  readonly algorithm: string;
  readonly config: string;
  /** The anchor's QD is Σ objective / cells (the CMA-MAE paper's "QD-score"). */
  readonly normalised: boolean;
  readonly anchor?: Anchor;
  /** A number to show beside the row that is not a published anchor (no verdict). */
  readonly reference?: Anchor;
  /** Passes when its mean QD is at least the best mean of these rows (the bandit's claim). */
  readonly atLeastBestOf?: readonly string[];
  /** Run only when its config exists (another change adds it). */
  readonly optional?: boolean;
  /** Overrides the config's budget (the bounded sphere config's own budget is 1M). */
  readonly budget?: number;
}

/** One finished run of one row and seed. */
export interface RunRecord {
  readonly row: string;
  readonly seed: number;
  /** The proposal budget it ran with; only runs at the row's full budget count on the page. */
  readonly budget: number;
  readonly proposals: number;
  readonly evaluations: number;
  readonly qdScore: number;
  readonly cells: number;
  /** Filled share, 0..1. */
  readonly coverage: number;
  readonly seconds: number;
  readonly evaluationsPerSecond: number;
  /** 1-minute load average when the run started and when it ended. */
  readonly load: readonly [number, number];
  readonly date: string;
  /** The commit the run was made with (HEAD; other engineers' uncommitted edits may have been in the tree). */
  readonly commit: string;
  /** [proposals, QD score] about every 1% of the budget, the last at the end. */
  readonly curve: readonly (readonly [number, number])[];
}

export interface QdResults {
  readonly cores: number;
  readonly cpu: string;
  readonly runs: RunRecord[];
}
