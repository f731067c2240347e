// Steady-state genetic algorithm (GENITOR: Whitley, ICGA 1989) — tournament selection (Goldberg & Deb,
// FOGA 1991), crossover then mutation, replace-worst elitism.
import { z } from 'zod';
import { lazySchema } from '../../core/lazy-schema.js';
import { defineFactory } from '../../core/factory.js';
import {
  chance,
  decodeMember,
  encodeMember,
  enterReplacingWorst,
  IdCounter,
  memberData,
  memberOf,
  mutationOperator,
  parseState,
  requireCrossover,
  tournament,
  type Member,
  proposeEach,
} from './select.js';
import type { Outcome, Proposal, Strategy, StrategyDeps } from './strategy.js';

export const gaOptions = lazySchema(() =>
  z.strictObject({
    /** Members kept; the first this-many proposals are random samples. */
    populationSize: z.number().int().min(1).default(100),
    /** Uniform draws (with replacement) per tournament; the best of them is a parent. */
    tournamentSize: z.number().int().min(1).default(3),
    /** Probability that a child starts as crossover of two tournament winners (default 0.9 with crossover, else 0). */
    crossoverRate: z.number().min(0).max(1).optional(),
    /** Per-gene mutation rate; needs a space with mutateWithRate. Default: the space's own mutate(). */
    mutationRate: z.number().gt(0).max(1).optional(),
  }),
);
export type GaOptions = z.infer<typeof gaOptions>;

const gaState = lazySchema(() =>
  z.strictObject({
    nextId: z.number().int().min(0),
    /** Members in the order they entered (oldest first). */
    population: z.array(memberData),
  }),
);
export type GaState = z.infer<typeof gaState>;

/**
 * A steady-state GA. Each successful tell enters the population while it has room; once full, a child replaces
 * the worst member only if it is at least as good, so the best is never lost. A child is crossover of two
 * tournament winners (with probability `crossoverRate`) or a copy of one, then mutated.
 * @throws {ConfigError} when `crossoverRate > 0` without `space.crossover`, or `mutationRate` without `mutateWithRate`.
 */
export function createGa<G>(options: z.input<typeof gaOptions>, deps: StrategyDeps<G>): Strategy<G> {
  const parsed = gaOptions.parse(options ?? {});
  const { space, rng } = deps;
  const { populationSize, tournamentSize } = parsed;
  const crossoverRate = parsed.crossoverRate ?? (space.crossover ? 0.9 : 0);
  requireCrossover('ga', space, crossoverRate);
  const mutate = mutationOperator('ga', space, parsed.mutationRate);
  let ids = new IdCounter();
  let population: Member<G>[] = [];

  function propose(): Proposal<G> {
    if (ids.next < populationSize || population.length === 0) return ids.propose(space.sample(rng.next));
    const a = tournament(rng.next, population, tournamentSize);
    if (space.crossover && chance(rng.next, crossoverRate)) {
      const b = tournament(rng.next, population, tournamentSize);
      const child = mutate(space.crossover(a.genome, b.genome, rng.next), rng.next);
      return ids.propose(child, a.id === b.id ? [a.id] : [a.id, b.id]);
    }
    return ids.propose(mutate(a.genome, rng.next), [a.id]);
  }

  return {
    ask(n: number): Proposal<G>[] {
      return proposeEach(n, propose);
    },
    tell(outcome: Outcome<G>): void {
      const member = memberOf(outcome);
      // Ties replace (drift on plateaus); the best can only be replaced by one at least as good.
      if (member) enterReplacingWorst(population, member, populationSize, true);
    },
    state(): GaState {
      return { nextId: ids.next, population: population.map((m) => encodeMember(space, m)) };
    },
    restore(state: unknown): void {
      const s = parseState('ga', gaState, state);
      ids = new IdCounter(s.nextId);
      population = s.population.map((m) => decodeMember(space, m));
    },
  };
}

export const ga = defineFactory(
  'Steady-state GA: tournament selection, crossover and mutation, replace-worst elitism.',
  gaOptions,
  (options, deps: StrategyDeps<unknown>) => createGa(options, deps),
);
