// Wiring: config → parts (space, archive, strategy, executor, store, cache) → engine; create, resume and read run directories.
import { appendFileSync, existsSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { archives } from '../archive/index.js';
import type { Archive } from '../archive/archive.js';
import { emptyCounters, type Checkpoint, type Counters, type RunEvent, type RunStatus } from '../archive/store/events.js';
import { cacheNamespace, openResultCache, type ResultCache } from '../archive/store/result-cache.js';
import { openRunStore, type RunStore } from '../archive/store/run-store.js';
import { spaces } from '../spaces/index.js';
import type { StopReason } from './budget.js';
import { createCachePolicy } from './cache-policy.js';
import { isModuleRef, parseRunConfig, type RunConfig } from './config.js';
import { runEngine, type Progress } from './engine.js';
import { ElitesError, PluginError, StoreError, UsageError } from './errors.js';
import { loadEvaluator } from './evaluation.js';
import type { EvaluatorSpec, Executor } from './executors/executor.js';
import { createInlineExecutor } from './executors/inline.js';
import { createPiscinaExecutor } from './executors/piscina.js';
import { emptyHistory, type History } from './history.js';
import { loadSpaceModule } from './plugins.js';
import { SeededRng } from './rng.js';
import { strategies } from './strategies/index.js';
import { buildSummary, type RunSummary } from './summary.js';
import { toScore, type Space } from './types.js';

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
  const space = await buildSpace(config);
  const evaluatorId = await identifyEvaluator(config);
  const store = openRunStore(dir, { write: true });
  try {
    // A directory whose run never got past its first write may be reused; a real run may not.
    if (store.getMeta('config') !== undefined) throw new UsageError(`${dir} already holds a run`, `Resume it with \`elites resume ${dir}\`, or pass another --out.`);
    const rng = SeededRng.fromSeed(config.seed);
    const archive = buildArchive(config, rng);
    await store.putMeta('config', config);
    await store.putMeta('geometry', archive.geometry());
    await store.putMeta('evaluator', evaluatorId);
    writeFileSync(join(dir, 'config.json'), `${JSON.stringify(config, null, 2)}\n`);
    log(dir, `start ${config.name} seed=${config.seed} workers=${config.workers}`);
    return await execute({ dir, config, space, store, rng, archive, evaluatorId, hooks: options });
  } finally {
    await store.close();
  }
}

/** Continues a run from its last checkpoint; nothing completed is evaluated again. @throws {UsageError} for a bad directory. */
export async function resumeRun(dirArg: string, overrides: ResumeOverrides = {}, hooks: RunHooks = {}): Promise<RunSummary> {
  const dir = resolve(dirArg);
  if (!existsSync(join(dir, 'store.mdb'))) throw new UsageError(`${dirArg} is not a run directory (no store.mdb)`, 'Pass a directory made by `elites run`; `elites runs` lists them.');
  const store = openRunStore(dir, { write: true });
  try {
    const saved = store.getMeta<RunConfig>('config');
    if (!saved) throw new StoreError(`${dir} has no config`, 'The run was killed before it started; start it again with `elites run`.');
    const budget = { ...saved.budget, ...(overrides.evaluations !== undefined ? { evaluations: overrides.evaluations } : {}), ...(overrides.seconds !== undefined ? { seconds: overrides.seconds } : {}) };
    const config = parseRunConfig({ ...saved, budget, workers: overrides.workers ?? saved.workers }, dir);
    const space = await buildSpace(config);
    const checkpoint = store.loadCheckpoint();
    if (!checkpoint && store.lastSeq() >= 0) throw new StoreError(`${dir} has events but no checkpoint`, 'The run store is damaged; start a new run.');
    const rng = checkpoint ? SeededRng.restore(checkpoint.rng) : SeededRng.fromSeed(config.seed);
    const archive = buildArchive(config, rng, store.getMeta('geometry'));
    if (checkpoint) replayIntoArchive(archive, store.events(), checkpoint.seq, space, config);
    log(dir, `resume from event ${checkpoint?.seq ?? -1} of ${store.lastSeq()}`);
    const evaluatorId = store.getMeta<EvaluatorId>('evaluator') ?? (await identifyEvaluator(config));
    return await execute({ dir, config, space, store, rng, archive, evaluatorId, hooks, ...(checkpoint ? { checkpoint } : {}) });
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
  if (!existsSync(join(dir, 'store.mdb'))) throw new UsageError(`${dirArg} is not a run directory (no store.mdb)`, 'Pass a directory made by `elites run`; `elites runs` lists them.');
  const store = openRunStore(dir, { write: false });
  const config = store.getMeta<RunConfig>('config');
  if (!config) throw new StoreError(`${dir} has no config yet`);
  const space = await buildSpace(config);
  const archive = buildArchive(config, SeededRng.fromSeed(config.seed), store.getMeta('geometry'));
  replayIntoArchive(archive, store.events(), Number.POSITIVE_INFINITY, space, config);
  const counters = countEvents(store.events());
  const stored = store.getMeta<RunStatus>('status') ?? 'running';
  const status = stored === 'running' && !lockHeld(dir) ? 'killed' : stored;
  const checkpoint = store.loadCheckpoint();
  const summary = buildSummary({
    runId: basename(dir), dir, status: status === 'killed' ? 'interrupted' : status, stopReason: store.getMeta<StopReason>('stopReason') ?? null,
    counters, archive, space, direction: config.direction, seconds: lastEventSeconds(store),
  });
  return { dir, config, space, archive, counters, status, summary, history: checkpoint?.history ?? emptyHistory(), events: () => store.events(), close: () => store.close() };
}

interface EvaluatorId {
  readonly name: string;
  readonly version: string;
}

interface ExecuteInput {
  readonly dir: string;
  readonly config: RunConfig;
  readonly space: Space<unknown>;
  readonly store: RunStore;
  readonly rng: SeededRng;
  readonly archive: Archive<unknown>;
  readonly evaluatorId: EvaluatorId;
  readonly hooks: RunHooks;
  readonly checkpoint?: Checkpoint;
}

async function execute(input: ExecuteInput): Promise<RunSummary> {
  const { dir, config, space, store, rng, archive, hooks } = input;
  const strategy = strategies[config.search.strategy as keyof typeof strategies].create(withoutKeys(config.search, ['strategy']), { space, archive, rng: rng.fork('strategy') });
  if (input.checkpoint) strategy.restore(input.checkpoint.strategy);
  const descriptorCount = dimsOf(config).length;
  const namespace = cacheNamespace({ evaluator: input.evaluatorId.name, version: input.evaluatorId.version, options: config.evaluator.options ?? {}, fidelity: config.evaluator.fidelity });
  const resultCache = config.cache.enabled ? openResultCache({ path: config.cache.path, namespace }) : undefined;
  const spec: EvaluatorSpec = {
    ...(config.evaluator.type !== undefined ? { type: config.evaluator.type } : {}),
    ...(config.evaluator.module !== undefined ? { module: config.evaluator.module } : {}),
    options: config.evaluator.options ?? {},
    seed: config.seed,
    fidelity: config.evaluator.fidelity,
    timeoutMs: config.evaluator.timeoutSeconds * 1000,
    descriptorCount,
    ...(resultCache ? { cache: { path: config.cache.path, namespace } } : {}),
  };
  const executor: Executor = config.workers === 0 ? createInlineExecutor(spec, resultCache) : createPiscinaExecutor(spec, config.workers);
  await store.putMeta('status', 'running');
  try {
    await prepareEvaluator(config);
    await executor.start();
    const result = await runEngine({
      space, strategy, archive, executor, store, rng, direction: config.direction, budget: config.budget,
      cache: createCachePolicy(resultCache, { mode: config.cache.mode, maxRepeats: config.cache.maxRepeats, epsilon: config.cache.epsilon, descriptorCount }),
      maxConsecutiveFailures: config.failures.maxConsecutive, logAllGenomes: config.log.genomes === 'all', checkpointSeconds: config.log.checkpointSeconds,
      ...(input.checkpoint ? { resumeFrom: { checkpoint: input.checkpoint, history: input.checkpoint.history } } : {}),
      ...(hooks.stop ? { stop: hooks.stop } : {}),
      ...(hooks.onProgress ? { onProgress: hooks.onProgress as (p: Progress<unknown>) => void } : {}),
    });
    const status = result.error ? 'failed' : result.stopReason === 'signal' ? 'interrupted' : 'done';
    const summary = buildSummary({ runId: basename(dir), dir, status, stopReason: result.stopReason, counters: result.counters, archive, space, direction: config.direction, seconds: result.elapsedSeconds, ...(result.error ? { error: result.error.message } : {}) });
    await store.putMeta('status', status);
    await store.putMeta('stopReason', result.stopReason);
    writeFileSync(join(dir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
    log(dir, `${status} (${result.stopReason}): ${summary.proposals} proposals, ${summary.evaluations} evaluations, ${summary.failures} failures, best ${summary.best?.fitness ?? '-'}${result.error ? ` — ${result.error.message}` : ''}`);
    return summary;
  } catch (error) {
    await store.putMeta('status', 'failed').catch(() => undefined);
    log(dir, `failed: ${error instanceof Error ? error.message : String(error)}`);
    throw error;
  } finally {
    await executor.close();
    await resultCache?.close();
  }
}

/** Rebuilds the archive by replaying `add` for events up to `upToSeq`: the archive is derived, the log is the truth. */
function replayIntoArchive(archive: Archive<unknown>, events: Iterable<RunEvent>, upToSeq: number, space: Space<unknown>, config: RunConfig): void {
  for (const e of events) {
    if (e.seq > upToSeq) break;
    if (!e.ok) continue;
    // Rejected events carry no genome: add() rejects them again (checked below), which keeps min-score statistics exact.
    const genome = e.g !== undefined ? space.decode(e.g) : undefined;
    const tiebreak = e.tb?.map((v) => toScore(v, config.direction));
    const added = archive.add({ id: e.id, genome, score: toScore(e.f, config.direction), descriptors: e.d ?? [], ...(tiebreak ? { tiebreak } : {}) });
    const logged = e.st === 'n' ? 'new' : e.st === 'i' ? 'improved' : 'rejected';
    if (added.status !== logged) throw new StoreError(`the archive rebuilt from the log disagrees at event ${e.seq} (${added.status} vs ${logged})`, 'The archive config changed since this run was written.');
  }
}

function countEvents(events: Iterable<RunEvent>): Counters {
  const c = emptyCounters();
  for (const e of events) {
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

function lockHeld(dir: string): boolean {
  return existsSync(join(dir, 'run.lock'));
}

function log(dir: string, line: string): void {
  appendFileSync(join(dir, 'run.log'), `${new Date().toISOString()} ${line}\n`);
}

export { ElitesError };
