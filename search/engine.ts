// THE loop: keep every slot busy (steady state, no generation barrier) → key/cache → submit → log → archive → tell.
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { Archive } from '../archive/archive.js';
import { emptyCounters, type Checkpoint, type Counters, type PendingProposal, type RunEvent, type History } from '../store/events.js';
import type { RunStore } from '../store/run-store.js';
import { outOfTime, proposalsLeft, targetReached, type Budget, type StopReason } from './budget.js';
import type { CachePolicy } from './cache-policy.js';
import { RunFailedError, StoreError } from '../core/errors.js';
import type { Executor } from './executors/executor.js';
import { emptyHistory, recordHistory } from './history.js';
import type { SeededRng } from '../core/rng.js';
import { fromEvent, logFidelity, readFidelity, type Completion } from './replay.js';
import { fidelityKey, type Outcome, type Proposal, type Strategy } from './strategies/strategy.js';
import { toScore, type Direction, type Space } from '../core/types.js';

export interface EngineParts<G> {
  readonly space: Space<G>;
  readonly strategy: Strategy<G>;
  readonly archive: Archive<G>;
  readonly executor: Executor;
  readonly store: RunStore;
  /** Root stream; every fork's state goes into checkpoints. */
  readonly rng: SeededRng;
  readonly cache: CachePolicy;
  readonly direction: Direction;
  readonly budget: Budget;
  readonly maxConsecutiveFailures: number;
  readonly logAllGenomes: boolean;
  readonly checkpointSeconds: number;
  /** Continue from here: the events after `checkpoint.seq` are replayed, not re-evaluated. */
  readonly resumeFrom?: { readonly checkpoint: Checkpoint; readonly history: History };
  /** Aborting it stops the run at the next completion (SIGINT): pending work is checkpointed, not lost. */
  readonly stop?: AbortSignal;
  readonly onProgress?: (progress: Progress<G>) => void;
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

const COMMIT_WINDOW = 4096; // events in flight to LMDB before the loop waits for a commit (bounded memory)

export async function runEngine<G>(parts: EngineParts<G>): Promise<EngineResult> {
  const { space, strategy, archive, executor, store, cache, direction, budget } = parts;
  const resumed = parts.resumeFrom?.checkpoint;
  // A resumed run gets a fresh failure streak: the user has presumably fixed what stopped it.
  const counters: Counters = { ...(resumed?.counters ?? emptyCounters()), consecutiveFailures: 0 };
  const history = parts.resumeFrom?.history ?? emptyHistory(budget);
  const started = performance.now() - (resumed?.elapsedSeconds ?? 0) * 1000;
  const elapsed = (): number => (performance.now() - started) / 1000;

  // Invariant: the ids asked so far are exactly 0..asked−1, each either logged (counters.proposals of them) or in
  // `pending`, never both; so the log holds each proposal at most once, and every one once the run drains.
  const pending = new Map<number, Proposal<G>>(); // asked, not yet processed (in id order: Map keeps insertion order)
  const waiting = new Map<string, Proposal<G>[]>(); // key in flight → proposals sharing its result
  const done: Completion<G>[] = [];
  let wake: (() => void) | undefined;
  let finished = false; // late answers (after a stop) are dropped: their proposals are in the final checkpoint
  const complete = (c: Completion<G>): void => {
    if (finished) return;
    done.push(c);
    wake?.();
  };
  const onStop = (): void => wake?.();
  parts.stop?.addEventListener('abort', onStop);
  let storeError: unknown; // a failed write (disk full): the run ends; what committed before stays intact
  const noteStoreError = (error: unknown): void => void (storeError ??= error);

  // Replay: ask in the rhythm of the original run and answer from the log, until the log runs out.
  let replay: Iterator<RunEvent> | undefined = resumed ? store.events(resumed.seq + 1)[Symbol.iterator]() : undefined;
  let slots = resumed?.slots ?? executor.size;
  let seq = resumed?.seq ?? -1;

  const dispatch = (p: Proposal<G>): void => {
    pending.set(p.id, p);
    if (replay) return;
    const key = fidelityKey(space.key(p.genome), p.fidelity);
    const sharing = cache.enabled ? waiting.get(key) : undefined;
    if (sharing) return void sharing.push(p);
    const lookup = cache.lookup(key);
    if ('hit' in lookup) return complete({ proposal: p, source: 'key', task: { ok: true, result: lookup.hit, source: 'evaluated' } });
    const group = [p];
    if (cache.enabled) waiting.set(key, group);
    const stage = p.fidelity ? { fidelity: p.fidelity.level, sample: p.fidelity.sample } : {};
    void executor.submit({ id: p.id, genome: p.genome, key, repeat: lookup.repeat, ...stage }).then((task) => {
      waiting.delete(key);
      if (finished) return;
      if (task.ok) {
        const { result, collision } = cache.record(key, task);
        if (collision) counters.collisions++;
        task = { ...task, result };
      }
      group.forEach((q, i) => complete({ proposal: q, source: i === 0 && task.ok ? (task.source === 'fingerprint' ? 'fingerprint' : 'evaluated') : 'key', task }));
    });
  };

  /** The next answer, from the log while replaying, else live; undefined when a stop signal comes first. */
  const nextCompletion = async (): Promise<Completion<G> | undefined> => {
    while (replay) {
      const step = replay.next();
      if (step.done) {
        replay = undefined; // the log is exhausted: continue live, re-proposing what was in flight
        slots = executor.size;
        const again = [...pending.values()];
        pending.clear();
        again.forEach(dispatch);
        break;
      }
      return fromEvent(step.value, pending);
    }
    while (done.length === 0) {
      if (parts.stop?.aborted) return undefined; // work in flight is not waited for: it is checkpointed as pending
      await new Promise<void>((resolve) => (wake = resolve));
    }
    wake = undefined;
    return done.shift();
  };

  // A checkpoint before the first event: a run killed at any moment has one to replay its log from.
  if (!resumed) await store.saveCheckpoint(checkpoint());
  for (const p of resumed?.pending ?? []) dispatch({ id: p.id, genome: space.decode(p.g), parents: p.parents, ...readFidelity(p.fid) });

  // Once a stop reason is set nothing more is asked; the loop drains what is in flight (logging it), except on a
  // stop signal, which ends at once and leaves the work in flight to the checkpoint (resume re-proposes it).
  let stopReason: StopReason | undefined;
  let failure: RunFailedError | undefined;
  let lastCheckpoint = performance.now();
  let lastYield = performance.now();
  let lastProgress = 0;
  const commits: Promise<void>[] = [];

  try {
    for (;;) {
      if (parts.stop?.aborted) {
        stopReason = 'signal';
        break;
      }
      const asked = counters.proposals + pending.size;
      const want = stopReason === undefined ? Math.min(slots - pending.size, proposalsLeft(budget, asked)) : 0;
      if (want > 0) {
        for (const p of strategy.ask(want)) {
          const due = counters.proposals + pending.size;
          if (p.id !== due) throw new RunFailedError('E_IDS', `the strategy proposed id ${p.id} where ${due} was due`, 'This is a bug in the strategy: ids must count 0, 1, 2, … in the order asked.');
          dispatch(p);
        }
      }
      if (pending.size === 0) {
        if (stopReason !== undefined) break;
        if (proposalsLeft(budget, counters.proposals) === 0) stopReason = 'evaluations';
        else if (strategy.finished?.()) stopReason = 'converged';
        else throw new RunFailedError('E_STALLED', 'the strategy proposed nothing while nothing was in flight', 'This is a bug in the strategy: ask() must return a proposal when nothing is outstanding.');
        break;
      }
      const c = await nextCompletion();
      if (!c) continue; // stop signal: handled at the top
      if (!pending.delete(c.proposal.id)) throw new RunFailedError('E_TWICE', `proposal ${c.proposal.id} was answered twice`, 'This is a bug in elites: please report it with the run directory.');
      seq++;
      const event = processCompletion(c, seq);
      if (!c.logged) {
        commits.push(store.append(event).catch(noteStoreError));
        if (commits.length >= COMMIT_WINDOW) await commits.splice(0, COMMIT_WINDOW / 2).at(-1);
      } else if (event.ok && c.logged.ok && event.st !== c.logged.st) {
        throw new StoreError(`resume diverged at event ${seq}: the archive answered ${event.st}, the log says ${c.logged.st}`, 'The config or a built-in changed since this run was written; start a new run.');
      }
      if (storeError) throw storeError;
      recordHistory(history, counters, archive.stats(), elapsed(), direction);

      if (stopReason === undefined && counters.consecutiveFailures >= parts.maxConsecutiveFailures) {
        stopReason = 'failures';
        const last = event.ok ? '' : ` The last one: ${event.kind}: ${event.msg}`;
        failure = new RunFailedError('E_FAILURES', `${counters.consecutiveFailures} evaluations in a row failed.${last}`, 'The log is intact: fix the evaluator, then `elites resume RUN_DIR`.');
      } else if (stopReason === undefined && targetReached(budget, archive.stats().bestScore, direction)) stopReason = 'target';
      else if (stopReason === undefined && strategy.finished?.()) stopReason = 'converged';
      // Replay runs faster than the original: the clock is only checked live (the original run did not stop there).
      else if (stopReason === undefined && !replay && outOfTime(budget, elapsed())) stopReason = 'seconds';

      const now = performance.now();
      if (!replay && now - lastCheckpoint > parts.checkpointSeconds * 1000) {
        lastCheckpoint = now;
        const snapshot = checkpoint(); // written once its events have committed: it records only what is durable
        void (commits.at(-1) ?? Promise.resolve()).then(() => (storeError ? undefined : store.saveCheckpoint(snapshot))).catch(noteStoreError);
      }
      if (parts.onProgress && now - lastProgress > 200) {
        lastProgress = now;
        parts.onProgress({ counters, elapsedSeconds: elapsed(), archive, direction });
      }
      if (now - lastYield > 20) {
        lastYield = now; // let timers, signals and LMDB commit callbacks run even when every result is instant
        await yieldToEventLoop();
      }
    }
    recordHistory(history, counters, archive.stats(), elapsed(), direction, true);
    parts.onProgress?.({ counters, elapsedSeconds: elapsed(), archive, direction }); // the final state: a progress bar ends where the run did
    await Promise.all(commits);
    if (storeError) throw storeError;
    if (!replay) await store.saveCheckpoint(checkpoint());
  } finally {
    finished = true;
    parts.stop?.removeEventListener('abort', onStop);
  }
  return { stopReason, counters, elapsedSeconds: elapsed(), history, ...(failure ? { error: failure } : {}) };

  function processCompletion(c: Completion<G>, s: number): RunEvent {
    const { proposal, task } = c;
    const t = Math.round(elapsed() * 1000) / 1000;
    const fid = logFidelity(proposal.fidelity);
    counters.proposals++;
    if (!task.ok) {
      counters.failures++;
      counters.consecutiveFailures++;
      strategy.tell({ proposal, ok: false, failure: task.failure });
      return { seq: s, id: proposal.id, ok: false, kind: task.failure.kind, msg: task.failure.message, g: space.encode(proposal.genome), t, ...fid };
    }
    counters.consecutiveFailures = 0;
    if (c.source === 'evaluated') counters.evaluations++;
    else if (c.source === 'key') counters.keyHits++;
    else counters.fingerprintHits++;
    const { result } = task;
    const score = toScore(result.fitness, direction);
    const descriptors = result.descriptors ?? [];
    const tiebreak = result.tiebreak?.map((v) => toScore(v, direction));
    // Screening results (a racing stage on part of the data) are told to the strategy, never offered to the archive.
    const added = proposal.fidelity?.screening
      ? { status: 'screened' as const, cell: -1 }
      : archive.add({ id: proposal.id, genome: proposal.genome, score, descriptors, ...(tiebreak ? { tiebreak } : {}) });
    const outcome: Outcome<G> = { proposal, ok: true, score, result, status: added.status, source: c.source, ...(tiebreak ? { tiebreak } : {}) };
    strategy.tell(outcome);
    const keepGenome = added.status === 'new' || added.status === 'improved' || parts.logAllGenomes;
    return {
      seq: s, id: proposal.id, ok: true, src: c.source === 'evaluated' ? 'e' : c.source === 'key' ? 'k' : 'f',
      f: result.fitness, st: ({ new: 'n', improved: 'i', rejected: 'r', screened: 's' } as const)[added.status], cell: added.cell, t, ...fid,
      ...(descriptors.length ? { d: descriptors } : {}), ...(result.tiebreak ? { tb: result.tiebreak } : {}),
      ...(keepGenome ? { g: space.encode(proposal.genome) } : {}), ...(proposal.parents.length ? { parents: proposal.parents } : {}),
      ...(result.metrics ? { m: result.metrics } : {}),
    };
  }

  /** The state after event `seq`, as a snapshot (nothing in it changes later). */
  function checkpoint(): Checkpoint {
    const stillPending: PendingProposal[] = [...pending.values()].map((p) => ({ id: p.id, g: space.encode(p.genome), parents: p.parents, ...logFidelity(p.fidelity) }));
    return {
      seq, rng: parts.rng.state(), strategy: strategy.state(), counters: { ...counters }, pending: stillPending,
      slots: executor.size, elapsedSeconds: elapsed(), savedAt: new Date().toISOString(), history: { every: history.every, points: [...history.points] },
    };
  }
}
