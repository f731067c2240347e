// The thread pool's batches of typed-array genomes, packed in a lane's shared memory: exact both ways (the same results
// as evaluated on this thread), answered a batch at a time through runBatch once quick, and with what a crash, a timeout
// or a result too large for the lane does to the tasks before and after it. Real threads (dist/).
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { rngFromSeed } from '../../core/rng.js';
import type { EvalTask, EvaluatorSpec, TaskResult } from '../../search/executors/executor.js';
import { createInlineExecutor } from '../../search/executors/inline.js';
import {
  createPiscinaExecutor,
  type PiscinaExecutor,
  type PiscinaExecutorOptions,
} from '../../search/executors/piscina.js';
import { repoRoot } from '../helpers/files.js';

const typedProbe = join(repoRoot, 'test/executors/fixtures/typed-probe.mjs');
const probe = join(repoRoot, 'test/executors/fixtures/probe.mjs');

const spec = (timeoutMs: number, module = typedProbe): EvaluatorSpec => ({
  module,
  options: {},
  seed: 7,
  fidelity: 1,
  timeoutMs,
  descriptorCount: 1,
});

const open: PiscinaExecutor[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((e) => e.close()));
});

/** A started pool; `messageMs: Infinity`: once measured, a batch carries `batch` tasks (or what is queued). */
async function pool(
  threads: number,
  options: PiscinaExecutorOptions & { timeoutMs?: number; module?: string } = {},
): Promise<PiscinaExecutor> {
  const { timeoutMs = 60_000, module, ...rest } = options;
  const executor = createPiscinaExecutor(spec(timeoutMs, module), threads, {
    messageMs: Number.POSITIVE_INFINITY,
    ...rest,
  });
  open.push(executor);
  await executor.start();
  return executor;
}

const FAULT = { hang: 1, exit: 2, throw: 3, huge: 4 } as const;
let nextId = 0;
/** A task whose genome is [i, ms, fault, size] (fixtures/typed-probe.mjs), `extra` doubles long beyond that. */
const task = (
  i: number,
  {
    ms = 0,
    fault,
    size = 0,
    extra = 0,
  }: { ms?: number; fault?: keyof typeof FAULT; size?: number; extra?: number } = {},
  fields: Partial<EvalTask> = {},
): EvalTask => {
  const genome = new Float64Array(4 + extra);
  genome.set([i, ms, fault === undefined ? 0 : FAULT[fault], size]);
  return { id: nextId++, genome, key: `${i}/${nextId}`, repeat: 0, ...fields };
};

const kind = (r: TaskResult): string => (r.ok ? 'ok' : r.failure.kind);
const threadOf = (r: TaskResult): number | undefined => (r.ok ? r.result.metrics?.thread : undefined);
const withoutThread = (r: TaskResult): TaskResult => {
  if (!r.ok) return r;
  const { thread: _, ...metrics } = r.result.metrics ?? {};
  return { ...r, result: { ...r.result, metrics } };
};
/** Runs `tasks` as the engine does: through runBatch when offered, else one submit each. */
const run = (executor: PiscinaExecutor, tasks: readonly EvalTask[]): Promise<readonly TaskResult[]> =>
  executor.runBatch ? Promise.resolve(executor.runBatch(tasks)) : Promise.all(tasks.map((t) => executor.submit(t)));
/** The messages and tasks sent while `go` ran. */
async function sentDuring<T>(executor: PiscinaExecutor, go: () => Promise<T>) {
  const before = executor.sent();
  const value = await go();
  const after = executor.sent();
  return { value, messages: after.messages - before.messages, tasks: after.tasks - before.tasks };
}
/** Enough quick tasks for the pool to have measured them (runBatch is then offered). */
async function measured(executor: PiscinaExecutor): Promise<void> {
  for (let round = 0; round < 20 && !executor.runBatch; round++)
    await run(
      executor,
      Array.from({ length: 8 }, (_, i) => task(i)),
    );
  expect(executor.runBatch).toBeDefined();
}

describe('packed batches', () => {
  it('come back exact: the same results as evaluated on this thread, with every field and key the thread was given', async () => {
    const executor = await pool(2, { batch: 16 });
    const inline = createInlineExecutor(spec(60_000));
    await inline.start();
    try {
      const tasks = Array.from({ length: 200 }, (_, i) =>
        task(
          i,
          {},
          { key: `k ${i} ünï ✓ ${'x'.repeat(i % 40)}`, ...(i % 3 === 1 ? { fidelity: 0.5, sample: i % 5 } : {}) },
        ),
      );
      tasks.push(task(200, {}, { key: 'lone \ud800 surrogate', repeat: 3, fresh: true }));
      const results = [...(await run(executor, tasks.slice(0, 50))), ...(await run(executor, tasks.slice(50)))];
      expect(executor.sent().tasks).toBe(tasks.length); // every one went packed: none was refused or sent again
      const here = await Promise.all(tasks.map((t) => inline.submit(t)));
      expect(results.map(withoutThread)).toEqual(here.map(withoutThread));
      // What the thread saw: a Float64Array, the task's fidelity and sample, and its key (ctx.rng's seed).
      const seen = results.map((r) => (r.ok ? r.result.metrics : undefined));
      expect(seen[1]).toMatchObject({ float64: 1, length: 4, fidelity: 0.5, sample: 1 });
      expect(seen[2]).toMatchObject({ fidelity: 1, sample: 0 });
      expect(seen[200]?.draw).toBe(rngFromSeed('7/lone \ud800 surrogate/3')());
    } finally {
      await inline.close();
    }
  });

  it('run without start() first: each thread sets its evaluator up on its first task', async () => {
    const executor = createPiscinaExecutor(spec(60_000), 2, { batch: 4 });
    open.push(executor);
    const results = await Promise.all([0, 1, 2, 3, 4].map((i) => executor.submit(task(i))));
    expect(results.map(kind)).toEqual(['ok', 'ok', 'ok', 'ok', 'ok']);
    await executor.start(); // nothing more to do
    expect(executor.liveThreads()).toBe(2);
  });

  it('are answered a batch at a time through runBatch once the tasks are measured quick, in order', async () => {
    const executor = await pool(1, { batch: 32 });
    expect(executor.runBatch).toBeUndefined(); // not measured yet: one promise per task
    await measured(executor);
    const tasks = Array.from({ length: 100 }, (_, i) => task(i));
    const { value, messages } = await sentDuring(executor, () => run(executor, tasks));
    expect(value.map((r) => (r.ok ? r.result.fitness : Number.NaN))).toEqual(tasks.map((_, i) => i));
    expect(messages).toBeLessThanOrEqual(4); // 32 at a time
  });

  it('a crash mid-batch loses no completed evaluation: the tasks done keep their results, the rest run again', async () => {
    const executor = await pool(1, { batch: 8 });
    await measured(executor);
    const tasks = [0, 1, 2, 3, 4, 5, 6, 7].map((i) => task(i, i === 3 ? { fault: 'exit' } : {}));
    const { value: results, messages, tasks: sent } = await sentDuring(executor, () => run(executor, tasks));
    expect({ messages, sent }).toEqual({ messages: 2, sent: 12 }); // all eight, then the four after the crash
    expect(results.map(kind)).toEqual(['ok', 'ok', 'ok', 'crashed', 'ok', 'ok', 'ok', 'ok']);
    expect(results[3]).toMatchObject({ failure: { message: expect.stringMatching(/exited with code 3/) } });
    const threads = results.map(threadOf);
    expect(new Set(threads.slice(0, 3)).size).toBe(1); // from the dead thread's memory, not evaluated again
    expect(new Set(threads.slice(4)).size).toBe(1);
    expect(threads[4]).not.toBe(threads[0]);
  }, 60_000);

  it('a timeout mid-batch fails that task only: the tasks done before it keep their results, the rest run again', async () => {
    const executor = await pool(1, { batch: 8, timeoutMs: 1500 });
    await measured(executor);
    const tasks = [0, 1, 2, 3, 4, 5, 6, 7].map((i) => task(i, i === 5 ? { fault: 'hang' } : {}));
    const { value: results, messages } = await sentDuring(executor, () => run(executor, tasks));
    expect(messages).toBe(2);
    expect(results.map(kind)).toEqual(['ok', 'ok', 'ok', 'ok', 'ok', 'timeout', 'ok', 'ok']);
    const threads = results.map(threadOf);
    expect(new Set(threads.slice(0, 5)).size).toBe(1);
    expect(threads[6]).toBe(threads[7]);
    expect(threads[6]).not.toBe(threads[0]);
  }, 60_000);

  it('a result too large for the lane comes back whole another way; the batch runs on, nothing is sent again', async () => {
    const executor = await pool(1, { batch: 4 });
    await measured(executor);
    const tasks = [task(0), task(1, { fault: 'huge', size: 300_000 }), task(2), task(3)];
    const { value: results, messages, tasks: sent } = await sentDuring(executor, () => run(executor, tasks));
    expect({ messages, sent }).toEqual({ messages: 1, sent: 4 });
    expect(results.map(kind)).toEqual(['ok', 'threw', 'ok', 'ok']);
    expect(results[1]).toMatchObject({ failure: { message: `${'x'.repeat(300_000)}` } });
  }, 60_000);

  it('tasks too large for the lane, or genomes that are not typed arrays, go by structured clone and come back the same', async () => {
    const executor = await pool(1, { batch: 8 });
    await measured(executor);
    // 8 × 20,000 doubles: more than a lane's room for packed tasks.
    const tasks = Array.from({ length: 8 }, (_, i) => task(i, { extra: 20_000 }));
    const results = await run(executor, tasks);
    expect(results.map((r) => (r.ok ? r.result.metrics : undefined))).toEqual(
      tasks.map(() => expect.objectContaining({ float64: 1, length: 20_004 })),
    );
    const plain = await pool(1, { batch: 8, module: probe });
    const submitted = (genome: unknown, i: number) => plain.submit({ id: i, genome, key: String(i), repeat: 0 });
    await Promise.all(Array.from({ length: 8 }, (_, i) => submitted({ i }, i))); // measured: the next three go together
    const { value: mixed, messages } = await sentDuring(plain, () =>
      Promise.all([{ i: 0 }, { i: 1, f: () => 1 }, { i: 2 }].map(submitted)),
    );
    expect(messages).toBe(2); // the batch of three could not be cloned: each alone, the bad one never sent
    expect(mixed.map(kind)).toEqual(['ok', 'invalid', 'ok']);
    expect(mixed[1]).toMatchObject({ failure: { message: expect.stringMatching(/structured clone/) } });
  }, 60_000);
});
