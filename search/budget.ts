// When a run stops: its budget (proposals, wall-clock seconds, a target fitness or hypervolume) and the rules the engine checks
// after each answer and when idle (the budget, a target, convergence, the clock, a failure streak, in this order).
import type { ArchiveView } from '../archive/archive.js';
import { RunFailedError } from '../core/errors.js';
import { toScore, type Direction } from '../core/types.js';
import type { RunEvent } from '../store/events.js';
import type { Strategy } from './strategies/strategy.js';

/** Why a run ended; 'converged': the strategy has nothing more to propose (it says so through `finished()`). */
/** 'steps': the evaluations' intermediate reports (e.g. training epochs) reached `budget.steps`. */
export type StopReason = 'evaluations' | 'seconds' | 'steps' | 'target' | 'signal' | 'failures' | 'converged';

export interface Budget {
  /** Proposals (cache hits included), DESIGN §3. */
  readonly evaluations?: number;
  readonly seconds?: number;
  readonly targetFitness?: number;
  /** A Pareto archive's hypervolume (against the config's reference point) that ends the run once reached. */
  readonly targetHypervolume?: number;
  /** Intermediate reports (ctx.report: training epochs, say) over all evaluations: a compute budget for AutoML. */
  readonly steps?: number;
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
  return (
    budget.targetFitness !== undefined &&
    bestScore !== undefined &&
    bestScore >= toScore(budget.targetFitness, direction)
  );
}

export interface StopDecision {
  readonly reason: StopReason;
  /** Set when the run stops itself as failed (too many consecutive failures). */
  readonly error?: RunFailedError;
}

export interface AfterAnswer {
  readonly event: RunEvent;
  readonly consecutiveFailures: number;
  readonly maxConsecutiveFailures: number;
  /** Intermediate reports logged so far (counters.steps). */
  readonly steps: number;
  readonly budget: Budget;
  readonly archive: ArchiveView<unknown>;
  readonly direction: Direction;
  readonly strategy: Pick<Strategy<unknown>, 'finished'>;
  /** Replay runs faster than the original: the clock is only checked live (the original run did not stop there). */
  readonly replaying: boolean;
  readonly elapsedSeconds: () => number;
}

/** After each processed answer: the first rule that holds, else undefined (later rules are not evaluated). */
export function stopAfterAnswer(s: AfterAnswer): StopDecision | undefined {
  if (s.consecutiveFailures >= s.maxConsecutiveFailures) {
    const last = s.event.ok ? '' : ` The last one: ${s.event.kind}: ${s.event.msg}`;
    const error = new RunFailedError(
      'E_FAILURES',
      `${s.consecutiveFailures} evaluations in a row failed.${last}`,
      'The log is intact: fix the evaluator, then `elites resume RUN_DIR`.',
    );
    return { reason: 'failures', error };
  }
  if (s.budget.steps !== undefined && s.steps >= s.budget.steps) return { reason: 'steps' };
  // Statistics only when a target asks for them: a Pareto archive's global hypervolume is not free.
  const { targetFitness, targetHypervolume } = s.budget;
  if (targetFitness !== undefined && targetReached(s.budget, s.archive.stats().bestScore, s.direction))
    return { reason: 'target' };
  if (targetHypervolume !== undefined && (s.archive.stats().hypervolume ?? 0) >= targetHypervolume)
    return { reason: 'target' };
  if (s.strategy.finished?.()) return { reason: 'converged' };
  if (!s.replaying && outOfTime(s.budget, s.elapsedSeconds())) return { reason: 'seconds' };
  return undefined;
}

/**
 * Nothing in flight and nothing asked: the budget is spent or the strategy is done.
 * @throws {RunFailedError} E_STALLED when neither holds (a strategy that proposes nothing while nothing is outstanding).
 */
export function stopWhenIdle(
  budget: Budget,
  proposals: number,
  strategy: Pick<Strategy<unknown>, 'finished'>,
): StopReason {
  if (proposalsLeft(budget, proposals) === 0) return 'evaluations';
  if (strategy.finished?.()) return 'converged';
  throw new RunFailedError(
    'E_STALLED',
    'the strategy proposed nothing while nothing was in flight',
    'This is a bug in the strategy: ask() must return a proposal when nothing is outstanding.',
  );
}
