// Tell executor (ask/tell): a submitted task waits until the program that opened the search takes it and tells its result.
import type { EvalTask, Executor, TaskResult } from './executor.js';

export interface TellExecutor extends Executor {
  /** Tasks submitted and not yet handed out. */
  readonly waiting: number;
  /** Tasks handed out and not yet settled. */
  readonly out: number;
  /** Up to `n` of the waiting tasks, oldest (lowest id) first; each then awaits `settle`. */
  handOut(n: number): EvalTask[];
  /** Where task `id` is: waiting (submitted, not handed out), out (handed out, not settled), or neither. */
  where(id: number): 'waiting' | 'out' | undefined;
  /** Completes task `id` (which must be out) with `result`: its submit() resolves. */
  settle(id: number, result: TaskResult): void;
}

interface Entry {
  readonly task: EvalTask;
  readonly resolve: (result: TaskResult) => void;
}

/**
 * `size`: tasks the engine may keep in flight (handed out or waiting). `onSubmit` runs after each submit, so an ask
 * waiting for a fuller batch can look again. Invariant: a task is waiting, then out, then settled, never twice.
 */
export function createTellExecutor(size: number, onSubmit: () => void): TellExecutor {
  const waiting = new Map<number, Entry>(); // insertion order = submit order = id order
  const out = new Map<number, Entry>();
  const closedResult: TaskResult = {
    ok: false,
    failure: { kind: 'crashed', message: 'the ask/tell session closed before this proposal was told' },
  };
  return {
    size,
    get waiting() {
      return waiting.size;
    },
    get out() {
      return out.size;
    },
    async start() {},
    submit(task) {
      return new Promise<TaskResult>((resolve) => {
        waiting.set(task.id, { task, resolve });
        onSubmit();
      });
    },
    handOut(n) {
      const tasks: EvalTask[] = [];
      for (const [id, entry] of waiting) {
        if (tasks.length >= n) break;
        waiting.delete(id);
        out.set(id, entry);
        tasks.push(entry.task);
      }
      return tasks;
    },
    where(id) {
      return waiting.has(id) ? 'waiting' : out.has(id) ? 'out' : undefined;
    },
    settle(id, result) {
      const entry = out.get(id);
      if (!entry) throw new Error(`tell executor: task ${id} is not out`); // the session checks first
      out.delete(id);
      entry.resolve(result);
    },
    async close() {
      // The engine has stopped listening (its in-flight table is closed): these answers are dropped, and the
      // proposals stay pending in the final checkpoint, to be handed out again on reopen.
      for (const entry of [...waiting.values(), ...out.values()]) entry.resolve(closedResult);
      waiting.clear();
      out.clear();
    },
  };
}
