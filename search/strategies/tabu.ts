// Tabu search (Glover, Computers & Operations Research 13, 1986) as one of Plum's prompt optimisers (Pan, Xing, Diao
// et al., arXiv:2311.08364; code research4pan/Plum, trainers/TB_trainer.py; ALGORITHMS.md §5.2). General: any space.
//
// Differences from Plum, on purpose: this is classic tabu search, so the best non-tabu candidate always becomes the
// current point, even when worse (Plum moves only on improvement and adds each iteration's best to the list); tabu
// candidates are redrawn before evaluation rather than skipped after; a key match is always tabu (Plum lets a match
// through with probability temp = 0.5), and Plum's similarity-based tabu (longest common subsequence ≥ thre) is left out.
import { z } from 'zod';
import { lazySchema } from '../../core/lazy-schema.js';
import { defineFactory } from '../../core/factory.js';
import { compareScored } from '../../core/score.js';
import { decodeMember, encodeMember, memberData, parseState, type Member } from './select.js';
import { LocalSearch, localSearchState } from './local-search.js';
import type { Strategy, StrategyDeps } from './strategy.js';

export const tabuOptions = lazySchema(() =>
  z.strictObject({
    candidates: z
      .int()
      .min(1)
      .default(10)
      .describe('m: candidates made from the current point per iteration (Plum num_candidates)'),
    tabuSize: z
      .int()
      .min(1)
      .default(5)
      .describe('keys of the most recently accepted points that candidates may not repeat (Plum N_tabu = 5)'),
    maxRedraws: z
      .int()
      .min(0)
      .default(20)
      .describe('mutations tried per candidate while it is tabu; then it is proposed anyway but cannot be accepted'),
    patience: z
      .int()
      .min(0)
      .default(7)
      .describe('finished() after this many iterations in a row without a new best (Plum patience); 0 = never'),
  }),
);
export type TabuOptions = z.infer<typeof tabuOptions>;

const tabuState = lazySchema(() =>
  z.strictObject({
    search: localSearchState,
    /** Keys of recently accepted points, oldest first. */
    tabu: z.array(z.string()),
    /** The best point found; null before the initial sample is told. */
    best: memberData.nullable(),
  }),
);
export type TabuState = z.infer<typeof tabuState>;

/**
 * Each iteration scores `candidates` mutants of the current point whose keys are not on the tabu list (a tabu mutant is
 * redrawn up to `maxRedraws` times). The best non-tabu candidate becomes the current point even if it is worse, and
 * its key enters the FIFO tabu list of `tabuSize` (the initial point is its first entry). The best point ever is kept;
 * `finished()` is true after `patience` iterations in a row without a new best. Failed candidates are never accepted.
 */
export function createTabu<G>(options: z.input<typeof tabuOptions>, deps: StrategyDeps<G>): Strategy<G> {
  const parsed = tabuOptions.parse(options ?? {});
  const { space, rng } = deps;
  let tabu: string[] = [];
  let best: Member<G> | null = null;
  const remember = (key: string): void => {
    tabu.push(key);
    if (tabu.length > parsed.tabuSize) tabu.shift();
  };

  const search = new LocalSearch<G>('tabu', space, rng, parsed.candidates, {
    started(initial) {
      best = initial;
      remember(space.key(initial.genome));
    },
    candidate(current) {
      let child = space.mutate(current.genome, rng.next);
      for (let i = 0; i < parsed.maxRedraws && tabu.includes(space.key(child)); i++)
        child = space.mutate(current.genome, rng.next);
      return child;
    },
    decide(current, ranked) {
      const move = ranked.find((m) => !tabu.includes(space.key(m.genome)));
      if (!move) return { next: current, improved: false };
      remember(space.key(move.genome));
      const improved = best === null || compareScored(move, best) > 0;
      if (improved) best = move;
      return { next: move, improved };
    },
  });

  return {
    ask: (n) => search.ask(n),
    tell: (outcome) => search.tell(outcome),
    finished: () => parsed.patience > 0 && search.stale >= parsed.patience,
    state: (): TabuState => ({
      search: search.state(),
      tabu: [...tabu],
      best: best ? encodeMember(space, best) : null,
    }),
    restore(state: unknown): void {
      const s = parseState('tabu', tabuState, state);
      search.restore(s.search);
      tabu = [...s.tabu];
      best = s.best ? decodeMember(space, s.best) : null;
    },
  };
}

export const tabuSearch = defineFactory(
  'Tabu search (Plum): the best of m non-tabu mutants always becomes current; FIFO tabu list of recent keys; best kept.',
  tabuOptions,
  (options, deps: StrategyDeps<unknown>) => createTabu(options, deps),
);
