// Iterated neighbourhood search, the loop Plum's trainers share (hill climbing, simulated annealing, tabu search):
// one current point; each iteration scores m candidates made from it, then a rule decides what becomes current.
import { z } from 'zod';
import { lazySchema } from '../../core/lazy-schema.js';
import type { SeededRng } from '../../core/rng.js';
import { compareScored } from '../../core/score.js';
import type { Space } from '../../core/types.js';
import { batchSize, decodeMember, encodeMember, IdCounter, memberData, memberOf, type Member } from './select.js';
import type { Outcome, Proposal } from './strategy.js';

export const localSearchState = lazySchema(() =>
  z.strictObject({
    nextId: z.number().int().min(0),
    /** The current point; null until the initial sample has been told successfully. */
    current: memberData.nullable(),
    /** Iterations completed (Plum's current_iteration counts from 1, so iteration i + 1 is under way). */
    iteration: z.number().int().min(0),
    /** Candidates of this iteration handed out so far. */
    issued: z.number().int().min(0),
    /** Ids asked and not yet told. */
    pending: z.array(z.number().int().min(0)),
    /** Successful candidates of this iteration, in the order told. */
    told: z.array(memberData),
    /** Consecutive iterations without improvement (the patience counter). */
    stale: z.number().int().min(0),
  }),
);
export type LocalSearchState = z.infer<typeof localSearchState>;

export interface LocalSearchRules<G> {
  /** A candidate made from the current point (the iteration's own neighbourhood rule: plain mutation, tabu redraws). */
  candidate(current: Member<G>): G;
  /**
   * Ends iteration `iteration` (1, 2, …): `ranked` holds its successful candidates, best first (lowest id among ties);
   * it is empty when all failed. Returns the next current point and whether the iteration counts as an improvement
   * (which resets the patience counter).
   */
  decide(current: Member<G>, ranked: readonly Member<G>[], iteration: number): { next: Member<G>; improved: boolean };
  /** Called once the initial sample has been told successfully. */
  started?(initial: Member<G>): void;
}

/**
 * The shared ask/tell protocol: the first ask returns one sample of the space and waits for it (a failed one is
 * replaced by a new sample); then each iteration hands out `candidates` proposals across ask calls and waits for all
 * their tells before `decide` runs. The best candidate is chosen by id order among ties, so the order of tells does not matter.
 */
export class LocalSearch<G> {
  private ids = new IdCounter();
  current: Member<G> | null = null;
  iteration = 0;
  private issued = 0;
  private pending: number[] = [];
  private told: Member<G>[] = [];
  stale = 0;

  constructor(
    private readonly name: string,
    private readonly space: Space<G>,
    private readonly rng: SeededRng,
    private readonly candidates: number,
    private readonly rules: LocalSearchRules<G>,
  ) {}

  ask(n: number): Proposal<G>[] {
    const want = batchSize(n);
    if (want === 0) return [];
    if (!this.current) {
      if (this.pending.length > 0) return [];
      const initial = this.ids.propose(this.space.sample(this.rng.next));
      this.pending.push(initial.id);
      return [initial];
    }
    const out: Proposal<G>[] = [];
    while (out.length < want && this.issued < this.candidates) {
      const child = this.ids.propose(this.rules.candidate(this.current), [this.current.id]);
      this.issued++;
      this.pending.push(child.id);
      out.push(child);
    }
    return out;
  }

  tell(outcome: Outcome<G>): void {
    const id = outcome.proposal.id;
    const at = this.pending.indexOf(id);
    if (at < 0)
      throw new Error(
        `${this.name}: tell() for proposal ${id}, which is not outstanding (outstanding: [${this.pending.join(', ')}])`,
      );
    this.pending.splice(at, 1);
    const member = memberOf(outcome);
    if (!this.current) {
      if (member) {
        this.current = member;
        this.rules.started?.(member);
      }
      return;
    }
    if (member) this.told.push(member);
    if (this.issued === this.candidates && this.pending.length === 0) this.endIteration(this.current);
  }

  private endIteration(current: Member<G>): void {
    const ranked = [...this.told].sort((a, b) => compareScored(b, a) || a.id - b.id);
    this.iteration++;
    const { next, improved } = this.rules.decide(current, ranked, this.iteration);
    this.current = next;
    this.stale = improved ? 0 : this.stale + 1;
    this.issued = 0;
    this.told = [];
  }

  state(): LocalSearchState {
    return {
      nextId: this.ids.next,
      current: this.current ? encodeMember(this.space, this.current) : null,
      iteration: this.iteration,
      issued: this.issued,
      pending: [...this.pending],
      told: this.told.map((m) => encodeMember(this.space, m)),
      stale: this.stale,
    };
  }

  restore(s: LocalSearchState): void {
    this.ids = new IdCounter(s.nextId);
    this.current = s.current ? decodeMember(this.space, s.current) : null;
    this.iteration = s.iteration;
    this.issued = s.issued;
    this.pending = [...s.pending];
    this.told = s.told.map((m) => decodeMember(this.space, m));
    this.stale = s.stale;
  }
}
