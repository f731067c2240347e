// Wiring: config → parts (space, archive, strategy, executor, store, cache) → engine; create, resume and read run directories.
import { appendFileSync, existsSync, renameSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { archives } from '../archive/index.js';
import type { Archive } from '../archive/archive.js';
import { emptyCounters, type Checkpoint, type Counters, type RunEvent, type RunStatus, type History } from '../store/events.js';
import { cacheNamespace, openResultCache, type ResultCache } from '../store/result-cache.js';
import { lmdbFileProblem } from '../store/lmdb-guard.js';
import { openRunStore, readRunStatus, STORE_FILE, type RunStore } from '../store/run-store.js';
import { spaces } from '../spaces/index.js';
import type { StopReason } from './budget.js';
import { createCachePolicy } from './cache-policy.js';
import { isModuleRef, parseRunConfig, type RunConfig } from './config.js';
import { runEngine, type Progress } from './engine.js';
import { ConfigError, ElitesError, PluginError, StoreError, UsageError } from '../core/errors.js';
import { loadEvaluator } from './evaluation.js';
import type { EvaluatorSpec, Executor } from './executors/executor.js';
import { createInlineExecutor } from './executors/inline.js';
import { createPiscinaExecutor } from './executors/piscina.js';
import { createRedisExecutor } from './executors/redis/executor.js';
import { shortHash } from './executors/redis/protocol.js';
import { emptyHistory } from './history.js';
import { loadSpaceModule } from './plugins.js';
import { SeededRng } from '../core/rng.js';
import { strategies } from './strategies/index.js';
import type { Strategy } from './strategies/strategy.js';
import { remeasureElites, type RemeasuredElite } from './remeasure.js';
import { buildSummary, type RunSummary } from './summary.js';
import { toScore, type Space } from '../core/types.js';

export interface RunHooks {
  /** Aborting stops the run after the current completion; it ends `interrupted` and can be resumed. */
  readonly stop?: AbortSignal;
  readonly onProgress?: (progress: Progress<unknown>) => void;
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
  const parts = await prepare(config, rng, { runDir: dir });
  try {
    const store = openRunStore(dir, { write: true });
    try {
      if (store.getMeta('config') !== undefined) throw new UsageError(`${dir} already holds a run`, `Resume it with \`elites resume ${dir}\`, or pass another --out.`);
      await store.putMeta('config', config);
      await store.putMeta('geometry', parts.archive.geometry());
      await store.putMeta('evaluator', parts.evaluatorId);
      writeFileAtomic(join(dir, 'config.json'), `${JSON.stringify(config, null, 2)}\n`);
      log(dir, `start ${config.name} seed=${config.seed} workers=${config.workers}`);
      return await execute({ dir, config, store, rng, parts, hooks: options });
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
export async function resumeRun(dirArg: string, overrides: ResumeOverrides = {}, hooks: RunHooks = {}): Promise<RunSummary> {
  const dir = resolve(dirArg);
  if (!existsSync(join(dir, STORE_FILE))) throw new UsageError(`${dirArg} is not a run directory (no ${STORE_FILE})`, 'Pass a directory made by `elites run`; `elites runs` lists them.');
  const store = openRunStore(dir, { write: true });
  try {
    const saved = store.getMeta<RunConfig>('config');
    if (!saved) throw new UsageError(`${dir} holds no run yet: it was stopped before its config was saved`, `Start it again: \`elites run CONFIG --out ${dir}\`.`);
    const budget = { ...saved.budget, ...(overrides.evaluations !== undefined ? { evaluations: overrides.evaluations } : {}), ...(overrides.seconds !== undefined ? { seconds: overrides.seconds } : {}) };
    const config = parseRunConfig({ ...saved, budget, workers: overrides.workers ?? saved.workers }, dir);
    const checkpoint = store.loadCheckpoint();
    if (!checkpoint && store.lastSeq() >= 0) throw new StoreError(`${dir} has events but no checkpoint`, 'The run store is damaged; start a new run.');
    const rng = checkpoint ? SeededRng.restore(checkpoint.rng) : SeededRng.fromSeed(config.seed);
    const parts = await prepare(config, rng, { runDir: dir, geometry: store.getMeta('geometry'), evaluatorId: store.getMeta<EvaluatorId>('evaluator'), ...(checkpoint ? { checkpoint } : {}) });
    try {
      if (checkpoint) replayIntoArchive(parts.archive, store.events(), checkpoint.seq, parts.space, config);
      log(dir, `resume from event ${checkpoint?.seq ?? -1} of ${store.lastSeq()}`);
      return await execute({ dir, config, store, rng, parts, hooks, ...(checkpoint ? { checkpoint } : {}) });
    } finally {
      await parts.close();
    }
  } finally {
    await store.close();
  }
}

/** A read-only view of a run (running, finished or killed): the archive rebuilt from the whole log. */
export interface RunView {
  readonly dir: string;
  readonly config: RunConfig;
  readonly space: Space<unknown>;
  readonly archive: Archive<unknown>;
  readonly counters: Counters;
  readonly status: RunStatus | 'killed';
  readonly summary: RunSummary;
  readonly history: History;
  events(): Iterable<RunEvent>;
  close(): Promise<void>;
}

/** @throws {UsageError} when `dir` is not a run directory. Never disturbs a running search (readers don't lock). */
export async function openRunView(dirArg: string): Promise<RunView> {
  const dir = resolve(dirArg);
  if (!existsSync(join(dir, STORE_FILE))) throw new UsageError(`${dirArg} is not a run directory (no ${STORE_FILE})`, 'Pass a directory made by `elites run`; `elites runs` lists them.');
  const store = openRunStore(dir, { write: false });
  const config = store.getMeta<RunConfig>('config');
  if (!config) {
    await store.close();
    throw new UsageError(`${dir} holds no run yet (no config saved)`, 'It is starting, or was stopped before its config was saved: start it again with `elites run CONFIG --out DIR`.');
  }
  const space = await buildSpace(config);
  const archive = buildArchive(config, SeededRng.fromSeed(config.seed), store.getMeta('geometry'));
  const counters = replayIntoArchive(archive, store.events(), Number.POSITIVE_INFINITY, space, config); // one pass: the log can hold millions
  const status = readRunStatus(store, dir);
  const checkpoint = store.loadCheckpoint();
  const remeasured = store.getMeta<RemeasuredElite[]>('remeasured');
  const summary = buildSummary({
    runId: basename(dir), dir, status: status === 'killed' ? 'interrupted' : status, stopReason: store.getMeta<StopReason>('stopReason') ?? null,
    counters, archive, space, direction: config.direction, seconds: lastEventSeconds(store),
    ...(remeasured ? { remeasured } : {}),
  });
  return { dir, config, space, archive, counters, status, summary, history: checkpoint?.history ?? emptyHistory(), events: () => store.events(), close: () => store.close() };
}

interface EvaluatorId {
  readonly name: string;
  readonly version: string;
}

/** The parts of a run that do not depend on its directory; `close()` frees the threads and the cache. */
interface Parts {
  readonly space: Space<unknown>;
  readonly evaluatorId: EvaluatorId;
  readonly archive: Archive<unknown>;
  readonly strategy: Strategy<unknown>;
  readonly resultCache?: ResultCache;
  readonly executor: Executor;
  close(): Promise<void>;
}

interface PrepareOptions {
  /** The run directory: its path names the run's jobs in a Redis queue, the same after a resume. */
  readonly runDir?: string;
  readonly geometry?: unknown;
  readonly evaluatorId?: EvaluatorId | undefined;
  readonly checkpoint?: Checkpoint;
}

/**
 * Builds and starts everything a run needs, in the order that fails fastest.
 * @throws {ConfigError} for options a part refuses, or a cache path that cannot be opened; {PluginError} for a broken plug-in or setup().
 */
async function prepare(config: RunConfig, rng: SeededRng, options: PrepareOptions = {}): Promise<Parts> {
  const space = await refusedAs('space', () => buildSpace(config));
  const evaluatorId = options.evaluatorId ?? (await identifyEvaluator(config));
  const archive = await refusedAs('archive', () => buildArchive(config, rng, options.geometry));
  const strategy = await refusedAs('search', () => strategies[config.search.strategy as keyof typeof strategies].create(withoutKeys(config.search, ['strategy']), { space, archive, rng: rng.fork('strategy') }));
  if (options.checkpoint) strategy.restore(options.checkpoint.strategy);
  const descriptorCount = dimsOf(config).length;
  const namespace = cacheNamespace({ evaluator: evaluatorId.name, version: evaluatorId.version, options: config.evaluator.options ?? {}, fidelity: config.evaluator.fidelity });
  const resultCache = config.cache.enabled ? openCache(config, namespace) : undefined;
  const spec: EvaluatorSpec = {
    ...(config.evaluator.type !== undefined ? { type: config.evaluator.type } : {}),
    ...(config.evaluator.module !== undefined ? { module: config.evaluator.module } : {}),
    options: config.evaluator.options ?? {},
    seed: config.seed,
    fidelity: config.evaluator.fidelity,
    timeoutMs: config.evaluator.timeoutSeconds * 1000,
    descriptorCount,
    ...(resultCache ? { cache: { path: config.cache.path, namespace, ...(config.cache.mode === 'aggregate' ? { samples: config.cache.maxRepeats } : {}) } } : {}),
  };
  const executor: Executor =
    config.executor?.type === 'redis'
      ? createRedisExecutor(spec, config.executor, { runTag: shortHash(resolve(options.runDir ?? '.')), ...(resultCache ? { cache: resultCache } : {}) })
      : config.workers === 0
        ? createInlineExecutor(spec, resultCache)
        : createPiscinaExecutor(spec, config.workers, { memoryMb: config.workerMemoryMb });
  const close = async (): Promise<void> => {
    await executor.close();
    await resultCache?.close();
  };
  try {
    await prepareEvaluator(config);
    await executor.start();
  } catch (error) {
    await close();
    throw error;
  }
  return { space, evaluatorId, archive, strategy, executor, close, ...(resultCache ? { resultCache } : {}) };
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
    throw new ConfigError(`invalid config: ${section} cannot be built`, [{ path: section, message }], 'Fix the options of that section (see the config reference in the README).');
  }
}

/** The cache is shared by runs and may live anywhere: a path that cannot hold it is a config error (exit 2). */
function openCache(config: RunConfig, namespace: string): ResultCache {
  try {
    return openResultCache({ path: config.cache.path, namespace });
  } catch (error) {
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : (error as Error).message.replace(/^cannot open the result cache .*?: /, '');
    throw new ConfigError(
      `cannot open the result cache at ${config.cache.path}`,
      [{ path: 'cache.path', message: `${cause}; cache.path must name a new file or an elites cache, in a directory elites can create and write` }],
      'Set cache.path to a writable location, or cache.enabled: false to run without a cache.',
    );
  }
}

interface ExecuteInput {
  readonly dir: string;
  readonly config: RunConfig;
  readonly store: RunStore;
  readonly rng: SeededRng;
  readonly parts: Parts;
  readonly hooks: RunHooks;
  readonly checkpoint?: Checkpoint;
}

async function execute(input: ExecuteInput): Promise<RunSummary> {
  const { dir, config, store, rng, hooks } = input;
  const { space, archive, strategy, executor, resultCache } = input.parts;
  const descriptorCount = dimsOf(config).length;
  try {
    await store.putMeta('status', 'running');
    const result = await runEngine({
      space, strategy, archive, executor, store, rng, direction: config.direction, budget: config.budget,
      cache: createCachePolicy(resultCache, { mode: config.cache.mode, maxRepeats: config.cache.maxRepeats, epsilon: config.cache.epsilon, descriptorCount }),
      maxConsecutiveFailures: config.failures.maxConsecutive, logAllGenomes: config.log.genomes === 'all', checkpointSeconds: config.log.checkpointSeconds,
      ...(input.checkpoint ? { resumeFrom: { checkpoint: input.checkpoint, history: input.checkpoint.history } } : {}),
      ...(hooks.stop ? { stop: hooks.stop } : {}),
      ...(hooks.onProgress ? { onProgress: hooks.onProgress as (p: Progress<unknown>) => void } : {}),
    });
    let status: 'failed' | 'interrupted' | 'done' = result.error ? 'failed' : result.stopReason === 'signal' ? 'interrupted' : 'done';
    let remeasured: RemeasuredElite[] | undefined;
    if (status === 'done' && config.remeasure.elites > 0) {
      log(dir, `re-measuring the best ${config.remeasure.elites} elites, ${config.remeasure.rounds} rounds`);
      remeasured = await remeasureElites({ archive, space, executor, direction: config.direction, elites: config.remeasure.elites, rounds: config.remeasure.rounds, ...(hooks.stop ? { signal: hooks.stop } : {}) });
      if (hooks.stop?.aborted) status = 'interrupted'; // resume finds the budget spent and re-measures again
      else await store.putMeta('remeasured', remeasured);
    }
    const summary = buildSummary({
      runId: basename(dir), dir, status, stopReason: result.stopReason, counters: result.counters, archive, space, direction: config.direction, seconds: result.elapsedSeconds,
      ...(result.error ? { error: result.error.message } : {}), ...(remeasured && status === 'done' ? { remeasured } : {}),
    });
    await store.putMeta('status', status);
    await store.putMeta('stopReason', result.stopReason);
    writeFileAtomic(join(dir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
    log(dir, `${status} (${result.stopReason}): ${summary.proposals} proposals, ${summary.evaluations} evaluations, ${summary.failures} failures, best ${summary.best?.fitness ?? '-'}${result.error ? ` — ${result.error.message}` : ''}`);
    return summary;
  } catch (error) {
    await store.putMeta('status', 'failed').catch(() => undefined);
    log(dir, `failed: ${error instanceof Error ? error.message : String(error)}`);
    throw error;
  }
}

/**
 * Rebuilds the archive by replaying `add` for events up to `upToSeq` (the archive is derived, the log is the truth),
 * and counts those events, in one pass over the log.
 */
function replayIntoArchive(archive: Archive<unknown>, events: Iterable<RunEvent>, upToSeq: number, space: Space<unknown>, config: RunConfig): Counters {
  const c = emptyCounters();
  for (const e of events) {
    if (e.seq > upToSeq) break;
    c.proposals++;
    if (!e.ok) {
      c.failures++;
      c.consecutiveFailures++;
      continue;
    }
    c.consecutiveFailures = 0;
    if (e.src === 'e') c.evaluations++;
    else if (e.src === 'k') c.keyHits++;
    else c.fingerprintHits++;
    // Rejected events carry no genome: add() rejects them again (checked below), which keeps min-score statistics exact.
    if (e.st === 's') continue; // a screening result never reached the archive
    const genome = e.g !== undefined ? space.decode(e.g) : undefined;
    const tiebreak = e.tb?.map((v) => toScore(v, config.direction));
    const added = archive.add({ id: e.id, genome, score: toScore(e.f, config.direction), descriptors: e.d ?? [], ...(tiebreak ? { tiebreak } : {}) });
    const logged = e.st === 'n' ? 'new' : e.st === 'i' ? 'improved' : 'rejected';
    if (added.status !== logged) throw new StoreError(`the archive rebuilt from the log disagrees at event ${e.seq} (${added.status} vs ${logged})`, 'The archive config changed since this run was written.');
  }
  return c;
}

function lastEventSeconds(store: RunStore): number {
  const last = store.lastSeq();
  if (last < 0) return 0;
  for (const e of store.events(last)) return e.t;
  return 0;
}

async function buildSpace(config: RunConfig): Promise<Space<unknown>> {
  if (isModuleRef(config.space)) return loadSpaceModule(config.space.module, config.space.options ?? {});
  const entry = spaces[config.space.type as keyof typeof spaces];
  return entry.create(withoutKeys(config.space, ['type']), undefined) as Space<unknown>;
}

function buildArchive(config: RunConfig, rng: SeededRng, geometry?: unknown): Archive<unknown> {
  const entry = archives[config.archive.type as keyof typeof archives];
  const qdOffset = config.archive.qdOffset !== undefined ? toScore(config.archive.qdOffset, config.direction) : undefined;
  return entry.create(withoutKeys(config.archive, ['type', 'qdOffset']), {
    rng: rng.fork('archive'),
    ...(geometry !== undefined ? { geometry } : {}),
    ...(qdOffset !== undefined ? { qdOffset } : {}),
  });
}

/** Runs the evaluator's optional once-per-run `prepare` in the main process (e.g. train and cache a model). */
async function prepareEvaluator(config: RunConfig): Promise<void> {
  const evaluator = await loadEvaluator({ ...config.evaluator, options: config.evaluator.options ?? {} });
  try {
    await evaluator.prepare?.(config.evaluator.options ?? {});
  } catch (error) {
    throw new PluginError(`evaluator prepare failed: ${(error as Error).message}`, 'Fix prepare() in the evaluator (it runs once per run, before the workers start).', { cause: error });
  }
}

/** Loads the evaluator once in the main thread: a broken plug-in fails here, before any worker starts. */
async function identifyEvaluator(config: RunConfig): Promise<EvaluatorId> {
  const evaluator = await loadEvaluator({ ...config.evaluator, options: config.evaluator.options ?? {} });
  return { name: evaluator.name, version: config.evaluator.version ?? evaluator.version ?? '0' };
}

export function dimsOf(config: RunConfig): readonly { name: string; min: number; max: number; bins?: number }[] {
  return (config.archive as unknown as { dims: { name: string; min: number; max: number; bins?: number }[] }).dims;
}

function withoutKeys(value: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).filter(([k]) => !keys.includes(k)));
}

function defaultRunDir(name: string): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  let dir = join('runs', `${name}-${stamp}`);
  for (let i = 2; existsSync(dir); i++) dir = join('runs', `${name}-${stamp}-${i}`);
  return dir;
}

/** Refuses an --out directory that already holds a run, before anything is built (the lock is checked when it opens). */
function refuseExistingRun(dir: string): void {
  if (!existsSync(join(dir, STORE_FILE)) || lmdbFileProblem(join(dir, STORE_FILE))?.kind === 'empty') return;
  let config: unknown;
  const store = openRunStore(dir, { write: false }); // refuses a store.mdb that is not LMDB
  try {
    config = store.getMeta('config');
  } finally {
    void store.close();
  }
  if (config !== undefined) throw new UsageError(`${dir} already holds a run`, `Resume it with \`elites resume ${dir}\`, or pass another --out.`);
}

/** Written whole or not at all: a kill mid-write leaves the previous file (or none), never half of one. */
function writeFileAtomic(path: string, text: string): void {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, text);
  renameSync(temporary, path);
}

function log(dir: string, line: string): void {
  appendFileSync(join(dir, 'run.log'), `${new Date().toISOString()} ${line}\n`);
}

export { ElitesError };
