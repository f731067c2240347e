// Checkpoints: a snapshot of everything the log's prefix does not hold, saved only once that prefix is durable.
import type { Checkpoint, Counters, History, PendingProposal } from '../store/events.js';
import { logFidelity } from '../store/events.js';
import type { RunStore } from '../store/run-store.js';
import type { EventWriter } from './event-writer.js';
import type { SeededRng } from '../core/rng.js';
import type { Proposal, Strategy } from './strategies/strategy.js';
import type { Space } from '../core/types.js';

/** The engine's state after event `seq`. */
export interface EngineState<G> {
  readonly seq: number;
  readonly space: Space<G>;
  readonly rng: SeededRng;
  readonly strategy: Strategy<G>;
  readonly counters: Counters;
  readonly pending: ReadonlyMap<number, Proposal<G>>;
  readonly slots: number;
  readonly elapsedSeconds: number;
  readonly history: History;
}

/** The state as a snapshot: copies, so nothing in it changes later. */
export function takeCheckpoint<G>(s: EngineState<G>): Checkpoint {
  const pending: PendingProposal[] = [...s.pending.values()].map((p) => ({ id: p.id, g: s.space.encode(p.genome), parents: p.parents, ...logFidelity(p.fidelity) }));
  return {
    seq: s.seq, rng: s.rng.state(), strategy: s.strategy.state(), counters: { ...s.counters }, pending,
    slots: s.slots, elapsedSeconds: s.elapsedSeconds, savedAt: new Date().toISOString(), history: { every: s.history.every, points: [...s.history.points] },
  };
}

export interface Checkpointer {
  /** Saves a snapshot now and waits for it (before the first event; after the last). */
  save(): Promise<void>;
  /** Every `everySeconds` while live: a snapshot written once its events have committed (it records only what is durable). */
  tick(now: number): void;
}

export function createCheckpointer(store: RunStore, writer: EventWriter, everySeconds: number, snapshot: () => Checkpoint): Checkpointer {
  let last = performance.now();
  return {
    save: () => store.saveCheckpoint(snapshot()),
    tick(now) {
      if (now - last <= everySeconds * 1000) return;
      last = now;
      const taken = snapshot();
      writer.afterCommits(() => store.saveCheckpoint(taken));
    },
  };
}
