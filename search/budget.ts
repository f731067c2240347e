// Stop conditions: a proposal budget, wall-clock seconds, a target fitness, or a signal.
import { toScore, type Direction } from '../core/types.js';

/** Why a run ended; 'converged': the strategy has nothing more to propose (it says so through `finished()`). */
export type StopReason = 'evaluations' | 'seconds' | 'target' | 'signal' | 'failures' | 'converged';

export interface Budget {
  /** Proposals (cache hits included), DESIGN §3. */
  readonly evaluations?: number;
  readonly seconds?: number;
  readonly targetFitness?: number;
}

/** Remaining proposals that may still be asked, given how many were asked so far. */
export function proposalsLeft(budget: Budget, asked: number): number {
  return budget.evaluations === undefined ? Number.POSITIVE_INFINITY : Math.max(0, budget.evaluations - asked);
}

export function outOfTime(budget: Budget, elapsedSeconds: number): boolean {
  return budget.seconds !== undefined && elapsedSeconds >= budget.seconds;
}

/** True when a score reaches the target fitness (direction-aware). */
export function targetReached(budget: Budget, bestScore: number | undefined, direction: Direction): boolean {
  return budget.targetFitness !== undefined && bestScore !== undefined && bestScore >= toScore(budget.targetFitness, direction);
}
