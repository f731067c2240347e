// Process executor: the evaluator runs in one long-lived child process per slot (evaluators/process), driven from
// this thread. A slot takes a task only once its process has answered setup, so the setup of a process started
// after a fault (a timeout, a crash, garbage on stdout, a memory limit) is never part of an evaluation's timeout.
import { PluginError } from '../../core/errors.js';
import { createProcessEvaluator, type ProcessEvaluator } from '../../evaluators/process/index.js';
import type { ResultCache } from '../../store/result-cache.js';
import { createEvaluationRunner, fail, type EvaluationRunner } from '../evaluation.js';
import { describeThrown } from '../plugins.js';
import type { EvalTask, EvaluatorSpec, Executor, ProgressSink, TaskResult } from './executor.js';

export interface ProcessPool extends Executor {
  /** Stops proposal `id`'s running evaluation (a decision of a pruner elsewhere: an `elites worker`'s run). */
  prune(id: number): void;
  /** Process ids of the slots whose process is running and set up, waiting or evaluating. */
  readyPids(): number[];
}

export interface ProcessPoolOptions {
  /** Where the evaluations' ctx.report()s go (the run's pruner, or an `elites worker`'s forwarder). */
  readonly progress?: ProgressSink;
  /** Level-2 lookups (fingerprints): this thread's cache, as for the inline executor. */
  readonly cache?: ResultCache;
}

interface Slot {
  readonly evaluator: ProcessEvaluator;
  readonly runner: EvaluationRunner;
  busy: boolean;
  /** Its process is being started again after a fault. */
  restarting: boolean;
  /** The last start failed: the next task given to the slot fails with this (then the slot tries again). */
  setupError?: unknown;
  /** Aborts the running evaluation (timeout, close). */
  controller?: AbortController;
  /** The proposal id of the running evaluation. */
  taskId?: number;
}

interface Queued {
  readonly task: EvalTask;
  readonly resolve: (result: TaskResult) => void;
}

/** `slots` processes of `spec.process`, each running one evaluation at a time; tasks go to the first free one. */
export function createProcessPool(spec: EvaluatorSpec, slots: number, options: ProcessPoolOptions = {}): ProcessPool {
  const processSpec = spec.process;
  if (processSpec === undefined) throw new TypeError('createProcessPool needs an evaluator spec with `process`');
  const upstream = options.progress;
  const pruned = new Set<number>();
  // Reports go up as they come (an inline pruner answers at once); a decision taken later lands in `pruned`.
  const progress: ProgressSink | undefined = upstream && {
    report: (id, step, value) => upstream.report(id, step, value),
    stopped: (id) => pruned.has(id) || upstream.stopped?.(id) === true,
  };
  const pool: Slot[] = Array.from({ length: slots }, () => {
    const evaluator = createProcessEvaluator(processSpec);
    return {
      evaluator,
      runner: createEvaluationRunner(spec, options.cache, evaluator, progress),
      busy: false,
      restarting: false,
    };
  });
  const queue: Queued[] = [];
  let closed = false;

  const stoppedResult = (): TaskResult => ({
    ok: false,
    failure: { kind: 'crashed', message: 'run stopped before the evaluation finished' },
  });

  const pump = (): void => {
    for (const slot of pool) {
      if (queue.length === 0 || closed) return;
      if (slot.busy || slot.restarting) continue;
      // A process that ended while idle is replaced before it takes a task: its setup is not the task's time.
      if (!slot.evaluator.ready && slot.setupError === undefined) restart(slot);
      else void dispatch(slot, queue.shift()!);
    }
  };

  const restart = (slot: Slot): void => {
    if (closed || slot.restarting) return;
    slot.restarting = true;
    slot.evaluator
      .setup(spec.options)
      .then(
        () => (slot.setupError = undefined),
        (error: unknown) => (slot.setupError = error),
      )
      .finally(() => {
        slot.restarting = false;
        pump();
      });
  };

  const dispatch = async (slot: Slot, { task, resolve }: Queued): Promise<void> => {
    slot.busy = true;
    let result: TaskResult;
    if (slot.setupError !== undefined) {
      result = fail('crashed', slot.setupError, 'setup of a new evaluator process failed: ');
      slot.setupError = undefined;
    } else {
      const controller = new AbortController();
      slot.controller = controller;
      slot.taskId = task.id;
      const timer = setTimeout(
        () => controller.abort(new DOMException(`evaluation exceeded ${spec.timeoutMs / 1000} s`, 'TimeoutError')),
        spec.timeoutMs,
      );
      try {
        result = await slot.runner.run(task, controller.signal);
      } finally {
        clearTimeout(timer);
        slot.controller = undefined;
        slot.taskId = undefined;
        pruned.delete(task.id);
      }
      if (!result.ok && !slot.evaluator.ready && !closed)
        result = {
          ...result,
          failure: {
            ...result.failure,
            message: `${result.failure.message}\n(a new process was started for its slot)`,
          },
        };
    }
    slot.busy = false;
    if (!slot.evaluator.ready) restart(slot);
    resolve(closed && !result.ok ? stoppedResult() : result);
    pump();
  };

  return {
    size: slots,
    async start() {
      const started = await Promise.allSettled(pool.map((slot) => slot.evaluator.setup(spec.options)));
      const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
      if (failed) {
        await Promise.allSettled(pool.map((slot) => slot.evaluator.close()));
        throw new PluginError(
          `evaluator setup failed: ${describeThrown(failed.reason)}`,
          'Fix setup(options) in the evaluator program (it runs once per process, with evaluator.options), or its evaluator.process section.',
          { cause: failed.reason },
        );
      }
    },
    submit(task) {
      if (closed) return Promise.resolve(stoppedResult());
      return new Promise<TaskResult>((resolve) => {
        queue.push({ task, resolve });
        pump();
      });
    },
    // Only a running evaluation's id is kept: prunes of evaluations elsewhere (other workers) are not ours.
    prune: (id) => void (pool.some((slot) => slot.taskId === id) && pruned.add(id)),
    readyPids: () =>
      pool.flatMap((slot) => (slot.evaluator.ready && slot.evaluator.pid !== undefined ? [slot.evaluator.pid] : [])),
    async close() {
      closed = true;
      for (const entry of queue.splice(0)) entry.resolve(stoppedResult());
      for (const slot of pool) slot.controller?.abort(new Error('the run stopped'));
      await Promise.allSettled(
        pool.map(async (slot) => {
          await slot.evaluator.close();
        }),
      );
    },
  };
}
