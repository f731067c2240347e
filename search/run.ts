// Starting and resuming a run: its directory, its parts and the engine, in the order that leaves nothing half-made.
import { join, resolve } from 'node:path';
import type { Checkpoint } from '../store/events.js';
import { openRunStore, requireRunDirectory, type RunStore } from '../store/run-store.js';
import { EXTERNAL_EVALUATOR, notResumable } from './ask-tell-config.js';
import type { Budget } from './budget.js';
import type { CachePolicy } from './cache-policy.js';
import { overrideBudget, parseRunConfig, type RunConfig } from './config.js';
import { runEngine, type Progress } from './engine.js';
import { StoreError, UsageError } from '../core/errors.js';
import { finishRun } from './finish.js';
import { assembleParts, cachePolicyOf, logsEveryGenome, type EvaluatorId, type Parts } from './parts.js';
import { restoreFromLog } from './run-snapshot.js';
import { RunTally } from './tally.js';
import { alreadyHoldsARun, defaultRunDir, logRun, refuseExistingRun, writeFileAtomic } from './run-dir.js';
import { SeededRng } from '../core/rng.js';
import { createSampleMeans, sampleCountsOf, type SampleMeans } from './sample-means.js';
import type { RunSummary } from './summary.js';

export interface RunHooks {
  /** Aborting stops the run after the current completion; it ends `interrupted` and can be resumed. */
  readonly stop?: AbortSignal;
  readonly onProgress?: (progress: Progress<unknown>) => void;
  /** A setting that runs but likely not as meant (also written to run.log). */
  readonly onWarning?: (message: string) => void;
}

export interface StartOptions extends RunHooks {
  /** Run directory; default `runs/<name>-<timestamp>/` under the working directory. */
  readonly out?: string;
}

export interface ResumeOverrides {
  readonly evaluations?: number;
  readonly seconds?: number;
  readonly workers?: number;
}

/** Starts a new run. Resolves with the summary whatever the outcome; infrastructure faults reject. */
export async function runSearch(config: RunConfig, options: StartOptions = {}): Promise<RunSummary> {
  const dir = resolve(options.out ?? defaultRunDir(config.name));
  refuseExistingRun(dir);
  // Everything that can refuse the config (plug-ins, archive, strategy options, the cache path, the workers'
  // setup) is built before the run directory is: bad input leaves nothing behind.
  const rng = SeededRng.fromSeed(config.seed);
  const parts = await assembleParts(config, rng, { runDir: dir });
  try {
    const store = openRunStore(dir, { write: true });
    try {
      if (store.getMeta('config') !== undefined) throw alreadyHoldsARun(dir);
      // One commit, not four synced ones before the first proposal (lmdb-js batches the puts of one turn); all or none lands.
      await Promise.all([
        store.putMeta('config', config),
        store.putMeta('geometry', parts.archive.geometry()),
        store.putMeta('evaluator', parts.evaluatorId),
        store.putMeta('scoredBy', parts.scoredBy ?? null),
      ]);
      writeFileAtomic(join(dir, 'config.json'), `${JSON.stringify(config, null, 2)}\n`);
      logRun(dir, `start ${config.name} seed=${config.seed} workers=${config.workers}`);
      warn(dir, parts.warnings, options);
      const cache = cachePolicyOf(config, parts);
      const means = createSampleMeans();
      const tally = new RunTally(parts.archive);
      return await execute({ dir, config, store, rng, parts, cache, means, tally, hooks: options });
    } finally {
      await store.close();
    }
  } finally {
    await parts.close();
  }
}

/**
 * Continues a run from its last checkpoint; nothing completed is evaluated again.
 * @throws {UsageError} for a directory that is missing, not a run, locked by a live process or of another store schema.
 */
export async function resumeRun(
  dirArg: string,
  overrides: ResumeOverrides = {},
  hooks: RunHooks = {},
): Promise<RunSummary> {
  const dir = resolve(dirArg);
  requireRunDirectory(dir, dirArg);
  const store = openRunStore(dir, { write: true });
  try {
    const saved = store.getMeta<RunConfig>('config');
    if (!saved)
      throw new UsageError(
        `${dir} holds no run yet: it was stopped before its config was saved`,
        `Start it again: \`elites run CONFIG --out ${dir}\`.`,
      );
    if (saved.evaluator.type === EXTERNAL_EVALUATOR) throw notResumable(dir);
    const config = parseRunConfig(saved, dir, resumeFlags(overrides));
    const checkpoint = store.loadCheckpoint();
    if (!checkpoint && store.lastSeq() >= 0)
      throw new StoreError(`${dir} has events but no checkpoint`, 'The run store is damaged; start a new run.');
    const rng = checkpoint ? SeededRng.restore(checkpoint.rng) : SeededRng.fromSeed(config.seed);
    const parts = await assembleParts(config, rng, {
      runDir: dir,
      geometry: store.getMeta('geometry'),
      evaluatorId: store.getMeta<EvaluatorId>('evaluator'),
      ...(checkpoint ? { checkpoint } : {}),
    });
    try {
      // The archive as it stood at the checkpoint: the snapshot taken with it, else the log replayed (then rebuilt).
      const upTo = checkpoint?.seq ?? -1;
      const { means, tally, fromSeq } = restoreFromLog(store, parts.archive, parts.space, config, upTo);
      logRun(
        dir,
        `resume from event ${upTo} of ${store.lastSeq()} (${fromSeq >= 0 ? `snapshot at ${fromSeq}` : 'no snapshot: log replayed'})`,
      );
      await store.putMeta('scoredBy', parts.scoredBy ?? null); // this session's: a resume may run elsewhere
      const cache = cachePolicyOf(config, parts);
      // The log is the truth for samples too: the kill may have left the cache a sample ahead of (or behind) it.
      const corrected = await cache.restore(store.events());
      if (corrected > 0) logRun(dir, `resume: ${corrected} pooled sample mean(s) in the cache set back to the log`);
      warn(dir, parts.warnings, hooks);
      return await execute({
        dir,
        config,
        store,
        rng,
        parts,
        cache,
        means,
        tally,
        hooks,
        ...(checkpoint ? { checkpoint } : {}),
      });
    } finally {
      await parts.close();
    }
  } finally {
    await store.close();
  }
}

/**
 * The budget `resumeRun(dir, overrides)` will use, read from the same place (the store's saved config), e.g. for a
 * progress bar; only the overrides when the directory holds no readable run (resumeRun then says why).
 */
export async function resumeBudget(dir: string, overrides: ResumeOverrides = {}): Promise<Budget> {
  let saved: RunConfig | undefined;
  try {
    const store = openRunStore(resolve(dir), { write: false });
    try {
      saved = store.getMeta<RunConfig>('config');
    } finally {
      await store.close();
    }
  } catch {
    saved = undefined;
  }
  return overrideBudget<Budget>(saved?.budget ?? {}, resumeFlags(overrides));
}

/** Only the flags a resume may change (the CLI passes its whole argument object). */
function resumeFlags(o: ResumeOverrides): ResumeOverrides {
  return {
    ...(o.evaluations !== undefined ? { evaluations: o.evaluations } : {}),
    ...(o.seconds !== undefined ? { seconds: o.seconds } : {}),
    ...(o.workers !== undefined ? { workers: o.workers } : {}),
  };
}

interface ExecuteInput {
  readonly dir: string;
  readonly config: RunConfig;
  readonly store: RunStore;
  readonly rng: SeededRng;
  readonly parts: Parts;
  readonly cache: CachePolicy;
  readonly means: SampleMeans;
  readonly tally: RunTally;
  readonly hooks: RunHooks;
  readonly checkpoint?: Checkpoint;
}

/** Runs the engine over the parts and finishes the session; a fault marks the run failed (resumable) and rejects. */
async function execute(input: ExecuteInput): Promise<RunSummary> {
  const { dir, config, store, rng, hooks } = input;
  const { space, archive, strategy, executor } = input.parts;
  try {
    await store.putMeta('status', 'running');
    const result = await runEngine({
      space,
      strategy,
      archive,
      executor,
      store,
      rng,
      direction: config.direction,
      ...(config.objectives ? { objectives: config.objectives.directions } : {}),
      ...(input.parts.pruner ? { pruner: input.parts.pruner } : {}),
      budget: config.budget,
      cache: input.cache,
      means: input.means,
      tally: input.tally,
      maxConsecutiveFailures: config.failures.maxConsecutive,
      batch: config.batch,
      logAllGenomes: logsEveryGenome(config, archive),
      checkpointSeconds: config.log.checkpointSeconds,
      ...(input.checkpoint ? { resumeFrom: { checkpoint: input.checkpoint, history: input.checkpoint.history } } : {}),
      ...(hooks.stop ? { stop: hooks.stop } : {}),
      ...(hooks.onProgress ? { onProgress: hooks.onProgress } : {}),
    });
    return await finishRun({
      dir,
      config,
      store,
      space,
      archive,
      executor,
      result,
      ...(hooks.stop ? { stop: hooks.stop } : {}),
      samples: sampleCountsOf(config, input.means),
      scoredBy: input.parts.scoredBy,
      ...(hooks.onWarning ? { onWarning: hooks.onWarning } : {}),
    });
  } catch (error) {
    await store.putMeta('status', 'failed').catch(() => undefined);
    logRun(dir, `failed: ${error instanceof Error ? error.message : String(error)}`);
    throw error;
  }
}

function warn(dir: string, warnings: readonly string[], hooks: RunHooks): void {
  for (const warning of warnings) {
    logRun(dir, `warning: ${warning}`);
    hooks.onWarning?.(warning);
  }
}
