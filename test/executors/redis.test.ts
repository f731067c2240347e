// executor: { type: redis } end to end: a real redis-server on a free loopback port and real `elites worker` processes.
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunEvent } from '../../store/events.js';
import { parseRunConfig, type RunConfigInput } from '../../search/config.js';
import { PluginError, UsageError } from '../../core/errors.js';
import { resumeRun, runSearch } from '../../search/run.js';
import { spawnCli } from '../helpers/cli.js';
import { fixturePlugin, repoRoot, useRunFiles } from '../helpers/files.js';
import { elitesOf, eventsOf } from '../helpers/runs.js';
import { freePort } from '../../tools/args.js';
import { expectAshaStops } from '../helpers/early-stopping.js';
import { childProcesses } from '../helpers/processes.js';
import { redisMissing, startRedis, startWorker, stopAll, type RedisServer } from './redis-harness.js';

const missing = redisMissing();
if (missing) console.warn(`test/executors/redis.test.ts skipped: ${missing}`);

const fixture = join(repoRoot, 'test/fixtures/redis/evaluator.mjs');

interface Setup {
  readonly dir: string;
  readonly url?: string;
  readonly queue?: string;
  readonly evaluations: number;
  readonly strategy?: { readonly strategy: string } & Record<string, unknown>;
  readonly options?: Record<string, unknown>;
  readonly cache?: boolean;
  readonly inFlight?: number;
  readonly workers?: number;
}

/** 16-bit genomes; descriptors = ones in each half (9 × 9 grid). Without `url` the run uses the local thread pool. */
function config(s: Setup): RunConfigInput {
  return {
    name: 'redis-test',
    seed: 5,
    space: { type: 'bitstring', length: 16 },
    evaluator: { module: fixture, options: s.options ?? {} },
    search: s.strategy ?? { strategy: 'random' },
    archive: {
      type: 'grid',
      dims: [
        { name: 'left', min: 0, max: 8, bins: 9 },
        { name: 'right', min: 0, max: 8, bins: 9 },
      ],
    },
    budget: { evaluations: s.evaluations },
    workers: s.workers ?? 2,
    cache: { enabled: s.cache ?? true, path: join(s.dir, 'cache.mdb') },
    log: { checkpointSeconds: 0.2 },
    ...(s.url
      ? {
          executor: {
            type: 'redis',
            url: s.url,
            queue: s.queue ?? 'elites',
            stalledSeconds: 1,
            waitForWorkersSeconds: 20,
            ...(s.inFlight ? { inFlight: s.inFlight } : {}),
          },
        }
      : {}),
  } as RunConfigInput;
}

/** id → [fitness, descriptors] for every successful event: what a run found, whatever the order of completions. */
const outcomes = (events: RunEvent[]): Map<number, unknown> =>
  new Map(events.map((e) => [e.id, e.ok ? [e.f, e.d] : 'failed']));
const lines = (file: string): string[] =>
  existsSync(file)
    ? readFileSync(file, 'utf8')
        .split('\n')
        .filter((l) => l !== '')
    : [];
const until = async (condition: () => boolean, timeoutMs = 20_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
};

describe.skipIf(missing !== undefined)(`executor redis${missing ? ` (skipped: ${missing})` : ''}`, () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(() => stopAll());

  it('two worker processes evaluate the same candidates, with the same results, as the local pool', async () => {
    const dir = useRunFiles();
    const calls = join(dir, 'calls.txt');
    const workers = [startWorker(redis.url, 'same'), startWorker(redis.url, 'same')];
    const local = await runSearch(
      parseRunConfig(config({ dir: join(dir, 'l'), evaluations: 300, cache: false }), dir),
      { out: join(dir, 'local') },
    );
    const remote = await runSearch(
      parseRunConfig(
        config({ dir, url: redis.url, queue: 'same', evaluations: 300, cache: false, options: { callLog: calls } }),
        dir,
      ),
      { out: join(dir, 'remote') },
    );
    expect(remote).toMatchObject({ status: 'done', proposals: 300, evaluations: 300, failures: 0 });
    expect(outcomes(await eventsOf(join(dir, 'remote')))).toEqual(outcomes(await eventsOf(join(dir, 'local'))));
    expect(remote.archive).toEqual(local.archive);
    // Both processes answered tasks, and each task was evaluated once.
    const pids = new Set(lines(calls).map((l) => Number(l.split(' ')[0])));
    expect([...pids].sort()).toEqual(workers.map((w) => w.pid).sort());
    expect(lines(calls)).toHaveLength(300);
  });

  it('MAP-Elites with one task in flight ends with the same archive as one local thread; fingerprints are checked against the main cache', async () => {
    const dir = useRunFiles();
    startWorker(redis.url, 'seq');
    startWorker(redis.url, 'seq');
    const strategy = { strategy: 'map-elites', initialRandom: 20 };
    const local = await runSearch(
      parseRunConfig(config({ dir: join(dir, 'l'), evaluations: 150, strategy, workers: 1 }), dir),
      { out: join(dir, 'local') },
    );
    const remote = await runSearch(
      parseRunConfig(config({ dir, url: redis.url, queue: 'seq', evaluations: 150, strategy, inFlight: 1 }), dir),
      { out: join(dir, 'remote') },
    );
    expect(outcomes(await eventsOf(join(dir, 'remote')))).toEqual(outcomes(await eventsOf(join(dir, 'local'))));
    // Level-2 hits were answered from the main process's cache: at least as many as in the local pool (whose threads
    // see only committed LMDB writes; the main process also sees the ones in its current write batch).
    expect(remote.cacheHits.key).toBe(local.cacheHits.key);
    expect(remote.cacheHits.fingerprint).toBeGreaterThanOrEqual(local.cacheHits.fingerprint);
    expect(remote.cacheHits.fingerprint).toBeGreaterThan(20);
  });

  it('early stopping through workers: their evaluations report to the ASHA of the main process, and pruned ones stop', async () => {
    const dir = useRunFiles();
    startWorker(redis.url, 'asha');
    startWorker(redis.url, 'asha');
    const run = join(dir, 'run');
    const summary = await runSearch(
      parseRunConfig(
        {
          ...config({ dir, url: redis.url, queue: 'asha', evaluations: 90, cache: false }),
          space: { type: 'vector', dimensions: 1, min: 0, max: 1 },
          evaluator: { module: fixturePlugin('curves.mjs'), options: { msPerStep: 5 } },
          archive: { type: 'grid', dims: [{ name: 'x', min: 0, max: 1, bins: 10 }] },
          pruner: { type: 'asha', minResource: 1, reductionFactor: 3, maxResource: 9 },
        } as RunConfigInput,
        dir,
      ),
      { out: run },
    );
    expect(summary).toMatchObject({ status: 'done', proposals: 90 });
    // Every report of a completed one came back with its answer; a decision takes a round trip through Redis, and
    // still most stopped evaluations stop before their last step.
    const pruned = expectAshaStops(await eventsOf(run));
    expect(summary.pruned).toBe(pruned.length);
    const prunedIds = new Set(pruned.map((e) => e.id));
    for (const e of (await elitesOf(run)) as { id: number }[]) expect(prunedIds.has(e.id)).toBe(false);
  });

  it('workers run process evaluators: one set-up process per slot, reports and stops through Redis', async () => {
    const dir = useRunFiles();
    const setupsFile = join(dir, 'setups.txt');
    const workers = [startWorker(redis.url, 'process'), startWorker(redis.url, 'process')];
    const run = join(dir, 'run');
    const summary = await runSearch(
      parseRunConfig(
        {
          ...config({ dir, url: redis.url, queue: 'process', evaluations: 90, cache: false }),
          evaluator: {
            process: { argv: [process.execPath, join(repoRoot, 'test/fixtures/process/node-evaluator.mjs')] },
            options: { steps: 9, msPerStep: 5, setupsFile },
          },
          archive: { type: 'grid', dims: [{ name: 'ones', min: 0, max: 1, bins: 17 }] },
          pruner: { type: 'asha', minResource: 1, reductionFactor: 3, maxResource: 9 },
        } as RunConfigInput,
        dir,
      ),
      { out: run },
    );
    expect(summary).toMatchObject({ status: 'done', proposals: 90 });
    const events = await eventsOf(run);
    expectAshaStops(events);
    // Two slots per worker, each one process set up once; the evaluations ran in those, children of the workers.
    const setups = lines(setupsFile).map(Number);
    expect(setups).toHaveLength(4);
    const children = new Set(workers.flatMap((w) => childProcesses(w.pid).map((c) => c.pid)));
    for (const pid of setups) expect(children.has(pid), `process ${pid} is a worker's child`).toBe(true);
    for (const e of events) if (e.ok) expect(setups).toContain(e.m?.pid);
  });

  it('a worker killed mid-run loses nothing: its tasks are re-queued (stalled jobs) and each proposal is logged once', async () => {
    const dir = useRunFiles();
    const calls = join(dir, 'calls.txt');
    const victim = startWorker(redis.url, 'kill');
    startWorker(redis.url, 'kill');
    const run = runSearch(
      parseRunConfig(
        config({
          dir,
          url: redis.url,
          queue: 'kill',
          evaluations: 160,
          cache: false,
          options: { delayMs: 25, callLog: calls },
        }),
        dir,
      ),
      { out: join(dir, 'run') },
    );
    await until(() => lines(calls).some((l) => l.startsWith(`${victim.pid} `)) && lines(calls).length >= 30);
    victim.child.kill('SIGKILL');
    const s = await run;
    expect(s).toMatchObject({ status: 'done', proposals: 160, failures: 0 });
    const ids = (await eventsOf(join(dir, 'run'))).map((e) => e.id).sort((a, b) => a - b);
    expect(ids).toEqual(Array.from({ length: 160 }, (_, i) => i));
  });

  it('the main process killed and resumed while workers keep running: no task is counted twice or evaluated twice, none is lost', async () => {
    const dir = useRunFiles();
    const calls = join(dir, 'calls.txt');
    startWorker(redis.url, 'resume');
    startWorker(redis.url, 'resume');
    const file = join(dir, 'config.json');
    writeFileSync(
      file,
      JSON.stringify(
        config({
          dir,
          url: redis.url,
          queue: 'resume',
          evaluations: 120,
          cache: false,
          options: { delayMs: 30, callLog: calls },
        }),
      ),
    );
    const main = spawnCli(['run', file, '--out', join(dir, 'run')], repoRoot);
    await until(() => lines(calls).length >= 40);
    main.child.kill('SIGKILL');
    await main.done;
    const s = await resumeRun(join(dir, 'run'));
    expect(s).toMatchObject({ status: 'done', proposals: 120, evaluations: 120, failures: 0 });
    const ids = (await eventsOf(join(dir, 'run'))).map((e) => e.id).sort((a, b) => a - b);
    expect(ids).toEqual(Array.from({ length: 120 }, (_, i) => i));
    // Tasks in flight at the kill finished on the workers; the resumed run took their results (same job ids).
    expect(lines(calls)).toHaveLength(120);
  });

  it('Redis restarting mid-run: main process and workers reconnect, lost jobs are queued again, the run completes', async () => {
    const own = await startRedis();
    const dir = useRunFiles();
    const calls = join(dir, 'calls.txt');
    startWorker(own.url, 'restart');
    startWorker(own.url, 'restart');
    const run = runSearch(
      parseRunConfig(
        config({
          dir,
          url: own.url,
          queue: 'restart',
          evaluations: 120,
          cache: false,
          options: { delayMs: 20, callLog: calls },
        }),
        dir,
      ),
      { out: join(dir, 'run') },
    );
    await until(() => lines(calls).length >= 30);
    await own.restart();
    const s = await run;
    expect(s).toMatchObject({ status: 'done', proposals: 120, failures: 0 });
    const ids = (await eventsOf(join(dir, 'run'))).map((e) => e.id).sort((a, b) => a - b);
    expect(ids).toEqual(Array.from({ length: 120 }, (_, i) => i));
  });

  it('a worker with another evaluator version refuses the run with a message, and the run fails with it instead of waiting', async () => {
    const dir = useRunFiles();
    // The same project layout under another root, with the evaluator at version 2.
    const root = join(dir, 'other-machine');
    mkdirSync(join(root, 'test/fixtures/redis'), { recursive: true });
    copyFileSync(fixture, join(root, 'test/fixtures/redis/evaluator.mjs'));
    writeFileSync(
      join(root, 'test/fixtures/redis/evaluator.mjs'),
      readFileSync(fixture, 'utf8').replace("version: '1'", "version: '2'"),
    );
    const stale = startWorker(redis.url, 'version', { root });
    const started = Date.now();
    const error = await runSearch(
      parseRunConfig(config({ dir, url: redis.url, queue: 'version', evaluations: 10 }), dir),
      { out: join(dir, 'run') },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PluginError);
    expect((error as Error).message).toMatch(
      /refused this run: this worker's evaluator is redis-fixture@2 .*the run expects redis-fixture@1/,
    );
    expect(Date.now() - started).toBeLessThan(15_000); // well before waitForWorkersSeconds (20 s)
    await stale.loaded();
    expect(stale.output()).toMatch(/refused run .*redis-fixture@2/);
    expect(existsSync(join(dir, 'run'))).toBe(false); // bad input leaves nothing behind
  });

  it('fails fast with the URL and a hint when Redis is unreachable, or when no worker answers', async () => {
    const dir = useRunFiles();
    const closed = `redis://127.0.0.1:${await freePort()}`;
    const unreachable = await runSearch(parseRunConfig(config({ dir, url: closed, evaluations: 10 }), dir), {
      out: join(dir, 'a'),
    }).catch((e: unknown) => e);
    expect(unreachable).toBeInstanceOf(UsageError);
    expect((unreachable as UsageError).message).toMatch(
      new RegExp(`cannot reach Redis at ${closed} \\(executor.url\\)`),
    );
    expect((unreachable as UsageError).hint).toMatch(/redis-server is running/);
    const lonely = parseRunConfig(
      {
        ...config({ dir, url: redis.url, queue: 'nobody', evaluations: 10 }),
        executor: { type: 'redis', url: redis.url, queue: 'nobody', waitForWorkersSeconds: 1 },
      },
      dir,
    );
    const none = await runSearch(lonely, { out: join(dir, 'b') }).catch((e: unknown) => e);
    expect(none).toBeInstanceOf(UsageError);
    expect((none as UsageError).message).toMatch(/no elites worker answered on queue nobody/);
    expect((none as UsageError).hint).toMatch(/elites worker --redis URL --queue nobody/);
  });
});

describe('executor config', () => {
  const base = (executor: unknown) => ({ ...config({ dir: '/tmp', evaluations: 10 }), executor });
  it('accepts no executor (the local pool), { type: local } and { type: redis } with defaults', () => {
    expect(parseRunConfig(base(undefined), '/tmp').executor).toBeUndefined();
    expect(parseRunConfig(base({ type: 'local' }), '/tmp').executor).toEqual({ type: 'local' });
    expect(parseRunConfig(base({ type: 'redis', url: 'rediss://:pw@h:6380/1' }), '/tmp').executor).toEqual({
      type: 'redis',
      url: 'rediss://:pw@h:6380/1',
      queue: 'elites',
      waitForWorkersSeconds: 60,
      stalledSeconds: 30,
    });
    expect(parseRunConfig(base({ type: 'redis', url: '$ELITES_REDIS_URL' }), '/tmp').executor).toMatchObject({
      url: '$ELITES_REDIS_URL',
    });
  });

  it('names the field and the fix for a bad URL, an unknown type or key', () => {
    const issues = (executor: unknown): string => {
      try {
        parseRunConfig(base(executor), '/tmp');
        return 'accepted';
      } catch (error) {
        return JSON.stringify((error as { issues: unknown }).issues);
      }
    };
    expect(issues({ type: 'redis', url: 'http://h:6379' })).toMatch(/executor\.url.*|expected redis:\/\//);
    expect(issues({ type: 'redis', url: 'http://h:6379' })).toContain('"path":"executor.url"');
    expect(issues({ type: 'redis' })).toContain('"path":"executor.url"');
    expect(issues({ type: 'kafka' })).toMatch(/"path":"executor.*expected \{ type: local \} or \{ type: redis/);
    expect(issues({ type: 'redis', url: 'redis://h', qeue: 'x' })).toMatch(/unknown key \\"qeue\\"/);
    expect(issues({ type: 'redis', url: 'redis://h', queue: 'a b' })).toContain('"path":"executor.queue"');
  });
});
