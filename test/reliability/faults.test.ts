// Evaluator faults under the worker pool: each is a recorded failure that names its cause (or a clean error before
// the run starts), the pool gets back to full size, and the run finishes.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunEvent } from '../../store/events.js';
import { parseRunConfig, type RunConfigInput } from '../../search/config.js';
import { createPiscinaExecutor } from '../../search/executors/piscina.js';
import { runSearch } from '../../search/run.js';
import { runCli } from '../helpers/cli.js';
import { fixturePlugin, useRunFiles } from '../helpers/files.js';
import { eventsOf } from '../helpers/runs.js';
import { waitFor } from '../helpers/wait.js';

const zoo = (
  dir: string,
  script: string[],
  extra: Partial<RunConfigInput> = {},
  zooOptions: Record<string, unknown> = {},
): RunConfigInput => ({
  name: 'faults',
  seed: 1,
  space: { module: fixturePlugin('script-space.mjs'), options: { script } },
  evaluator: { module: fixturePlugin('fault-zoo.mjs'), timeoutSeconds: 2, options: { okMs: 100, ...zooOptions } },
  search: { strategy: 'random' },
  archive: { type: 'grid', dims: [{ name: 'a', min: 0, max: 1, bins: 4 }] },
  budget: { evaluations: script.length },
  workers: 2,
  workerMemoryMb: 96,
  cache: { path: join(dir, 'cache.mdb') },
  failures: { maxConsecutive: 100 },
  ...extra,
});

/** The threads that ran the healthy evaluations among `events`, and whether any of them overlapped an evaluation on another thread (fault-zoo's meetFile). */
const healthy = (events: RunEvent[]): { threads: Set<number>; met: boolean } => {
  const ok = events.flatMap((e) => (e.ok && e.m?.thread !== undefined ? [{ thread: e.m.thread, met: e.m.met }] : []));
  return { threads: new Set(ok.map((m) => m.thread)), met: ok.some((m) => m.met === 1) };
};

// Each fault, the failure kind it must be recorded as, and what the message must say. Running out of memory has a
// test of its own: on a loaded machine the way to the heap limit (a garbage collection at every step) can take
// longer than these faults' 2 s timeout, and it must not be recorded as one.
const FAULTS: [string, string, RegExp][] = [
  ['throw', 'threw', /deliberate: the evaluator threw/],
  ['throw-symbol', 'threw', /Symbol\(a thrown symbol\)/],
  ['throw-unprintable', 'threw', /unprintable object was thrown/],
  ['nan', 'invalid', /fitness is NaN; expected a finite number/],
  ['infinity', 'invalid', /fitness is Infinity/],
  ['short-descriptors', 'invalid', /descriptors has length 0; the archive has 1 dimension/],
  ['long-descriptors', 'invalid', /descriptors has length 3/],
  ['function-fitness', 'invalid', /fitness is a function/],
  ['symbol-descriptor', 'invalid', /descriptors\[0\] is a symbol/],
  ['function-metric', 'invalid', /metrics\.score is a function; metrics must be numbers/],
  ['symbol-metric', 'invalid', /metrics\.tag is a symbol/],
  ['hang-async', 'timeout', /exceeded 2 s; its worker was terminated and replaced/],
  ['hang-sync', 'timeout', /exceeded 2 s; its worker was terminated and replaced/],
  ['exit', 'crashed', /worker exited with code 7 \(process\.exit\(\) in an evaluator ends its worker thread\)/],
];

describe('evaluator faults in the worker pool', () => {
  it('records every fault as a failure naming its cause, gets two threads running side by side again, and finishes', async () => {
    const dir = useRunFiles();
    const tail = Array.from({ length: 20 }, () => 'ok');
    // 'function-tiebreak': an array with a function property; the result is copied to plain data, so it is no fault.
    const script = ['ok', ...FAULTS.map(([fault]) => fault), 'function-tiebreak', ...tail];
    // Each healthy evaluation waits up to 1 s (half the timeout) for one on another thread to overlap it: a replacement
    // thread that starts slowly on a loaded machine still joins within the tail (20 × 1 s), and then they meet.
    const meet = { okMs: 0, meetFile: join(dir, 'meet.txt'), meetMs: 1000 };
    const s = await runSearch(parseRunConfig(zoo(dir, script, {}, meet), dir), { out: join(dir, 'run') });
    expect(s).toMatchObject({ status: 'done', proposals: script.length, failures: FAULTS.length });
    const events = await eventsOf(join(dir, 'run'));
    const byId = new Map(events.map((e) => [e.id, e]));
    for (const [index, [fault, kind, message]] of FAULTS.entries()) {
      const e = byId.get(index + 1);
      expect(e, fault).toBeDefined();
      expect(e?.ok, fault).toBe(false);
      if (e && !e.ok) {
        expect(e.kind, `${fault}: ${e.msg}`).toBe(kind);
        expect(e.msg, fault).toMatch(message);
      }
    }
    expect(byId.get(FAULTS.length + 1)?.ok).toBe(true);
    // After the thread kills (2 timeouts, an exit), the pool is back to two threads running at once.
    const last = events.filter((e) => e.id > FAULTS.length + 1);
    expect(last.length).toBe(tail.length);
    expect(healthy(last)).toMatchObject({ met: true });
    expect(healthy(last).threads.size).toBe(2);
  }, 180_000);

  it('an evaluation that runs out of memory is a crashed failure naming the heap limit, not a timeout; the run finishes', async () => {
    const dir = useRunFiles();
    const script = ['ok', 'oom', 'ok', 'ok', 'ok', 'ok'];
    // A timeout far beyond any machine's way to the heap limit: the failure kind must come from the heap, not the clock.
    const config = zoo(dir, script, {
      evaluator: { module: fixturePlugin('fault-zoo.mjs'), timeoutSeconds: 120, options: { okMs: 10 } },
    });
    const s = await runSearch(parseRunConfig(config, dir), { out: join(dir, 'run') });
    expect(s).toMatchObject({ status: 'done', proposals: script.length, failures: 1 });
    const failed = (await eventsOf(join(dir, 'run'))).find((e) => e.id === 1);
    expect(failed).toMatchObject({
      ok: false,
      kind: 'crashed',
      msg: expect.stringMatching(/worker ran out of memory \(workerMemoryMb: 96\).*heap/),
    });
  }, 180_000);

  it('the executor replaces every killed thread: full size again, two evaluations at once', async () => {
    const dir = useRunFiles();
    const meetFile = join(dir, 'meet.txt');
    // Two executors: out of memory and exit under a timeout no machine reaches (the kind must come from the crash),
    // then a hang under a short one (it is what ends the hang).
    for (const [timeoutMs, faults] of [
      [120_000, ['oom', 'exit']],
      [1500, ['hang-sync']],
    ] as const) {
      const executor = createPiscinaExecutor(
        {
          module: fixturePlugin('fault-zoo.mjs'),
          options: { okMs: 0, meetFile, meetMs: Math.min(timeoutMs / 2, 30_000) },
          seed: 1,
          fidelity: 1,
          timeoutMs,
          descriptorCount: 1,
        },
        2,
        { memoryMb: 96 },
      );
      await executor.start();
      try {
        let id = 0;
        const task = (fault: string) => executor.submit({ id, genome: { i: id, fault }, key: `${id++}`, repeat: 0 });
        const results = await Promise.all(faults.map((fault) => task(fault)));
        expect(
          results.map((r) => (r.ok ? 'ok' : r.failure.kind)),
          faults.join(),
        ).toEqual(faults.map((f) => (f === 'hang-sync' ? 'timeout' : 'crashed')));
        expect(executor.liveThreads()).toBe(2); // each killed thread was replaced at once…
        // …and the replacements finished loading the evaluator.
        await waitFor(() => executor.idleThreads() === 2, {
          what: 'both threads to be idle after the replacements',
          timeoutMs: 60_000,
          detail: () => `idle: ${executor.idleThreads()}`,
        });
        // Two tasks for two idle threads: each waits for the other to be under way (met), on threads of their own.
        const both = await Promise.all([task('ok'), task('ok')]);
        const metrics = both.map((r) => (r.ok ? r.result.metrics : undefined));
        expect(metrics.map((m) => m?.met)).toEqual([1, 1]);
        expect(new Set(metrics.map((m) => m?.thread)).size).toBe(2);
      } finally {
        await executor.close();
      }
    }
  }, 180_000);

  it("a replacement thread's slow setup() is not charged to the evaluation waiting for it", async () => {
    const dir = useRunFiles();
    // setup takes 4 s in every thread, the hard timeout is 2 + 0.25 s: had the replacement's setup counted, its
    // first task would time out, its replacement's too, and so on.
    const script = ['ok', 'hang-sync', ...Array.from({ length: 60 }, () => 'ok')];
    const options = { okMs: 0, setupMs: 4000, meetFile: join(dir, 'meet.txt'), meetMs: 500 };
    const config = zoo(dir, script, {
      evaluator: { module: fixturePlugin('fault-zoo.mjs'), timeoutSeconds: 2, options },
    });
    const s = await runSearch(parseRunConfig(config, dir), { out: join(dir, 'run') });
    expect(s).toMatchObject({ status: 'done', proposals: script.length, failures: 1 });
    // The replacement joined: after the hang, evaluations ran two at a time again (each waits up to 0.5 s for that,
    // 60 × 0.5 s for the replacement to finish its setup).
    const after = healthy((await eventsOf(join(dir, 'run'))).filter((e) => e.id > 1));
    expect(after.met).toBe(true);
  }, 180_000);

  it('a thread that cannot load the evaluator records failures naming the cause; the run finishes', async () => {
    const dir = useRunFiles();
    process.env.ELITES_TEST_MARKER = join(dir, 'model-gone');
    try {
      const script = ['ok', 'ok', 'exit', ...Array.from({ length: 30 }, () => 'ok')];
      const samplesFile = join(dir, 'samples.txt');
      // The healthy thread's first evaluation after the crash holds until another proposal has been answered (by the
      // replacement: the only other thread), so the replacement gets a task however long it takes to start.
      const config = zoo(dir, script, {
        space: { module: fixturePlugin('script-space.mjs'), options: { script, samplesFile } },
        evaluator: {
          module: fixturePlugin('import-fails-after-crash.mjs'),
          timeoutSeconds: 120,
          options: { okMs: 30, samplesFile, holdMs: 60_000 },
        },
      });
      const s = await runSearch(parseRunConfig(config, dir), { out: join(dir, 'run') });
      expect(s.status).toBe('done');
      expect(s.proposals).toBe(script.length);
      const events = await eventsOf(join(dir, 'run'));
      const failures = events.filter((e) => !e.ok);
      expect(failures[0]).toMatchObject({ id: 2, kind: 'crashed', msg: expect.stringMatching(/exited with code 9/) });
      expect(failures.length).toBeGreaterThan(1);
      for (const f of failures.slice(1))
        expect(f).toMatchObject({
          kind: 'threw',
          msg: expect.stringMatching(
            /setup failed: .*failed to load \(evaluator\.module\): cannot load the evaluator: model file gone/,
          ),
        });
      expect(events.filter((e) => e.ok && e.id > 2).length).toBeGreaterThan(0); // the healthy thread kept evaluating
    } finally {
      delete process.env.ELITES_TEST_MARKER;
    }
  }, 180_000);
});

describe('plug-in modules that do not load', () => {
  const cli = (dir: string, evaluator: string, workers: number): string[] => {
    const path = join(dir, 'c.json');
    writeFileSync(
      path,
      JSON.stringify({
        ...zoo(dir, ['ok']),
        space: { type: 'vector', dimensions: 2, min: 0, max: 1 },
        evaluator: { module: fixturePlugin(evaluator) },
        archive: {
          type: 'grid',
          dims: [
            { name: 'a', min: 0, max: 1, bins: 4 },
            { name: 'b', min: 0, max: 1, bins: 4 },
          ],
        },
        budget: { evaluations: 20 },
        workers,
      }),
    );
    return ['run', path, '--out', join(dir, 'run')];
  };
  const noStack = /\n\s+at .*\(.*:\d+:\d+\)/;

  it('a module that throws at import is refused before the run starts (exit 2, no run directory)', async () => {
    const dir = useRunFiles();
    const r = await runCli(cli(dir, 'throws-at-import.mjs', 2));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /throws-at-import\.mjs: failed to load \(evaluator\.module\): broken at import \(deliberate\)/,
    );
    expect(r.stderr).not.toMatch(noStack);
    expect(existsSync(join(dir, 'run'))).toBe(false);
  });

  it('a module that loads in the main thread but not in a worker is refused before the run starts (exit 2, no run directory)', async () => {
    const dir = useRunFiles();
    const r = await runCli(cli(dir, 'worker-only-import-failure.mjs', 2));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /evaluator setup failed in a worker: .*worker-only-import-failure\.mjs: failed to load \(evaluator\.module\): native binding unavailable in worker threads/,
    );
    expect(r.stderr).not.toMatch(noStack);
    expect(existsSync(join(dir, 'run'))).toBe(false);
    // Inline, the same module runs: the worker is what it cannot load in.
    expect((await runCli(cli(dir, 'worker-only-import-failure.mjs', 0))).code).toBe(0);
  });
});
