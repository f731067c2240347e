// A read-only view of a run (running, finished or killed) for report, inspect and table: the archive as of the run's
// last snapshot, with the log after it replayed (the whole log only when there is no usable snapshot).
import { basename, resolve } from 'node:path';
import type { Archive } from '../archive/archive.js';
import type { Counters, History, RunEvent, RunStatus } from '../store/events.js';
import { openRunStore, readRunStatus, requireRunDirectory } from '../store/run-store.js';
import type { StopReason } from './budget.js';
import type { RunConfig } from './config.js';
import { UsageError } from '../core/errors.js';
import { emptyHistory } from './history.js';
import { buildArchive, buildSpace } from './space-archive.js';
import { restoreFromLog, type RestoreOptions } from './run-snapshot.js';
import { sampleCountsOf } from './sample-means.js';
import type { RunTally } from './tally.js';
import type { RemeasuredElite } from './remeasure.js';
import { SeededRng } from '../core/rng.js';
import { buildSummary, type RunSummary, type SampleCounts } from './summary.js';
import type { ScoredBy, Space } from '../core/types.js';

export interface RunView {
  readonly dir: string;
  readonly config: RunConfig;
  readonly space: Space<unknown>;
  readonly archive: Archive<unknown>;
  readonly counters: Counters;
  readonly status: RunStatus | 'killed';
  readonly summary: RunSummary;
  readonly history: History;
  /** Aggregate mode: samples behind each elite's mean; undefined otherwise. */
  readonly samples: SampleCounts | undefined;
  /** The log's tally (counters, outcome timeline, learning curves) over the events the archive holds. */
  readonly tally: RunTally;
  /** The snapshot the view started from (−1: the whole log was replayed). */
  readonly fromSeq: number;
  /** The whole log, read lazily (a pass holds one event at a time). */
  events(): Iterable<RunEvent>;
  close(): Promise<void>;
}

/** @throws {UsageError} when `dir` is not a run directory. Never disturbs a running search (readers don't lock). */
export async function openRunView(dirArg: string, options: RestoreOptions = {}): Promise<RunView> {
  const dir = resolve(dirArg);
  requireRunDirectory(dir, dirArg);
  const store = openRunStore(dir, { write: false });
  const config = store.getMeta<RunConfig>('config');
  if (!config) {
    await store.close();
    throw new UsageError(
      `${dir} holds no run yet (no config saved)`,
      'It is starting, or was stopped before its config was saved: start it again with `elites run CONFIG --out DIR`.',
    );
  }
  const space = await buildSpace(config);
  const archive = buildArchive(config, SeededRng.fromSeed(config.seed), store.getMeta('geometry'));
  const { means, tally, fromSeq } = restoreFromLog(store, archive, space, config, Number.POSITIVE_INFINITY, options);
  const counters = tally.counters;
  const samples = sampleCountsOf(config, means);
  const checkpoint = store.loadCheckpoint();
  const remeasured = store.getMeta<RemeasuredElite[]>('remeasured');
  const scoredBy = store.getMeta<ScoredBy | null>('scoredBy') ?? undefined;
  const stopReason = store.getMeta<StopReason>('stopReason') ?? null;
  const seconds = tally.seconds;
  const status = readRunStatus(store, dir); // last: it may renew the snapshot
  // Built when first read (inspect, report, export json): a csv or jsonl export never needs it.
  let summary: RunSummary | undefined;
  const summarize = (): RunSummary =>
    buildSummary({
      runId: basename(dir),
      dir,
      status: status === 'killed' ? 'interrupted' : status,
      stopReason,
      counters,
      archive,
      space,
      direction: config.direction,
      seconds,
      ...(remeasured ? { remeasured } : {}),
      samples,
      ...(scoredBy ? { scoredBy } : {}),
    });
  return {
    dir,
    config,
    space,
    archive,
    counters,
    status,
    get summary() {
      summary ??= summarize();
      return summary;
    },
    history: checkpoint?.history ?? emptyHistory(),
    samples,
    tally,
    fromSeq,
    events: () => store.events(),
    close: () => store.close(),
  };
}
