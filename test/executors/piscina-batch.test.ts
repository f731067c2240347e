// The thread pool's messages of several tasks: how many go in one, the order results come back in with one thread, and
// what a timeout or a crash in the middle of a message does to the tasks before and after it. Real threads (dist/).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { EvalTask, EvaluatorSpec, TaskResult } from '../../search/executors/executor.js';
import {
  createPiscinaExecutor,
  type PiscinaExecutor,
  type PiscinaExecutorOptions,
} from '../../search/executors/piscina.js';
import { openResultCache } from '../../store/result-cache.js';
import { repoRoot, useRunFiles } from '../helpers/files.js';

const probe = join(repoRoot, 'test/executors/fixtures/probe.mjs');

interface Probe {
  readonly ms?: number;
  readonly fault?: 'hang' | 'exit' | 'throw';
  readonly mark?: string;
  readonly pad?: number;
}

const spec = (timeoutMs: number, extra: Partial<EvaluatorSpec> = {}): EvaluatorSpec => ({
  module: probe,
  options: {},
  seed: 1,
  fidelity: 1,
  timeoutMs,
  descriptorCount: 1,
  ...extra,
});

const open: PiscinaExecutor[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((e) => e.close()));
});

/**
 * A started pool. `messageMs: Infinity`: once a message has been measured, every message carries `batch` tasks (or
 * what is queued), whatever this machine's speed, so a test knows which tasks share a message.
 */
async function pool(
  threads: number,
  options: PiscinaExecutorOptions & { timeoutMs?: number; cache?: EvaluatorSpec['cache'] } = {},
): Promise<PiscinaExecutor> {
  const { timeoutMs = 60_000, cache, ...rest } = options;
  const executor = createPiscinaExecutor(spec(timeoutMs, cache ? { cache } : {}), threads, {
    messageMs: Number.POSITIVE_INFINITY,
    ...rest,
  });
  open.push(executor);
  await executor.start();
  return executor;
}

let nextId = 0;
const task = (i: number, probe: Probe = {}): EvalTask => ({
  id: nextId++,
  genome: { i, ...probe },
  key: `${i}/${nextId}`,
  repeat: 0,
});

/** Runs `count` quick tasks keeping `executor.size` in flight (as the engine does); the ids in the order they resolved. */
async function drive(
  executor: PiscinaExecutor,
  tasks: EvalTask[],
): Promise<{ order: number[]; results: TaskResult[] }> {
  const order: number[] = [];
  const results: TaskResult[] = [];
  let next = 0;
  await new Promise<void>((done) => {
    const fill = (): void => {
      while (next < tasks.length && next - order.length < executor.size) {
        const t = tasks[next++] as EvalTask;
        void executor.submit(t).then((r) => {
          order.push((t.genome as { i: number }).i);
          results.push(r);
          if (order.length === tasks.length) done();
          else fill();
        });
      }
    };
    fill();
  });
  return { order, results };
}

const quick = (count: number): EvalTask[] => Array.from({ length: count }, (_, i) => task(i));
const kind = (r: TaskResult): string => (r.ok ? 'ok' : r.failure.kind);
const threadOf = (r: TaskResult): number | undefined => (r.ok ? r.result.metrics?.thread : undefined);
/** The messages and tasks sent while `run` ran. */
async function sentDuring<T>(executor: PiscinaExecutor, run: () => Promise<T>) {
  const before = executor.sent();
  const value = await run();
  const after = executor.sent();
  return { value, messages: after.messages - before.messages, tasks: after.tasks - before.tasks };
}

describe('messages of several tasks (batch)', () => {
  it('keeps two batches per thread in flight; batch 1 is one task per message; a batch below 1 is refused', async () => {
    expect(createPiscinaExecutorSize(3, 16)).toBe(96); // two batches per thread: one running, the next waiting
    const one = await pool(2);
    expect(one.size).toBe(2);
    const { messages, tasks } = await sentDuring(one, () => drive(one, quick(60)));
    expect({ messages, tasks }).toEqual({ messages: 60, tasks: 60 });
    for (const batch of [0, 1.5, Number.NaN])
      expect(() => createPiscinaExecutor(spec(1000), 1, { batch })).toThrow(/batch must be an integer ≥ 1/);
  });

  it('sends a fast evaluator many tasks per message, sized by the measured time per task', async () => {
    // Sized by the measured time (one task per message until a message has been measured), with an aim of 50 ms of
    // work per message: a busy machine's slow moments do not bring a quick evaluator down to one task per message.
    const executor = createPiscinaExecutor(spec(60_000), 1, { batch: 32, messageMs: 50 });
    open.push(executor);
    await executor.start();
    const { value, messages, tasks } = await sentDuring(executor, () => drive(executor, quick(2000)));
    expect(value.results.every((r) => r.ok)).toBe(true);
    expect(tasks).toBe(2000);
    expect(messages).toBeLessThan(2000 / 4);
  });

  it('with one thread, results resolve in the order the tasks were submitted, across throws and a crash', async () => {
    const executor = await pool(1, { batch: 8 });
    const tasks = Array.from({ length: 300 }, (_, i) =>
      task(i, i === 150 ? { fault: 'exit' } : i % 50 === 25 ? { fault: 'throw' } : {}),
    );
    // All at once, more than in flight: the tasks of a crashed message go back ahead of those still queued.
    const order: number[] = [];
    const results = await Promise.all(tasks.map((t, i) => executor.submit(t).then((r) => (order.push(i), r))));
    expect(order).toEqual(tasks.map((_, i) => i));
    expect(results.map(kind)).toEqual(tasks.map((_, i) => (i === 150 ? 'crashed' : i % 50 === 25 ? 'threw' : 'ok')));
    expect(executor.sent().messages).toBeLessThan(300 / 2);
  });

  it('a timeout mid-message fails that task only: the tasks done before it keep their results, the rest run again', async () => {
    const executor = await pool(1, { batch: 8, timeoutMs: 1500 });
    await drive(executor, quick(50)); // measured: the next message carries all eight
    const tasks = [0, 1, 2, 3, 4, 5, 6, 7].map((i) => task(i, i === 3 ? { fault: 'hang' } : {}));
    const { value: results, messages } = await sentDuring(executor, () => Promise.all(tasks.map(executor.submit)));
    expect(messages).toBe(2); // all eight, then the four after the hang on the replacement thread
    expect(results.map(kind)).toEqual(['ok', 'ok', 'ok', 'timeout', 'ok', 'ok', 'ok', 'ok']);
    const threads = results.map(threadOf);
    // Done before the hang: answered from the killed thread's message, not evaluated again by its replacement.
    expect(new Set(threads.slice(0, 3)).size).toBe(1);
    expect(new Set(threads.slice(4)).size).toBe(1);
    expect(threads[4]).not.toBe(threads[0]);
  }, 60_000);

  it('a crash mid-message fails that task only: the tasks done before it keep their results, the rest run again', async () => {
    const executor = await pool(1, { batch: 8 });
    await drive(executor, quick(50));
    const tasks = [0, 1, 2, 3, 4].map((i) => task(i, i === 2 ? { fault: 'exit' } : {}));
    const {
      value: results,
      messages,
      tasks: sent,
    } = await sentDuring(executor, () => Promise.all(tasks.map(executor.submit)));
    expect({ messages, sent }).toEqual({ messages: 2, sent: 7 });
    expect(results.map(kind)).toEqual(['ok', 'ok', 'crashed', 'ok', 'ok']);
    expect(results[2]).toMatchObject({ failure: { message: expect.stringMatching(/exited with code 3/) } });
    const threads = results.map(threadOf);
    expect(threads[1]).toBe(threads[0]);
    expect(threads[4]).toBe(threads[3]);
    expect(threads[3]).not.toBe(threads[0]);
  }, 60_000);

  it("each task's timeout starts when the thread starts it, not when its message was sent", async () => {
    // Five 250 ms tasks in one message: 1.25 s in all, beyond one task's 0.8 + 0.25 s.
    const executor = await pool(1, { batch: 5, timeoutMs: 800 });
    await drive(executor, quick(50));
    const tasks = [0, 1, 2, 3, 4].map((i) => task(i, { ms: 250 }));
    const { value: results, messages } = await sentDuring(executor, () => Promise.all(tasks.map(executor.submit)));
    expect(messages).toBe(1);
    expect(results.map(kind)).toEqual(['ok', 'ok', 'ok', 'ok', 'ok']);
  }, 60_000);

  it('posts the next message while the thread runs one: the thread goes on while the main thread is busy', async () => {
    const executor = await pool(1, { batch: 2 });
    await drive(executor, quick(50)); // measured as quick: a second message may wait beside the running one
    const mark = join(useRunFiles(), 'third-started');
    // Two messages of two 30 ms tasks; the third task (the second message's first) marks its start.
    const tasks = [0, 1, 2, 3].map((i) => task(i, i === 2 ? { ms: 30, mark } : { ms: 30 }));
    const results = Promise.all(tasks.map(executor.submit));
    await new Promise((resolve) => setImmediate(resolve)); // the pool posts what is queued
    // This thread blocks until the third task has started: only a message already posted can start it meanwhile.
    const deadline = Date.now() + 20_000;
    while (!existsSync(mark) && Date.now() < deadline);
    expect(existsSync(mark)).toBe(true);
    expect((await results).map(kind)).toEqual(['ok', 'ok', 'ok', 'ok']);
  }, 60_000);

  it("a timeout in one message while the next waits: both messages' other tasks run, in order, on the new thread", async () => {
    const executor = await pool(1, { batch: 4, timeoutMs: 1500 });
    await drive(executor, quick(50));
    const tasks = [0, 1, 2, 3, 4, 5, 6, 7].map((i) => task(i, i === 1 ? { fault: 'hang' } : {}));
    const order: number[] = [];
    const { value: results, messages } = await sentDuring(executor, () =>
      Promise.all(tasks.map((t, i) => executor.submit(t).then((r) => (order.push(i), r)))),
    );
    expect(messages).toBeGreaterThanOrEqual(3); // 0–3 and 4–7 posted together; after the hang, 2–7 again
    expect(order).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(results.map(kind)).toEqual(['ok', 'timeout', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok']);
    const threads = results.map(threadOf);
    expect(new Set(threads.slice(2)).size).toBe(1);
    expect(threads[2]).not.toBe(threads[0]);
  }, 60_000);

  it('results too large for the shared memory come on the port: every task runs once, results in submission order', async () => {
    const executor = await pool(1, { batch: 8 });
    await drive(executor, quick(50));
    // 40 KB failure messages: three fill a message's 128 KiB of results; the next message is posted meanwhile.
    const tasks = Array.from({ length: 16 }, (_, i) => task(i, i < 8 ? { fault: 'throw', pad: 40_000 } : {}));
    const order: number[] = [];
    const { value: results, tasks: sent } = await sentDuring(executor, () =>
      Promise.all(tasks.map((t, i) => executor.submit(t).then((r) => (order.push(i), r)))),
    );
    expect(sent).toBe(16); // none sent again
    expect(order).toEqual(tasks.map((_, i) => i));
    expect(results.map(kind)).toEqual(tasks.map((_, i) => (i < 8 ? 'threw' : 'ok')));
    expect(results[7]).toMatchObject({
      failure: { message: expect.stringMatching(/^deliberate throw at 7\.{40000}/) },
    });
  }, 60_000);

  it('a fingerprinting evaluator with a cache gets one task per message (its lookups must see every earlier result)', async () => {
    const dir = useRunFiles();
    const location = { path: join(dir, 'cache.mdb'), namespace: 'probe' };
    const cache = openResultCache(location); // the file the threads read
    try {
      const executor = await pool(1, { batch: 8, cache: location });
      const { messages, tasks } = await sentDuring(executor, () => drive(executor, quick(100)));
      expect({ messages, tasks }).toEqual({ messages: 100, tasks: 100 });
    } finally {
      await cache.close();
    }
  });
});

/** `size` without starting threads that would only be closed again. */
function createPiscinaExecutorSize(threads: number, batch: number): number {
  const executor = createPiscinaExecutor(spec(1000), threads, { batch });
  open.push(executor);
  return executor.size;
}
