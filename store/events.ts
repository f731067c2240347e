// The run log's vocabulary: one compact event per processed proposal, plus the checkpoint that summarises a prefix.
import type { RngState } from '../core/rng.js';
import type { EvalResult, ResultSource } from '../core/types.js';

/**
 * Bumped when the shape of stored events or checkpoints changes incompatibly. 2: events are stored in blocks
 * (store/event-block.ts), one per transaction; schema 1 stored one event per key, and is still read.
 */
export const STORE_SCHEMA_VERSION = 2;
/** The schemas this elites reads (and resumes: a resumed schema 1 run is marked 2, its new events are blocks). */
export const READABLE_STORE_SCHEMAS: readonly number[] = [1, 2];

/** Where a result came from: e = evaluated, k = level-1 key hit (cache or in flight), f = level-2 fingerprint hit. */
export type EventSource = 'e' | 'k' | 'f';
/** Archive outcome: n = new cell, i = improved a cell, r = rejected, s = screening result (not offered to the archive). */
export type EventStatus = 'n' | 'i' | 'r' | 's';

/** A proposal's own fidelity as logged: [level, sample, screening ? 1 : 0]. */
export type EventFidelity = readonly [number, number, 0 | 1];

/** A proposal whose evaluation (or cache answer) succeeded. Field names are short: millions are stored. */
export interface OkEvent {
  readonly seq: number;
  readonly id: number;
  readonly ok: true;
  readonly src: EventSource;
  /** Raw fitness as the evaluator returned it (or the running mean, in aggregate mode). */
  readonly f: number;
  readonly d?: readonly number[];
  readonly tb?: readonly number[];
  /** Objectives (several, raw), when the evaluator returns them. */
  readonly ob?: readonly number[];
  readonly st: EventStatus;
  readonly cell: number;
  /** Encoded genome; present when the candidate entered the archive (or when `log.genomes` is 'all'). */
  readonly g?: unknown;
  readonly parents?: readonly number[];
  readonly m?: Readonly<Record<string, number>>;
  /** Present when the strategy chose this proposal's fidelity (racing). */
  readonly fid?: EventFidelity;
  /**
   * Aggregate mode: the state of the pool of samples behind `f` (its mean). On an evaluated event (`src: 'e'`) the
   * sample it added; on a cache answer, the pool as it stood.
   */
  readonly ag?: LoggedSample;
  /** The evaluation's intermediate reports, [step, value] in order (ctx.report): a resume replays them to the pruner. */
  readonly rp?: readonly (readonly [number, number])[];
  /** Seconds since the run started (first session), for time series. */
  readonly t: number;
}

/**
 * One sample of a noisy evaluation (aggregate mode), logged with its event so that the log, not the result cache,
 * says how many samples are behind each mean: on resume the cache's entry for the pool is set back to this.
 */
export interface LoggedSample {
  /** The pool the sample joined: `f:` + fingerprint (the same code is the same noisy quantity) or `k:` + key. */
  readonly p: string;
  /** Samples behind the mean after this one. */
  readonly n: number;
  /** Σ of squared deviations from the mean (Welford). */
  readonly m2: number;
  /** The latest sample's own fitness (this event's, when it was evaluated). */
  readonly x: number;
}

/** A proposal whose evaluation failed: an outcome, not an exception. */
export interface FailEvent {
  readonly seq: number;
  readonly id: number;
  readonly ok: false;
  readonly kind: string;
  readonly msg: string;
  readonly g?: unknown;
  readonly fid?: EventFidelity;
  readonly rp?: readonly (readonly [number, number])[];
  readonly t: number;
}

export type RunEvent = OkEvent | FailEvent;

/** Counters that the summary reports (DESIGN §6); all plain numbers. */
export interface Counters {
  proposals: number;
  evaluations: number;
  keyHits: number;
  fingerprintHits: number;
  failures: number;
  consecutiveFailures: number;
  /** counterfactual mode: cached and fresh results disagreed beyond epsilon. */
  collisions: number;
  /** Evaluations the run's pruner stopped early (not failures: they ran as they should). */
  pruned: number;
  /** Intermediate reports (ctx.report) of all logged evaluations: training epochs, say. */
  steps: number;
}

export function emptyCounters(): Counters {
  return {
    proposals: 0,
    evaluations: 0,
    keyHits: 0,
    fingerprintHits: 0,
    failures: 0,
    consecutiveFailures: 0,
    collisions: 0,
    pruned: 0,
    steps: 0,
  };
}

// The codec: the engine writes events with toEvent; resume and the run view read them with fromEvent and count them
// with countEvent. Plain types only (the store sits below search/ and archive/): ArchiveStatus is the same union as
// archive's AddStatus (+ 'screened'), spelled out here so the store does not import archive/.

/** What the archive did with an answer; 'screened': a screening-fidelity result, never offered to it. */
export type ArchiveStatus = 'new' | 'improved' | 'rejected' | 'screened';

/** One event's content, without its `seq` and time: what the engine logs and what a reader gets back. */
export type EventRecord =
  | {
      readonly ok: true;
      readonly id: number;
      readonly source: ResultSource;
      readonly result: EvalResult;
      readonly status: ArchiveStatus;
      readonly cell: number;
      /** The encoded genome, when it is logged (entered the archive, or `log.genomes: all`). */
      readonly genome?: unknown;
      readonly parents: readonly number[];
      readonly fid?: EventFidelity;
      readonly sample?: LoggedSample;
      readonly reports?: readonly (readonly [number, number])[];
    }
  | {
      readonly ok: false;
      readonly id: number;
      readonly failure: { readonly kind: string; readonly message: string };
      readonly genome: unknown;
      readonly fid?: EventFidelity;
      readonly reports?: readonly (readonly [number, number])[];
    };

const SOURCE_CODE = { evaluated: 'e', key: 'k', fingerprint: 'f' } as const satisfies Record<ResultSource, EventSource>;
const STATUS_CODE = { new: 'n', improved: 'i', rejected: 'r', screened: 's' } as const satisfies Record<
  ArchiveStatus,
  EventStatus
>;
const SOURCE_OF = { e: 'evaluated', k: 'key', f: 'fingerprint' } as const satisfies Record<EventSource, ResultSource>;
const STATUS_OF = { n: 'new', i: 'improved', r: 'rejected', s: 'screened' } as const satisfies Record<
  EventStatus,
  ArchiveStatus
>;

/** The stored event for record `r`, number `seq`, `t` seconds into the run (short fields: millions are stored). */
export function toEvent(r: EventRecord, seq: number, t: number): RunEvent {
  if (!r.ok) {
    const fid = r.fid ? { fid: r.fid } : {};
    const rp = r.reports ? { rp: r.reports } : {};
    return { seq, id: r.id, ok: false, kind: r.failure.kind, msg: r.failure.message, g: r.genome, t, ...fid, ...rp };
  }
  const { result } = r;
  // Filled in place, in this key order (one per event of millions: no intermediate objects from spreads).
  const e: { -readonly [K in keyof OkEvent]: OkEvent[K] } = {
    seq,
    id: r.id,
    ok: true,
    src: SOURCE_CODE[r.source],
    f: result.fitness,
    st: STATUS_CODE[r.status],
    cell: r.cell,
    t,
  };
  if (r.fid) e.fid = r.fid;
  if (result.descriptors?.length) e.d = result.descriptors;
  if (result.tiebreak) e.tb = result.tiebreak;
  if (result.objectives) e.ob = result.objectives;
  if (r.genome !== undefined) e.g = r.genome;
  if (r.parents.length) e.parents = r.parents;
  if (result.metrics) e.m = result.metrics;
  if (r.sample) e.ag = r.sample;
  if (r.reports) e.rp = r.reports;
  return e;
}

/** The record an event was made from (fresh arrays and objects: the reader may keep them). */
export function fromEvent(e: RunEvent): EventRecord {
  const fid = e.fid ? { fid: e.fid } : {};
  const rp = e.rp ? { reports: e.rp.map(([s, v]) => [s, v] as const) } : {};
  if (!e.ok) return { ok: false, id: e.id, failure: { kind: e.kind, message: e.msg }, genome: e.g, ...fid, ...rp };
  const result: EvalResult = {
    fitness: e.f,
    ...(e.d ? { descriptors: [...e.d] } : {}),
    ...(e.tb ? { tiebreak: [...e.tb] } : {}),
    ...(e.ob ? { objectives: [...e.ob] } : {}),
    ...(e.m ? { metrics: { ...e.m } } : {}),
  };
  return {
    ok: true,
    id: e.id,
    source: SOURCE_OF[e.src],
    result,
    status: STATUS_OF[e.st],
    cell: e.cell,
    parents: e.parents ?? [],
    ...fid,
    ...(e.g !== undefined ? { genome: e.g } : {}),
    ...(e.ag ? { sample: { ...e.ag } } : {}),
    ...rp,
  };
}

/**
 * The counter rules (DESIGN §6): every event is a proposal; a success resets the failure streak and counts its source;
 * a pruned evaluation ran as it should (it resets the streak) and counts apart: proposals = evaluations + key hits +
 * fingerprint hits + failures + pruned.
 */
export function countEvent(c: Counters, e: RunEvent): void {
  c.proposals++;
  if (e.rp) c.steps += e.rp.length;
  if (!e.ok && e.kind === 'pruned') {
    c.pruned++;
    c.consecutiveFailures = 0;
    return;
  }
  if (!e.ok) {
    c.failures++;
    c.consecutiveFailures++;
    return;
  }
  c.consecutiveFailures = 0;
  if (e.src === 'e') c.evaluations++;
  else if (e.src === 'k') c.keyHits++;
  else c.fingerprintHits++;
}

/** A proposal's own fidelity (racing) as a log field; nothing when it has none (most runs never set one). */
export function logFidelity(
  fidelity: { readonly level: number; readonly sample: number; readonly screening: boolean } | undefined,
): { fid?: EventFidelity } {
  return fidelity ? { fid: [fidelity.level, fidelity.sample, fidelity.screening ? 1 : 0] } : {};
}

/** The proposal's fidelity back from its log field. */
export function readFidelity(fid: EventFidelity | undefined): {
  fidelity?: { level: number; sample: number; screening: boolean };
} {
  return fid ? { fidelity: { level: fid[0], sample: fid[1], screening: fid[2] === 1 } } : {};
}

/** A proposal asked but not yet processed when the checkpoint was taken; re-proposed on resume. */
export interface PendingProposal {
  readonly id: number;
  readonly g: unknown;
  readonly parents: readonly number[];
  readonly fid?: EventFidelity;
}

/** Everything needed to continue after event `seq`: the log's prefix up to `seq` plus this is the whole state. */
export interface Checkpoint {
  /** Last event included (−1: none). */
  readonly seq: number;
  readonly rng: RngState;
  readonly strategy: unknown;
  readonly counters: Counters;
  readonly pending: readonly PendingProposal[];
  /** Executor slots when the checkpoint was taken: replay asks in the same rhythm. */
  readonly slots: number;
  readonly elapsedSeconds: number;
  readonly savedAt: string;
  /** Archive statistics over proposals up to `seq`. */
  readonly history: History;
  /** The run's pruner (config `pruner`), when it has one: its state after event `seq`. */
  readonly pruner?: unknown;
  /** The archive after event `seq`, in brief (what `elites runs` lists without opening the log). */
  readonly archive?: { readonly coverage: number; readonly best: number | null };
}

/** Bumped when the snapshot's content changes; a snapshot of another version or store schema is ignored (rebuilt). */
export const SNAPSHOT_VERSION = 2;

/**
 * What the log's prefix up to `seq` adds up to: the archive's exact state, the sample means and the tally (counters,
 * timeline, curves). A cache of the log, saved with each checkpoint once the events it covers have committed:
 * readers and resume load it and replay only the events after `seq`.
 */
export interface RunSnapshot {
  readonly schema: number;
  readonly version: number;
  /** Last event included (−1: none). */
  readonly seq: number;
  /** The archive's `saveState` (genomes encoded by the space, then packed: search/packed-genome.ts). */
  readonly archive: unknown;
  readonly means: unknown;
  readonly tally: unknown;
}

export type RunStatus = 'running' | 'done' | 'interrupted' | 'failed';

/** Archive statistics over proposals, kept in each checkpoint (filled by search/history.ts). */
export interface HistoryPoint {
  readonly proposals: number;
  readonly evaluations: number;
  readonly seconds: number;
  readonly coverage: number;
  readonly qdScore: number;
  /** Best raw fitness so far (direction applied back), null while the archive is empty. */
  readonly best: number | null;
  /** Pareto archives: the hypervolume of all members' front (qdScore is then the MOQD score). */
  readonly hypervolume?: number;
}

export interface History {
  /** A point every `every` proposals; doubled (and the series thinned) when it passes MAX_POINTS. */
  every: number;
  points: HistoryPoint[];
}
