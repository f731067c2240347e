// One evaluation, the same code inline and in a worker: noise seed, fingerprint lookup, evaluate, validate.
import { usableEntry } from './cache-policy.js';
import type { CacheEntry, ResultCache } from '../store/result-cache.js';
import { evaluators } from '../evaluators/registry.js';
import type { EvalTask, EvaluatorSpec, ProgressSink, StepReport, TaskResult } from './executors/executor.js';

export type { ProgressSink } from './executors/executor.js';
import { describeThrown, loadEvaluatorModule } from './plugins.js';
import { EvaluatorFault } from '../core/errors.js';
import { rngFromSeed } from '../core/rng.js';
import { fidelityKey, type Failure } from './strategies/strategy.js';
import type { EvalContext, EvalResult, Evaluator, Rng } from '../core/types.js';

/** Runs tasks for one evaluator spec; `setup()` happens once, on the first task. */
export interface EvaluationRunner {
  /** Loads the evaluator (unless given) and runs its setup() once; rejects with the setup error. */
  warmUp(): Promise<void>;
  run(task: EvalTask, signal: AbortSignal): Promise<TaskResult>;
  /**
   * `run` without a promise when it can: after warmUp, an evaluator that answers synchronously (and has no
   * fingerprint) gives its result at once. Faults are outcomes, as in `run`.
   */
  runNow(task: EvalTask, signal: AbortSignal): TaskResult | Promise<TaskResult>;
  /**
   * Many tasks in one call of the evaluator's `evaluateBatch`, synchronously when it answers so; undefined when the
   * evaluator has no evaluateBatch (or a fingerprint, or is not set up yet): then run the tasks one by one.
   */
  runBatchNow(
    tasks: readonly EvalTask[],
    signal: AbortSignal,
  ): readonly TaskResult[] | Promise<readonly TaskResult[]> | undefined;
}

/** Builds the evaluator named by a spec (built-in or plug-in). @throws {PluginError} for a bad module. */
export async function loadEvaluator(
  spec: Pick<EvaluatorSpec, 'type' | 'module' | 'process' | 'options'>,
): Promise<Evaluator<unknown>> {
  if (spec.module !== undefined) return loadEvaluatorModule(spec.module);
  // Creating it starts no process: only setup() does (the process executor's, once per slot).
  if (spec.process !== undefined)
    return (await import('../evaluators/process/index.js')).createProcessEvaluator(spec.process);
  const entry =
    spec.type !== undefined && Object.hasOwn(evaluators, spec.type)
      ? evaluators[spec.type as keyof typeof evaluators]
      : undefined;
  if (!entry) throw new Error(`unknown evaluator type ${String(spec.type)}`);
  return (await entry.create(spec.options, undefined)) as Evaluator<unknown>;
}

/**
 * What an evaluator sees besides the genome. `rng` is made on first use only: seeding a stream from a string costs
 * more than a cheap objective, and most evaluators never draw from it. (A class: its getter is shared, not a
 * closure per evaluation.)
 */
class TaskContext implements EvalContext {
  private stream: Rng | undefined;
  readonly options: unknown;
  readonly fidelity: number;
  readonly sample: number;
  /** What the evaluation reported so far (made on the first report: most evaluations report nothing). */
  reports: StepReport[] | undefined;
  /** The report at which the pruner stopped this evaluation. */
  prunedAt: StepReport | undefined;

  constructor(
    private readonly spec: EvaluatorSpec,
    private readonly task: EvalTask,
    readonly signal: AbortSignal,
    private readonly progress: ProgressSink | undefined,
  ) {
    this.options = spec.options ?? {};
    this.fidelity = task.fidelity ?? spec.fidelity;
    this.sample = task.sample ?? 0;
  }

  get rng(): Rng {
    this.stream ??= rngFromSeed(`${this.spec.seed}/${this.task.key}/${this.task.repeat}`);
    return this.stream;
  }

  report(step: number, value: number): void {
    if (typeof step !== 'number' || !Number.isFinite(step) || typeof value !== 'number' || Number.isNaN(value))
      throw new TypeError(
        `ctx.report(step, value) needs a finite step and a number value, got (${String(step)}, ${String(value)})`,
      );
    if (this.prunedAt) return; // stopped already: later reports change nothing
    const last = this.reports?.at(-1);
    if (last && step <= last[0])
      throw new RangeError(`ctx.report: step ${step} after step ${last[0]}; steps must increase`);
    (this.reports ??= []).push([step, value]);
    if (this.progress?.report(this.task.id, step, value) === 'prune') this.prunedAt = [step, value];
  }

  shouldStop(): boolean {
    if (this.prunedAt === undefined && this.reports && this.progress?.stopped?.(this.task.id))
      this.prunedAt = this.reports.at(-1); // the decision came back from the main thread after that report
    return this.prunedAt !== undefined;
  }
}

function contextOf(
  spec: EvaluatorSpec,
  task: EvalTask,
  signal: AbortSignal,
  progress: ProgressSink | undefined,
): TaskContext {
  return new TaskContext(spec, task, signal, progress);
}

/**
 * A task's result with what its evaluation reported: a pruned evaluation is a `pruned` outcome whatever it returned
 * or threw afterwards (it was told to stop); reports ride along with any other result.
 */
function withReports(result: TaskResult, ctx: TaskContext): TaskResult {
  ctx.shouldStop(); // a decision that arrived after the evaluation's last look still makes it a pruned outcome
  if (ctx.prunedAt) {
    const [step, value] = ctx.prunedAt;
    return {
      ok: false,
      failure: { kind: 'pruned', message: `pruned at step ${step} (value ${value})` },
      reports: ctx.reports!,
    };
  }
  return ctx.reports ? { ...result, reports: ctx.reports } : result;
}

/**
 * `cache`: the result cache this thread reads (the caller opens and closes it; a worker thread opens its own, see
 * worker.ts). `loaded`: the evaluator already loaded in this thread (the main thread's, inline), so it is not loaded
 * twice.
 */
export function createEvaluationRunner(
  spec: EvaluatorSpec,
  cache?: ResultCache,
  loaded?: Evaluator<unknown>,
  progress?: ProgressSink,
): EvaluationRunner {
  let ready: Promise<Evaluator<unknown>> | undefined;
  let readyNow: Evaluator<unknown> | undefined; // set once setup has succeeded: the synchronous path may run
  const loadAndSetUp = async (): Promise<Evaluator<unknown>> => {
    const evaluator = loaded ?? (await loadEvaluator(spec));
    // Once per worker, with the config's options: plug-ins read them here; heavy built-ins load models here.
    await evaluator.setup?.(spec.options ?? {});
    readyNow = evaluator;
    return evaluator;
  };
  /** A result as the engine takes it: checked, copied clean, or a failure naming the problem. */
  const accept = (raw: unknown, fingerprint?: string): TaskResult => {
    const problem = checkResult(raw, spec.descriptorCount, 'evaluate()', spec.objectiveCount ?? 0);
    if (problem) return { ok: false, failure: { kind: 'invalid', message: problem } };
    const result = cleanResult(raw as EvalResult);
    return fingerprint === undefined
      ? { ok: true, result, source: 'evaluated' }
      : { ok: true, result, fingerprint, source: 'evaluated' };
  };

  /**
   * The committed cache's entry for the task's key, when the main thread left that look-up here (`lookUpKey`): with
   * the descriptors and objectives the run asks for, as the main thread's own look-up would accept it.
   */
  const keyHit = (task: EvalTask): TaskResult | undefined => {
    if (!task.lookUpKey) return undefined;
    const entry = cache?.byKey(task.key);
    return usableEntry(entry, spec) ? { ok: true, result: entry.result, source: 'key' } : undefined;
  };

  const run = async (task: EvalTask, signal: AbortSignal): Promise<TaskResult> => {
    const hit = keyHit(task);
    if (hit) return hit;
    let evaluator: Evaluator<unknown>;
    try {
      ready ??= loadAndSetUp();
      evaluator = await ready;
    } catch (error) {
      ready = undefined; // a later task retries setup (it may have been transient)
      return fail('threw', error, 'setup failed: ');
    }
    const ctx = contextOf(spec, task, signal, progress);
    try {
      let fingerprint: string | undefined;
      if (evaluator.fingerprint) {
        // At a proposal's own fidelity the same behaviour scores differently: the fidelity is part of the lookup.
        fingerprint = fidelityKey(
          String(await evaluator.fingerprint(task.genome, ctx)),
          task.fidelity === undefined ? undefined : { level: task.fidelity, sample: task.sample ?? 0 },
        );
        // Aggregate mode: the code is the unit of noise, so a fingerprint with too few samples is measured again
        // (whichever key proposed it); otherwise a known fingerprint answers a key's first evaluation.
        const hit = lookUpFingerprint(fingerprint, task, cache);
        const answers =
          hit !== undefined && (spec.cache?.samples !== undefined ? hit.n >= spec.cache.samples : task.repeat === 0);
        if (answers && !task.fresh) return answerFromFingerprint(evaluator, task.genome, hit, fingerprint, ctx, spec);
      }
      return withReports(accept(await evaluator.evaluate(task.genome, ctx), fingerprint), ctx);
    } catch (error) {
      return withReports(fail('threw', error), ctx);
    }
  };

  const runNow = (task: EvalTask, signal: AbortSignal): TaskResult | Promise<TaskResult> => {
    const evaluator = readyNow;
    if (!evaluator || evaluator.fingerprint) return run(task, signal);
    const hit = keyHit(task);
    if (hit) return hit;
    let raw: EvalResult | Promise<EvalResult>;
    const ctx = contextOf(spec, task, signal, progress);
    try {
      raw = evaluator.evaluate(task.genome, ctx);
    } catch (error) {
      return withReports(fail('threw', error), ctx);
    }
    return raw instanceof Promise
      ? raw.then(
          (r) => withReports(accept(r), ctx),
          (error: unknown) => withReports(fail('threw', error), ctx),
        )
      : withReports(accept(raw), ctx);
  };

  return {
    async warmUp() {
      try {
        ready ??= loadAndSetUp();
        await ready;
      } catch (error) {
        ready = undefined;
        throw error;
      }
    },
    run,
    runNow,
    runBatchNow(tasks, signal) {
      const evaluator = readyNow;
      if (!evaluator?.evaluateBatch || evaluator.fingerprint) return undefined;
      let raw: readonly EvalResult[] | Promise<readonly EvalResult[]>;
      try {
        raw = evaluator.evaluateBatch(
          tasks.map((t) => t.genome),
          tasks.map((t) => contextOf(spec, t, signal, undefined)), // a batch of cheap objectives reports nothing
        );
      } catch (error) {
        const failure = fail('threw', error);
        return tasks.map(() => failure);
      }
      const acceptAll = (results: readonly EvalResult[]): readonly TaskResult[] => {
        if (!Array.isArray(results) || results.length !== tasks.length) {
          const message = `evaluateBatch() returned ${Array.isArray(results) ? `${results.length} results` : typeof results} for ${tasks.length} genomes; expected one result per genome, in order`;
          return tasks.map(() => ({ ok: false, failure: { kind: 'invalid', message } }));
        }
        return results.map((r) => accept(r));
      };
      return raw instanceof Promise
        ? raw.then(acceptAll, (error: unknown) => {
            const failure = fail('threw', error);
            return tasks.map(() => failure);
          })
        : acceptAll(raw);
    },
  };
}

/**
 * The main thread's view of a fingerprint: its puts not yet committed (sent with the task to a worker thread, which
 * reads committed data only) before the cache itself. Inline, the cache is the main thread's and sees them already.
 */
function lookUpFingerprint(
  fingerprint: string,
  task: EvalTask,
  cache: ResultCache | undefined,
): CacheEntry | undefined {
  const unsettled = task.unsettled?.find(([f]) => f === fingerprint);
  return unsettled !== undefined ? unsettled[1] : cache?.byFingerprint(fingerprint);
}

/**
 * A fingerprint hit's answer: the result cached for another genome with the same behaviour, made this genome's by
 * the evaluator's describe() (validated like evaluate()'s result; a throw is a failure outcome). Without describe(),
 * the cached result whole: right for an evaluator whose fingerprint determines its descriptors and metrics
 * (`fingerprintDeterminesResult`); for any other the run warned at its start (search/parts.ts).
 */
async function answerFromFingerprint(
  evaluator: Evaluator<unknown>,
  genome: unknown,
  hit: CacheEntry,
  fingerprint: string,
  ctx: EvalContext,
  spec: EvaluatorSpec,
): Promise<TaskResult> {
  if (evaluator.describe === undefined) return { ok: true, result: hit.result, fingerprint, source: 'fingerprint' };
  let raw: EvalResult;
  try {
    // A copy: inline, the cached object is the cache's own, and describe() may edit what it is given.
    raw = await evaluator.describe(genome, structuredClone(hit.result), ctx);
  } catch (error) {
    return fail('threw', error, 'describe() failed: ');
  }
  const problem = checkResult(raw, spec.descriptorCount, 'describe()', spec.objectiveCount ?? 0);
  if (problem) return { ok: false, failure: { kind: 'invalid', message: problem } };
  return { ok: true, result: cleanResult(raw), fingerprint, source: 'fingerprint' };
}

/** A failure outcome from anything thrown; never throws itself (a thrown symbol or unprintable object still gets a message). */
export function fail(kind: Failure['kind'], error: unknown, prefix = ''): { ok: false; failure: Failure } {
  const message = prefix + describeThrown(error);
  // A fault of the evaluator's process (it died, timed out) is its own kind; our stack would say nothing about it.
  if (error instanceof EvaluatorFault) return { ok: false, failure: { kind: error.kind, message } };
  let stack: unknown;
  try {
    stack = error instanceof Error ? error.stack : undefined;
  } catch {
    stack = undefined;
  }
  return { ok: false, failure: typeof stack === 'string' ? { kind, message, stack } : { kind, message } };
}

/** Why a returned value is not a usable EvalResult, or undefined when it is; `from` names the hook that returned it. */
export function checkResult(
  raw: unknown,
  descriptorCount: number,
  from = 'evaluate()',
  objectiveCount = 0,
): string | undefined {
  if (raw === null || typeof raw !== 'object')
    return `${from} returned ${raw === null ? 'null' : typeof raw}; expected { fitness, descriptors }`;
  const problem = fieldProblem(raw as Record<string, unknown>, descriptorCount, objectiveCount);
  return problem === undefined || from === 'evaluate()' ? problem : `${from}: ${problem}`;
}

function fieldProblem(r: Record<string, unknown>, descriptorCount: number, objectiveCount: number): string | undefined {
  if (typeof r.fitness !== 'number' || !Number.isFinite(r.fitness))
    return `fitness is ${describeValue(r.fitness)}; expected a finite number`;
  const d = r.descriptors;
  if (descriptorCount > 0 || d !== undefined) {
    // An archive without descriptor dims (pareto) takes whatever descriptors an evaluator reports, as metrics of a kind.
    const length = descriptorCount > 0 ? descriptorCount : undefined;
    const problem = vectorProblem('descriptors', d, length, `the archive has ${descriptorCount} dimension(s)`);
    if (problem) return problem;
  }
  if (r.tiebreak !== undefined && !(Array.isArray(r.tiebreak) && r.tiebreak.every((v) => Number.isFinite(v))))
    return 'tiebreak must be an array of finite numbers';
  const o = r.objectives;
  if (objectiveCount > 0 && o === undefined)
    return `objectives is missing; the config's objectives.directions lists ${objectiveCount} (return objectives: number[] from the evaluator)`;
  if (o !== undefined) {
    const problem = vectorProblem(
      'objectives',
      o,
      objectiveCount > 0 ? objectiveCount : undefined,
      `the config's objectives.directions lists ${objectiveCount}`,
    );
    if (problem) return problem;
  }
  if (r.metrics !== undefined) {
    if (r.metrics === null || typeof r.metrics !== 'object' || Array.isArray(r.metrics))
      return `metrics is ${describeValue(r.metrics)}; expected an object of numbers`;
    const metrics = r.metrics as Record<string, unknown>;
    for (const name in metrics) {
      if (!Object.hasOwn(metrics, name)) continue;
      const v = metrics[name];
      if (typeof v !== 'number')
        return `metrics.${name} is ${describeValue(v)}; metrics must be numbers (functions, symbols and objects cannot be logged)`;
    }
  }
  return undefined;
}

/** Why `v` is not an array (or typed array) of finite numbers of `length` (any length when undefined). */
function vectorProblem(name: string, v: unknown, length: number | undefined, why: string): string | undefined {
  if (!Array.isArray(v) && !ArrayBuffer.isView(v))
    return `${name} is ${describeValue(v)}; expected an array of ${length ?? 'finite'} numbers`;
  const arr = v as ArrayLike<unknown>; // read in place: this runs for every result, and a copy would be garbage
  if (length !== undefined && arr.length !== length) return `${name} has length ${arr.length}; ${why}`;
  for (let i = 0; i < arr.length; i++) {
    const x = arr[i];
    if (typeof x !== 'number' || !Number.isFinite(x))
      return `${name}[${i}] is ${describeValue(x)}; expected a finite number`;
  }
  return undefined;
}

function describeValue(v: unknown): string {
  if (typeof v === 'number') return String(v);
  if (v === undefined) return 'missing';
  if (v === null) return 'null';
  return typeof v === 'object' && Array.isArray(v) ? 'an array' : `a ${typeof v}`;
}

/**
 * Only the documented fields survive, copied into fresh arrays and objects of numbers: nothing of the evaluator's
 * objects (extra properties, prototypes, proxies) reaches the log, and a result always crosses a thread by structured clone.
 */
export function cleanResult(raw: EvalResult): EvalResult {
  const out: EvalResult = { fitness: raw.fitness };
  if (raw.descriptors !== undefined) out.descriptors = numbers(raw.descriptors);
  if (raw.tiebreak !== undefined) out.tiebreak = numbers(raw.tiebreak);
  if (raw.objectives !== undefined) out.objectives = numbers(raw.objectives);
  if (raw.metrics !== undefined) {
    const metrics: Record<string, number> = {};
    // for-in with an own-property check (the keys Object.keys would give, in its order) reads V8's enum cache
    // instead of allocating a key array for every result.
    for (const k in raw.metrics) {
      if (!Object.hasOwn(raw.metrics, k)) continue;
      const v = raw.metrics[k];
      if (typeof v !== 'number') continue;
      // A key such as __proto__ must become an own property, not change the object's prototype.
      if (k === '__proto__')
        Object.defineProperty(metrics, k, { value: v, enumerable: true, writable: true, configurable: true });
      else metrics[k] = v;
    }
    out.metrics = metrics;
  }
  return out;
}

/** A fresh array of the numbers (checked finite by fieldProblem): a plain loop, cheaper than Array.from with a map. */
function numbers(xs: ArrayLike<number>): number[] {
  const out = new Array<number>(xs.length);
  for (let i = 0; i < xs.length; i++) out[i] = Number(xs[i]);
  return out;
}
