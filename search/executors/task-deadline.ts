// The soft timeout (ctx.signal) of tasks that a thread runs one after another. One signal and one timer for a
// message's tasks, not a controller and a timer per task: those cost a few µs each, as much as a cheap evaluation.
// The main thread enforces the hard timeout by terminating the thread; this lets evaluators stop politely first.

export interface TaskDeadlines {
  /** A task starts now: its signal aborts `timeoutMs` from now unless `stop` or the next `start` comes first. */
  start(): AbortSignal;
  /** The message is done: no timer is left behind. */
  stop(): void;
  /**
   * No task runs until the next `start` (a lane between batches): nothing is aborted meanwhile, and a timer that is
   * armed lapses rather than be cleared and made again for every batch.
   */
  pause(): void;
}

export function taskDeadlines(timeoutMs: number): TaskDeadlines {
  let controller = new AbortController();
  let deadline = Number.POSITIVE_INFINITY;
  let timer: NodeJS.Timeout | undefined;
  // The timer is armed for the first task's deadline; when it fires early (for a later task), it is armed again.
  const check = (): void => {
    timer = undefined;
    const left = deadline - performance.now();
    if (left > 0) {
      if (deadline !== Number.POSITIVE_INFINITY) timer = setTimeout(check, left);
      return;
    }
    deadline = Number.POSITIVE_INFINITY;
    controller.abort(new DOMException(`evaluation exceeded ${timeoutMs / 1000} s`, 'TimeoutError'));
  };
  return {
    start() {
      if (controller.signal.aborted) controller = new AbortController(); // the next task is not born timed out
      deadline = performance.now() + timeoutMs;
      timer ??= setTimeout(check, timeoutMs);
      return controller.signal;
    },
    stop() {
      clearTimeout(timer);
      timer = undefined;
      deadline = Number.POSITIVE_INFINITY;
    },
    pause() {
      deadline = Number.POSITIVE_INFINITY;
    },
  };
}
