// The report snapshot: plain JSON the page renders. No imports, so the browser-side code can use these types too.

/** One axis of the archive map. `bins` for a grid; absent for CVT (its cells are centroids). */
export interface SnapshotDim {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly bins?: number;
  /** Sliding-boundaries grids: the `bins + 1` bin boundaries now (bins of unequal width); absent: equal bins. */
  readonly edges?: readonly number[];
}

/** A filled cell as drawn on the map. */
export interface MapCell {
  readonly cell: number;
  /** Id of the elite in the cell (its proposal id). */
  readonly id: number;
  /** Raw fitness (the run's direction not applied). */
  readonly fitness: number;
  /** Grid: the bin index along each dim. CVT: the cell's centroid. */
  readonly pos: readonly number[];
}

export interface SnapshotMap {
  /** `none`: an archive without descriptor cells (the `pareto` archive, one front): no map to draw. */
  readonly type: 'grid' | 'cvt' | 'none';
  readonly dims: readonly SnapshotDim[];
  readonly cells: number;
  /** Every filled cell (bounded by the archive's size). */
  readonly filled: readonly MapCell[];
  /** CVT only: every centroid, to draw the empty cells too; omitted for very large tessellations. */
  readonly centroids?: readonly (readonly number[])[];
}

/** Archive statistics over proposals (from the run's bounded history). */
export interface SnapshotHistoryPoint {
  readonly proposals: number;
  readonly seconds: number;
  readonly coverage: number;
  readonly qdScore: number;
  readonly best: number | null;
  /** Pareto archives: the hypervolume of all members' front against the reference point (absent otherwise). */
  readonly hypervolume?: number;
}

/** Outcomes of a run of consecutive proposals (by log seq), for rates over time. */
export interface TimelineBucket {
  /** First and last proposal (seq) in the bucket, inclusive. */
  readonly from: number;
  readonly to: number;
  readonly evaluated: number;
  readonly keyHits: number;
  readonly fingerprintHits: number;
  /** Failed proposals, pruned ones not included (as the summary's `failures`). */
  readonly failures: number;
  /**
   * Evaluations the run's pruner stopped early (failure events of kind `pruned`). evaluated + keyHits +
   * fingerprintHits + failures + pruned = the bucket's proposals.
   */
  readonly pruned: number;
  /** Seconds since the run started at the bucket's last proposal. */
  readonly seconds: number;
}

export interface SnapshotElite {
  readonly id: number;
  readonly cell: number;
  readonly fitness: number;
  readonly descriptors: readonly number[];
  /** The space's describe() text (a formula, a prompt, a configuration), cut at a bound for huge texts. */
  readonly text: string;
  readonly metrics: Readonly<Record<string, number>>;
  /** Aggregate mode: samples behind its mean (fitness), and whether they are fewer than `cache.minSamples`. */
  readonly samples?: number;
  readonly provisional?: boolean;
  /**
   * Its intermediate reports (ctx.report), [step, value] in order, from the event that made it an elite (its `rp`);
   * absent when that evaluation reported nothing (or the answer came from the cache). At most `curvePointsLimit`
   * points (an even stride, first and last kept).
   */
  readonly curve?: readonly (readonly [number, number])[];
}

/** One candidate's learning curve: its reports, [step, value] in order. */
export interface SnapshotCurve {
  readonly id: number;
  readonly curve: readonly (readonly [number, number])[];
}

/** Learning curves of a run whose evaluations reported (ctx.report); absent when none did. */
export interface SnapshotCurves {
  /** The last `prunedLimit` pruned candidates with reports, in log order (oldest first): the background. */
  readonly pruned: readonly SnapshotCurve[];
  /** Pruned candidates with reports in the whole log (listed or not). */
  readonly prunedTotal: number;
  readonly prunedLimit: number;
  /** Listed elites that carry a `curve`. */
  readonly elites: number;
  /** Longer curves (of elites and pruned candidates alike) are thinned to this many points. */
  readonly curvePointsLimit: number;
}

/** A member of a Pareto archive's fronts (any cell), with what an elite carries. */
export interface SnapshotParetoMember extends SnapshotElite {
  /** Raw objective values (each in its own direction, as the evaluator returned them), in the order of `names`. */
  readonly objectives: readonly number[];
  /** Another member of the archive, of any cell, dominates this one: it is not on the global front. */
  readonly dominated: boolean;
}

/** Multi-objective runs on a Pareto archive (`mome`, `pareto`): the fronts' members and their hypervolumes. */
export interface SnapshotPareto {
  /** The config's `objectives.names`, or `objective 1`, `objective 2`, …. */
  readonly names: readonly string[];
  readonly directions: readonly ('maximize' | 'minimize')[];
  /** The hypervolume's reference point, in raw units (as the config's `objectives.reference`). */
  readonly reference: readonly number[];
  /** Hypervolume of the front of all members (the global front). */
  readonly hypervolume: number;
  /** Σ over cells of the hypervolume of each cell's front (the archive's qdScore). */
  readonly moqdScore: number;
  /**
   * At most `membersLimit` of `membersTotal`: the global front first (when it alone is over the limit, an even
   * stride along the first objective), then dominated members, an even stride in cell order. Ascending id.
   */
  readonly members: readonly SnapshotParetoMember[];
  readonly membersTotal: number;
  readonly membersLimit: number;
  /** Members dominated within the whole archive (listed or not). */
  readonly dominatedTotal: number;
}

export interface SnapshotSummary {
  readonly proposals: number;
  readonly evaluations: number;
  readonly keyHits: number;
  readonly fingerprintHits: number;
  readonly failures: number;
  /** Evaluations the run's pruner stopped early (0 for runs without a pruner). */
  readonly pruned: number;
  readonly seconds: number;
  readonly best: number | null;
  readonly size: number;
  readonly cells: number;
  readonly coverage: number;
  readonly qdScore: number;
  readonly stopReason: string | null;
  readonly error?: string;
  /** What scored the candidates; `caveat` marks a stand-in or a fallback. */
  readonly scoredBy?: { readonly scorer: string; readonly caveat?: string };
}

export interface ReportSnapshot {
  readonly format: 'elites-report/1';
  readonly runId: string;
  readonly name: string;
  readonly status: 'running' | 'done' | 'interrupted' | 'failed' | 'killed';
  readonly direction: 'maximize' | 'minimize';
  readonly generatedAt: string;
  /** Last log event included (−1: none): the version of the data. */
  readonly seq: number;
  readonly budget: { readonly evaluations?: number; readonly seconds?: number };
  readonly summary: SnapshotSummary;
  readonly map: SnapshotMap;
  readonly history: readonly SnapshotHistoryPoint[];
  readonly timeline: readonly TimelineBucket[];
  /** Failures by kind (e.g. timeout, threw), most frequent first. */
  readonly failureKinds: readonly { readonly kind: string; readonly count: number }[];
  /** Best first; at most `elitesLimit` of `elitesTotal`. */
  readonly elites: readonly SnapshotElite[];
  readonly elitesTotal: number;
  readonly elitesLimit: number;
  readonly metricNames: readonly string[];
  /** Only for a run whose archive holds Pareto fronts (`mome`, `pareto`). */
  readonly pareto?: SnapshotPareto;
  /** Only for a run whose evaluations reported intermediate values (ctx.report). */
  readonly curves?: SnapshotCurves;
}

/** What the dashboard lists for each run (read cheaply: no replay of the log). */
export interface RunProbe {
  readonly id: string;
  readonly name: string;
  readonly status: ReportSnapshot['status'] | 'unreadable';
  /** Changes whenever the run's data does: last event seq and status. */
  readonly version: string;
  readonly proposals: number;
  readonly budget: { readonly evaluations?: number; readonly seconds?: number };
  /** From the last checkpoint (a few seconds behind a live run); null before the first elite. */
  readonly best: number | null;
  readonly coverage: number | null;
  readonly seconds: number | null;
  readonly error?: string;
}

/** The data block of a page: a static report, the dashboard's run list, or one live run. */
export type PageData =
  | { readonly mode: 'report'; readonly snapshot: ReportSnapshot }
  | { readonly mode: 'runs' }
  | { readonly mode: 'run'; readonly run: string };
