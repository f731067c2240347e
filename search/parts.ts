// Wiring: a validated config becomes the parts of a run (space, evaluator, archive, strategy, cache, executor).
import { resolve } from 'node:path';
import type { Archive } from '../archive/archive.js';
import type { Checkpoint } from '../store/events.js';
import { cacheNamespace, openResultCache, type ResultCache } from '../store/result-cache.js';
import { createCachePolicy, type CachePolicy } from './cache-policy.js';
import { dimsOf, objectiveCountOf, processSpecOf, type RunConfig } from './config.js';
import { ConfigError, ElitesError, PluginError } from '../core/errors.js';
import { withoutKeys } from '../core/objects.js';
import { loadEvaluator, type ProgressSink } from './evaluation.js';
import { pruners } from './early-stopping/index.js';
import { tolerateLateReports } from './early-stopping/late-reports.js';
import type { Pruner } from './early-stopping/types.js';
import { cacheScopeOf, evaluatorVersion } from './cache-scope.js';
import type { EvaluatorSpec, Executor } from './executors/executor.js';
import { createInlineExecutor } from './executors/inline.js';
import { shortHash } from './executors/redis/protocol.js';
import type { SeededRng } from '../core/rng.js';
import { buildArchive, buildSpace } from './space-archive.js';
import { strategies } from './strategies/index.js';
import type { Strategy } from './strategies/strategy.js';
import { toScore, type Evaluator, type ScoredBy, type Space } from '../core/types.js';

export { buildArchive, buildSpace } from './space-archive.js';

/** What names a run's evaluator in the cache namespace; saved with the run, so a resume keeps its cache. */
export interface EvaluatorId {
  readonly name: string;
  readonly version: string;
}

/** The parts of a run that do not depend on its directory; `close()` frees the threads and the cache. */
export interface Parts {
  readonly space: Space<unknown>;
  readonly evaluatorId: EvaluatorId;
  readonly archive: Archive<unknown>;
  readonly strategy: Strategy<unknown>;
  /** Early stopping (config `pruner`, not `none`): it hears the inline executor's reports; the engine tells it outcomes. */
  readonly pruner?: Pruner;
  readonly resultCache?: ResultCache;
  readonly executor: Executor;
  /** Settings that run but do not do what the user likely meant (logged, and shown by the CLI). */
  readonly warnings: readonly string[];
  /** What scores the candidates, when the evaluator says (a stand-in or a fallback carries a caveat). */
  readonly scoredBy?: ScoredBy;
  close(): Promise<void>;
}

export interface AssembleOptions {
  /** The run directory: its path names the run's jobs in a Redis queue, the same after a resume. */
  readonly runDir?: string;
  readonly geometry?: unknown;
  /** The saved identity (resume): the cache namespace stays the run's even if the evaluator's version changed. */
  readonly evaluatorId?: EvaluatorId | undefined;
  readonly checkpoint?: Checkpoint;
  /** Ask/tell: the evaluator (its name, version and flags; it never runs here) and an executor instead of the config's. */
  readonly external?: { readonly evaluator: Evaluator<unknown>; readonly executor: (spec: EvaluatorSpec) => Executor };
}

/**
 * Builds and starts everything a run needs, in the order that fails fastest. The evaluator is loaded once in this
 * process: it names the cache, runs its `prepare` hook, and is the inline executor's (threads load their own).
 * @throws {ConfigError} for options a part refuses, or a cache path that cannot be opened; {PluginError} for a broken plug-in or setup().
 */
export async function assembleParts(config: RunConfig, rng: SeededRng, options: AssembleOptions = {}): Promise<Parts> {
  const space = await refusedAs('space', () => buildSpace(config));
  const processSpec = processSpecOf(config);
  const evaluator =
    options.external?.evaluator ??
    (await loadEvaluator({
      ...(config.evaluator.type !== undefined ? { type: config.evaluator.type } : {}),
      ...(config.evaluator.module !== undefined ? { module: config.evaluator.module } : {}),
      ...(processSpec ? { process: processSpec } : {}),
      options: config.evaluator.options ?? {},
    }));
  const evaluatorId = options.evaluatorId ?? { name: evaluator.name, version: evaluatorVersion(config, evaluator) };
  const archive = await refusedAs('archive', () => buildArchive(config, rng, options.geometry));
  const strategy = await refusedAs('search', () =>
    strategies[config.search.strategy as keyof typeof strategies].create(withoutKeys(config.search, ['strategy']), {
      space,
      archive,
      rng: rng.fork('strategy'),
      objectiveCount: objectiveCountOf(config),
    }),
  );
  if (options.checkpoint) strategy.restore(options.checkpoint.strategy);
  const pruner = await refusedAs('pruner', () => buildPruner(config, options.checkpoint));
  const namespace = cacheNamespace(cacheScopeOf(config, evaluator, evaluatorId.version));
  const resultCache = config.cache.enabled ? openCache(config, namespace) : undefined;
  const spec: EvaluatorSpec = {
    ...(config.evaluator.type !== undefined ? { type: config.evaluator.type } : {}),
    ...(config.evaluator.module !== undefined ? { module: config.evaluator.module } : {}),
    ...(processSpec ? { process: processSpec } : {}),
    options: config.evaluator.options ?? {},
    seed: config.seed,
    fidelity: config.evaluator.fidelity,
    timeoutMs: config.evaluator.timeoutSeconds * 1000,
    descriptorCount: dimsOf(config).length,
    objectiveCount: objectiveCountOf(config),
    ...(resultCache
      ? {
          cache: {
            path: config.cache.path,
            namespace,
            ...(config.cache.mode === 'aggregate' ? { samples: config.cache.maxRepeats } : {}),
          },
        }
      : {}),
  };
  const executor: Executor = options.external
    ? options.external.executor(spec)
    : config.executor?.type === 'redis'
      ? // imported only for a Redis run: BullMQ and ioredis are hundreds of modules every other run would load
        (await import('./executors/redis/executor.js')).createRedisExecutor(spec, config.executor, {
          runTag: shortHash(resolve(options.runDir ?? '.')),
          evaluator,
          ...(resultCache ? { cache: resultCache } : {}),
          ...(pruner ? { progress: progressTo(pruner, config) } : {}),
        })
      : processSpec
        ? // one evaluator process per worker (at least one: `workers: 0` runs its one process from this thread)
          (await import('./executors/process-pool.js')).createProcessPool(spec, Math.max(1, config.workers), {
            ...(resultCache ? { cache: resultCache } : {}),
            ...(pruner ? { progress: progressTo(pruner, config) } : {}),
          })
        : config.workers === 0
          ? createInlineExecutor(spec, resultCache, evaluator, config.batch, pruner && progressTo(pruner, config))
          : // imported only for worker threads: an inline run starts without piscina
            (await import('./executors/piscina.js')).createPiscinaExecutor(spec, config.workers, {
              memoryMb: config.workerMemoryMb,
              batch: config.batch,
              ...(pruner ? { progress: progressTo(pruner, config) } : {}),
            });
  const close = async (): Promise<void> => {
    await executor.close();
    await resultCache?.close();
  };
  let scoredBy: ScoredBy | undefined;
  try {
    await runPrepareHook(evaluator, config.evaluator.options ?? {});
    await executor.start();
    scoredBy = await scoredByOf(evaluator, config.evaluator.options ?? {});
  } catch (error) {
    await close();
    throw error;
  }
  const warnings = warningsOf(config, evaluator);
  if (scoredBy?.caveat) warnings.push(`scored by ${scoredBy.scorer}: ${scoredBy.caveat}`);
  return {
    space,
    evaluatorId,
    archive,
    strategy,
    ...(pruner ? { pruner } : {}),
    executor,
    close,
    warnings,
    ...(resultCache ? { resultCache } : {}),
    ...(scoredBy ? { scoredBy } : {}),
  };
}

/** The run's cache policy over the parts' result cache, as the config sets it. */
export function cachePolicyOf(config: RunConfig, parts: Parts): CachePolicy {
  return createCachePolicy(parts.resultCache, {
    mode: config.cache.mode,
    maxRepeats: config.cache.maxRepeats,
    epsilon: config.cache.epsilon,
    descriptorCount: dimsOf(config).length,
    objectiveCount: objectiveCountOf(config),
  });
}

/**
 * Whether the log keeps every genome, not only the elites': asked for (`log.genomes: all`), or needed by an archive
 * that may revive a rejected candidate (sliding boundaries re-add their buffer), whose replay then needs its genome.
 */
export function logsEveryGenome(config: RunConfig, archive: Archive<unknown>): boolean {
  return config.log.genomes === 'all' || archive.keepsRejected === true;
}

/** The config's pruner, restored from the checkpoint when resuming; none for `type: none` (nothing to tell it). */
function buildPruner(config: RunConfig, checkpoint: Checkpoint | undefined): Pruner | undefined {
  const options = config.pruner as RunConfig['pruner'] | undefined; // runs written before pruners have none
  if (!options || options.type === 'none') return undefined;
  const entry = pruners[options.type as keyof typeof pruners];
  const pruner = tolerateLateReports(entry.create(withoutKeys(options, ['type']), undefined));
  if (checkpoint?.pruner !== undefined) pruner.restore(checkpoint.pruner);
  return pruner;
}

/** A running evaluation's reports to the pruner, its values made higher-is-better first. */
function progressTo(pruner: Pruner, config: RunConfig): ProgressSink {
  return { report: (id, step, value) => pruner.report({ id, step, value: toScore(value, config.direction) }) };
}

/**
 * Builds a part from its config section; a plain error from a built-in's factory (options its schema let through,
 * e.g. sizes too large to allocate) becomes a ConfigError naming the section: exit 2, no stack trace.
 */
async function refusedAs<T>(section: string, build: () => T | Promise<T>): Promise<T> {
  try {
    return await build();
  } catch (error) {
    if (error instanceof ElitesError) throw error;
    const message = error instanceof Error ? error.message : String(error);
    throw new ConfigError(
      `invalid config: ${section} cannot be built`,
      [{ path: section, message }],
      'Fix the options of that section (see the config reference in the README).',
    );
  }
}

/** The cache is shared by runs and may live anywhere: a path that cannot hold it is a config error (exit 2). */
function openCache(config: RunConfig, namespace: string): ResultCache {
  try {
    return openResultCache({ path: config.cache.path, namespace });
  } catch (error) {
    const cause =
      error instanceof Error && error.cause instanceof Error
        ? error.cause.message
        : (error as Error).message.replace(/^cannot open the result cache .*?: /, '');
    throw new ConfigError(
      `cannot open the result cache at ${config.cache.path}`,
      [
        {
          path: 'cache.path',
          message: `${cause}; cache.path must name a new file or an elites cache, in a directory elites can create and write`,
        },
      ],
      'Set cache.path to a writable location, or cache.enabled: false to run without a cache.',
    );
  }
}

/** Runs the evaluator's optional once-per-run `prepare` hook in the main process (e.g. train and cache a model). */
async function runPrepareHook(evaluator: Evaluator<unknown>, options: unknown): Promise<void> {
  try {
    await evaluator.prepare?.(options);
  } catch (error) {
    throw new PluginError(
      `evaluator prepare failed: ${(error as Error).message}`,
      'Fix prepare() in the evaluator (it runs once per run, before the workers start).',
      { cause: error },
    );
  }
}

/** The evaluator's own account of what scores the run (after `prepare`, so a backend fallback shows). */
async function scoredByOf(evaluator: Evaluator<unknown>, options: unknown): Promise<ScoredBy | undefined> {
  const hint =
    'Fix scoredBy() in the evaluator: it returns { scorer: string, caveat?: string }, once per run, after prepare().';
  let said: unknown;
  try {
    said = await evaluator.scoredBy?.(options);
  } catch (error) {
    throw new PluginError(`evaluator scoredBy failed: ${(error as Error).message}`, hint, { cause: error });
  }
  if (said === undefined) return undefined;
  const { scorer, caveat } = (said ?? {}) as { scorer?: unknown; caveat?: unknown };
  if (typeof scorer !== 'string' || scorer === '' || (caveat !== undefined && typeof caveat !== 'string'))
    throw new PluginError(`evaluator scoredBy returned ${JSON.stringify(said)}`, hint);
  return { scorer, ...(caveat ? { caveat } : {}) };
}

/**
 * A noisy evaluator under plain caching: its first, perhaps lucky, sample would be reused as the truth. A fingerprint
 * without describe() or fingerprintDeterminesResult: a hit would reuse another genome's descriptors and metrics.
 */
function warningsOf(config: RunConfig, evaluator: Evaluator<unknown>): string[] {
  const warnings: string[] = [];
  if (evaluator.noisy && config.cache.enabled && config.cache.mode === 'cache')
    warnings.push(
      `evaluator ${evaluator.name} is noisy, but cache.mode is 'cache': each candidate's first sample is reused as its fitness. Set cache.mode: aggregate (with maxRepeats) to average samples, or cache.enabled: false to measure every proposal.`,
    );
  if (
    evaluator.fingerprint !== undefined &&
    evaluator.describe === undefined &&
    !evaluator.fingerprintDeterminesResult &&
    config.cache.enabled &&
    config.cache.mode !== 'counterfactual'
  )
    warnings.push(
      `evaluator ${evaluator.name} has fingerprint() but neither describe() nor fingerprintDeterminesResult: a fingerprint hit files this genome under the descriptors and metrics of another genome with the same fingerprint. Add describe(genome, cached, ctx) to the evaluator, returning this genome's result (keep cached.fitness, recompute the descriptors and metrics that depend on the genome), or set fingerprintDeterminesResult: true if its descriptors and metrics depend only on what the fingerprint captures.`,
    );
  return warnings;
}
