// One open ask/tell session: the engine running over the tell executor, and the bookkeeping that checks each id.
import type { ArchiveView } from '../archive/archive.js';
import { ElitesError, UsageError } from '../core/errors.js';
import type { SeededRng } from '../core/rng.js';
import type { EvalResult } from '../core/types.js';
import type { Checkpoint } from '../store/events.js';
import type { RunStore } from '../store/run-store.js';
import { watchAppends } from './ask-tell-store.js';
import type { CachePolicy } from './cache-policy.js';
import { dimsOf, objectiveCountOf, type RunConfig } from './config.js';
import { runEngine, type EngineResult } from './engine.js';
import { checkResult, cleanResult } from './evaluation.js';
import { createTellExecutor, type TellExecutor } from './executors/tell.js';
import { finishRun } from './finish.js';
import { logsEveryGenome, type Parts } from './parts.js';
import { logRun } from './run-dir.js';
import { RunTally } from './tally.js';
import { createSampleMeans, sampleCountsOf, type SampleMeans } from './sample-means.js';
import type { FailureKind } from './strategies/strategy.js';
import type { RunSummary } from './summary.js';

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

const FAIL_KINDS: readonly string[] = ['threw', 'timeout', 'crashed'] satisfies Exclude<FailureKind, 'invalid'>[];

/** Misuse of an ask/tell search: a programming error, thrown at once. */
export class AskTellError extends ElitesError {}

export interface BeginInput {
  readonly config: RunConfig;
  readonly store: RunStore;
  readonly rng: SeededRng;
  readonly parts: Parts;
  readonly cache: CachePolicy;
  readonly means?: SampleMeans;
  /** The log's tally at the checkpoint (a reopened search); a new one starts empty. */
  readonly tally?: RunTally;
  readonly checkpoint?: Checkpoint;
}

/** One open ask/tell session: the engine running over the tell executor, and the bookkeeping of ids. */
export class Session<G> implements AskTell<G> {
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
  private objectiveCount = 0;
  private run: { input: BeginInput; engine: Promise<EngineResult>; means: SampleMeans } | undefined;

  /** `release`: runs once the session has closed (its store is closed). */
  constructor(
    readonly dir: string,
    inFlight: number,
    private readonly release: () => void,
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
    this.objectiveCount = objectiveCountOf(config);
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
      ...(config.objectives ? { objectives: config.objectives.directions } : {}),
      budget: config.budget,
      cache: input.cache,
      means,
      tally: input.tally ?? new RunTally(archive),
      maxConsecutiveFailures: config.failures.maxConsecutive,
      batch: config.batch,
      logAllGenomes: logsEveryGenome(config, archive),
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
    n = Math.floor(n);
    while (this.executor.waiting < n && !this.idle && !this.ended) await new Promise<void>((r) => this.wakers.add(r));
    this.checkOpen('ask'); // close() while this ask waited: what is waiting stays for the next open
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
    const problem = checkResult(result, this.descriptorCount, `tell(${id})`, this.objectiveCount);
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
    if (!FAIL_KINDS.includes(kind))
      throw new AskTellError(
        'E_BAD_RESULT',
        `fail(${id}): kind ${String(kind)}; expected one of ${FAIL_KINDS.join(', ')}`,
      );
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
      this.release();
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
