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

const zoo = (dir: string, script: string[], extra: Partial<RunConfigInput> = {}, zooOptions: Record<string, unknown> = {}): RunConfigInput => ({
  name: 'faults', seed: 1,
  space: { module: fixturePlugin('script-space.mjs'), options: { script } },
  evaluator: { module: fixturePlugin('fault-zoo.mjs'), timeoutSeconds: 2, options: { okMs: 100, ...zooOptions } }, // 2 s: running out of memory must not look like a timeout on a busy machine
  search: { strategy: 'random' },
  archive: { type: 'grid', dims: [{ name: 'a', min: 0, max: 1, bins: 4 }] },
  budget: { evaluations: script.length },
  workers: 2, workerMemoryMb: 96,
  cache: { path: join(dir, 'cache.mdb') },
  failures: { maxConsecutive: 100 },
  ...extra,
});


interface Span {
  readonly thread: number;
  readonly start: number;
  readonly end: number;
}
const spans = (events: RunEvent[]): Span[] =>
  events.flatMap((e) => (e.ok && e.m?.thread !== undefined ? [{ thread: e.m.thread, start: e.m.start ?? 0, end: e.m.end ?? 0 }] : []));
/** Two evaluations on different threads that overlap in time: the pool runs two at once. */
const ranSideBySide = (s: Span[]): boolean => s.some((a) => s.some((b) => a.thread !== b.thread && a.start < b.end && b.start < a.end));

// Each fault, the failure kind it must be recorded as, and what the message must say.
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
  ['oom', 'crashed', /worker ran out of memory \(workerMemoryMb: 96\).*heap/],
  ['exit', 'crashed', /worker exited with code 7 \(process\.exit\(\) in an evaluator ends its worker thread\)/],
];

describe('evaluator faults in the worker pool', () => {
  it('records every fault as a failure naming its cause, keeps two threads running side by side, and finishes', async () => {
    const dir = useRunFiles();
    const tail = Array.from({ length: 20 }, () => 'ok');
    // 'function-tiebreak': an array with a function property; the result is copied to plain data, so it is no fault.
    const script = ['ok', ...FAULTS.map(([fault]) => fault), 'function-tiebreak', ...tail];
    const s = await runSearch(parseRunConfig(zoo(dir, script), dir), { out: join(dir, 'run') });
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
    // After the thread kills (2 timeouts, out of memory, exit), the last evaluations still ran two at a time.
    const last = spans(events.filter((e) => e.id > FAULTS.length + 1));
    expect(last.length).toBe(tail.length);
    expect(ranSideBySide(last.slice(-10))).toBe(true);
  });

  it('the executor replaces every killed thread: full size again, two evaluations at once', async () => {
    const executor = createPiscinaExecutor(
      { module: fixturePlugin('fault-zoo.mjs'), options: { okMs: 300 }, seed: 1, fidelity: 1, timeoutMs: 1500, descriptorCount: 1 },
      2,
      { memoryMb: 96 },
    );
    await executor.start();
    try {
      const task = (i: number, fault: string) => executor.submit({ id: i, genome: { i, fault }, key: `${i}`, repeat: 0 });
      const faults = await Promise.all([task(0, 'oom'), task(1, 'exit')]);
      expect(faults.map((r) => (r.ok ? 'ok' : r.failure.kind))).toEqual(['crashed', 'crashed']);
      expect(await task(2, 'hang-sync')).toMatchObject({ ok: false, failure: { kind: 'timeout' } });
      expect(executor.liveThreads()).toBe(2); // each killed thread was replaced at once…
      // …and the replacements finished loading the evaluator.
      await waitFor(() => executor.idleThreads() === 2, { what: 'both replacement threads to be idle', timeoutMs: 30_000, detail: () => `idle: ${executor.idleThreads()}` });
      const both = await Promise.all([task(3, 'ok'), task(4, 'ok')]);
      const threads = both.map((r) => (r.ok ? r.result.metrics?.thread : undefined));
      expect(new Set(threads).size).toBe(2);
      expect(ranSideBySide(both.map((r) => (r.ok ? { thread: r.result.metrics?.thread ?? 0, start: r.result.metrics?.start ?? 0, end: r.result.metrics?.end ?? 0 } : { thread: -1, start: 0, end: 0 })))).toBe(true);
    } finally {
      await executor.close();
    }
  });

  it("a replacement thread's slow setup() is not charged to the evaluation waiting for it", async () => {
    const dir = useRunFiles();
    // setup takes 1 s in every thread, the hard timeout is 0.5 + 0.25 s: had the replacement's setup counted, its
    // first task would time out, its replacement's too, and so on.
    const script = ['ok', 'hang-sync', ...Array.from({ length: 60 }, () => 'ok')];
    const config = zoo(dir, script, { evaluator: { module: fixturePlugin('fault-zoo.mjs'), timeoutSeconds: 0.5, options: { okMs: 50, setupMs: 1000 } } });
    const s = await runSearch(parseRunConfig(config, dir), { out: join(dir, 'run') });
    expect(s).toMatchObject({ status: 'done', proposals: script.length, failures: 1 });
    // The replacement joined: the last evaluations ran two at a time again.
    expect(ranSideBySide(spans((await eventsOf(join(dir, 'run'))).filter((e) => e.id >= 45)))).toBe(true);
  });

  it('a thread that cannot load the evaluator records failures naming the cause; the run finishes', async () => {
    const dir = useRunFiles();
    process.env.ELITES_TEST_MARKER = join(dir, 'model-gone');
    try {
      const script = ['ok', 'ok', 'exit', ...Array.from({ length: 30 }, () => 'ok')];
      const config = zoo(dir, script, { evaluator: { module: fixturePlugin('import-fails-after-crash.mjs'), timeoutSeconds: 2, options: { okMs: 30 } } });
      const s = await runSearch(parseRunConfig(config, dir), { out: join(dir, 'run') });
      expect(s.status).toBe('done');
      expect(s.proposals).toBe(script.length);
      const failures = (await eventsOf(join(dir, 'run'))).filter((e) => !e.ok);
      expect(failures[0]).toMatchObject({ kind: 'crashed', msg: expect.stringMatching(/exited with code 9/) });
      expect(failures.length).toBeGreaterThan(1);
      for (const f of failures.slice(1)) expect(f).toMatchObject({ kind: 'threw', msg: expect.stringMatching(/setup failed: .*failed to load \(evaluator\.module\): cannot load the evaluator: model file gone/) });
      expect(s.failures).toBeLessThan(script.length - 2); // the healthy thread kept evaluating
    } finally {
      delete process.env.ELITES_TEST_MARKER;
    }
  });
});

describe('plug-in modules that do not load', () => {
  const cli = (dir: string, evaluator: string, workers: number): string[] => {
    const path = join(dir, 'c.json');
    writeFileSync(path, JSON.stringify({ ...zoo(dir, ['ok']), space: { type: 'vector', dimensions: 2, min: 0, max: 1 }, evaluator: { module: fixturePlugin(evaluator) }, archive: { type: 'grid', dims: [{ name: 'a', min: 0, max: 1, bins: 4 }, { name: 'b', min: 0, max: 1, bins: 4 }] }, budget: { evaluations: 20 }, workers }));
    return ['run', path, '--out', join(dir, 'run')];
  };
  const noStack = /\n\s+at .*\(.*:\d+:\d+\)/;

  it('a module that throws at import is refused before the run starts (exit 2, no run directory)', async () => {
    const dir = useRunFiles();
    const r = await runCli(cli(dir, 'throws-at-import.mjs', 2));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/throws-at-import\.mjs: failed to load \(evaluator\.module\): broken at import \(deliberate\)/);
    expect(r.stderr).not.toMatch(noStack);
    expect(existsSync(join(dir, 'run'))).toBe(false);
  });

  it('a module that loads in the main thread but not in a worker is refused before the run starts (exit 2, no run directory)', async () => {
    const dir = useRunFiles();
    const r = await runCli(cli(dir, 'worker-only-import-failure.mjs', 2));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/evaluator setup failed in a worker: .*worker-only-import-failure\.mjs: failed to load \(evaluator\.module\): native binding unavailable in worker threads/);
    expect(r.stderr).not.toMatch(noStack);
    expect(existsSync(join(dir, 'run'))).toBe(false);
    // Inline, the same module runs: the worker is what it cannot load in.
    expect((await runCli(cli(dir, 'worker-only-import-failure.mjs', 0))).code).toBe(0);
  });
});
