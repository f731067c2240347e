// Harmony search (Geem, Kim & Loganathan, Simulation 76, 2001) with Plum's settings for prompts (Pan, Xing, Diao et
// al., arXiv:2311.08364; code research4pan/Plum, trainers/HS_trainer.py: HMCR 0.4, PAR 0.5, memory 10; ALGORITHMS.md
// §5.2). General: any space, through its operators.
//
// Classic harmony search works per variable: each one is taken from memory (probability HMCR), then maybe
// pitch-adjusted (PAR), or else drawn at random. On a generic space this becomes: consideration = crossover of two
// memory members (a copy of one when the space has no crossover), pitch adjustment = space.mutate, a random harmony =
// space.sample (or, with `improvise: 'mutate'`, a mutant of a memory member, which is what Plum's non-memory branch
// does with its edit operators). Plum builds a harmony from 5 segments of memory prompts; segments are not generic.
import { z } from 'zod';
import { lazySchema } from '../../core/lazy-schema.js';
import { defineFactory } from '../../core/factory.js';
import { randomInt } from '../../core/rng.js';
import {
  chance,
  decodeMember,
  encodeMember,
  enterReplacingWorst,
  IdCounter,
  memberData,
  memberOf,
  parseState,
  pick,
  proposeEach,
  type Member,
} from './select.js';
import type { Outcome, Proposal, Strategy, StrategyDeps } from './strategy.js';

/** Mutations tried on a harmony whose key is already in memory before it is proposed anyway. */
const MAX_REDRAWS = 10;

export const harmonyOptions = lazySchema(() =>
  z.strictObject({
    memorySize: z
      .int()
      .min(1)
      .default(10)
      .describe('harmony memory size (Plum N_H = 10); the first this-many proposals are samples of the space'),
    hmcr: z
      .number()
      .min(0)
      .max(1)
      .default(0.4)
      .describe('harmony memory considering rate: probability a harmony is built from memory (Plum 0.4)'),
    par: z
      .number()
      .min(0)
      .max(1)
      .default(0.5)
      .describe('pitch adjusting rate: probability a harmony from memory is then mutated (Plum 0.5)'),
    improvise: z
      .enum(['sample', 'mutate'])
      .default('sample')
      .describe(
        "the other 1 − hmcr: a fresh space.sample() (classic harmony search), or a mutant of a memory member (Plum's edit branch)",
      ),
  }),
);
export type HarmonyOptions = z.infer<typeof harmonyOptions>;

const harmonyState = lazySchema(() =>
  z.strictObject({
    nextId: z.number().int().min(0),
    /** Members in the order they entered. */
    memory: z.array(memberData),
  }),
);
export type HarmonyState = z.infer<typeof harmonyState>;

/**
 * Steady-state harmony search: samples until `memorySize` proposals were made (and while memory is empty); then each
 * new harmony is, with probability `hmcr`, crossover of two distinct memory members (or a copy of one) followed with
 * probability `par` by a mutation, and otherwise improvised (see `improvise`). A harmony whose key is already in
 * memory is mutated (up to 10 times) rather than proposed as is: a copy would only be answered by the cache. A told
 * harmony enters memory while there is room, else replaces the worst member if strictly better; a harmony whose key
 * is already in memory never enters (memory holds distinct points).
 */
export function createHarmony<G>(options: z.input<typeof harmonyOptions>, deps: StrategyDeps<G>): Strategy<G> {
  const { memorySize, hmcr, par, improvise } = harmonyOptions.parse(options ?? {});
  const { space, rng } = deps;
  let ids = new IdCounter();
  let memory: Member<G>[] = [];
  let memoryKeys: string[] = []; // space.key of each member, in step with memory

  const inMemory = (g: G): boolean => memoryKeys.includes(space.key(g));

  function propose(): Proposal<G> {
    if (ids.next < memorySize || memory.length === 0) return ids.propose(space.sample(rng.next));
    let genome: G;
    let parents: number[];
    if (chance(rng.next, hmcr)) {
      const a = pick(rng.next, memory);
      if (space.crossover && memory.length >= 2) {
        let j = randomInt(rng.next, memory.length - 1);
        if (j >= memory.indexOf(a)) j++;
        const b = memory[j] as Member<G>;
        genome = space.crossover(a.genome, b.genome, rng.next);
        parents = [a.id, b.id];
      } else {
        genome = a.genome;
        parents = [a.id];
      }
      if (chance(rng.next, par)) genome = space.mutate(genome, rng.next);
    } else if (improvise === 'mutate') {
      const a = pick(rng.next, memory);
      genome = space.mutate(a.genome, rng.next);
      parents = [a.id];
    } else {
      genome = space.sample(rng.next);
      parents = [];
    }
    const base = genome;
    for (let i = 0; i < MAX_REDRAWS && inMemory(genome); i++) genome = space.mutate(base, rng.next);
    return ids.propose(genome, parents);
  }

  return {
    ask(n: number): Proposal<G>[] {
      return proposeEach(n, propose);
    },
    tell(outcome: Outcome<G>): void {
      const member = memberOf(outcome);
      if (!member) return;
      const key = space.key(member.genome);
      if (memoryKeys.includes(key)) return;
      const left = enterReplacingWorst(memory, member, memorySize, false); // strictly better to enter a full memory
      if (left === false) return;
      if (left >= 0) memoryKeys.splice(left, 1);
      memoryKeys.push(key);
    },
    state(): HarmonyState {
      return { nextId: ids.next, memory: memory.map((m) => encodeMember(space, m)) };
    },
    restore(state: unknown): void {
      const s = parseState('harmony', harmonyState, state);
      ids = new IdCounter(s.nextId);
      memory = s.memory.map((m) => decodeMember(space, m));
      memoryKeys = memory.map((m) => space.key(m.genome));
    },
  };
}

export const harmony = defineFactory(
  'Harmony search (Plum settings): memory of 10; new harmony = crossover of memory members (HMCR 0.4), mutated (PAR 0.5), else a fresh sample.',
  harmonyOptions,
  (options, deps: StrategyDeps<unknown>) => createHarmony(options, deps),
);
