// Regularized evolution (Real et al., 2019), arXiv:1802.01548 — aging population, tournament selection.
import { z } from 'zod';
import { lazySchema } from '../../core/lazy-schema.js';
import { defineFactory } from '../../core/factory.js';
import {
  decodeMember,
  encodeMember,
  IdCounter,
  memberData,
  memberOf,
  parseState,
  tournament,
  type Member,
  proposeEach,
} from './select.js';
import type { Outcome, Proposal, Strategy, StrategyDeps } from './strategy.js';

export const regularizedEvolutionOptions = lazySchema(() =>
  z
    .strictObject({
      /** P: members kept; random samples are proposed until P successes were told. */
      populationSize: z.number().int().min(1).default(100),
      /** S: uniform draws (with replacement) per tournament; the best of them is the parent. */
      sampleSize: z.number().int().min(1).default(25),
    })
    .refine((o) => o.sampleSize <= o.populationSize, {
      message: 'sampleSize must not exceed populationSize',
      path: ['sampleSize'],
    }),
);
export type RegularizedEvolutionOptions = z.infer<typeof regularizedEvolutionOptions>;

const regularizedEvolutionState = lazySchema(() =>
  z.strictObject({
    nextId: z.number().int().min(0),
    /** Members in the order they were told (oldest first). */
    population: z.array(memberData),
  }),
);
export type RegularizedEvolutionState = z.infer<typeof regularizedEvolutionState>;

/**
 * Regularized (aging) evolution: random samples until `populationSize` successes were told, then
 * child = mutate(best of `sampleSize` uniform draws). Each success is appended and the oldest member leaves
 * once the population exceeds `populationSize`, whatever its fitness.
 */
export function createRegularizedEvolution<G>(
  options: z.input<typeof regularizedEvolutionOptions>,
  deps: StrategyDeps<G>,
): Strategy<G> {
  const { populationSize, sampleSize } = regularizedEvolutionOptions.parse(options ?? {});
  const { space, rng } = deps;
  let ids = new IdCounter();
  let population: Member<G>[] = [];

  function propose(): Proposal<G> {
    if (population.length < populationSize) return ids.propose(space.sample(rng.next));
    const parent = tournament(rng.next, population, sampleSize);
    return ids.propose(space.mutate(parent.genome, rng.next), [parent.id]);
  }

  return {
    ask(n: number): Proposal<G>[] {
      return proposeEach(n, propose);
    },
    tell(outcome: Outcome<G>): void {
      const member = memberOf(outcome);
      if (!member) return;
      population.push(member);
      if (population.length > populationSize) population.shift();
    },
    state(): RegularizedEvolutionState {
      return { nextId: ids.next, population: population.map((m) => encodeMember(space, m)) };
    },
    restore(state: unknown): void {
      const s = parseState('regularized-evolution', regularizedEvolutionState, state);
      ids = new IdCounter(s.nextId);
      population = s.population.map((m) => decodeMember(space, m));
    },
  };
}

export const regularizedEvolution = defineFactory(
  'Regularized evolution: aging population, child = mutate(best of a uniform sample).',
  regularizedEvolutionOptions,
  (options, deps: StrategyDeps<unknown>) => createRegularizedEvolution(options, deps),
);
