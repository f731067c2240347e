// THE loop: keep every slot busy (steady state, no generation barrier) → key/cache → submit → log → archive → tell.
//
// One result on its way through, one type per stage:
//   evaluate() returns an EvalResult (core/types.ts)
//   → an executor's TaskResult for one EvalTask (executors/executor.ts; its `source`: evaluated | fingerprint hit)
//   → the cache policy's CacheLookup / the cache's CacheEntry (cache-policy.ts, store/result-cache.ts)
//   → an Answer: a proposal with its result and the one `source` the engine reads (answer.ts; live or replayed)
//   → archive.add's AddResult, then the Outcome told to the strategy (strategies/strategy.ts)
//   → the logged RunEvent (store/events.ts: toEvent / fromEvent / countEvent are its only codec).
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { Archive, ArchiveStats } from '../archive/archive.js';
import type { Candidate } from '../archive/archive.js';
import {
  countEvent,
  type ArchiveStatus,
  type EventRecord,
  emptyCounters,
  logFidelity,
  readFidelity,
  toEvent,
  type Checkpoint,
  type Counters,
  type RunEvent,
  type History,
} from '../store/events.js';
import type { RunStore } from '../store/run-store.js';
import {
  proposalsLeft,
  stopAfterAnswer,
  stopWhenIdle,
  type AfterAnswer,
  type Budget,
  type StopReason,
} from './budget.js';
import type { CachePolicy } from './cache-policy.js';
import { RunFailedError } from '../core/errors.js';
import { createCheckpointer, createEventWriter, takeCheckpoint } from './log-writer.js';
import type { Executor } from './executors/executor.js';
import { emptyHistory, recordHistory } from './history.js';
import { createInFlight } from './in-flight.js';
import type { SeededRng } from '../core/rng.js';
import type { Answer } from './answer.js';
import type { Pruner } from './early-stopping/types.js';
import { checkReplayed, createReplaySource, type ReplaySource } from './replay.js';
import { PendingProposals } from './pending.js';
import type { SampleMeans } from './sample-means.js';
import { takeSnapshot } from './run-snapshot.js';
import type { RunTally } from './tally.js';
import type { Outcome, Proposal, Strategy } from './strategies/strategy.js';
import { fromScore, toScore, toScores, type Direction, type Space } from '../core/types.js';
import type { Writable } from '../core/objects.js';

export interface EngineParts<G> {
  readonly space: Space<G>;
  readonly strategy: Strategy<G>;
  readonly archive: Archive<G>;
  readonly executor: Executor;
  readonly store: RunStore;
  /** Root stream; every fork's state goes into checkpoints. */
  readonly rng: SeededRng;
  readonly cache: CachePolicy;
  /** Holds elites at the mean of their samples (aggregate mode); the same one rebuilt the archive on resume. */
  readonly means: SampleMeans;
  /** The log's tally up to the start (resume: the checkpoint); every event is added to it, for the snapshots. */
  readonly tally: RunTally;
  readonly direction: Direction;
  /** With the config's `objectives`: each objective's direction (candidates and outcomes carry them as scores). */
  readonly objectives?: readonly Direction[];
  readonly budget: Budget;
  readonly maxConsecutiveFailures: number;
  /**
   * The strategy is asked once at least this many slots are free (the config's `batch`; default 1, steady state):
   * a batch is asked, evaluated and told together, with workers kept busy by the other threads' batches.
   */
  readonly batch?: number;
  readonly logAllGenomes: boolean;
  readonly checkpointSeconds: number;
  /**
   * Early stopping (config `pruner`): it heard the running evaluations' reports (the executor's progress sink); the
   * engine tells it how each ended, and while replaying feeds it the logged reports first, as it heard them then.
   */
  readonly pruner?: Pruner;
  /** Continue from here: the events after `checkpoint.seq` are replayed, not re-evaluated. */
  readonly resumeFrom?: { readonly checkpoint: Checkpoint; readonly history: History };
  /** Aborting it stops the run at the next completion (SIGINT): pending work is checkpointed, not lost. */
  readonly stop?: AbortSignal;
  readonly onProgress?: (progress: Progress<G>) => void;
  /** Called when the loop waits for an answer and none is ready: all it can ask is asked (ask/tell hands it out). */
  readonly onWait?: () => void;
}

export interface Progress<G> {
  readonly counters: Readonly<Counters>;
  readonly elapsedSeconds: number;
  readonly archive: Archive<G>;
  readonly direction: Direction;
}

export interface EngineResult {
  readonly stopReason: StopReason;
  readonly counters: Counters;
  readonly elapsedSeconds: number;
  readonly history: History;
  /** Set when the run stopped itself (e.g. too many consecutive failures). */
  readonly error?: RunFailedError;
}

/**
 * Runs the search until a stop rule holds, then drains what is in flight (logging it), except on a stop signal, which
 * ends at once and leaves the work in flight to the checkpoint (resume re-proposes it).
 * Invariants: the ids asked so far are exactly 0..asked−1, each either logged (counters.proposals of them) or in
 * `pending`, never both; so the log holds each proposal at most once, and every one once the run drains. While
 * resuming, the strategy is asked in the original run's rhythm (its slots) and answered from the log, in log order,
 * so its rng draws, asks and tells repeat exactly; once the log runs out, what is pending is submitted live.
 */
export async function runEngine<G>(parts: EngineParts<G>): Promise<EngineResult> {
  const { space, strategy, archive, executor, store, direction, budget } = parts;
  const resumed = parts.resumeFrom?.checkpoint;
  // A resumed run gets a fresh failure streak: the user has presumably fixed what stopped it.
  const counters: Counters = { ...emptyCounters(), ...resumed?.counters, consecutiveFailures: 0 };
  const history = parts.resumeFrom?.history ?? emptyHistory(budget);
  const started = performance.now() - (resumed?.elapsedSeconds ?? 0) * 1000;
  const elapsed = (): number => (performance.now() - started) / 1000;
  const statsNow = () => archive.stats();

  const pending = new PendingProposals<Proposal<G>>(); // asked, not yet processed, in id order
  const live = createInFlight<G>({
    space,
    cache: parts.cache,
    executor,
    onCollision: () => counters.collisions++,
    ...(parts.stop ? { stop: parts.stop } : {}),
  });
  let replay: ReplaySource<G> | undefined = resumed
    ? createReplaySource<G>(store.events(resumed.seq + 1), space)
    : undefined;
  let slots = resumed?.slots ?? executor.size;
  let seq = resumed?.seq ?? -1;
  const writer = createEventWriter(store);
  const checkpointer = createCheckpointer(store, writer, parts.checkpointSeconds, () => ({
    checkpoint: takeCheckpoint({
      seq,
      space,
      rng: parts.rng,
      strategy,
      counters,
      pending,
      slots: executor.size,
      elapsedSeconds: elapsed(),
      history,
      archive: briefOf(statsNow(), direction),
      ...(parts.pruner ? { pruner: parts.pruner } : {}),
    }),
    snapshot: takeSnapshot({ seq, archive, space, means: parts.means, tally: parts.tally }),
  }));

  const dispatch = (ps: readonly Proposal<G>[]): void => {
    for (const p of ps) pending.set(p.id, p);
    if (!replay) live.submitAll(ps);
  };
  /** The next answer if one is ready: from the log while replaying, else live. */
  const takeAnswer = (): Answer<G> | undefined => {
    const logged = replay?.next(pending);
    if (logged) return logged;
    if (replay) {
      replay = undefined; // the log is exhausted: continue live, re-proposing what was in flight
      slots = executor.size;
      const again = [...pending.values()];
      pending.clear();
      dispatch(again);
    }
    return live.take();
  };

  // A checkpoint before the first event: a run killed at any moment has one to replay its log from.
  if (!resumed) await checkpointer.save();
  dispatch(
    (resumed?.pending ?? []).map((p) => ({
      id: p.id,
      genome: space.decode(p.g),
      parents: p.parents,
      ...readFidelity(p.fid),
    })),
  );

  // The stop rules' view of the run, updated in place after each answer (one object for the run, not one per answer).
  const afterAnswer: Writable<AfterAnswer> = {
    event: undefined as unknown as RunEvent, // set before every use
    consecutiveFailures: 0,
    maxConsecutiveFailures: parts.maxConsecutiveFailures,
    steps: 0,
    budget,
    archive,
    direction,
    strategy,
    replaying: false,
    elapsedSeconds: elapsed,
  };
  let stopReason: StopReason | undefined; // once set, nothing more is asked
  let failure: RunFailedError | undefined;
  let lastYield = performance.now();
  let lastProgress = 0;
  try {
    for (;;) {
      if (parts.stop?.aborted) {
        stopReason = 'signal';
        break;
      }
      const left = stopReason === undefined ? proposalsLeft(budget, counters.proposals + pending.size) : 0;
      const want = Math.min(slots - pending.size, left);
      if (want > 0 && (want >= (parts.batch ?? 1) || want === left || pending.size === 0)) {
        const asked = strategy.ask(want);
        asked.forEach((p, i) => {
          const due = counters.proposals + pending.size + i;
          if (p.id !== due)
            throw new RunFailedError(
              'E_IDS',
              `the strategy proposed id ${p.id} where ${due} was due`,
              'This is a bug in the strategy: ids must count 0, 1, 2, … in the order asked.',
            );
        });
        dispatch(asked);
      }
      if (pending.size === 0) {
        stopReason ??= stopWhenIdle(budget, counters.proposals, strategy);
        break;
      }
      // A ready answer is taken without a promise: with a synchronous objective every answer of a batch is ready.
      let answer = takeAnswer();
      if (!answer) {
        parts.onWait?.();
        answer = await live.next();
      }
      if (!answer) continue; // stop signal: handled at the top
      if (!pending.delete(answer.proposal.id))
        throw new RunFailedError(
          'E_TWICE',
          `proposal ${answer.proposal.id} was answered twice`,
          'This is a bug in elites: please report it with the run directory.',
        );
      seq++;
      if (parts.pruner) tellPruner(parts.pruner, answer, direction);
      const now = performance.now(); // one clock read per answer: its event's time and the loop's timers
      const event = applyAnswer(parts, answer, seq, Math.round(now - started) / 1000);
      countEvent(counters, event);
      parts.tally.add(answer.logged ?? event); // a replayed answer: the event as logged (its time is the log's)
      if (answer.logged) checkReplayed(event, answer.logged);
      else {
        const full = writer.append(event);
        // A noisy sample reaches the result cache only after its event is in the log (DESIGN: the log is the truth).
        if (answer.ok && answer.persist) writer.afterCommits(answer.persist);
        if (full) await full;
      }
      writer.throwIfFailed();
      recordHistory(history, counters, statsNow, elapsed, direction);

      if (stopReason === undefined) {
        afterAnswer.event = event;
        afterAnswer.consecutiveFailures = counters.consecutiveFailures;
        afterAnswer.steps = counters.steps;
        afterAnswer.replaying = replay !== undefined;
        const stop = stopAfterAnswer(afterAnswer);
        stopReason = stop?.reason;
        failure = stop?.error;
      }
      if (!replay) checkpointer.tick(now);
      if (parts.onProgress && now - lastProgress > 200) {
        lastProgress = now;
        parts.onProgress({ counters, elapsedSeconds: elapsed(), archive, direction });
      }
      if (now - lastYield > 20) {
        lastYield = now; // let timers, signals and LMDB commit callbacks run even when every result is instant
        await yieldToEventLoop();
      }
    }
    recordHistory(history, counters, statsNow, elapsed, direction, true);
    parts.onProgress?.({ counters, elapsedSeconds: elapsed(), archive, direction }); // the final state: a progress bar ends where the run did
    await writer.drain();
    // Also after a replay that reached the end of the log (a finished run resumed): the state is whole, and its
    // snapshot replaces one that was missing or of an older version.
    if (!replay || seq === store.lastSeq()) await checkpointer.save();
  } finally {
    live.close();
  }
  return { stopReason, counters, elapsedSeconds: elapsed(), history, ...(failure ? { error: failure } : {}) };
}

/**
 * How the answer's evaluation ended, told to the pruner, after its reports: a replayed answer's, in the order they were
 * heard live (inline runs evaluate one at a time, so an evaluation's reports all come before its answer); a live one's
 * again, since from a worker thread some may not have arrived yet (a step heard already keeps its first value).
 */
function tellPruner<G>(pruner: Pruner, answer: Answer<G>, direction: Direction): void {
  const { id } = answer.proposal;
  for (const [step, value] of answer.reports ?? []) pruner.report({ id, step, value: toScore(value, direction) });
  pruner.finish(id, answer.ok ? 'complete' : answer.failure.kind === 'pruned' ? 'pruned' : 'failed');
}

/** Offers an answer to the archive (unless it is a screening result), tells the strategy, and returns its event. */
function applyAnswer<G>(parts: EngineParts<G>, answer: Answer<G>, seq: number, t: number): RunEvent {
  const { space, strategy, archive, direction } = parts;
  const { proposal } = answer;
  if (!answer.ok) {
    const fid = logFidelity(proposal.fidelity);
    const reports = answer.reports ? { reports: answer.reports } : {};
    strategy.tell({ proposal, ok: false, failure: answer.failure });
    return toEvent(
      {
        ok: false,
        id: proposal.id,
        failure: answer.failure,
        genome: space.encode(proposal.genome),
        ...fid,
        ...reports,
      },
      seq,
      t,
    );
  }
  const { result, source, sample } = answer;
  const score = toScore(result.fitness, direction);
  const tiebreak = result.tiebreak?.map((v) => toScore(v, direction));
  const objectives = parts.objectives && result.objectives ? toScores(result.objectives, parts.objectives) : undefined;
  // Screening results (a racing stage on part of the data) are told to the strategy, never offered to the archive.
  let added: { readonly status: ArchiveStatus; readonly cell: number };
  if (proposal.fidelity?.screening) added = { status: 'screened', cell: -1 };
  else {
    // Filled in place (optional fields only when present): one object per proposal, no spread temporaries.
    const candidate: Writable<Candidate<G>> = {
      id: proposal.id,
      genome: proposal.genome,
      score,
      descriptors: result.descriptors ?? [],
    };
    if (tiebreak) candidate.tiebreak = tiebreak;
    if (result.metrics) candidate.metrics = result.metrics;
    if (objectives) candidate.objectives = objectives;
    added = parts.means.offer(archive, candidate, sample);
  }
  const outcome: Writable<Outcome<G> & { ok: true }> = {
    proposal,
    ok: true,
    score,
    result,
    status: added.status,
    source,
  };
  if (tiebreak) outcome.tiebreak = tiebreak;
  if (objectives) outcome.objectives = objectives;
  strategy.tell(outcome);
  const keepGenome = added.status === 'new' || added.status === 'improved' || parts.logAllGenomes;
  const record: Writable<EventRecord & { ok: true }> = {
    ok: true,
    id: proposal.id,
    source,
    result,
    status: added.status,
    cell: added.cell,
    parents: proposal.parents,
  };
  if (proposal.fidelity) record.fid = logFidelity(proposal.fidelity).fid;
  if (answer.reports) record.reports = answer.reports;
  if (keepGenome) record.genome = space.encode(proposal.genome);
  if (sample) record.sample = sample;
  return toEvent(record, seq, t);
}

/** The checkpoint's brief of the archive (what `elites runs` lists). */
function briefOf(stats: ArchiveStats, direction: Direction): NonNullable<Checkpoint['archive']> {
  return {
    coverage: stats.coverage,
    best: stats.bestScore === undefined ? null : fromScore(stats.bestScore, direction),
  };
}
