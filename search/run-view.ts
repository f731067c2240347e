// A read-only view of a run (running, finished or killed) for report, inspect and table: the archive rebuilt from the log.
import { basename, resolve } from 'node:path';
import type { Archive } from '../archive/archive.js';
import type { Counters, History, RunEvent, RunStatus } from '../store/events.js';
import { openRunStore, readRunStatus, requireRunDirectory, type RunStore } from '../store/run-store.js';
import type { StopReason } from './budget.js';
import type { RunConfig } from './config.js';
import { UsageError } from '../core/errors.js';
import { emptyHistory } from './history.js';
import { buildArchive, buildSpace } from './parts.js';
import { rebuildArchive } from './rebuild.js';
import { createSampleMeans, sampleCountsOf } from './sample-means.js';
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
  events(): Iterable<RunEvent>;
  close(): Promise<void>;
}

/** @throws {UsageError} when `dir` is not a run directory. Never disturbs a running search (readers don't lock). */
export async function openRunView(dirArg: string): Promise<RunView> {
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
  const means = createSampleMeans();
  const counters = rebuildArchive(archive, store.events(), Number.POSITIVE_INFINITY, space, config, means);
  const samples = sampleCountsOf(config, means);
  const checkpoint = store.loadCheckpoint();
  const remeasured = store.getMeta<RemeasuredElite[]>('remeasured');
  const scoredBy = store.getMeta<ScoredBy | null>('scoredBy') ?? undefined;
  const stopReason = store.getMeta<StopReason>('stopReason') ?? null;
  const seconds = lastEventSeconds(store);
  const status = readRunStatus(store, dir); // last: it may renew the snapshot
  const summary = buildSummary({
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
    summary,
    history: checkpoint?.history ?? emptyHistory(),
    samples,
    events: () => store.events(),
    close: () => store.close(),
  };
}

function lastEventSeconds(store: RunStore): number {
  const last = store.lastSeq();
  if (last < 0) return 0;
  for (const e of store.events(last)) return e.t;
  return 0;
}
