// The run store as an ask/tell session sees it: every append reported with its commit, so a tell learns when it is durable.
import type { RunEvent } from '../store/events.js';
import type { RunStore } from '../store/run-store.js';

/** `store`, with `onAppend(event, committed)` called for each appended event (the same promise the engine gets). */
export function watchAppends(store: RunStore, onAppend: (event: RunEvent, committed: Promise<void>) => void): RunStore {
  return {
    append(event) {
      const committed = store.append(event);
      onAppend(event, committed);
      return committed;
    },
    events: (fromSeq) => store.events(fromSeq),
    lastSeq: () => store.lastSeq(),
    saveCheckpoint: (checkpoint, snapshot) => store.saveCheckpoint(checkpoint, snapshot),
    loadCheckpoint: () => store.loadCheckpoint(),
    loadSnapshot: () => store.loadSnapshot(),
    getMeta: (name) => store.getMeta(name),
    getLatestMeta: (name) => store.getLatestMeta(name),
    putMeta: (name, value) => store.putMeta(name, value),
    flush: () => store.flush(),
    close: () => store.close(),
  };
}
