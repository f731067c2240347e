// The executor contract: run evaluation tasks somewhere (inline, threads, later a queue); faults are outcomes.
import type { Failure } from '../strategies/strategy.js';
import type { UnsettledFingerprints } from '../../store/result-cache.js';
import type { EvalResult } from '../../core/types.js';
import type { ProcessSpec } from '../../evaluators/process/options.js';

/** One evaluation to run. The genome travels by structured clone (genomes are plain data). */
export interface EvalTask {
  readonly id: number;
  readonly genome: unknown;
  readonly key: string;
  /** Sample index for noisy evaluators (aggregate mode); 0 otherwise. Part of the noise seed. */
  readonly repeat: number;
  /** The proposal's own fidelity and sample (racing); the spec's fidelity and sample 0 when absent. */
  readonly fidelity?: number;
  readonly sample?: number;
  /** Evaluate whatever the caches hold: no answer from a fingerprint (re-measurements, counterfactual checks). */
  readonly fresh?: boolean;
  /**
   * The main thread found no entry for the key among its own uncommitted puts and left the look-up of the committed
   * cache to the worker thread (an executor that `looksUpKeys`): a hit there is the task's result, source 'key'.
   */
  readonly lookUpKey?: boolean;
  /**
   * Fingerprint entries the main thread has put and not yet committed when the task was sent: a worker thread's
   * lookups read them before its committed snapshot, so it answers as the main thread would (the inline executor).
   */
  readonly unsettled?: UnsettledFingerprints;
}

/** Never a rejection for evaluator faults: those come back as `{ ok: false }`. */
/**
 * Where a running evaluation's reports go: the run's pruner, which answers at once (inline), or the main thread, whose
 * answer comes later through `stopped` (worker threads: report-channel.ts).
 */
export interface ProgressSink {
  report(id: number, step: number, value: number): 'continue' | 'prune';
  /** True once the pruner stopped proposal `id`'s evaluation (a decision that arrived after its report). */
  stopped?(id: number): boolean;
}

/** What a worker thread needs to report to the main thread's pruner (structured-clone safe: it travels in the spec). */
export interface ReportChannelSpec {
  /** A BroadcastChannel name, unique to the run. */
  readonly name: string;
  /** Int32 per slot: id + 1 once the pruner stopped that proposal's evaluation. */
  readonly decisions: SharedArrayBuffer;
}

/** An evaluation's intermediate report (ctx.report): [step, value]. */
export type StepReport = readonly [step: number, value: number];

export type TaskResult = (
  | {
      readonly ok: true;
      readonly result: EvalResult;
      readonly fingerprint?: string;
      /** 'key': the committed cache's entry for the task's key (a task with `lookUpKey`), nothing evaluated. */
      readonly source: 'evaluated' | 'fingerprint' | 'key';
    }
  | { readonly ok: false; readonly failure: Failure }
) & {
  /** What the evaluation reported on its way (ctx.report), in order; absent when it reported nothing. */
  readonly reports?: readonly StepReport[];
};

/** How workers build their evaluator: everything here is structured-clone safe. */
export interface EvaluatorSpec {
  /** A built-in evaluator (registry key) … */
  readonly type?: string;
  /** … or an absolute path to a plug-in module … */
  readonly module?: string;
  /** … or a program to start once per worker slot, its `cwd` absolute (evaluators/process). */
  readonly process?: ProcessSpec & { readonly cwd: string };
  readonly options: unknown;
  readonly seed: number;
  readonly fidelity: number;
  readonly timeoutMs: number;
  /** Length every result's descriptors must have (the archive's dimensions). */
  readonly descriptorCount: number;
  /** Length every result's objectives must have (the config's objectives.directions); 0 or absent: none asked for. */
  readonly objectiveCount?: number;
  /**
   * Level-2 lookups read this cache (read-only); absent when caching is off. With `samples` (aggregate mode) a
   * fingerprint is answered only once it holds that many samples: until then its code is measured again.
   */
  readonly cache?: { readonly path: string; readonly namespace: string; readonly samples?: number };
  /** The main thread's coordination memory (semaphores.ts), added by the piscina executor so all workers share it. */
  readonly sharedMemory?: SharedArrayBuffer;
  /** Where evaluations in worker threads send their ctx.report()s when the run has a pruner (report-channel.ts). */
  readonly reports?: ReportChannelSpec;
}

export interface Executor {
  /** Evaluations that can run at once. */
  readonly size: number;
  /**
   * Its workers read the committed result cache (the spec's `cache`) for a task's key when the task asks (`lookUpKey`):
   * the main thread then reads only its own uncommitted puts, and an LMDB read per proposal moves off it.
   */
  readonly looksUpKeys?: boolean;
  /**
   * Loads the evaluator and runs its setup() in the workers before the run's clock and the evaluation
   * timeouts start, so a slow model load is not mistaken for a hung evaluation.
   * @throws {PluginError} when setup fails.
   */
  start(): Promise<void>;
  submit(task: EvalTask): Promise<TaskResult>;
  /**
   * Optional fast path: runs `tasks` and returns their results in order, together. The inline executor runs them one
   * after another (one call of the evaluator's `evaluateBatch` when it has one), synchronously when the evaluator
   * answered so; the thread pool answers them in one promise while its tasks are quick (and offers no runBatch
   * otherwise: a slow task's result should not wait for the others').
   */
  runBatch?(tasks: readonly EvalTask[]): readonly TaskResult[] | Promise<readonly TaskResult[]>;
  /** Stops running work (in-flight tasks resolve as failures) and frees threads. */
  close(): Promise<void>;
}
