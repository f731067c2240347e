// Writing the run log: events appended without waiting for each commit (within a bounded window), and checkpoints,
// snapshots of everything the log's prefix does not hold, saved only once that prefix is durable.
import type { Pruner } from './early-stopping/types.js';
import type { PendingView } from './pending.js';
import type { SeededRng } from '../core/rng.js';
import type { Space } from '../core/types.js';
import {
  logFidelity,
  type Checkpoint,
  type Counters,
  type History,
  type PendingProposal,
  type RunEvent,
  type RunSnapshot,
} from '../store/events.js';
import type { RunStore } from '../store/run-store.js';
import type { Proposal, Strategy } from './strategies/strategy.js';

// Events in flight to LMDB before the loop waits for a commit (bounded memory). The store packs the events of a turn
// into one block of ~60 bytes an event, so this is a few MB; it lets the loop fill the next turn's block while LMDB's
// thread commits the last (at 4,096 a 20 ms turn of a cheap objective waited for the previous commit at every turn).
const COMMIT_WINDOW = 65_536;

export interface EventWriter {
  /** Queues `event`; a promise to await when the window is full, else undefined (no await, no extra tick). */
  append(event: RunEvent): Promise<void> | undefined;
  /** Runs `write` once every event appended so far has committed, unless a write has failed; `drain` waits for it. */
  afterCommits(write: () => Promise<void>): void;
  /** Waits for every append; then `throwIfFailed`. */
  drain(): Promise<void>;
  /** A failed write (disk full) ends the run; what committed before stays intact. */
  throwIfFailed(): void;
}

export function createEventWriter(store: RunStore): EventWriter {
  // Distinct commits in flight (events of one LMDB transaction share one), with the events each carries.
  const commits: { readonly done: Promise<void>; events: number }[] = [];
  let eventsInFlight = 0;
  let lastAppend: Promise<void> | undefined;
  const followUps = new Set<Promise<void>>(); // afterCommits writes still running: drain waits for them too
  let failure: unknown;
  const noteFailure = (error: unknown): void => void (failure ??= error);
  const throwIfFailed = (): void => {
    if (failure) throw failure;
  };
  return {
    append(event) {
      const appended = store.append(event);
      if (appended === lastAppend) (commits.at(-1) as { events: number }).events++;
      else commits.push({ done: appended.catch(noteFailure), events: 1 });
      lastAppend = appended;
      if (++eventsInFlight < COMMIT_WINDOW) return undefined;
      // Full: wait for the older half of the window to commit (bounded memory; the loop never waits for each commit).
      let waitFor: Promise<void> | undefined;
      while (eventsInFlight >= COMMIT_WINDOW / 2 && commits.length > 1) {
        const oldest = commits.shift() as { done: Promise<void>; events: number };
        eventsInFlight -= oldest.events;
        waitFor = oldest.done;
      }
      return waitFor;
    },
    afterCommits(write) {
      const done = (commits.at(-1)?.done ?? Promise.resolve())
        .then(() => (failure ? undefined : write()))
        .catch(noteFailure)
        .finally(() => followUps.delete(done));
      followUps.add(done);
    },
    async drain() {
      await Promise.all(commits.map((c) => c.done));
      await Promise.all(followUps);
      throwIfFailed();
    },
    throwIfFailed,
  };
}

/** The engine's state after event `seq`. */
export interface EngineState<G> {
  readonly seq: number;
  readonly space: Space<G>;
  readonly rng: SeededRng;
  readonly strategy: Strategy<G>;
  readonly counters: Counters;
  readonly pending: PendingView<Proposal<G>>;
  readonly slots: number;
  readonly elapsedSeconds: number;
  readonly history: History;
  readonly archive: NonNullable<Checkpoint['archive']>;
  readonly pruner?: Pruner;
}

/** The state as a snapshot: copies, so nothing in it changes later. */
export function takeCheckpoint<G>(s: EngineState<G>): Checkpoint {
  const pending: PendingProposal[] = [...s.pending.values()].map((p) => ({
    id: p.id,
    g: s.space.encode(p.genome),
    parents: p.parents,
    ...logFidelity(p.fidelity),
  }));
  return {
    seq: s.seq,
    rng: s.rng.state(),
    strategy: s.strategy.state(),
    counters: { ...s.counters },
    pending,
    slots: s.slots,
    elapsedSeconds: s.elapsedSeconds,
    savedAt: new Date().toISOString(),
    history: { every: s.history.every, points: [...s.history.points] },
    archive: s.archive,
    ...(s.pruner ? { pruner: s.pruner.state() } : {}),
  };
}

export interface Checkpointer {
  /** Saves a checkpoint (and snapshot) now and waits for it (before the first event; after the last). */
  save(): Promise<void>;
  /** Every `everySeconds` while live: a snapshot written once its events have committed (it records only what is durable). */
  tick(now: number): void;
}

/** A checkpoint and the run's snapshot taken with it (none for an archive that cannot save its state). */
export interface Taken {
  readonly checkpoint: Checkpoint;
  readonly snapshot: RunSnapshot | undefined;
}

export function createCheckpointer(
  store: RunStore,
  writer: EventWriter,
  everySeconds: number,
  take: () => Taken,
): Checkpointer {
  let last = performance.now();
  const save = ({ checkpoint, snapshot }: Taken): Promise<void> => store.saveCheckpoint(checkpoint, snapshot);
  return {
    save: () => save(take()),
    tick(now) {
      if (now - last <= everySeconds * 1000) return;
      last = now;
      const taken = take();
      writer.afterCommits(() => save(taken));
    },
  };
}
