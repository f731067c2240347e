// The early-stopping contract: a pruner hears intermediate reports of running evaluations and answers continue or prune.

/**
 * One intermediate report of a running evaluation: its proposal id, the step (epoch, or resource used so far: a
 * finite number ≥ 0) and the value, higher is better (the engine applies the run's direction first).
 */
export interface Report {
  readonly id: number;
  readonly step: number;
  readonly value: number;
}

export type Decision = 'continue' | 'prune';

/** How an evaluation ended, as the engine tells the pruner. */
export type EvaluationEnd = 'complete' | 'pruned' | 'failed';

/**
 * The decision logic of early stopping, pure and synchronous. Invariants: a decision depends only on the sequence
 * of calls (no clock, no randomness); an evaluation reports only until it is finished; reports and rung records
 * of finished evaluations stay as history for later decisions.
 */
export interface Pruner {
  /**
   * A running evaluation reported (step, value): continue or prune it. A step it already reported keeps its first
   * value (Optuna's `Trial.report` ignores a repeated step) and the decision is taken again on the same history.
   * @throws {ElitesError} (code E_PRUNER_REPORT) when the id, step or value is malformed or the id is finished.
   */
  report(report: Report): Decision;
  /**
   * The evaluation ended (complete, failed or pruned). An id that never reported may finish too (it still counts
   * as a completed evaluation where completions count).
   * @throws {ElitesError} (code E_PRUNER_REPORT) when the id is malformed or already finished.
   */
  finish(id: number, end: EvaluationEnd): void;
  /** JSON-safe state; restore(state()) on a fresh instance with the same options continues identically. */
  state(): unknown;
  /** @throws {ElitesError} (code E_PRUNER_STATE) when the state does not match this pruner's schema. */
  restore(state: unknown): void;
}
