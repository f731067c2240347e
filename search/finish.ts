// The end of a session: the status, the optional re-measurement of the best elites, and the summary (stored and written).
import { basename, join } from 'node:path';
import type { Archive } from '../archive/archive.js';
import type { RunStore } from '../store/run-store.js';
import type { RunConfig } from './config.js';
import type { EngineResult } from './engine.js';
import type { Executor } from './executors/executor.js';
import { remeasureElites, type RemeasuredElite } from './remeasure.js';
import { logRun, writeFileAtomic } from './run-dir.js';
import { buildSummary, type RunSummary, type SampleCounts } from './summary.js';
import type { ScoredBy, Space } from '../core/types.js';

export interface FinishInput {
  readonly dir: string;
  readonly config: RunConfig;
  readonly store: RunStore;
  readonly space: Space<unknown>;
  readonly archive: Archive<unknown>;
  readonly executor: Executor;
  readonly result: EngineResult;
  readonly stop?: AbortSignal;
  readonly samples: SampleCounts | undefined;
  readonly scoredBy: ScoredBy | undefined;
  /** Receives each of the summary's warnings (the CLI prints them). */
  readonly onWarning?: (message: string) => void;
}

/** Re-measures (a finished run, when configured), stores the status and stop reason, and writes summary.json. */
export async function finishRun(input: FinishInput): Promise<RunSummary> {
  const { dir, config, store, space, archive, result } = input;
  let status: 'failed' | 'interrupted' | 'done' = result.error
    ? 'failed'
    : result.stopReason === 'signal'
      ? 'interrupted'
      : 'done';
  let remeasured: RemeasuredElite[] | undefined;
  if (status === 'done' && config.remeasure.elites > 0) {
    logRun(dir, `re-measuring the best ${config.remeasure.elites} elites, ${config.remeasure.rounds} rounds`);
    remeasured = await remeasureElites({
      archive,
      space,
      executor: input.executor,
      direction: config.direction,
      elites: config.remeasure.elites,
      rounds: config.remeasure.rounds,
      ...(input.stop ? { signal: input.stop } : {}),
    });
    if (input.stop?.aborted)
      status = 'interrupted'; // resume finds the budget spent and re-measures again
    else await store.putMeta('remeasured', remeasured);
  }
  const summary = buildSummary({
    runId: basename(dir),
    dir,
    status,
    stopReason: result.stopReason,
    counters: result.counters,
    archive,
    space,
    direction: config.direction,
    seconds: result.elapsedSeconds,
    ...(result.error ? { error: result.error.message } : {}),
    ...(remeasured && status === 'done' ? { remeasured } : {}),
    ...(input.samples ? { samples: input.samples } : {}),
    ...(input.scoredBy ? { scoredBy: input.scoredBy } : {}),
  });
  await store.putMeta('status', status);
  await store.putMeta('stopReason', result.stopReason);
  for (const warning of summary.warnings ?? []) {
    logRun(dir, `warning: ${warning.message}`);
    input.onWarning?.(warning.message);
  }
  writeFileAtomic(join(dir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
  logRun(
    dir,
    `${status} (${result.stopReason}): ${summary.proposals} proposals, ${summary.evaluations} evaluations, ${summary.failures} failures, best ${summary.best?.fitness ?? '-'}${result.error ? ` — ${result.error.message}` : ''}`,
  );
  return summary;
}
