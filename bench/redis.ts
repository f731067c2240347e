// Redis executor vs the local pool with a cheap evaluator (OneMax on 64 bits, cache off: every proposal is a task):
// tasks/s, the overhead of one task through Redis, and scaling over 1–4 `elites worker` processes on this machine.
// Part of `npm run bench`; alone: `npm run build && node dist/bench/redis.js [--quick]` → bench/results/redis.json.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseRunConfig } from '../search/config.js';
import { runSearch } from '../search/run.js';
import { eliteArgs, freePort, hasFlag, repoRoot } from '../tools/args.js';
import type { BenchRow } from './row.js';

const CONCURRENCY = 2; // per worker process

export async function redisBench(scratch: string, quick: boolean, record: (row: BenchRow) => void): Promise<void> {
  if (spawnSync('redis-server', ['--version']).status !== 0) {
    record({
      name: 'Redis executor',
      value: 0,
      unit: '–',
      target: '–',
      met: null,
      detail: 'skipped: redis-server is not installed',
    });
    return;
  }
  const tasks = quick ? 600 : 2000;
  const children: ChildProcess[] = [];
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  const dataDir = mkdtempSync(join(scratch, 'redis-'));
  children.push(
    spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dataDir],
      { stdio: 'ignore' },
    ),
  );
  let trial = 0;
  const run = async (
    evaluations: number,
    where: { workers?: number; queue?: string; inFlight?: number },
  ): Promise<number> => {
    const dir = join(scratch, `redis-bench-${trial++}`);
    const config = parseRunConfig(
      {
        name: 'bench-redis',
        seed: 1,
        space: { type: 'bitstring', length: 64 },
        evaluator: { type: 'onemax' },
        search: { strategy: 'random' },
        archive: { type: 'grid', dims: [{ name: 'ones', min: 0, max: 64, bins: 65 }] },
        budget: { evaluations },
        workers: where.workers ?? 1,
        cache: { enabled: false },
        ...(where.queue
          ? {
              executor: {
                type: 'redis',
                url,
                queue: where.queue,
                ...(where.inFlight ? { inFlight: where.inFlight } : {}),
              },
            }
          : {}),
      },
      dir,
    );
    const s = await runSearch(config, { out: join(dir, 'run') });
    return s.proposals / s.seconds;
  };
  const startWorkers = async (n: number, queue: string, concurrency: number): Promise<ChildProcess[]> => {
    const started = Array.from({ length: n }, () =>
      spawn(
        process.execPath,
        eliteArgs(['worker', '--redis', url, '--queue', queue, '--concurrency', String(concurrency)]),
        { cwd: repoRoot, stdio: 'ignore' },
      ),
    );
    children.push(...started);
    return started;
  };
  const stop = async (workers: ChildProcess[]): Promise<void> => {
    await Promise.all(workers.map((w) => new Promise((resolve) => (w.once('exit', resolve), w.kill('SIGKILL')))));
  };
  try {
    await waitForPort(port);
    // One task at a time: the time a task spends on the way through Redis and back, beyond the local pool's.
    await run(200, { workers: 1 }); // warm-up
    const localOne = await run(tasks / 2, { workers: 1 });
    let workers = await startWorkers(1, 'one', 1);
    await run(100, { queue: 'one', inFlight: 1 }); // warm-up
    const redisOne = await run(tasks / 2, { queue: 'one', inFlight: 1 });
    await stop(workers);
    const overheadMs = 1000 / redisOne - 1000 / localOne;
    record({
      name: 'Redis executor: overhead per task (one in flight, OneMax-64)',
      value: Number(overheadMs.toFixed(3)),
      unit: 'ms/task',
      target: '–',
      met: null,
      detail: `${redisOne.toFixed(0)} tasks/s through Redis (1 worker process) vs ${localOne.toFixed(0)} tasks/s on 1 local thread`,
    });

    const localPool = await run(tasks, { workers: 2 });
    record({
      name: 'local pool, 2 threads, OneMax-64, cache off',
      value: Math.round(localPool),
      unit: 'tasks/s',
      target: '–',
      met: null,
      detail: `${tasks} tasks (baseline for the Redis rows)`,
    });
    for (let n = 1; n <= 4; n++) {
      workers = await startWorkers(n, `scale-${n}`, CONCURRENCY);
      await run(100, { queue: `scale-${n}` }); // warm-up; also waits for every worker to load the evaluator
      const rate = await run(tasks, { queue: `scale-${n}` });
      await stop(workers);
      record({
        name: `Redis executor, ${n} worker process${n > 1 ? 'es' : ''} × ${CONCURRENCY}, OneMax-64`,
        value: Math.round(rate),
        unit: 'tasks/s',
        target: '–',
        met: null,
        detail: `${tasks} tasks, ${n * CONCURRENCY} in flight; ${(rate / localPool).toFixed(2)}× the local pool; ${cpus().length} cores shared by redis-server, the main process and the workers`,
      });
    }
  } finally {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}

async function waitForPort(port: number): Promise<void> {
  const { Redis } = await import('ioredis');
  for (let attempt = 0; attempt < 100; attempt++) {
    const client = new Redis(port, '127.0.0.1', {
      lazyConnect: true,
      retryStrategy: () => null,
      maxRetriesPerRequest: 0,
    });
    client.on('error', () => undefined);
    try {
      await client.connect();
      client.disconnect();
      return;
    } catch {
      client.disconnect();
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  throw new Error(`redis-server did not start on port ${port}`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const scratch = mkdtempSync(join(tmpdir(), 'elites-bench-redis-'));
  const rows: BenchRow[] = [];
  try {
    await redisBench(scratch, hasFlag('--quick'), (row) => {
      rows.push(row);
      console.log(`${row.name}: ${row.value} ${row.unit} (${row.detail})`);
    });
    const out = join(repoRoot, 'bench/results');
    mkdirSync(out, { recursive: true });
    const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}`;
    writeFileSync(
      join(out, 'redis.json'),
      `${JSON.stringify({ date: new Date().toISOString(), machine, quick: hasFlag('--quick'), rows }, null, 2)}\n`,
    );
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
