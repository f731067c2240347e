// Successive halving, the one rule behind both kinds of screening in elites: candidates climb rungs of growing
// resource (tokens, examples, epochs), and at each rung only the best go on. It is applied two ways:
// - synchronously, over separate evaluations (Jamieson & Talwalkar 2016; EvoPress's multi-step selection): a rung is a
//   new evaluation of the survivors at a larger fidelity, on a fresh sample, decided once the whole rung is in. That is
//   a race (search/strategies/racing.ts), driven by the strategy that owns the candidates.
// - asynchronously, inside one running evaluation (ASHA, Li et al. 2020): a rung is a step its ctx.report()s pass,
//   decided as each value arrives against those that reached the rung before. That is a pruner (asha.ts, and the
//   brackets of hyperband.ts), driven by the engine for any strategy.
// Both take their rung ladder and their promotion rule from here.

/** The resource of rung `rung`: r_min·η^(s+rung), by exact powers (no floating log). */
export function rungResource(minResource: number, reductionFactor: number, rate: number, rung: number): number {
  return minResource * reductionFactor ** (rate + rung);
}

/**
 * Asynchronous rule. Promoted iff `value` is at least the k-th largest of `competing` (which includes it),
 * k = max(1, ⌊n/η⌋): Optuna's `_is_trial_promotable_to_next_rung`. So while a rung holds fewer than η values only its
 * best goes on, and every value tied with the k-th largest goes on (ties are promoted together, whatever the ids or
 * arrival order).
 */
export function isPromotable(value: number, competing: readonly number[], reductionFactor: number): boolean {
  const k = Math.max(1, Math.floor(competing.length / reductionFactor));
  const descending = [...competing].sort((a, b) => b - a);
  return value >= descending[k - 1]!;
}

/**
 * Synchronous rule: the best `keep` of a complete rung, best first by `compare` (negative: a before b), ties in the
 * order given (so the result does not depend on the order evaluations completed in, when `entries` does not).
 */
export function promoteBest<T>(entries: readonly T[], keep: number, compare: (a: T, b: T) => number): T[] {
  return entries
    .map((entry, index) => ({ entry, index }))
    .sort((a, b) => compare(a.entry, b.entry) || a.index - b.index)
    .slice(0, keep)
    .map((e) => e.entry);
}

/** A geometric rung ladder for a synchronous race: ASHA's parameters, applied to `candidates` at once. */
export interface HalvingLadder {
  /** Resource of the first rung (r_min). */
  readonly minResource: number;
  /** η: each rung's resource is η times the previous one's, and 1/η of a rung goes on. */
  readonly reductionFactor: number;
  /** Number of rungs; the last one keeps a single candidate. */
  readonly rungs: number;
}

/**
 * Successive halving's schedule for `candidates` (Jamieson & Talwalkar 2016, Algorithm 1): rung k at r_min·η^k keeps
 * max(1, ⌊n/η^(k+1)⌋) of them, the last rung one.
 */
export function halvingSchedule(
  ladder: HalvingLadder,
  candidates: number,
): { readonly resource: number; readonly keep: number }[] {
  return Array.from({ length: ladder.rungs }, (_, k) => ({
    resource: rungResource(ladder.minResource, ladder.reductionFactor, 0, k),
    keep: k === ladder.rungs - 1 ? 1 : Math.max(1, Math.floor(candidates / ladder.reductionFactor ** (k + 1))),
  }));
}
