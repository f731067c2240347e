// (1+λ)-EA and (1,λ)-EA (Droste, Jansen & Wegener, TCS 276, 2002; Rowe & Sudholt, TCS 545, 2014) with the
// self-adjusting (1:s+1) success rule for λ (Hevia Fajardo & Sudholt, Algorithmica 86, 2024,
// doi:10.1007/s00453-023-01153-9). The registry's `one-comma-lambda` (one-comma-lambda.ts) is this with comma selection.
import { z } from 'zod';
import { lazySchema } from '../../core/lazy-schema.js';
import { defineFactory } from '../../core/factory.js';
import { randomInt } from '../../core/rng.js';
import { compareScored } from '../../core/score.js';
import {
  batchSize,
  decodeMember,
  encodeMember,
  IdCounter,
  memberData,
  memberOf,
  mutationOperator,
  parseState,
  type Member,
} from './select.js';
import type { Outcome, Proposal, Strategy, StrategyDeps } from './strategy.js';

export const onePlusLambdaOptions = lazySchema(() =>
  z.strictObject({
    /** Offspring per generation (the initial λ when self-adjusting). */
    lambda: z.number().int().min(1).default(1),
    /** Absolute per-gene rate (1/n: standard bit mutation); needs space.mutateWithRate. Default: space.mutate. */
    mutationRate: z.number().gt(0).max(1).optional(),
    /** The (1:s+1) success rule: success → λ/F, otherwise λ·F^(1/s), within [1, maxLambda]. */
    selfAdjusting: z
      .strictObject({
        F: z.number().gt(1).default(1.5),
        s: z.number().gt(0).default(1),
        maxLambda: z.number().min(1).default(1000),
      })
      .optional(),
  }),
);
export type OnePlusLambdaOptions = z.infer<typeof onePlusLambdaOptions>;

const onePlusLambdaState = lazySchema(() =>
  z.strictObject({
    nextId: z.number().int().min(0),
    /** Current λ, real-valued; a generation has Math.round(λ) offspring. */
    lambda: z.number().min(1),
    /** The current parent; null until the initial sample has been told successfully. */
    parent: memberData.nullable(),
    /** Offspring in the current generation (fixed when the generation starts). */
    size: z.number().int().min(0),
    /** Offspring of the current generation handed out so far. */
    issued: z.number().int().min(0),
    /** Ids asked and not yet told (the initial sample, or offspring of this generation). */
    pending: z.array(z.number().int().min(0)),
    /** Successful offspring of this generation tied for best so far. */
    leaders: z.array(memberData),
  }),
);
export type OnePlusLambdaState = z.infer<typeof onePlusLambdaState>;

export type Selection = 'plus' | 'comma';

/**
 * A (1+λ)-EA (`selection: 'plus'`) or (1,λ)-EA (`'comma'`). The first ask returns one random sample and waits
 * for it (a failed one is replaced by a new sample). Each generation hands out Math.round(λ) offspring of the
 * parent across ask calls, then waits for all their tells. Plus: the best offspring (lowest id among ties)
 * replaces the parent if at least as good. Comma: the best successful offspring always replaces it (ties at
 * random). Failed offspring count as -Infinity and are never accepted.
 * @throws {ConfigError} when `mutationRate` is set and the space has no `mutateWithRate`.
 */
export function createOnePlusLambda<G>(
  options: z.input<typeof onePlusLambdaOptions>,
  deps: StrategyDeps<G>,
  selection: Selection = 'plus',
): Strategy<G> {
  const parsed = onePlusLambdaOptions.parse(options ?? {});
  const { space, rng } = deps;
  const name = selection === 'plus' ? 'one-plus-lambda' : 'one-comma-lambda';
  const mutate = mutationOperator(name, space, parsed.mutationRate);
  const adjust = parsed.selfAdjusting;

  let ids = new IdCounter();
  let lambda: number = parsed.lambda;
  let parent: Member<G> | null = null;
  let size = 0;
  let issued = 0;
  let pending: number[] = [];
  let leaders: Member<G>[] = [];

  function startGeneration(): void {
    size = Math.round(lambda);
    issued = 0;
    leaders = [];
  }

  function endGeneration(current: Member<G>): void {
    // Leaders are ordered by id, so "lowest id among ties" does not depend on the order of tells.
    const ordered = [...leaders].sort((a, b) => a.id - b.id);
    // Comma selection breaks ties at random; a single leader needs no draw.
    const pickAt = selection === 'comma' && ordered.length > 1 ? randomInt(rng.next, ordered.length) : 0;
    const winner = ordered[pickAt];
    const improved = winner !== undefined && compareScored(winner, current) > 0;
    if (winner && (selection === 'comma' || compareScored(winner, current) >= 0)) parent = winner;
    if (adjust) {
      lambda = improved
        ? Math.max(1, lambda / adjust.F)
        : Math.min(adjust.maxLambda, lambda * adjust.F ** (1 / adjust.s));
    }
    startGeneration();
  }

  return {
    ask(n: number): Proposal<G>[] {
      const want = batchSize(n);
      if (want === 0) return [];
      if (!parent) {
        if (pending.length > 0) return [];
        const initial = ids.propose(space.sample(rng.next));
        pending.push(initial.id);
        return [initial];
      }
      const out: Proposal<G>[] = [];
      while (out.length < want && issued < size) {
        const child = ids.propose(mutate(parent.genome, rng.next), [parent.id]);
        issued++;
        pending.push(child.id);
        out.push(child);
      }
      return out;
    },
    tell(outcome: Outcome<G>): void {
      const id = outcome.proposal.id;
      const at = pending.indexOf(id);
      if (at < 0) {
        throw new Error(
          `${name}: tell() for proposal ${id}, which is not outstanding (outstanding: [${pending.join(', ')}])`,
        );
      }
      pending.splice(at, 1);
      const member = memberOf(outcome);
      if (!parent) {
        if (member) {
          parent = member;
          startGeneration();
        }
        return;
      }
      if (member) {
        const leader = leaders[0];
        const c = leader ? compareScored(member, leader) : 1;
        if (c > 0) leaders = [member];
        else if (c === 0) leaders.push(member);
      }
      if (issued === size && pending.length === 0) endGeneration(parent);
    },
    state(): OnePlusLambdaState {
      return {
        nextId: ids.next,
        lambda,
        parent: parent ? encodeMember(space, parent) : null,
        size,
        issued,
        pending: [...pending],
        leaders: leaders.map((m) => encodeMember(space, m)),
      };
    },
    restore(state: unknown): void {
      const s = parseState(name, onePlusLambdaState, state);
      ids = new IdCounter(s.nextId);
      lambda = s.lambda;
      parent = s.parent ? decodeMember(space, s.parent) : null;
      size = s.size;
      issued = s.issued;
      pending = [...s.pending];
      leaders = s.leaders.map((m) => decodeMember(space, m));
    },
  };
}

export const onePlusLambda = defineFactory(
  '(1+λ)-EA: the best of λ offspring replaces the parent if at least as good; optional self-adjusting λ.',
  onePlusLambdaOptions,
  (options, deps: StrategyDeps<unknown>) => createOnePlusLambda(options, deps, 'plus'),
);
