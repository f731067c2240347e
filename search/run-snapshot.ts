// The run's snapshot (store/events.ts RunSnapshot): taken with each checkpoint, loaded by readers and resume, which
// then replay only the log after it. A cache of the log: missing, of another version or not loadable → the whole log.
import type { Archive } from '../archive/archive.js';
import { SNAPSHOT_VERSION, STORE_SCHEMA_VERSION, type RunSnapshot } from '../store/events.js';
import type { RunStore } from '../store/run-store.js';
import { StoreError } from '../core/errors.js';
import type { Space } from '../core/types.js';
import { packGenome, unpackGenome, type PackedGenome } from './packed-genome.js';
import { rebuildArchive, type RunScoring } from './rebuild.js';
import { createSampleMeans, type SampleMeans, type SampleMeansState } from './sample-means.js';
import { RunTally, type RunTallyState } from './tally.js';

/** What a snapshot is taken of: the engine's archive, sample means and tally after event `seq`. */
export interface SnapshotSource<G> {
  readonly seq: number;
  readonly archive: Archive<G>;
  readonly space: Space<G>;
  readonly means: SampleMeans;
  readonly tally: RunTally;
}

/** The snapshot now (copies: nothing in it changes later); undefined for an archive that cannot save its state. */
export function takeSnapshot<G>(s: SnapshotSource<G>): RunSnapshot | undefined {
  if (!s.archive.saveState) return undefined;
  return {
    schema: STORE_SCHEMA_VERSION,
    version: SNAPSHOT_VERSION,
    seq: s.seq,
    archive: s.archive.saveState((g) => packGenome(s.space.encode(g))),
    means: s.means.state(),
    tally: s.tally.state(),
  };
}

export interface RestoreOptions {
  /** false: replay the whole log even when there is a snapshot (to check one against the other). */
  readonly snapshot?: boolean;
}

export interface Restored {
  readonly means: SampleMeans;
  readonly tally: RunTally;
  /** The snapshot's seq when one was loaded, else −1 (the whole log was replayed). */
  readonly fromSeq: number;
}

/**
 * Brings the empty `archive` to its state after event `upToSeq` (the last event when larger): the last snapshot at or
 * before it, then the events after the snapshot; the whole log when there is no usable snapshot.
 * @throws {StoreError} when the log disagrees with the archive (its config changed), or a snapshot of this version
 * does not load (damaged).
 */
export function restoreFromLog(
  store: RunStore,
  archive: Archive<unknown>,
  space: Space<unknown>,
  scoring: RunScoring,
  upToSeq: number,
  options: RestoreOptions = {},
): Restored {
  const snapshot = options.snapshot === false ? undefined : usableSnapshot(store, archive, upToSeq);
  let means = createSampleMeans();
  let tally = new RunTally(archive);
  if (snapshot) {
    try {
      archive.loadState!(snapshot.archive as Parameters<NonNullable<Archive<unknown>['loadState']>>[0], (x) =>
        space.decode(unpackGenome(x as PackedGenome)),
      );
    } catch (error) {
      throw new StoreError(
        `the run's snapshot at event ${snapshot.seq} does not load: ${(error as Error).message}`,
        'The run store is damaged, or the archive config changed since this run was written.',
        { cause: error },
      );
    }
    means = createSampleMeans(snapshot.means as SampleMeansState);
    tally = new RunTally(archive, snapshot.tally as RunTallyState);
  }
  const fromSeq = snapshot?.seq ?? -1;
  rebuildArchive(archive, store.events(fromSeq + 1), upToSeq, space, scoring, means, tally);
  return { means, tally, fromSeq };
}

/** The stored snapshot when this elites wrote it, it lies within the log before `upToSeq`, and the archive loads states. */
function usableSnapshot(store: RunStore, archive: Archive<unknown>, upToSeq: number): RunSnapshot | undefined {
  const s = store.loadSnapshot();
  if (!s || !archive.loadState) return undefined;
  if (s.schema !== STORE_SCHEMA_VERSION || s.version !== SNAPSHOT_VERSION) return undefined;
  if (s.seq > upToSeq || s.seq > store.lastSeq()) return undefined;
  const kind = (s.archive as { kind?: unknown } | null)?.kind;
  return typeof kind === 'string' ? s : undefined;
}
