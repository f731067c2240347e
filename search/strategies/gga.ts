// PromptQuine's generational GA (Wang, Hu & Bing, ICML 2025, arXiv:2506.17930; code jianyu-cs/PromptQuine,
// promptquine/modules/PromptQuinePruner.py, GGA mode; ALGORITHMS.md §5.1): tournament parents, mutation only,
// comma selection over the last λ individuals added. General: any space; the length stop needs `space.length`.
import { z } from 'zod';
import { lazySchema } from '../../core/lazy-schema.js';
import { ConfigError } from '../../core/errors.js';
import { defineFactory } from '../../core/factory.js';
import { compareScored } from '../../core/score.js';
import type { Space } from '../../core/types.js';
import {
  batchSize,
  decodeMember,
  encodeMember,
  IdCounter,
  memberData,
  memberOf,
  parseState,
  tournament,
  type Member,
} from './select.js';
import type { Outcome, Proposal, Strategy, StrategyDeps } from './strategy.js';

/** The optional capability of spaces whose genomes have a size, such as a prompt's length in tokens. */
export interface HasLength<G> {
  length(g: G): number;
}

/** True when the space offers `length(g)`. */
export function hasLength<G>(space: Space<G>): space is Space<G> & HasLength<G> {
  return typeof (space as Partial<HasLength<G>>).length === 'function';
}

/** PromptQuine's min_prompt_length. */
const DEFAULT_MIN_MEAN_LENGTH = 15;

export const ggaOptions = lazySchema(() =>
  z.strictObject({
    populationSize: z
      .int()
      .min(1)
      .default(30)
      .describe(
        'μ: members kept; the initial population is this many samples of the space (PromptQuine population_size)',
      ),
    offspring: z.int().min(1).default(50).describe('λ: offspring slots per generation (PromptQuine reproduction_size)'),
    tournamentFraction: z
      .number()
      .gt(0)
      .max(1)
      .default(0.2)
      .describe('a parent is the best of max(1, ⌊fraction·population⌋) uniform draws with replacement'),
    minMeanLength: z
      .number()
      .min(0)
      .optional()
      .describe(
        'finished() once the population mean of space.length(g) is at most this (PromptQuine min_prompt_length; default 15 when the space has length(), else no length stop)',
      ),
  }),
);
export type GgaOptions = z.infer<typeof ggaOptions>;

const ggaState = lazySchema(() =>
  z.strictObject({
    nextId: z.number().int().min(0),
    /** 'init': sampling the initial population; 'round': a generation of offspring slots. */
    phase: z.enum(['init', 'round']),
    /** Members, in the order they were added (PromptQuine's list order). */
    population: z.array(memberData),
    /** Samples (init) or offspring slots (round) used so far in this phase. */
    issued: z.number().int().min(0),
    /** Proposals made in this round (slots whose child was a duplicate made none). */
    proposed: z.number().int().min(0),
    pending: z.array(z.number().int().min(0)),
    /** Successful proposals of this phase, in the order told. */
    told: z.array(memberData),
    /** True once a whole round found nothing but duplicates. */
    exhausted: z.boolean(),
  }),
);
export type GgaState = z.infer<typeof ggaState>;

/**
 * PromptQuine's GGA. The initial population is `populationSize` samples of the space (a token-mask space without
 * initial pruning samples the full prompt each time, as PromptQuine starts: the cache answers the copies). Each round
 * fills `offspring` slots: a slot's child is a mutant of a tournament winner, discarded without evaluation when its key
 * equals a population member's (it still uses the slot; a space whose mutate() returns a copy when nothing can be
 * pruned makes such a duplicate). When every slot of a round was told, the new population is the best `populationSize`
 * of the last `offspring` individuals added, offspring in id order after the old population: with fewer than λ new
 * offspring (duplicates, failures), the window also holds the most recent old members. Parents are not kept otherwise:
 * comma selection. Ties keep the earlier individual first.
 *
 * `finished()` is true when the population's mean `space.length(g)` is at most `minMeanLength`, or when a whole round
 * produced only duplicates (the search can go no further; that round's last child is then proposed anyway, so ask()
 * never comes back empty-handed while nothing is outstanding).
 * @throws {ConfigError} when `minMeanLength` is set and the space has no `length(g)`.
 */
export function createGga<G>(options: z.input<typeof ggaOptions>, deps: StrategyDeps<G>): Strategy<G> {
  const parsed = ggaOptions.parse(options ?? {});
  const { space, rng } = deps;
  const { populationSize, offspring, tournamentFraction } = parsed;
  if (parsed.minMeanLength !== undefined && !hasLength(space)) {
    throw new ConfigError(
      `gga: minMeanLength is set but space '${space.name}' has no length(g)`,
      [{ path: 'search.minMeanLength', message: `space '${space.name}' does not report a genome length` }],
      'Remove search.minMeanLength, or use a space with length(g) (token-mask).',
    );
  }
  const lengthOf = hasLength(space) ? (g: G) => space.length(g) : undefined;
  const minMeanLength = parsed.minMeanLength ?? DEFAULT_MIN_MEAN_LENGTH;

  let ids = new IdCounter();
  let phase: 'init' | 'round' = 'init';
  let population: Member<G>[] = [];
  let populationKeys = new Set<string>();
  let meanLength = Infinity;
  let issued = 0;
  let proposed = 0;
  let pending: number[] = [];
  let told: Member<G>[] = [];
  let exhausted = false;

  const setPopulation = (members: Member<G>[]): void => {
    population = members;
    populationKeys = new Set(members.map((m) => space.key(m.genome)));
    meanLength =
      lengthOf && members.length > 0 ? members.reduce((s, m) => s + lengthOf(m.genome), 0) / members.length : Infinity;
  };

  const startRound = (): void => {
    phase = 'round';
    issued = 0;
    proposed = 0;
    told = [];
  };

  /** Ends the phase once all its slots are used and told. */
  const maybeEndPhase = (): void => {
    const target = phase === 'init' ? populationSize : offspring;
    if (issued < target || pending.length > 0) return;
    const added = [...told].sort((a, b) => a.id - b.id);
    if (phase === 'init') {
      if (added.length === 0) {
        issued = 0; // every initial sample failed: sample again
        told = [];
        return;
      }
      setPopulation(added);
    } else {
      const window = [...population, ...added].slice(-offspring);
      const ranked = window.map((m, i) => ({ m, i })).sort((a, b) => compareScored(b.m, a.m) || a.i - b.i);
      setPopulation(ranked.slice(0, populationSize).map((r) => r.m));
    }
    startRound();
  };

  const proposeSample = (): Proposal<G> => {
    issued++;
    return ids.propose(space.sample(rng.next));
  };

  /** Fills one offspring slot: a proposal, or undefined when the child duplicates a population member. */
  const proposeSlot = (): Proposal<G> | undefined => {
    issued++;
    const size = Math.max(1, Math.floor(tournamentFraction * population.length));
    const parent = tournament(rng.next, population, size);
    const child = space.mutate(parent.genome, rng.next);
    if (populationKeys.has(space.key(child))) {
      if (issued < offspring || proposed > 0) return undefined;
      exhausted = true; // a whole round of duplicates: propose the last one anyway, so a round is never empty
    }
    proposed++;
    return ids.propose(child, [parent.id]);
  };

  return {
    ask(n: number): Proposal<G>[] {
      const out: Proposal<G>[] = [];
      const want = batchSize(n);
      while (out.length < want) {
        const target = phase === 'init' ? populationSize : offspring;
        if (issued >= target) break; // waiting for this phase's tells
        const p = phase === 'init' ? proposeSample() : proposeSlot();
        if (p) {
          pending.push(p.id);
          out.push(p);
        }
        maybeEndPhase(); // a round whose remaining slots were all duplicates ends here
      }
      return out;
    },
    tell(outcome: Outcome<G>): void {
      const id = outcome.proposal.id;
      const at = pending.indexOf(id);
      if (at < 0)
        throw new Error(
          `gga: tell() for proposal ${id}, which is not outstanding (outstanding: [${pending.join(', ')}])`,
        );
      pending.splice(at, 1);
      const member = memberOf(outcome);
      if (member) told.push(member);
      maybeEndPhase();
    },
    finished(): boolean {
      return exhausted || (lengthOf !== undefined && meanLength <= minMeanLength);
    },
    state(): GgaState {
      return {
        nextId: ids.next,
        phase,
        population: population.map((m) => encodeMember(space, m)),
        issued,
        proposed,
        pending: [...pending],
        told: told.map((m) => encodeMember(space, m)),
        exhausted,
      };
    },
    restore(state: unknown): void {
      const s = parseState('gga', ggaState, state);
      ids = new IdCounter(s.nextId);
      phase = s.phase;
      setPopulation(s.population.map((m) => decodeMember(space, m)));
      issued = s.issued;
      proposed = s.proposed;
      pending = [...s.pending];
      told = s.told.map((m) => decodeMember(space, m));
      exhausted = s.exhausted;
    },
  };
}

export const gga = defineFactory(
  "PromptQuine's generational GA: tournament parents, mutation only, best μ of the last λ added (comma selection); stops at a mean length.",
  ggaOptions,
  (options, deps: StrategyDeps<unknown>) => createGga(options, deps),
);
