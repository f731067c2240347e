// What the dashboard's run list and `elites runs` show, read cheaply: the store's last seq, status and last checkpoint,
// or a finished run's summary.json; never the log.
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { openRunStore, readRunStatus } from '../store/run-store.js';
import type { RunConfig } from '../search/config.js';
import type { RunSummary } from '../search/summary.js';
import type { RunProbe } from './snapshot-types.js';

/** What listing a run needs, read without opening its log. */
export interface RunBrief {
  readonly config: RunConfig | undefined;
  readonly status: RunProbe['status'];
  readonly proposals: number;
  readonly best: number | null;
  readonly coverage: number | null;
  readonly seconds: number | null;
}

/**
 * A run in brief: a finished run's summary.json when it covers the whole log, else its last checkpoint (a few seconds
 * behind a live or killed run; the proposals are the log's length, which the store knows without reading it).
 * @throws {UsageError} when `dir` is not a run directory.
 */
export async function readRunBrief(dir: string): Promise<RunBrief> {
  const store = openRunStore(dir, { write: false });
  try {
    const config = store.getMeta<RunConfig>('config');
    const last = store.lastSeq();
    const checkpoint = store.loadCheckpoint();
    const status = readRunStatus(store, dir); // last: it may renew the snapshot
    const summary = status === 'running' || status === 'killed' ? undefined : readSummaryFile(dir);
    if (summary && summary.proposals === last + 1)
      return {
        config,
        status,
        proposals: summary.proposals,
        best: summary.best?.fitness ?? null,
        coverage: summary.archive.coverage,
        seconds: summary.seconds,
      };
    const point = checkpoint?.history.points.at(-1);
    return {
      config,
      status,
      proposals: last + 1,
      best: checkpoint?.archive?.best ?? point?.best ?? null,
      coverage: checkpoint?.archive?.coverage ?? point?.coverage ?? null,
      seconds: checkpoint?.elapsedSeconds ?? point?.seconds ?? null,
    };
  } finally {
    await store.close();
  }
}

/** The run's summary.json (written when a session ends), or undefined when it is missing or unreadable. */
function readSummaryFile(dir: string): RunSummary | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as RunSummary;
  } catch {
    return undefined;
  }
}

/** Never throws: a directory that cannot be read is listed as `unreadable` with the reason. */
export async function probeRun(dir: string): Promise<RunProbe> {
  const id = basename(dir);
  try {
    const brief = await readRunBrief(dir);
    const { config, status } = brief;
    return {
      id,
      name: config?.name ?? id,
      status,
      version: `${brief.proposals - 1}:${status}`,
      proposals: brief.proposals,
      budget: {
        ...(config?.budget.evaluations !== undefined ? { evaluations: config.budget.evaluations } : {}),
        ...(config?.budget.seconds !== undefined ? { seconds: config.budget.seconds } : {}),
      },
      best: brief.best,
      coverage: brief.coverage,
      seconds: brief.seconds,
    };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return {
      id,
      name: id,
      status: 'unreadable',
      version: `unreadable:${message}`,
      proposals: 0,
      budget: {},
      best: null,
      coverage: null,
      seconds: null,
      error: message,
    };
  }
}
