// Ask/tell (pyribs' scheduler.ask()/tell()): a program evaluates proposals in its own loop while elites keeps the
// archive, strategy, cache and durable log, by driving the same engine as runSearch through an executor that `tell` completes.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ArchiveView } from '../archive/archive.js';
import { ElitesError, StoreError, UsageError } from '../core/errors.js';
import { stableStringify } from '../core/hash.js';
import { SeededRng } from '../core/rng.js';
import type { EvalResult } from '../core/types.js';
import type { Checkpoint } from '../store/events.js';
import { lmdbFileProblem } from '../store/lmdb-guard.js';
import { openRunStore, STORE_FILE, type RunStore } from '../store/run-store.js';
import {
  EXTERNAL_EVALUATOR,
  parseAskTellConfig,
  standInEvaluator,
  type AskTellConfigInput,
  type ExternalEvaluator,
} from './ask-tell-config.js';
import { createCachePolicy, type CachePolicy } from './cache-policy.js';
import { dimsOf, type RunConfig } from './config.js';
import { runEngine, type EngineResult } from './engine.js';
import { checkResult, cleanResult } from './evaluation.js';
import { createTellExecutor, type TellExecutor } from './executors/tell.js';
import { finishRun } from './finish.js';
import { assembleParts, type AssembleOptions, type EvaluatorId, type Parts } from './parts.js';
import { rebuildArchive } from './rebuild.js';
import { alreadyHoldsARun, defaultRunDir, logRun, writeFileAtomic } from './run-dir.js';
import { createSampleMeans, sampleCountsOf, type SampleMeans } from './sample-means.js';
import type { FailureKind } from './strategies/strategy.js';
import type { RunSummary } from './summary.js';
import { watchAppends } from './ask-tell-store.js';

export interface AskTellOptions {
  /**
   * The run directory. A new run starts there; a directory that holds an ask/tell run continues it (after `close`,
   * or after the process died): proposals handed out and not told are handed out again. Default
   * `runs/<name>-<timestamp>/`.
   */
  readonly dir?: string;
  /** Resolves a plug-in space's `module:` path; default the working directory. */
  readonly baseDir?: string;
  /**
   * Proposals out at once at most (handed out, or ready to be): the strategy is asked `batch` (config) at a time
   * whenever that many are free. Default: the config's `batch`, i.e. a batch is told whole before the next is asked.
   */
  readonly inFlight?: number;
  /** A setting that runs but likely not as meant (also written to run.log). */
  readonly onWarning?: (message: string) => void;
}

/** A proposal to evaluate: tell its result (or its failure) by `id`. */
export interface AskedProposal<G> {
  readonly id: number;
  /** Read it, do not change it: the same object enters the archive. */
  readonly genome: G;
  /** Level-1 key: equal keys mean candidates the evaluator cannot tell apart (a seed for its noise, say). */
  readonly key: string;
  /** Sample index of a noisy evaluation (cache.mode aggregate), 0 otherwise. */
  readonly repeat: number;
  /** The fidelity chosen for this proposal (racing); absent: the evaluator's. */
  readonly fidelity?: number;
}

/**
 * A search whose evaluations run in the caller's loop. Invariants: a proposal is handed out by one `ask` and settled by
 * one `tell` or `fail`; a result counts once its `tell` promise resolves (its event is committed to the run log), and
 * then survives any crash; proposals answered from the cache are never handed out.
 */
export interface AskTell<G> {
  readonly dir: string;
  /** True once nothing more will be asked: the budget is spent (or a stop rule held) and every result is in. */
  readonly done: boolean;
  /** Handed out, not yet told. */
  readonly outstanding: number;
  /** The archive as it stands (scores are higher-is-better: a minimised fitness is negated). */
  readonly archive: ArchiveView<G>;
  /**
   * Up to `n` proposals (default: all the strategy has proposed), once the engine has asked all it can without more
   * results. Never waits for tells: with every slot handed out it resolves to `[]`, as it does once `done`.
   * @throws {AskTellError} after close; the run's own fault (a store error) when the run failed.
   */
  ask(n?: number): Promise<AskedProposal<G>[]>;
  /**
   * Settles proposal `id` with its result; resolves once the result is in the run log (durable), rejects if the run
   * fails first. Checks run at once (the promise need not be awaited for them).
   * @throws {AskTellError} for an id not handed out (E_UNKNOWN_ID, E_NOT_HANDED_OUT), told before (E_TOLD_TWICE),
   * a result that does not fit the archive (E_BAD_RESULT), or after close (E_CLOSED).
   */
  tell(id: number, result: EvalResult): Promise<void>;
  /** Settles proposal `id` as a failed evaluation (logged and counted, as a throw in an evaluator is). Throws as `tell`. */
  fail(id: number, message: string, kind?: Exclude<FailureKind, 'invalid'>): Promise<void>;
  /**
   * Ends the session: waits for told results to reach the log, stops the engine (proposals out are kept for the next
   * open), and writes the summary as a run does: status `done` when the budget was spent, else `interrupted`.
   */
  close(): Promise<RunSummary>;
}

/** Misuse of an ask/tell search: a programming error, thrown at once. */
export class AskTellError extends ElitesError {}

/**
 * Opens an ask/tell search: starts a run in `options.dir`, or continues the ask/tell run it holds (the saved config
 * stands; only `budget` is taken from `config`).
 * @throws {ConfigError} for an invalid config; {UsageError} for a directory that holds a run of another config, a
 * run made by `elites run`, or one locked by a live process; {StoreError} for a damaged store.
 */
export async function openAskTell<G = unknown>(
  config: AskTellConfigInput,
  options: AskTellOptions = {},
): Promise<AskTell<G>> {
  const given = parseAskTellConfig(config, options.baseDir ?? process.cwd());
  const dir = resolve(options.dir ?? defaultRunDir(given.config.name));
  const session = new Session<G>(dir, options.inFlight ?? given.config.batch);
  const external = { evaluator: standInEvaluator(given.evaluator), executor: () => session.executor };
  if (holdsRun(dir)) return reopen(session, given.config, given.evaluator, options, external);
  // As runSearch: every part that can refuse the config is built before the directory is made.
  const rng = SeededRng.fromSeed(given.config.seed);
  const parts = await assembleParts(given.config, rng, { runDir: dir, external });
  let store: RunStore | undefined;
  try {
    store = openRunStore(dir, { write: true });
    if (store.getMeta('config') !== undefined) throw alreadyHoldsARun(dir);
    await store.putMeta('config', given.config);
    await store.putMeta('geometry', parts.archive.geometry());
    await store.putMeta('evaluator', parts.evaluatorId);
    await store.putMeta('scoredBy', null);
    writeFileAtomic(join(dir, 'config.json'), `${JSON.stringify(given.config, null, 2)}\n`);
    logRun(dir, `start ${given.config.name} seed=${given.config.seed} ask/tell, evaluator ${given.evaluator.name}`);
    warn(dir, parts.warnings, options);
    return await session.begin({ config: given.config, store, rng, parts, cache: cachePolicyOf(given.config, parts) });
  } catch (error) {
    await parts.close();
    await store?.close();
    throw error;
  }
}

type External = AssembleOptions['external'];

async function reopen<G>(
  session: Session<G>,
  given: RunConfig,
  evaluator: ExternalEvaluator,
  options: AskTellOptions,
  external: External,
): Promise<AskTell<G>> {
  const { dir } = session;
  const store = openRunStore(dir, { write: true });
  let parts: Parts | undefined;
  try {
    const saved = store.getMeta<RunConfig>('config') as RunConfig;
    const savedId = store.getMeta<EvaluatorId>('evaluator');
    checkSameSearch(dir, saved, given, savedId, evaluator);
    const config: RunConfig = { ...saved, budget: given.budget };
    const checkpoint = store.loadCheckpoint();
    if (!checkpoint && store.lastSeq() >= 0)
      throw new StoreError(`${dir} has events but no checkpoint`, 'The run store is damaged; start a new run.');
    const rng = checkpoint ? SeededRng.restore(checkpoint.rng) : SeededRng.fromSeed(config.seed);
    parts = await assembleParts(config, rng, {
      runDir: dir,
      geometry: store.getMeta('geometry'),
      evaluatorId: savedId,
      external,
      ...(checkpoint ? { checkpoint } : {}),
    });
    const means = createSampleMeans();
    if (checkpoint) rebuildArchive(parts.archive, store.events(), checkpoint.seq, parts.space, config.direction, means);
    logRun(dir, `reopen (ask/tell) from event ${checkpoint?.seq ?? -1} of ${store.lastSeq()}`);
    const cache = cachePolicyOf(config, parts);
    // The log is the truth for samples too: a kill may have left the cache a sample ahead of (or behind) it.
    const corrected = await cache.restore(store.events());
    if (corrected > 0) logRun(dir, `reopen: ${corrected} pooled sample mean(s) in the cache set back to the log`);
    warn(dir, parts.warnings, options);
    return await session.begin({ config, store, rng, parts, cache, means, ...(checkpoint ? { checkpoint } : {}) });
  } catch (error) {
    await parts?.close();
    await store.close();
    throw error;
  }
}

/** True when `dir` holds a run (its config saved), as runSearch's refusal sees it. */
function holdsRun(dir: string): boolean {
  if (!existsSync(join(dir, STORE_FILE)) || lmdbFileProblem(join(dir, STORE_FILE))?.kind === 'empty') return false;
  const store = openRunStore(dir, { write: false });
  try {
    return store.getMeta('config') !== undefined;
  } finally {
    void store.close();
  }
}

/** A reopen must continue the same search: the parts that decide what is proposed may not change (budget may). */
function checkSameSearch(
  dir: string,
  saved: RunConfig,
  given: RunConfig,
  savedId: EvaluatorId | undefined,
  evaluator: ExternalEvaluator,
): void {
  if (saved.evaluator.type !== EXTERNAL_EVALUATOR)
    throw new UsageError(
      `${dir} holds a run of \`elites run\`, not an ask/tell search`,
      `Continue it with \`elites resume ${dir}\`, or open the ask/tell search in another directory.`,
    );
  const keys = ['seed', 'direction', 'space', 'search', 'archive', 'batch'] as const;
  const differs: string[] = keys.filter((k) => stableStringify(saved[k]) !== stableStringify(given[k]));
  if (savedId?.name !== evaluator.name || savedId.version !== evaluator.version) differs.push('evaluator');
  if (differs.length > 0)
    throw new UsageError(
      `${dir} holds an ask/tell search with another ${differs.join(', ')}`,
      'Reopen it with the config it was started with (only budget may change), or use another directory.',
    );
}

function cachePolicyOf(config: RunConfig, parts: Parts): CachePolicy {
  return createCachePolicy(parts.resultCache, {
    mode: config.cache.mode,
    maxRepeats: config.cache.maxRepeats,
    epsilon: config.cache.epsilon,
    descriptorCount: dimsOf(config).length,
  });
}

function warn(dir: string, warnings: readonly string[], options: AskTellOptions): void {
  for (const warning of warnings) {
    logRun(dir, `warning: ${warning}`);
    options.onWarning?.(warning);
  }
}

interface BeginInput {
  readonly config: RunConfig;
  readonly store: RunStore;
  readonly rng: SeededRng;
  readonly parts: Parts;
  readonly cache: CachePolicy;
  readonly means?: SampleMeans;
  readonly checkpoint?: Checkpoint;
}

/** One open ask/tell session: the engine running over the tell executor, and the bookkeeping of ids. */
class Session<G> implements AskTell<G> {
  readonly executor: TellExecutor;
  private idle = false; // the engine waits for a result: all it could ask is asked
  private ended = false;
  private failure: unknown;
  private closing: Promise<RunSummary> | undefined;
  private readonly wakers = new Set<() => void>();
  private readonly handed = new IdSet(); // ids handed out in this session (to tell a second tell from an unknown id)
  private readonly told = new Map<number, { resolve: () => void; reject: (e: unknown) => void }>();
  private readonly unsettled = new Set<Promise<void>>(); // told, not yet durable
  private readonly stop = new AbortController();
  private descriptorCount = 0;
  private run: { input: BeginInput; engine: Promise<EngineResult>; means: SampleMeans } | undefined;

  constructor(
    readonly dir: string,
    inFlight: number,
  ) {
    if (!Number.isInteger(inFlight) || inFlight < 1)
      throw new UsageError(`inFlight must be a positive integer; received ${inFlight}`, 'Pass inFlight ≥ 1.');
    this.executor = createTellExecutor(inFlight, () => this.wake());
  }

  get done(): boolean {
    return this.ended;
  }

  get outstanding(): number {
    return this.executor.out;
  }

  get archive(): ArchiveView<G> {
    return this.started().input.parts.archive as ArchiveView<G>;
  }

  async begin(input: BeginInput): Promise<AskTell<G>> {
    const { config, store } = input;
    this.descriptorCount = dimsOf(config).length;
    const means = input.means ?? createSampleMeans();
    await store.putMeta('status', 'running');
    const { space, strategy, archive, executor } = input.parts;
    const engine = runEngine({
      space,
      strategy,
      archive,
      executor,
      store: watchAppends(store, (event, committed) => this.logged(event.id, committed)),
      rng: input.rng,
      direction: config.direction,
      budget: config.budget,
      cache: input.cache,
      means,
      maxConsecutiveFailures: config.failures.maxConsecutive,
      batch: config.batch,
      logAllGenomes: config.log.genomes === 'all',
      checkpointSeconds: config.log.checkpointSeconds,
      ...(input.checkpoint ? { resumeFrom: { checkpoint: input.checkpoint, history: input.checkpoint.history } } : {}),
      stop: this.stop.signal,
      onWait: () => {
        this.idle = true;
        this.wake();
      },
    });
    this.run = { input, engine, means };
    engine.then(
      () => this.end(new AskTellError('E_NOT_LOGGED', 'the search ended before this result was logged')),
      (error: unknown) => {
        this.failure = error;
        this.end(error);
      },
    );
    return this;
  }

  async ask(n = Number.POSITIVE_INFINITY): Promise<AskedProposal<G>[]> {
    this.checkOpen('ask');
    if (!(n >= 1)) throw new AskTellError('E_ASK', `ask(n) needs n ≥ 1; received ${n}`);
    while (this.executor.waiting < n && !this.idle && !this.ended) await new Promise<void>((r) => this.wakers.add(r));
    if (this.failure) throw this.failure;
    return this.executor.handOut(n).map((task) => {
      this.handed.add(task.id);
      const asked: { -readonly [K in keyof AskedProposal<G>]: AskedProposal<G>[K] } = {
        id: task.id,
        genome: task.genome as G,
        key: task.key,
        repeat: task.repeat,
      };
      if (task.fidelity !== undefined) asked.fidelity = task.fidelity;
      return asked;
    });
  }

  tell(id: number, result: EvalResult): Promise<void> {
    this.checkSettle(id, 'tell');
    const problem = checkResult(result, this.descriptorCount, `tell(${id})`);
    if (problem)
      throw new AskTellError(
        'E_BAD_RESULT',
        problem,
        `Tell { fitness, descriptors } with one finite number per archive dimension (${this.descriptorCount}); tell a failed evaluation with fail(id, message).`,
      );
    return this.settle(id, { ok: true, result: cleanResult(result), source: 'evaluated' });
  }

  fail(id: number, message: string, kind: Exclude<FailureKind, 'invalid'> = 'threw'): Promise<void> {
    this.checkSettle(id, 'fail');
    return this.settle(id, { ok: false, failure: { kind, message: String(message) } });
  }

  close(): Promise<RunSummary> {
    this.closing ??= this.finish();
    return this.closing;
  }

  private async finish(): Promise<RunSummary> {
    const { input, engine, means } = this.started();
    const { config, store, parts } = input;
    try {
      await Promise.allSettled([...this.unsettled]); // told results reach the log before the engine stops
      this.stop.abort();
      let result: EngineResult;
      try {
        result = await engine;
      } catch (error) {
        await store.putMeta('status', 'failed').catch(() => undefined);
        logRun(this.dir, `failed: ${error instanceof Error ? error.message : String(error)}`);
        throw error;
      }
      return await finishRun({
        dir: this.dir,
        config,
        store,
        space: parts.space,
        archive: parts.archive,
        executor: parts.executor,
        result,
        samples: sampleCountsOf(config, means),
        scoredBy: undefined,
      });
    } finally {
      await parts.close();
      await store.close();
    }
  }

  private started(): NonNullable<Session<G>['run']> {
    if (!this.run) throw new Error('ask/tell: the session has not begun'); // begin() runs before the session is returned
    return this.run;
  }

  private checkOpen(call: string): void {
    if (this.closing)
      throw new AskTellError(
        'E_CLOSED',
        `${call}() after close()`,
        'Open the run directory again with openAskTell(config, { dir }) to continue it.',
      );
  }

  private checkSettle(id: number, call: 'tell' | 'fail'): void {
    this.checkOpen(call);
    if (this.failure) throw this.failure;
    if (!Number.isSafeInteger(id) || id < 0)
      throw new AskTellError('E_UNKNOWN_ID', `${call}(${id}): ids are non-negative integers from ask()`);
    const where = this.executor.where(id);
    if (where === 'out') return;
    if (where === 'waiting')
      throw new AskTellError(
        'E_NOT_HANDED_OUT',
        `${call}(${id}): proposal ${id} was not handed out yet`,
        'Ask for it first.',
      );
    if (this.handed.has(id))
      throw new AskTellError(
        'E_TOLD_TWICE',
        `${call}(${id}): proposal ${id} was told already`,
        'Tell each proposal once.',
      );
    throw new AskTellError(
      'E_UNKNOWN_ID',
      `${call}(${id}): no proposal ${id} was handed out by this session`,
      'Tell only ids from ask(); after a reopen, proposals not told before are handed out again: tell those.',
    );
  }

  private settle(id: number, result: Parameters<TellExecutor['settle']>[1]): Promise<void> {
    const durable = new Promise<void>((resolve, reject) => this.told.set(id, { resolve, reject }));
    durable.catch(() => undefined); // a fault also surfaces in ask() and close(): an unawaited tell must not crash the process
    this.unsettled.add(durable);
    void durable.finally(() => this.unsettled.delete(durable)).catch(() => undefined);
    this.idle = false; // the engine has work again: the next ask waits until it has asked what it can
    this.executor.settle(id, result);
    return durable;
  }

  /** The event of proposal `id` was appended; a told result is durable once it commits. */
  private logged(id: number, committed: Promise<void>): void {
    const waiter = this.told.get(id);
    if (!waiter) return;
    this.told.delete(id);
    committed.then(waiter.resolve, waiter.reject);
  }

  private end(reason: unknown): void {
    this.ended = true;
    for (const waiter of this.told.values()) waiter.reject(reason);
    this.told.clear();
    this.wake();
  }

  private wake(): void {
    for (const w of this.wakers) w();
    this.wakers.clear();
  }
}

/** A growable bit set of non-negative ids: a bit per proposal, where a Set would cost tens of bytes. */
class IdSet {
  private bits = new Uint8Array(1024);

  add(id: number): void {
    const byte = id >>> 3;
    if (byte >= this.bits.length) {
      const grown = new Uint8Array(Math.max(byte + 1, this.bits.length * 2));
      grown.set(this.bits);
      this.bits = grown;
    }
    this.bits[byte] = (this.bits[byte] as number) | (1 << (id & 7));
  }

  has(id: number): boolean {
    return id >= 0 && ((this.bits[id >>> 3] ?? 0) & (1 << (id & 7))) !== 0;
  }
}
