// The shape of bench/results/pruning.json, shared by experiments/pruning-report.ts (which writes it) and the page writer
// (markdown.ts), so that --markdown-only rewrites docs/pruning.md without scoring anything.
import type { Calibration } from '../../lm/model.js';

/** Where weights compete: each output row, the whole layer (unstructured, 50%), or every group of 4 inputs (2:4). */
export type Group = 'row' | 'layer' | '2:4';

/** One method pruned in one group under one calibration, on held-out text. */
export interface Row {
  readonly group: Group;
  /** 'magnitude', 'Wanda', 'Pruner-Zero', 'SparseGPT', 'random', 'evolved' or 'evolved in SparseGPT' (+ ' + update') */
  readonly method: string;
  /** The formula ('–' for SparseGPT, which has none). */
  readonly formula: string;
  /** For evolved rows: the run the formula comes from. */
  readonly run?: string;
  readonly calibration: Calibration;
  readonly validation: number;
  readonly test: number;
  readonly sparsity: number;
}

/** Every row on one model. */
export interface ModelResult {
  readonly model: string;
  readonly layers: number;
  readonly dModel: number;
  readonly dFF: number;
  readonly seed: number;
  readonly calibrationTokens: number;
  readonly validationTokens: number;
  readonly testTokens: number;
  readonly dense: { readonly validation: number; readonly test: number };
  readonly rows: readonly Row[];
  /** Loading the model and computing W, G and X, once per worker. */
  readonly setupSeconds: number;
}

/** A finished search and the best formula it found. */
export interface RunRecord {
  readonly run: string;
  readonly strategy: string;
  /** 'unstructured' or 'N:M'. */
  readonly pattern: string;
  readonly group: string;
  readonly calibration: Calibration;
  /** 'sparsegpt': the search's formula chose the masks inside SparseGPT's loop (absent: masks alone). */
  readonly reconstruct?: 'sparsegpt';
  readonly proposals: number;
  readonly evaluations: number;
  readonly keyHits: number;
  readonly fingerprintHits: number;
  readonly failures: number;
  readonly seconds: number;
  readonly workers: number;
  readonly formula: string;
  /** The best formula's validation perplexity in the search. */
  readonly fitness: number;
  /**
   * The validation tokens the search's fitness was measured on, when not the evaluator's default (the first 8,192):
   * `offset` … `offset + tokens − 1` of the validation split.
   */
  readonly fitnessSlice?: { readonly offset: number; readonly tokens: number };
  /** Group free: 1 when the best formula prunes per layer, 0 per row. */
  readonly perLayer?: number;
  /**
   * The formula was chosen from the search's `size` best distinct formulas by perplexity on the page's validation slice
   * (`validationTokens`, larger than the search's); `searchBest` is the search's own best.
   */
  readonly shortlist?: { readonly size: number; readonly searchBest: string; readonly validationTokens: number };
}

/** Seconds of the steps a user sizes a run by (one worker). */
export interface Timing {
  /** One evaluation as the search does it (masks, then validation and test perplexity on 8,192 tokens each). */
  readonly denseEvaluation: number;
  readonly sequentialEvaluation: number;
  /** Group free, sequential: both groups' masks and validation perplexities, then the test perplexity of one. */
  readonly freeEvaluation: number;
  /** SparseGPT on every layer, sequential calibration, per row. */
  readonly sparseGpt: number;
  /** A formula inside SparseGPT's loop, group free, sequential (as pruning-metric-sparsegpt.yaml evaluates). */
  readonly inSparseGptEvaluation?: number;
}

/** What bench/results/pruning.json holds. */
export interface PruningReport {
  readonly date: string;
  readonly main: ModelResult;
  /** The same baselines and evolved formulas on a second model, without searching again. */
  readonly transfer?: ModelResult;
  readonly runs: readonly RunRecord[];
  readonly timing: Timing;
}
