// EvoPress (Sieberling, Kuznedelev, Kurtic & Alistarh, ICML 2025, arXiv:2410.14649): a (1+λ) evolutionary search
// whose offspring race over growing samples (multi-step selection); the parent re-enters at the last stage, so
// it is compared with the finalists on the same data and replaced only by one at least as good there.
import { z } from 'zod';
import { lazySchema } from '../../core/lazy-schema.js';
import { defineFactory } from '../../core/factory.js';
import { Race, raceStages, raceStagesOptions, raceState } from './racing.js';
import {
  batchSize,
  decodeMember,
  encodeMember,
  IdCounter,
  memberData,
  mutationOperator,
  parseState,
  type Member,
} from './select.js';
import type { Outcome, Proposal, Strategy, StrategyDeps } from './strategy.js';

export const evopressOptions = lazySchema(() =>
  z.strictObject({
    /** Offspring λ per generation, all distinct (duplicates are redrawn, as in EvoPress). */
    offspring: z.number().int().min(1).default(64),
    /**
     * Racing stages; defaults are EvoPress's unstructured-sparsity search: keep 8 → 2 → 1 on 2k → 16k → 64k tokens. Or
     * `{ minFidelity, reductionFactor, stages }`: successive halving over the offspring, as the ASHA pruner's rungs.
     */
    stages: raceStagesOptions.default([
      { fidelity: 2048, survivors: 8, sample: 'fresh' },
      { fidelity: 16384, survivors: 2, sample: 'fresh' },
      { fidelity: 65536, survivors: 1, sample: 'fresh' },
    ]),
    /** Per-gene mutation rate; needs a space with mutateWithRate. Default: the space's own mutate(). */
    mutationRate: z.number().gt(0).max(1).optional(),
    /** Draws per offspring before a duplicate is accepted (then the cache answers it). */
    maxRedraws: z.number().int().min(0).default(100),
  }),
);
export type EvopressOptions = z.infer<typeof evopressOptions>;

const evopressState = lazySchema(() =>
  z.strictObject({
    nextId: z.number().int().min(0),
    /** The current parent (scored at the last stage); null until the initial sample's race is done. */
    parent: memberData.nullable(),
    generation: z.number().int().min(0),
    /** The race under way; null before the first ask. */
    race: raceState.nullable(),
  }),
);
export type EvopressState = z.infer<typeof evopressState>;

/**
 * The first race scores one sample of the space at the last stage only; it becomes the parent (a failed one is
 * replaced by a new sample). Each generation then races `offspring` distinct mutants of the parent; the best of
 * the last stage (the parent included) is the next parent.
 */
export function createEvopress<G>(options: z.input<typeof evopressOptions>, deps: StrategyDeps<G>): Strategy<G> {
  const parsed = evopressOptions.parse(options ?? {});
  const { space, rng } = deps;
  const mutate = mutationOperator('evopress', space, parsed.mutationRate);
  const stages = raceStages(parsed.stages, parsed.offspring);
  const lastStage = stages.slice(-1);
  let ids = new IdCounter();
  let parent: Member<G> | null = null;
  let generation = 0;
  let race: Race<G> | undefined; // the first one starts at the first ask: a restored instance draws nothing before

  const distinctOffspring = (p: Member<G>): { genome: G; parents: number[] }[] => {
    const seen = new Set([space.key(p.genome)]);
    const out: { genome: G; parents: number[] }[] = [];
    while (out.length < parsed.offspring) {
      let child = mutate(p.genome, rng.next);
      let key = space.key(child); // keys can be costly (a hash of a whole mask): one per draw
      for (let i = 0; i < parsed.maxRedraws && seen.has(key); i++)
        key = space.key((child = mutate(p.genome, rng.next)));
      seen.add(key);
      out.push({ genome: child, parents: [p.id] });
    }
    return out;
  };

  const next = (): void => {
    const winner = race?.ranking()?.[0];
    if (winner) parent = winner;
    if (!parent) {
      race = new Race(lastStage, space, rng);
      race.start([{ genome: space.sample(rng.next), parents: [] }]);
      return;
    }
    generation++;
    race = new Race(stages, space, rng);
    race.start(distinctOffspring(parent), { genome: parent.genome, parents: [parent.id] });
  };

  return {
    ask(n: number): Proposal<G>[] {
      if (!race) next();
      return (race as Race<G>).ask(ids, batchSize(n));
    },
    tell(outcome: Outcome<G>): void {
      if (!race?.tell(outcome))
        throw new Error(`evopress: tell() for proposal ${outcome.proposal.id}, which is not outstanding`);
      if (!race.running) next();
    },
    state(): EvopressState {
      return {
        nextId: ids.next,
        parent: parent ? encodeMember(space, parent) : null,
        generation,
        race: race?.state() ?? null,
      };
    },
    restore(state: unknown): void {
      const s = parseState('evopress', evopressState, state);
      ids = new IdCounter(s.nextId);
      parent = s.parent ? decodeMember(space, s.parent) : null;
      generation = s.generation;
      race = undefined;
      if (s.race) {
        race = new Race(parent ? stages : lastStage, space, rng);
        race.restore(s.race);
      }
    },
  };
}

export const evopress = defineFactory(
  'EvoPress: (1+λ) with offspring raced over growing samples (multi-step selection); the parent re-enters at the last stage.',
  evopressOptions,
  (options, deps: StrategyDeps<unknown>) => createEvopress(options, deps),
);
