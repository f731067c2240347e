// TAPruning, PromptQuine's threshold-accepting pruning baseline (Wang, Hu & Bing, ICML 2025, arXiv:2506.17930; code
// jianyu-cs/PromptQuine, promptquine/modules/TAPruner.py; ALGORITHMS.md §5.1), after threshold accepting (Dueck &
// Scheuer, J. Comput. Phys. 90, 1990). General: any space that can list its one-step removals.
import { z } from 'zod';
import { lazySchema } from '../../core/lazy-schema.js';
import { ConfigError } from '../../core/errors.js';
import { defineFactory } from '../../core/factory.js';
import { randomInt } from '../../core/rng.js';
import type { Rng, Space } from '../../core/types.js';
import {
  batchSize,
  decodeMember,
  encodeMember,
  IdCounter,
  memberData,
  memberOf,
  parseState,
  type Member,
} from './select.js';
import type { Outcome, Proposal, Strategy, StrategyDeps } from './strategy.js';

/**
 * The capability of spaces that shrink by removing units (tokens of a prompt). `removals(g)[i]` removes the i-th
 * removable unit of `g` in a fixed left→right order and nothing else, so after removing unit u, the units after u
 * move one place down the list; `removal(g, i)`, when offered, builds only that one.
 */
export interface Removals<G> {
  removals(g: G): G[];
  removal?(g: G, i: number): G;
}

/** True when the space offers `removals(g)`. */
export function hasRemovals<G>(space: Space<G>): space is Space<G> & Removals<G> {
  return typeof (space as Partial<Removals<G>>).removals === 'function';
}

export const thresholdAcceptingOptions = lazySchema(() =>
  z.strictObject({
    threshold: z
      .number()
      .min(0)
      .max(1)
      .default(0.96)
      .describe(
        'a removal is kept when score ≥ best − (1 − threshold)·|best|, i.e. score/best ≥ threshold for positive scores (PromptQuine 0.96)',
      ),
    order: z
      .enum(['sequential', 'random'])
      .default('sequential')
      .describe('scan order within a pass: left→right, or shuffled anew each pass'),
  }),
);
export type ThresholdAcceptingOptions = z.infer<typeof thresholdAcceptingOptions>;

const pass = lazySchema(() =>
  z.strictObject({
    /** Pass positions (indices into the pass's initial removal list) in scan order. */
    order: z.array(z.number().int().min(0)),
    /** Positions of `order` scanned so far. */
    step: z.number().int().min(0),
    /** Pass positions whose removal was kept, ascending. */
    accepted: z.array(z.number().int().min(0)),
  }),
);

const thresholdAcceptingState = lazySchema(() =>
  z.strictObject({
    nextId: z.number().int().min(0),
    /** The current (pruned) point; null until the initial sample was told successfully. */
    current: memberData.nullable(),
    /** Best score seen among kept points (PromptQuine's max_performance). */
    best: z.union([z.number(), z.enum(['Infinity', '-Infinity'])]).nullable(),
    pass: pass.nullable(),
    /** Passes completed; the last one pruned nothing when `done`. */
    passes: z.number().int().min(0),
    done: z.boolean(),
    /** The outstanding proposal, and its pass position (-1: the initial sample or a re-proposal of the current point). */
    pending: z.strictObject({ id: z.number().int().min(0), position: z.number().int() }).nullable(),
  }),
);
export type ThresholdAcceptingState = z.infer<typeof thresholdAcceptingState>;

function shuffled(rng: Rng, n: number): number[] {
  const a = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = randomInt(rng, i + 1);
    [a[i], a[j]] = [a[j] as number, a[i] as number];
  }
  return a;
}

/** Threshold acceptance on higher-is-better scores, for any sign of `best`. */
export function accepts(score: number, best: number, threshold: number): boolean {
  if (!Number.isFinite(best)) return score >= best;
  return score >= best - (1 - threshold) * Math.abs(best);
}

/**
 * TAPruning. The first proposal is a sample of the space (the full prompt for a token-mask space without initial
 * pruning). Each pass then tries, one proposal at a time, removing each unit that was removable at the pass start,
 * in left→right or shuffled order, from the current point; a removal is kept when its score passes the threshold
 * against the best score so far, which it then may raise. Passes repeat until one keeps no removal; then `finished()`
 * is true. If asked further, another pass starts (or the current point is proposed again when nothing is removable).
 *
 * The paper's rule perf/best ≥ 0.96 assumes positive scores; here the rule is score ≥ best − (1 − threshold)·|best|,
 * the same for positive best, a 4% allowance in the other direction for negative best (perf/best would flip there),
 * and no loss at all for best = 0. Failed evaluations keep the unit. Sequential: ask returns one proposal when none is
 * outstanding, none otherwise.
 * @throws {ConfigError} when the space has no `removals(g)`.
 */
export function createThresholdAccepting<G>(
  options: z.input<typeof thresholdAcceptingOptions>,
  deps: StrategyDeps<G>,
): Strategy<G> {
  const { threshold, order } = thresholdAcceptingOptions.parse(options ?? {});
  const { space, rng } = deps;
  if (!hasRemovals(space)) {
    throw new ConfigError(
      `threshold-accepting: space '${space.name}' has no removals(g); TAPruning prunes one unit at a time`,
      [{ path: 'search.strategy', message: `space '${space.name}' does not list one-step removals` }],
      'Use a space with removals(g) (token-mask), or another strategy.',
    );
  }
  const removal = (g: G, i: number): G => (space.removal ? space.removal(g, i) : (space.removals(g)[i] as G));

  let ids = new IdCounter();
  let current: Member<G> | null = null;
  let best = -Infinity;
  let scan: z.infer<typeof pass> | null = null;
  let passes = 0;
  let done = false;
  let pending: { id: number; position: number } | null = null;

  const startPass = (from: Member<G>): z.infer<typeof pass> => {
    const n = space.removals(from.genome).length;
    scan = {
      order: order === 'random' ? shuffled(rng.next, n) : Array.from({ length: n }, (_, i) => i),
      step: 0,
      accepted: [],
    };
    return scan;
  };

  const endPass = (): void => {
    passes++;
    if (scan && scan.accepted.length === 0) done = true;
    scan = null;
  };

  /** The current point with pass position `position` removed (positions kept earlier in the pass shift it down). */
  const candidateAt = (from: Member<G>, position: number, accepted: readonly number[]): G => {
    let shift = 0;
    for (const a of accepted) if (a < position) shift++;
    return removal(from.genome, position - shift);
  };

  return {
    ask(n: number): Proposal<G>[] {
      if (pending || batchSize(n) < 1) return [];
      if (!current) {
        const p = ids.propose(space.sample(rng.next));
        pending = { id: p.id, position: -1 };
        return [p];
      }
      const s = scan ?? startPass(current); // a new pass after the last one too, when asked anyway
      if (s.order.length === 0) {
        endPass(); // nothing is removable: the search is over; propose the current point again (the cache answers it)
        const again = ids.propose(current.genome, [current.id]);
        pending = { id: again.id, position: -1 };
        return [again];
      }
      const position = s.order[s.step] as number;
      const p = ids.propose(candidateAt(current, position, s.accepted), [current.id]);
      pending = { id: p.id, position };
      return [p];
    },
    tell(outcome: Outcome<G>): void {
      const id = outcome.proposal.id;
      if (!pending || pending.id !== id) {
        throw new Error(
          `threshold-accepting: tell() for proposal ${id}, which is not outstanding (outstanding: ${pending ? `[${pending.id}]` : '[]'})`,
        );
      }
      const { position } = pending;
      pending = null;
      const member = memberOf(outcome);
      if (!current) {
        if (member) {
          current = member;
          best = member.score;
        }
        return;
      }
      if (position < 0 || !scan) return;
      scan.step++;
      if (member && accepts(member.score, best, threshold)) {
        current = member;
        if (member.score > best) best = member.score;
        scan.accepted.push(position);
        scan.accepted.sort((a, b) => a - b);
      }
      if (scan.step >= scan.order.length) endPass();
    },
    finished: () => done,
    state(): ThresholdAcceptingState {
      return {
        nextId: ids.next,
        current: current ? encodeMember(space, current) : null,
        best: current ? (Number.isFinite(best) ? best : best > 0 ? 'Infinity' : '-Infinity') : null,
        pass: scan ? { order: [...scan.order], step: scan.step, accepted: [...scan.accepted] } : null,
        passes,
        done,
        pending: pending ? { ...pending } : null,
      };
    },
    restore(state: unknown): void {
      const s = parseState('threshold-accepting', thresholdAcceptingState, state);
      ids = new IdCounter(s.nextId);
      current = s.current ? decodeMember(space, s.current) : null;
      best =
        s.best === null
          ? -Infinity
          : typeof s.best === 'number'
            ? s.best
            : s.best === 'Infinity'
              ? Infinity
              : -Infinity;
      scan = s.pass ? { order: [...s.pass.order], step: s.pass.step, accepted: [...s.pass.accepted] } : null;
      passes = s.passes;
      done = s.done;
      pending = s.pending ? { ...s.pending } : null;
    },
  };
}

export const thresholdAccepting = defineFactory(
  'TAPruning (PromptQuine): remove one unit at a time, keep it if score ≥ 0.96·best; repeat passes until one removes nothing.',
  thresholdAcceptingOptions,
  (options, deps: StrategyDeps<unknown>) => createThresholdAccepting(options, deps),
);
