// The run log's vocabulary: one compact event per processed proposal, plus the checkpoint that summarises a prefix.
import type { RngState } from '../core/rng.js';

/** Bumped when the shape of stored events or checkpoints changes incompatibly. */
export const STORE_SCHEMA_VERSION = 1;

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
  readonly st: EventStatus;
  readonly cell: number;
  /** Encoded genome; present when the candidate entered the archive (or when `log.genomes` is 'all'). */
  readonly g?: unknown;
  readonly parents?: readonly number[];
  readonly m?: Readonly<Record<string, number>>;
  /** Present when the strategy chose this proposal's fidelity (racing). */
  readonly fid?: EventFidelity;
  /** Seconds since the run started (first session), for time series. */
  readonly t: number;
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
}

export function emptyCounters(): Counters {
  return { proposals: 0, evaluations: 0, keyHits: 0, fingerprintHits: 0, failures: 0, consecutiveFailures: 0, collisions: 0 };
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
}

export interface History {
  /** A point every `every` proposals; doubled (and the series thinned) when it passes MAX_POINTS. */
  every: number;
  points: HistoryPoint[];
}
