// Racing over fidelities (EvoPress's multi-step selection, Sieberling et al., ICML 2025, arXiv:2410.14649 §3):
// every candidate is scored on a small fresh sample, the best few go on to a bigger one, and so on; an incumbent
// may join at the last stage so that it is compared with the finalists on the same data. Any strategy can race
// the candidates it would otherwise evaluate once: start() a race, forward ask/tell, read ranking() when done.
// A race is successive halving applied synchronously (early-stopping/successive-halving.ts, whose rule the ASHA
// pruner applies asynchronously inside running evaluations): stages may be listed, or given as ASHA's ladder.
import { z } from 'zod';
import { lazySchema } from '../../core/lazy-schema.js';
import { compareScored } from '../../core/score.js';
import { halvingSchedule, promoteBest } from '../early-stopping/successive-halving.js';
import type { SeededRng } from '../../core/rng.js';
import type { Space } from '../../core/types.js';
import { decodeMember, encodeMember, memberData, memberOf, type IdCounter, type Member } from './select.js';
import type { Outcome, Proposal } from './strategy.js';

export const raceStageOptions = lazySchema(() =>
  z.strictObject({
    /** Passed to the evaluator as ctx.fidelity (its unit: tokens, examples, repeats). */
    fidelity: z.number().positive(),
    /** Candidates kept after this stage (the last stage's survivors are the race's ranking). */
    survivors: z.number().int().min(1),
    /**
     * 'fresh': a new random sample of `fidelity` examples for every race (EvoPress); 'fixed': always sample 0, for a
     * stage that uses the evaluator's whole set, so a candidate seen before (the incumbent) is answered by the cache.
     */
    sample: z.enum(['fresh', 'fixed']).default('fresh'),
  }),
);
export type RaceStage = z.infer<typeof raceStageOptions>;

const stageList = lazySchema(() =>
  z
    .array(raceStageOptions)
    .min(1)
    .refine((stages) => stages.every((s, i) => i === 0 || s.survivors <= (stages[i - 1] as RaceStage).survivors), {
      message: 'survivors must not grow from one stage to the next',
    }),
);

/** Stages as successive halving's geometric ladder (the ASHA pruner's parameters), for a race of known size. */
export const halvingStagesOptions = lazySchema(() =>
  z.strictObject({
    /** Fidelity of the first stage (ASHA's minResource). */
    minFidelity: z.number().positive(),
    /** η: each stage's fidelity is η times the previous one's, and 1/η of a stage's candidates go on. */
    reductionFactor: z.number().int().min(2).default(4),
    stages: z.number().int().min(1).default(3),
    sample: z.enum(['fresh', 'fixed']).default('fresh'),
  }),
);
export type HalvingStages = z.infer<typeof halvingStagesOptions>;

/** A list of stages, or `{ minFidelity, reductionFactor, stages }`: successive halving over the race's candidates. */
export const raceStagesOptions = lazySchema(() => z.union([stageList, halvingStagesOptions]));
export type RaceStagesInput = z.infer<typeof raceStagesOptions>;

/**
 * The stages of a race of `candidates`: a list as given, or the halving ladder's (stage k at minFidelity·η^k keeps
 * max(1, ⌊n/η^(k+1)⌋), the last one 1).
 */
export function raceStages(stages: RaceStagesInput, candidates: number): RaceStage[] {
  if (Array.isArray(stages)) return stages;
  const ladder = { minResource: stages.minFidelity, reductionFactor: stages.reductionFactor, rungs: stages.stages };
  return halvingSchedule(ladder, candidates).map((rung) => ({
    fidelity: rung.resource,
    survivors: rung.keep,
    sample: stages.sample,
  }));
}

const candidateData = lazySchema(() =>
  z.strictObject({ genome: z.unknown(), parents: z.array(z.number().int().min(0)) }),
);
export const raceState = lazySchema(() =>
  z.strictObject({
    stage: z.number().int().min(0),
    sample: z.number().int().min(0),
    /** This stage's candidates; the incumbent is appended at the last stage. */
    candidates: z.array(candidateData),
    incumbent: candidateData.nullable(),
    issued: z.number().int().min(0),
    /** Proposal id → candidate index, for this stage's proposals not yet told. */
    pending: z.array(z.tuple([z.number().int().min(0), z.number().int().min(0)])),
    /** This stage's successful results with their candidate index. */
    results: z.array(z.strictObject({ index: z.number().int().min(0), member: memberData })),
    /** Final ranking, best first (set when the last stage is done). */
    ranking: z.array(memberData).nullable(),
  }),
);
export type RaceState = z.infer<typeof raceState>;

interface Candidate<G> {
  readonly genome: G;
  readonly parents: readonly number[];
}

/** One race at a time; failures are dropped (they never survive a stage). */
export class Race<G> {
  private stage = 0;
  private sample = 0;
  private candidates: Candidate<G>[] = [];
  private incumbent: Candidate<G> | null = null;
  private issued = 0;
  private pending = new Map<number, number>();
  private results: { index: number; member: Member<G> }[] = [];
  private finished: Member<G>[] | null = null;

  constructor(
    private readonly stages: readonly RaceStage[],
    private readonly space: Space<G>,
    private readonly rng: SeededRng,
  ) {}

  /** Starts a race of `candidates`; `incumbent` (e.g. the current parent) joins at the last stage. */
  start(candidates: readonly Candidate<G>[], incumbent?: Candidate<G>): void {
    this.candidates = [...candidates];
    this.incumbent = incumbent ?? null;
    this.finished = null;
    this.enterStage(0);
  }

  /** True between start() and the end of the last stage. */
  get running(): boolean {
    return this.finished === null && (this.candidates.length > 0 || this.pending.size > 0);
  }

  /** The last stage's successful candidates, best first; undefined while the race runs. */
  ranking(): readonly Member<G>[] | undefined {
    return this.finished ?? undefined;
  }

  /** Up to `want` of this stage's proposals not yet handed out. */
  ask(ids: IdCounter, want: number): Proposal<G>[] {
    const out: Proposal<G>[] = [];
    const stage = this.stages[this.stage] as RaceStage;
    const screening = this.stage < this.stages.length - 1;
    while (out.length < want && this.issued < this.candidates.length) {
      const index = this.issued++;
      const c = this.candidates[index] as Candidate<G>;
      const p = ids.propose(c.genome, c.parents, { level: stage.fidelity, sample: this.sample, screening });
      this.pending.set(p.id, index);
      out.push(p);
    }
    return out;
  }

  /** Takes an outcome of this race; returns false when the proposal is not one of its. */
  tell(outcome: Outcome<G>): boolean {
    const index = this.pending.get(outcome.proposal.id);
    if (index === undefined) return false;
    this.pending.delete(outcome.proposal.id);
    const member = memberOf(outcome);
    if (member) this.results.push({ index, member });
    if (this.issued === this.candidates.length && this.pending.size === 0) this.endStage();
    return true;
  }

  state(): RaceState {
    const encode = (c: Candidate<G>) => ({ genome: this.space.encode(c.genome), parents: [...c.parents] });
    return {
      stage: this.stage,
      sample: this.sample,
      candidates: this.candidates.map(encode),
      incumbent: this.incumbent ? encode(this.incumbent) : null,
      issued: this.issued,
      pending: [...this.pending],
      results: this.results.map((r) => ({ index: r.index, member: encodeMember(this.space, r.member) })),
      ranking: this.finished ? this.finished.map((m) => encodeMember(this.space, m)) : null,
    };
  }

  restore(s: RaceState): void {
    const decode = (c: z.infer<typeof candidateData>) => ({ genome: this.space.decode(c.genome), parents: c.parents });
    this.stage = s.stage;
    this.sample = s.sample;
    this.candidates = s.candidates.map(decode);
    this.incumbent = s.incumbent ? decode(s.incumbent) : null;
    this.issued = s.issued;
    this.pending = new Map(s.pending);
    this.results = s.results.map((r) => ({ index: r.index, member: decodeMember(this.space, r.member) }));
    this.finished = s.ranking ? s.ranking.map((m) => decodeMember(this.space, m)) : null;
  }

  private enterStage(stage: number): void {
    this.stage = stage;
    this.issued = 0;
    this.pending.clear();
    this.results = [];
    if (stage === this.stages.length - 1 && this.incumbent) this.candidates.push(this.incumbent);
    // A fresh sample per stage and race: candidates of one stage share it, so they are compared on the same data.
    this.sample = (this.stages[stage] as RaceStage).sample === 'fixed' ? 0 : Math.floor(this.rng.next() * 2 ** 31);
    if (this.candidates.length === 0) this.finished = [];
  }

  private endStage(): void {
    // Best first; among equals the earlier candidate (a stable order that does not depend on completion order).
    const inOrder = [...this.results].sort((a, b) => a.index - b.index);
    const survivors = (this.stages[this.stage] as RaceStage).survivors;
    const kept = promoteBest(inOrder, survivors, (a, b) => compareScored(b.member, a.member));
    if (this.stage === this.stages.length - 1) {
      this.finished = kept.map((r) => r.member);
      this.candidates = [];
      return;
    }
    this.candidates = kept.map((r) => this.candidates[r.index] as Candidate<G>);
    this.enterStage(this.stage + 1);
  }
}
