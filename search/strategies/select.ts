// Selection helpers shared by the strategies: scoring outcomes, tournaments, capabilities, state codecs.
import { z } from 'zod';
import { lazySchema } from '../../core/lazy-schema.js';
import { ConfigError, ElitesError } from '../../core/errors.js';
import { randomInt, type Rng } from '../../core/rng.js';
import { compareScored, type Scored } from '../../core/score.js';
import type { Space } from '../../core/types.js';
import { hasMutateWithRate } from '../../spaces/index.js';
import type { Fidelity, Outcome, Proposal } from './strategy.js';

/** A told, successful candidate: what populations and parents are made of. */
export interface Member<G> extends Scored {
  readonly id: number;
  readonly genome: G;
}

/** The member a successful outcome makes; undefined for a failure (it counts as -Infinity: never a parent). */
export function memberOf<G>(outcome: Outcome<G>): Member<G> | undefined {
  if (!outcome.ok) return undefined;
  const { id, genome } = outcome.proposal;
  const { score, tiebreak } = outcome;
  return tiebreak ? { id, genome, score, tiebreak } : { id, genome, score };
}

/** Ids 0, 1, 2, … in ask order; the counter is part of each strategy's state. */
export class IdCounter {
  constructor(private nextId = 0) {}
  /** The next id to hand out. */
  get next(): number {
    return this.nextId;
  }
  propose<G>(genome: G, parents: readonly number[] = [], fidelity?: Fidelity): Proposal<G> {
    return fidelity ? { id: this.nextId++, genome, parents, fidelity } : { id: this.nextId++, genome, parents };
  }
}

/** How many proposals `ask(n)` may return: n rounded down, never negative. */
export function batchSize(n: number): number {
  return Number.isFinite(n) ? Math.max(0, Math.floor(n)) : 0;
}

/** `ask(n)` of a steady-state strategy: up to n proposals, each made by `propose()` on its own. */
export function proposeEach<G>(n: number, propose: () => Proposal<G>): Proposal<G>[] {
  return Array.from({ length: batchSize(n) }, propose);
}

/** A uniform element of a non-empty array. */
export function pick<T>(rng: Rng, items: readonly T[]): T {
  if (items.length === 0) throw new Error('pick: no items to choose from');
  return items[randomInt(rng, items.length)] as T;
}

/** Index of the first worst item by `compareScored` (earlier items lose ties), or -1 when empty. */
export function worstIndex(items: readonly Scored[]): number {
  let index = -1;
  for (let i = 0; i < items.length; i++) {
    if (index < 0 || compareScored(items[i] as Scored, items[index] as Scored) < 0) index = i;
  }
  return index;
}

/**
 * Steady-state entry into a bounded population: appended while there is room; once full, `member` replaces the
 * worst one if it is better (`ties: true`: at least as good, so a plateau drifts). Returns the index of the member
 * that left (-1: none, it was appended), or false when `member` did not enter.
 */
export function enterReplacingWorst<T extends Scored>(
  population: T[],
  member: T,
  capacity: number,
  ties: boolean,
): number | false {
  if (population.length < capacity) {
    population.push(member);
    return -1;
  }
  const worst = worstIndex(population);
  const order = compareScored(member, population[worst] as Scored);
  if (order < 0 || (order === 0 && !ties)) return false;
  population.splice(worst, 1);
  population.push(member);
  return worst;
}

/** Tournament selection: `size` uniform draws with replacement; the best wins, the earliest draw wins ties. */
export function tournament<T extends Scored>(rng: Rng, pool: readonly T[], size: number): T {
  if (pool.length === 0) throw new Error('tournament: the pool is empty');
  let winner = pick(rng, pool);
  for (let i = 1; i < size; i++) {
    const challenger = pick(rng, pool);
    if (compareScored(challenger, winner) > 0) winner = challenger;
  }
  return winner;
}

/**
 * A mutation operator for `space`: `mutateWithRate` at a fixed per-gene rate when `rate` is given, else `mutate`.
 * @throws {ConfigError} when a rate is given and the space has no `mutateWithRate`.
 */
export function mutationOperator<G>(
  strategy: string,
  space: Space<G>,
  rate: number | undefined,
): (parent: G, rng: Rng) => G {
  if (rate === undefined) return (parent, rng) => space.mutate(parent, rng);
  if (!hasMutateWithRate(space)) {
    throw new ConfigError(
      `${strategy}: mutationRate needs a space with mutateWithRate(parent, rate, rng); space '${space.name}' has none`,
      [{ path: 'search.mutationRate', message: `space '${space.name}' does not support a per-gene mutation rate` }],
      "Remove search.mutationRate to use the space's own mutate(), or use a space with per-gene rates (bitstring).",
    );
  }
  return (parent, rng) => space.mutateWithRate(parent, rate, rng);
}

/**
 * Checks that crossover is available when asked for.
 * @throws {ConfigError} when `crossoverRate > 0` and the space has no `crossover`.
 */
export function requireCrossover(strategy: string, space: Space<unknown>, crossoverRate: number): void {
  if (crossoverRate > 0 && typeof space.crossover !== 'function') {
    throw new ConfigError(
      `${strategy}: crossoverRate is ${crossoverRate} but space '${space.name}' has no crossover()`,
      [{ path: 'search.crossoverRate', message: `space '${space.name}' has no crossover operator` }],
      'Set search.crossoverRate to 0, or use a space that defines crossover(a, b, rng).',
    );
  }
}

/** True with probability `rate`; draws nothing when the answer is certain (rate 0 keeps the classic draw sequence). */
export function chance(rng: Rng, rate: number): boolean {
  if (rate <= 0) return false;
  if (rate >= 1) return true;
  return rng() < rate;
}

// ---- State codecs: plain JSON, genomes through space.encode/decode, scores that survive ±Infinity. ----

const scoreData = lazySchema(() => z.union([z.number(), z.enum(['Infinity', '-Infinity'])]));

/** A member as plain JSON data. */
export const memberData = lazySchema(() =>
  z.strictObject({
    id: z.number().int().min(0),
    genome: z.unknown(),
    score: scoreData,
    tiebreak: z.array(z.number()).optional(),
  }),
);
export type MemberData = z.infer<typeof memberData>;

function encodeScore(score: number): z.infer<typeof scoreData> {
  if (Number.isFinite(score)) return score;
  return score > 0 ? 'Infinity' : '-Infinity';
}

function decodeScore(score: z.infer<typeof scoreData>): number {
  return typeof score === 'number' ? score : score === 'Infinity' ? Infinity : -Infinity;
}

export function encodeMember<G>(space: Space<G>, m: Member<G>): MemberData {
  const data: MemberData = { id: m.id, genome: space.encode(m.genome), score: encodeScore(m.score) };
  if (m.tiebreak) data.tiebreak = [...m.tiebreak];
  return data;
}

export function decodeMember<G>(space: Space<G>, data: MemberData): Member<G> {
  const genome = space.decode(data.genome);
  const score = decodeScore(data.score);
  return data.tiebreak ? { id: data.id, genome, score, tiebreak: data.tiebreak } : { id: data.id, genome, score };
}

/**
 * Validates saved strategy state.
 * @throws {ElitesError} (code E_STRATEGY_STATE) when the state does not match the strategy's schema.
 */
export function parseState<S>(strategy: string, schema: z.ZodType<S>, state: unknown): S {
  const parsed = schema.safeParse(state);
  if (!parsed.success) {
    throw new ElitesError(
      'E_STRATEGY_STATE',
      `${strategy}: cannot restore strategy state: ${z.prettifyError(parsed.error)}`,
      'The checkpoint was written by another strategy or another version; start a new run.',
    );
  }
  return parsed.data;
}
