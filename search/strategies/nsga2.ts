// NSGA-II (Deb, Pratap, Agarwal & Meyarivan, IEEE TEVC 6(2), 2002, doi:10.1109/4235.996017) — non-dominated fronts,
// crowding distance, binary tournaments on (rank, crowding), (µ + λ) elitist survival.
//
// This is Deb's generational algorithm, not a steady-state variant. Generation 0 is `populationSize` random samples;
// every later generation is `populationSize` children bred from the current parents P_t, and only when the last of
// them has been told does survival merge P_t with the children Q_t, sort R_t = P_t ∪ Q_t into fronts, fill P_{t+1}
// front by front and cut the last front by crowding distance. The only asynchrony is the contract's: a generation's
// children may be asked in several batches and told in any order; `ask` hands out nothing of the next generation
// until the current one is complete. Survival sorts R_t by id first, so its result does not depend on the tell order.
//
// Differences from the paper and its reference code (nsga2-v1.1.6):
// - one child per crossover, not two: each child is its own pair of tournaments, crossover(a, b) with probability
//   `crossoverRate`, then mutation (the space's `mutate`, or `mutationRate` per gene through `mutateWithRate`);
// - the tournament compares two distinct members drawn uniformly by the paper's crowded-comparison operator: lower
//   rank, then larger crowding distance, then a fair coin (the reference code pairs members off a shuffled population
//   and compares them by dominance, not rank, before crowding);
// - a failed evaluation counts toward its generation but never enters the population, so P_{t+1} may hold fewer than
//   µ members (all of R_t) when many fail; with no parent at all, children are random samples again;
// - no constraint handling (the reference code's constrained domination): infeasible results are failures here.
// Ranks and crowding distances are those of survival (the cut front's crowding is measured on the whole front, as in
// the paper), and they drive the next generation's tournaments. Duplicate genomes are kept: the engine's cache answers
// them, and members equal in objectives share a front.
import { z } from 'zod';
import { lazySchema } from '../../core/lazy-schema.js';
import { ConfigError } from '../../core/errors.js';
import { defineFactory } from '../../core/factory.js';
import { crowdingDistance, nonDominatedSort } from '../../core/pareto.js';
import { randomInt, type Rng } from '../../core/rng.js';
import { batchSize, chance, IdCounter, mutationOperator, parseState, requireCrossover } from './select.js';
import type { Outcome, Proposal, Strategy, StrategyDeps } from './strategy.js';

const STRATEGY = 'nsga2';

export const nsga2Options = lazySchema(() =>
  z.strictObject({
    /**
     * µ = λ: members kept, and children per generation (generation 0: random samples). Parents are picked by binary
     * tournament; the tournament size is fixed at 2, as in the paper.
     */
    populationSize: z.number().int().min(1).default(100),
    /** Probability that a child starts as crossover of two tournament winners (default 0.9 with crossover, else 0). */
    crossoverRate: z.number().min(0).max(1).optional(),
    /** Per-gene mutation rate; needs a space with mutateWithRate. Default: the space's own mutate(). */
    mutationRate: z.number().gt(0).max(1).optional(),
  }),
);
export type Nsga2Options = z.infer<typeof nsga2Options>;

const objectivesData = lazySchema(() => z.array(z.number()));
const childData = lazySchema(() =>
  z.strictObject({ id: z.number().int().min(0), genome: z.unknown(), objectives: objectivesData }),
);

const nsga2State = lazySchema(() =>
  z.strictObject({
    nextId: z.number().int().min(0),
    /** t: generations whose survival has run (0 while generation 0 is out). */
    generation: z.number().int().min(0),
    /** P_t, in id order; empty during generation 0. */
    population: z.array(
      childData.extend({
        /** 0: the first (non-dominated) front of R_{t−1}. */
        rank: z.number().int().min(0),
        /** Crowding distance within its front of R_{t−1}; boundary members are 'Infinity'. */
        crowding: z.union([z.number().min(0), z.literal('Infinity')]),
      }),
    ),
    /** The current generation's children. */
    children: z.strictObject({
      /** How many have been asked for (at most populationSize). */
      asked: z.number().int().min(0),
      /** Asked, not told yet. */
      pending: z.array(z.number().int().min(0)),
      /** Told successfully, in tell order. */
      told: z.array(childData),
      /** Told as failures. */
      failed: z.array(z.number().int().min(0)),
    }),
  }),
);
export type Nsga2State = z.infer<typeof nsga2State>;

interface Child<G> {
  readonly id: number;
  readonly genome: G;
  readonly objectives: readonly number[];
}

interface Parent<G> extends Child<G> {
  readonly rank: number;
  readonly crowding: number;
}

/**
 * (µ + λ) survival: `pool` sorted by id, split into non-dominated fronts (all objectives maximized), whole fronts kept
 * while they fit, the last one cut by crowding distance (larger kept; equal distances: lower id). Returns at most `mu`
 * members in id order, each with its rank and crowding distance.
 */
export function nsga2Survivors<G>(pool: readonly Child<G>[], mu: number): Parent<G>[] {
  const sorted = [...pool].sort((a, b) => a.id - b.id);
  const points = sorted.map((m) => m.objectives);
  const kept: Parent<G>[] = [];
  nonDominatedSort(points).forEach((front, rank) => {
    const room = mu - kept.length;
    if (room <= 0) return;
    const distance = crowdingDistance(points, front);
    // Front indices ascend, so equal distances keep the lower id (the order sort() leaves them in).
    const order = [...front.keys()];
    if (front.length > room) order.sort((a, b) => distance[b]! - distance[a]! || a - b);
    for (const k of order.slice(0, room)) kept.push({ ...sorted[front[k]!]!, rank, crowding: distance[k]! });
  });
  return kept.sort((a, b) => a.id - b.id);
}

/** The crowded-comparison tournament of two distinct members (one member: itself); a fair coin breaks full ties. */
function binaryTournament<G>(rng: Rng, population: readonly Parent<G>[]): Parent<G> {
  if (population.length === 1) return population[0]!;
  const i = randomInt(rng, population.length);
  let j = randomInt(rng, population.length - 1);
  if (j >= i) j++;
  const a = population[i]!;
  const b = population[j]!;
  if (a.rank !== b.rank) return a.rank < b.rank ? a : b;
  if (a.crowding !== b.crowding) return a.crowding > b.crowding ? a : b;
  return rng() < 0.5 ? a : b;
}

/**
 * NSGA-II over any space, for runs with several objectives: each outcome's `objectives` (directions applied, all
 * maximized) are what it ranks by; `score` is ignored. `ask(n)` returns at most the children left in the current
 * generation, and at least one whenever nothing is in flight.
 * @throws {ConfigError} when the run has no objectives (`objectives.directions`), when `crossoverRate > 0` without
 *   `space.crossover`, or `mutationRate` without `mutateWithRate`.
 */
export function createNsga2<G>(options: z.input<typeof nsga2Options>, deps: StrategyDeps<G>): Strategy<G> {
  const parsed = nsga2Options.parse(options ?? {});
  const { space, rng } = deps;
  const objectiveCount = deps.objectiveCount ?? 0;
  if (objectiveCount < 1) {
    throw new ConfigError(
      `${STRATEGY}: NSGA-II ranks candidates by several objectives, but the config has no objectives.directions`,
      [{ path: 'objectives.directions', message: 'nsga2 needs the objectives of each result (at least two)' }],
      'Add objectives: { directions: [...] } to the config and return objectives: number[] from the evaluator, or use a single-objective strategy (ga).',
    );
  }
  const { populationSize } = parsed;
  const crossoverRate = parsed.crossoverRate ?? (space.crossover ? 0.9 : 0);
  requireCrossover(STRATEGY, space, crossoverRate);
  const mutate = mutationOperator(STRATEGY, space, parsed.mutationRate);

  let ids = new IdCounter();
  let generation = 0;
  let population: Parent<G>[] = [];
  let asked = 0;
  let pending: number[] = [];
  let told: Child<G>[] = [];
  let failed: number[] = [];

  function propose(): Proposal<G> {
    if (population.length === 0) return ids.propose(space.sample(rng.next));
    const a = binaryTournament(rng.next, population);
    if (space.crossover && chance(rng.next, crossoverRate)) {
      const b = binaryTournament(rng.next, population);
      const child = mutate(space.crossover(a.genome, b.genome, rng.next), rng.next);
      return ids.propose(child, a.id === b.id ? [a.id] : [a.id, b.id]);
    }
    return ids.propose(mutate(a.genome, rng.next), [a.id]);
  }

  function survive(): void {
    population = nsga2Survivors([...population, ...told], populationSize);
    generation++;
    asked = 0;
    told = [];
    failed = [];
  }

  return {
    ask(n: number): Proposal<G>[] {
      const out: Proposal<G>[] = [];
      const want = batchSize(n);
      while (out.length < want && asked < populationSize) {
        const p = propose();
        asked++;
        pending.push(p.id);
        out.push(p);
      }
      return out;
    },

    tell(outcome: Outcome<G>): void {
      const { id } = outcome.proposal;
      const at = pending.indexOf(id);
      if (at < 0) {
        throw new Error(
          `${STRATEGY}: tell() for proposal ${id}, which is not outstanding (outstanding: [${pending.join(', ')}])`,
        );
      }
      if (outcome.ok) {
        const { objectives } = outcome;
        if (objectives === undefined) {
          throw new Error(
            `${STRATEGY}: the outcome of proposal ${id} has no objectives; NSGA-II needs the config's \`objectives\` (objectives.directions) and an evaluator that returns objectives: number[]`,
          );
        }
        if (objectives.length !== objectiveCount) {
          throw new Error(
            `${STRATEGY}: the outcome of proposal ${id} has ${objectives.length} objectives, the run has ${objectiveCount} (objectives.directions)`,
          );
        }
        told.push({ id, genome: outcome.proposal.genome, objectives: [...objectives] });
      } else failed.push(id);
      pending.splice(at, 1);
      if (asked >= populationSize && pending.length === 0) survive();
    },

    state(): Nsga2State {
      const encode = (c: Child<G>) => ({ id: c.id, genome: space.encode(c.genome), objectives: [...c.objectives] });
      return {
        nextId: ids.next,
        generation,
        population: population.map((m) => ({
          ...encode(m),
          rank: m.rank,
          crowding: Number.isFinite(m.crowding) ? m.crowding : 'Infinity',
        })),
        children: { asked, pending: [...pending], told: told.map(encode), failed: [...failed] },
      };
    },

    restore(state: unknown): void {
      const s = parseState(STRATEGY, nsga2State, state);
      const decode = (c: z.infer<typeof childData>): Child<G> => ({
        id: c.id,
        genome: space.decode(c.genome),
        objectives: c.objectives,
      });
      ids = new IdCounter(s.nextId);
      generation = s.generation;
      population = s.population.map((m) => ({
        ...decode(m),
        rank: m.rank,
        crowding: m.crowding === 'Infinity' ? Number.POSITIVE_INFINITY : m.crowding,
      }));
      asked = s.children.asked;
      pending = [...s.children.pending];
      told = s.children.told.map(decode);
      failed = [...s.children.failed];
    },
  };
}

export const nsga2 = defineFactory(
  'NSGA-II: generational multi-objective search by non-dominated fronts and crowding distance (needs objectives).',
  nsga2Options,
  (options, deps: StrategyDeps<unknown>) => createNsga2(options, deps),
);
