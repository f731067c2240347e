// A scheduler of emitters over one archive (pyribs ribs/schedulers), run asynchronously: proposals are asked one
// emitter turn (one batch) at a time, each id belongs to one emitter, and an emitter that needs its batch told
// (CMA-ES) waits for its own batch only. Every outcome is valued against one soft archive (CMA-MAE thresholds; the
// standard archive with learningRate 1, thresholdMin −∞), committed at each ask as pyribs adds a batch at once.
// round-robin: every emitter, in turn (pyribs' Scheduler); bandit: numActive of them, chosen by UCB1 (bandit.ts).
import { z } from 'zod';
import { lazySchema } from '../../../core/lazy-schema.js';
import type { ArchiveView } from '../../../archive/archive.js';
import { IdCounter, parseState } from '../select.js';
import type { Outcome, Proposal, Strategy } from '../strategy.js';
import { CellThresholds } from '../cma/thresholds.js';
import { Bandit, banditState, type BanditSettings } from './bandit.js';
import type { Emitter, EmitterContext } from './emitter.js';

export interface SchedulerSettings {
  /** The strategy's name, for errors. */
  readonly name: string;
  readonly learningRate: number;
  readonly thresholdMin: number;
  /** Absent: round-robin over all emitters. */
  readonly bandit?: BanditSettings | undefined;
}

const schedulerState = lazySchema(() =>
  z.strictObject({
    nextId: z.number().int().min(0),
    cursor: z.number().int().min(0),
    /** Outstanding proposals: [id, emitter] pairs. */
    owners: z.array(z.tuple([z.number().int().min(0), z.number().int().min(0)])),
    emitters: z.array(z.unknown()),
    thresholds: z.strictObject({
      cells: z.array(z.number().int().min(0)),
      thresholds: z.string(),
      pending: z.array(z.tuple([z.number().int().min(0), z.number().int().min(1), z.number(), z.number()])).optional(),
    }),
    /** Proposals left in each emitter's turn (−1: chosen, turn not begun). Absent in checkpoints before the scheduler. */
    turns: z.array(z.number().int().min(-1)).optional(),
    bandit: banditState.optional(),
  }),
);
export type SchedulerState = z.infer<typeof schedulerState>;

/** Turn −1: an emitter chosen (bandit) that has not begun its turn; 0: its turn is over. */
const NOT_BEGUN = -1;

export function createScheduler<G>(
  settings: SchedulerSettings,
  emitters: readonly Emitter[],
  ctx: EmitterContext,
  archive: ArchiveView<G>,
): Strategy<G> {
  const size = emitters.length;
  if (size === 0) throw new RangeError(`${settings.name}: a scheduler needs at least one emitter`);
  const thresholds = new CellThresholds(settings.learningRate, settings.thresholdMin);
  const bandit = settings.bandit && new Bandit(settings.bandit, size);
  let ids = new IdCounter();
  let cursor = 0;
  const owners = new Map<number, number>();
  const turns = new Array<number>(size).fill(0);

  // A turn is over and the emitter could go on: the bandit looks at it again (a CMA-ES once its batch is told).
  const due = (i: number): boolean => turns[i] === 0 && emitters[i]!.available > 0;
  const reselect = (): boolean => {
    if (!bandit) return false;
    const started = bandit.reselect(due, (i) => emitters[i]!.restarts);
    for (const i of started) turns[i] = NOT_BEGUN;
    return started.length > 0;
  };

  /** Whether emitter i may hand out a proposal now, beginning its turn if it can. */
  const ready = (i: number): boolean => {
    if (turns[i]! > 0) return bandit ? bandit.isActive(i) : true;
    if (bandit && !bandit.isActive(i)) return false;
    if (bandit && turns[i] === 0) return false; // over: reselected first (see ask)
    const e = emitters[i]!;
    if (e.available === 0) return false;
    turns[i] = Math.min(e.batchSize, e.available);
    return true;
  };

  return {
    ask(count: number): Proposal<G>[] {
      thresholds.commit(); // the adds told since the last ask, at once (pyribs' batch add)
      const out: Proposal<G>[] = [];
      const want = Number.isFinite(count) ? Math.max(0, Math.floor(count)) : 0;
      if (want > 0) reselect();
      // The current emitter hands out the rest of its turn, then the next one; stop when none can.
      for (let visited = 0; out.length < want && visited < size; ) {
        if (bandit && due(cursor) && bandit.isActive(cursor) && reselect()) visited = 0;
        if (!ready(cursor)) {
          cursor = (cursor + 1) % size;
          visited++;
          continue;
        }
        const e = emitters[cursor]!;
        const { genome, parents } = e.ask(ctx);
        owners.set(ids.next, cursor);
        out.push(ids.propose(genome as unknown as G, parents));
        visited = 0;
        // Its turn is out: the next proposal comes from the next emitter, even if this one is told at once (batch 1).
        if (--turns[cursor]! === 0) cursor = (cursor + 1) % size;
      }
      return out;
    },

    tell(outcome: Outcome<G>): void {
      const id = outcome.proposal.id;
      const index = owners.get(id);
      if (index === undefined) return; // not ours (cannot happen with the engine): nothing to learn
      owners.delete(id);
      const e = emitters[index]!;
      const genome = outcome.proposal.genome as unknown as Float64Array;
      if (!outcome.ok || outcome.status === 'screened') {
        bandit?.record(index, false);
        e.tell(genome, undefined, ctx);
        return;
      }
      const descriptors = outcome.result.descriptors ?? [];
      const objective = outcome.score;
      const { status, value } = thresholds.add(archive.cellOf(descriptors), objective);
      bandit?.record(index, status > 0);
      e.tell(genome, { status, value, objective, descriptors }, ctx);
    },

    state(): SchedulerState {
      const state: SchedulerState = {
        nextId: ids.next,
        cursor,
        owners: [...owners.entries()].sort((a, b) => a[0] - b[0]),
        emitters: emitters.map((e) => e.state()),
        thresholds: thresholds.state(),
        turns: [...turns],
      };
      return bandit ? { ...state, bandit: bandit.state() } : state;
    },

    restore(state: unknown): void {
      const s = parseState(settings.name, schedulerState, state);
      if (s.emitters.length !== size)
        throw new Error(`${settings.name}: the checkpoint has ${s.emitters.length} emitters, the config ${size}`);
      if (Boolean(s.bandit) !== Boolean(bandit))
        throw new Error(`${settings.name}: the checkpoint's scheduler is not the config's (bandit or round-robin)`);
      ids = new IdCounter(s.nextId);
      cursor = s.cursor % size;
      owners.clear();
      for (const [id, e] of s.owners) owners.set(id, e);
      s.emitters.forEach((data, i) => emitters[i]!.restore(data));
      thresholds.restore(s.thresholds);
      // Before the scheduler (cma-me / cma-mae checkpoints): a CMA-ES's turn is the rest of its batch once begun.
      emitters.forEach((e, i) => {
        turns[i] = s.turns?.[i] ?? (e.available < e.batchSize ? e.available : 0);
      });
      if (s.bandit && bandit) bandit.restore(s.bandit);
    },
  };
}
