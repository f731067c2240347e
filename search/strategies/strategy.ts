// The strategy contract: ask/tell by proposal id, in any completion order; state is plain JSON data.
import type { ArchiveView, AddStatus } from '../../archive/archive.js';
import type { SeededRng } from '../../core/rng.js';
import type { EvalResult, ResultSource, Space } from '../../core/types.js';

export type { ResultSource } from '../../core/types.js';

/**
 * Evaluate a proposal at another fidelity than the config's (racing, multi-fidelity search). `level` and `sample`
 * reach the evaluator as ctx.fidelity and ctx.sample and are part of the cache key. A `screening` result is logged
 * and told to the strategy but never offered to the archive: cheap, partial-data scores are not comparable with
 * the archive's.
 */
export interface Fidelity {
  readonly level: number;
  readonly sample: number;
  readonly screening: boolean;
}

/** A genome with an id (unique within a run), the ids of its parents, and optionally its own fidelity. */
export interface Proposal<G> {
  readonly id: number;
  readonly genome: G;
  readonly parents: readonly number[];
  readonly fidelity?: Fidelity;
}

/** The key a proposal's result is cached under: the genome's key, plus its fidelity and sample when it has its own. */
export function fidelityKey(key: string, fidelity: Pick<Fidelity, 'level' | 'sample'> | undefined): string {
  return fidelity ? `${key}@${fidelity.level}/${fidelity.sample}` : key;
}

/** 'pruned': the run's pruner stopped the evaluation early from its reports (config `pruner`). */
export type FailureKind = 'threw' | 'timeout' | 'crashed' | 'invalid' | 'pruned';

export interface Failure {
  readonly kind: FailureKind;
  readonly message: string;
  readonly stack?: string;
}

/** What the engine tells a strategy. `score` is higher-is-better (direction applied). */
export type Outcome<G> =
  | {
      readonly proposal: Proposal<G>;
      readonly ok: true;
      readonly score: number;
      /** Lexicographic tie-break after score (see core/score.ts); compare with `compareScored`. */
      readonly tiebreak?: readonly number[];
      /**
       * With the config's `objectives`: the result's objectives with each direction applied, so every one is
       * higher-is-better (core/pareto.ts's convention); absent in single-objective runs.
       */
      readonly objectives?: readonly number[];
      readonly result: EvalResult;
      /** 'screened': a screening-fidelity result, not offered to the archive. */
      readonly status: AddStatus | 'screened';
      readonly source: ResultSource;
    }
  | { readonly proposal: Proposal<G>; readonly ok: false; readonly failure: Failure };

/**
 * A search strategy. `ask(n)` may return fewer than n proposals (a generational strategy waiting for its
 * generation) but must return at least one when nothing is in flight. `tell` may come in any order.
 * `state()` is JSON-safe and `restore(state())` on a fresh instance continues identically.
 */
export interface Strategy<G> {
  ask(n: number): Proposal<G>[];
  tell(outcome: Outcome<G>): void;
  state(): unknown;
  restore(state: unknown): void;
  /**
   * Optional: true once the strategy has nothing more to do (TAPruning after a pass that pruned nothing, GGA
   * when the population is short enough). The engine then asks nothing more, drains, and ends 'converged'.
   */
  finished?(): boolean;
}

export interface StrategyDeps<G> {
  readonly space: Space<G>;
  readonly archive: ArchiveView<G>;
  /** This strategy's own stream (forked by the engine); its state is checkpointed with the run. */
  readonly rng: SeededRng;
  /** How many objectives each outcome carries (the config's `objectives.directions`); 0 or absent: one, the score. */
  readonly objectiveCount?: number;
}
