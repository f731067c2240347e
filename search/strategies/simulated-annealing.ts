// Simulated annealing as Plum uses it for prompts (Pan, Xing, Diao et al., arXiv:2311.08364; code research4pan/Plum,
// trainers/base_trainer.py update_result_add; ALGORITHMS.md §5.2); annealing after Kirkpatrick, Gelatt & Vecchi,
// Science 220, 1983. General: any space's mutate() makes the candidates. Hill climbing (hill-climbing.ts) is this at t0 = 0.
import { z } from 'zod';
import { lazySchema } from '../../core/lazy-schema.js';
import { defineFactory } from '../../core/factory.js';
import { compareScored } from '../../core/score.js';
import { chance, parseState } from './select.js';
import { LocalSearch, localSearchState } from './local-search.js';
import type { Strategy, StrategyDeps } from './strategy.js';

const candidates = lazySchema(() =>
  z.int().min(1).default(10).describe('m: candidates made from the current point per iteration (Plum num_candidates)'),
);
const patience = lazySchema(() =>
  z
    .int()
    .min(0)
    .default(7)
    .describe('finished() after this many iterations in a row without improvement (Plum patience); 0 = never'),
);

export const simulatedAnnealingOptions = lazySchema(() =>
  z.strictObject({
    candidates,
    patience,
    t0: z
      .number()
      .min(0)
      .default(10)
      .describe(
        "initial temperature T0 (Plum's T_max = 10), in the evaluator's score units: Plum's scores are accuracies in percent",
      ),
    tau: z
      .number()
      .gt(0)
      .default(5)
      .describe('cooling constant: T = T0·exp(−i/tau) at iteration i = 1, 2, … (Plum K = 5)'),
  }),
);
export type SimulatedAnnealingOptions = z.infer<typeof simulatedAnnealingOptions>;

const annealingState = lazySchema(() => z.strictObject({ search: localSearchState }));
export type SimulatedAnnealingState = z.infer<typeof annealingState>;

/**
 * Each iteration scores `candidates` mutants of the current point. The best of them becomes current if it is better;
 * otherwise it is still accepted with probability exp((s_best − s_current)/T), T = t0·exp(−i/tau) (an equal score is
 * always accepted when T > 0, as in Plum). With t0 = 0 this is Plum's hill climbing: only strict improvements move.
 * Scores are higher-is-better in the evaluator's units, so t0 must be chosen on that scale. `finished()` is true after
 * `patience` iterations in a row whose best candidate did not beat the current point (Plum's patience counter, which
 * also ends its annealing runs); if asked further, the search goes on. Failed candidates never become current.
 */
export function createSimulatedAnnealing<G>(
  options: z.input<typeof simulatedAnnealingOptions>,
  deps: StrategyDeps<G>,
  name = 'simulated-annealing',
): Strategy<G> {
  const parsed = simulatedAnnealingOptions.parse(options ?? {});
  const { space, rng } = deps;
  const search = new LocalSearch<G>(name, space, rng, parsed.candidates, {
    candidate: (current) => space.mutate(current.genome, rng.next),
    decide(current, [best], i) {
      if (!best) return { next: current, improved: false };
      if (compareScored(best, current) > 0) return { next: best, improved: true };
      const T = parsed.t0 * Math.exp(-i / parsed.tau);
      if (!(T > 0)) return { next: current, improved: false };
      const p = Math.exp((best.score - current.score) / T);
      return { next: chance(rng.next, p) ? best : current, improved: false };
    },
  });

  return {
    ask: (n) => search.ask(n),
    tell: (outcome) => search.tell(outcome),
    finished: () => parsed.patience > 0 && search.stale >= parsed.patience,
    state: (): SimulatedAnnealingState => ({ search: search.state() }),
    restore(state: unknown): void {
      search.restore(parseState(name, annealingState, state).search);
    },
  };
}

export const simulatedAnnealing = defineFactory(
  'Simulated annealing (Plum): best of m mutants replaces the current point if better, else with probability exp(Δ/T).',
  simulatedAnnealingOptions,
  (options, deps: StrategyDeps<unknown>) => createSimulatedAnnealing(options, deps),
);
