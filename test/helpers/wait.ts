// Waiting for a state instead of sleeping a fixed time: a loaded machine only makes the wait longer, never wrong.
import { setTimeout as sleep } from 'node:timers/promises';

export interface WaitOptions {
  /** Give up after this long (default 30 s: generous, a loaded 2-core box can be 10× slower than a quiet one). */
  readonly timeoutMs?: number;
  /** Between polls (default 25 ms). */
  readonly intervalMs?: number;
  /** What is awaited, for the timeout message: "the run's config to be saved". */
  readonly what: string;
  /** Extra detail for the timeout message (e.g. a child's stderr so far). */
  readonly detail?: () => string;
}

/**
 * Polls `probe` until it returns something other than `undefined` or `false`, and returns that value.
 * @throws naming `what` and the time waited when `timeoutMs` passes first.
 */
export async function waitFor<T>(
  probe: () => T | Promise<T>,
  options: WaitOptions,
): Promise<Exclude<T, false | undefined>> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const started = performance.now();
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value as Exclude<T, false | undefined>;
    const waited = performance.now() - started;
    if (waited > timeoutMs) {
      const detail = options.detail?.();
      throw new Error(
        `timed out after ${Math.round(waited)} ms waiting for ${options.what}${detail ? `\n${detail}` : ''}`,
      );
    }
    await sleep(options.intervalMs ?? 25);
  }
}
