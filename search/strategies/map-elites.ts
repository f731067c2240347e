// MAP-Elites (Mouret & Clune, 2015), arXiv:1504.04909 — random start, then variation of uniformly chosen elites.
import { z } from 'zod';
import { lazySchema } from '../../core/lazy-schema.js';
import { defineFactory } from '../../core/factory.js';
import { chance, IdCounter, parseState, proposeEach, requireCrossover } from './select.js';
import type { Proposal, Strategy, StrategyDeps } from './strategy.js';

export const mapElitesOptions = lazySchema(() =>
  z.strictObject({
    /** The first this-many proposals are random samples (the paper's G); later ones too while the archive is empty. */
    initialRandom: z.number().int().min(0).default(100),
    /** Probability that a child is crossover(two uniformly chosen elites), not mutate(one); needs space.crossover. */
    crossoverRate: z.number().min(0).max(1).default(0),
  }),
);
export type MapElitesOptions = z.infer<typeof mapElitesOptions>;

const mapElitesState = lazySchema(() => z.strictObject({ nextId: z.number().int().min(0) }));
export type MapElitesState = z.infer<typeof mapElitesState>;

/**
 * MAP-Elites: random samples for the first `initialRandom` proposals, then children of elites drawn uniformly
 * from the archive's filled cells. Parents are the ids of the elites used. The engine adds to the archive.
 * @throws {ConfigError} when `crossoverRate > 0` and the space has no `crossover`.
 */
export function createMapElites<G>(options: z.input<typeof mapElitesOptions>, deps: StrategyDeps<G>): Strategy<G> {
  const { initialRandom, crossoverRate } = mapElitesOptions.parse(options ?? {});
  const { space, archive, rng } = deps;
  requireCrossover('map-elites', space, crossoverRate);
  let ids = new IdCounter();

  function propose(): Proposal<G> {
    if (ids.next < initialRandom || archive.size === 0) return ids.propose(space.sample(rng.next));
    if (space.crossover && chance(rng.next, crossoverRate)) {
      const [a, b] = archive.sample(rng.next, 2);
      if (a && b) {
        const parents = a.id === b.id ? [a.id] : [a.id, b.id];
        return ids.propose(space.crossover(a.genome, b.genome, rng.next), parents);
      }
    }
    const [elite] = archive.sample(rng.next, 1);
    if (!elite) return ids.propose(space.sample(rng.next));
    return ids.propose(space.mutate(elite.genome, rng.next), [elite.id]);
  }

  return {
    ask(n: number): Proposal<G>[] {
      return proposeEach(n, propose);
    },
    // The engine has already added the outcome to the archive: nothing else to learn.
    tell(): void {},
    state(): MapElitesState {
      return { nextId: ids.next };
    },
    restore(state: unknown): void {
      ids = new IdCounter(parseState('map-elites', mapElitesState, state).nextId);
    },
  };
}

export const mapElites = defineFactory(
  'MAP-Elites: random initialisation, then mutation (or crossover) of elites drawn uniformly from the archive.',
  mapElitesOptions,
  (options, deps: StrategyDeps<unknown>) => createMapElites(options, deps),
);
