// The shape of bench/results/sparsity.json, shared by experiments/sparsity-report.ts (which writes it) and the page
// writer (markdown.ts, reading.ts).

/** Held-out perplexities of one genome and its calibration KL. */
export interface Scored {
  readonly label: string;
  readonly validation: number;
  readonly test: number;
  readonly kl: number;
}

/** How fast a search ran (from its run summary). */
export interface Speed {
  readonly proposals: number;
  readonly evaluations: number;
  readonly minutes: number;
  readonly evaluationsPerMinute: number;
  readonly proposalsPerMinute: number;
  readonly keyHitShare: number;
  readonly failures: number;
}

/** A search's best allocation at one target, scored, with how the search went (absent with --baselines). */
export interface EvolvedAllocation {
  readonly evolved?: Scored;
  readonly genome?: string;
  readonly levels?: readonly number[];
  readonly perLayer?: Readonly<Record<string, number>>;
  readonly search?: Speed;
  readonly run?: string;
}

/** One allocation target: uniform with the report's method and with the other one, and the evolved allocation. */
export interface Level extends EvolvedAllocation {
  readonly sparsity: number;
  readonly uniform: Scored;
  readonly otherUniform: Scored;
  /** The same target with SparseGPT-reconstructed levels. */
  readonly reconstructed?: Reconstructed;
}

/** One target's level database of SparseGPT-reconstructed layers (`reconstruct: sparsegpt`): uniform and evolved. */
export interface Reconstructed extends EvolvedAllocation {
  readonly uniform: Scored;
  /** Uniform, with each layer's Hessian taken after the earlier layers are pruned to level 0 (sequential). */
  readonly sequentialUniform?: Scored;
  /** Building the database (SparseGPT on every layer at every level, dense calibration), one process. */
  readonly databaseSeconds: number;
}

/** The 2:4 masks: magnitude's, Wanda's and the one evolved from Wanda's. */
export interface Nm {
  readonly magnitude: Scored;
  readonly wanda: Scored;
  readonly evolved?: Scored;
  readonly genome?: string;
  readonly search?: Speed;
  readonly run?: string;
}

/** What bench/results/sparsity.json holds: everything docs/sparsity.md is written from (with the dense model's). */
export interface Report {
  readonly date: string;
  readonly model: string;
  readonly method: string;
  readonly evaluations: number;
  readonly workers: number;
  readonly levels: readonly Level[];
  readonly nm: Nm;
  /** Seconds of one evaluation on one worker: all 16,384 calibration tokens with held-out perplexities, and 1,024. */
  readonly evaluationSeconds?: { readonly full: number; readonly screening: number };
}

/**
 * The dense model's perplexities (bench/results/pruning.json), when that report exists and scored the same test slice;
 * validation only when its validation slice is this page's too.
 */
export interface Dense {
  readonly validation?: number;
  readonly test: number;
}
