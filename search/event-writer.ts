// Appends events to the run store without waiting for each commit, within a bounded window.
import type { RunEvent } from '../store/events.js';
import type { RunStore } from '../store/run-store.js';

const COMMIT_WINDOW = 4096; // events in flight to LMDB before the loop waits for a commit (bounded memory)

export interface EventWriter {
  /** Queues `event`; a promise to await when the window is full, else undefined (no await, no extra tick). */
  append(event: RunEvent): Promise<void> | undefined;
  /** Runs `write` once every event appended so far has committed, unless a write has failed. */
  afterCommits(write: () => Promise<void>): void;
  /** Waits for every append; then `throwIfFailed`. */
  drain(): Promise<void>;
  /** A failed write (disk full) ends the run; what committed before stays intact. */
  throwIfFailed(): void;
}

export function createEventWriter(store: RunStore): EventWriter {
  const commits: Promise<void>[] = [];
  let failure: unknown;
  const noteFailure = (error: unknown): void => void (failure ??= error);
  const throwIfFailed = (): void => {
    if (failure) throw failure;
  };
  return {
    append(event) {
      commits.push(store.append(event).catch(noteFailure));
      if (commits.length < COMMIT_WINDOW) return undefined;
      return commits.splice(0, COMMIT_WINDOW / 2).at(-1);
    },
    afterCommits(write) {
      void (commits.at(-1) ?? Promise.resolve()).then(() => (failure ? undefined : write())).catch(noteFailure);
    },
    async drain() {
      await Promise.all(commits);
      throwIfFailed();
    },
    throwIfFailed,
  };
}
