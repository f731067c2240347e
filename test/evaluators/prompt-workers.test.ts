// The prompt evaluator in real worker threads (piscina): one concurrency limit for all workers' requests (a semaphore on
// shared memory), and the API key never written to the run directory, the caches or the output of a real CLI run.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { basePrompt, loadTask } from '../../evaluators/prompt/index.js';
import { exportRun } from '../../report/inspect.js';
import { useRunFiles } from '../helpers/files.js';
import { buildForWorkers } from './prompt-build.js';
import { startFakeLlm, type FakeLlm, type Reply } from './prompt-server.js';

type RunModule = typeof import('../../search/run.js');
type ConfigModule = typeof import('../../search/config.js');

const task = loadTask('brown-genre');
const gold = new Map([...task.dev, ...task.test].map((e) => [e.text, e.label]));
const correct = (r: { query: string }): Reply => ({ kind: 'answer', content: gold.get(r.query) ?? 'news' });
const KEY = 'sk-test-SECRET123';
const tokens = basePrompt(task.prompt!).tokens.length;

let build: string;
beforeAll(() => {
  build = buildForWorkers(); // workers run compiled JS: a private build of the current sources
});
const fromBuild = async <T>(path: string): Promise<T> => (await import(pathToFileURL(join(build, path)).href)) as T;

const servers: FakeLlm[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

function config(
  dir: string,
  server: FakeLlm,
  extra: { workers: number; evaluations: number; options?: Record<string, unknown> },
): Record<string, unknown> {
  return {
    name: 'prompt-pool',
    seed: 11,
    space: { type: 'bitstring', length: tokens },
    evaluator: {
      type: 'prompt',
      options: {
        scorer: 'http',
        baseUrl: server.url,
        model: 'test-model',
        devExamples: 6,
        testExamples: 2,
        backoffSeconds: 0.01,
        responseCache: join(dir, 'llm.mdb'),
        ...extra.options,
      },
    },
    search: { strategy: 'random' },
    archive: {
      type: 'grid',
      dims: [
        { name: 'tokens', min: 0, max: tokens + 1, bins: 10 },
        { name: 'demos', min: 0, max: 17, bins: 17 },
      ],
    },
    budget: { evaluations: extra.evaluations },
    workers: extra.workers,
    cache: { path: join(dir, 'cache.mdb') },
  };
}

describe('shared semaphore', () => {
  it('bounds holders across real worker threads, with one SharedArrayBuffer from the main thread', async () => {
    const semaphores = pathToFileURL(join(build, 'core/semaphores.js')).href;
    const { sharedMemory } = await fromBuild<typeof import('../../core/semaphores.js')>('core/semaphores.js');
    const counter = new Int32Array(new SharedArrayBuffer(8)); // [holders now, most holders seen]
    const code = `
      const { workerData, parentPort } = require('node:worker_threads');
      import(workerData.semaphores).then(async ({ adoptSharedMemory, sharedSemaphore }) => {
        adoptSharedMemory(workerData.memory);
        const gate = sharedSemaphore('test-gate', 3);
        const c = workerData.counter;
        await Promise.all(Array.from({ length: 4 }, async () => {
          for (let i = 0; i < 5; i++) {
            const release = await gate.acquire();
            const now = Atomics.add(c, 0, 1) + 1;
            for (let seen = Atomics.load(c, 1); now > seen; seen = Atomics.load(c, 1)) Atomics.compareExchange(c, 1, seen, now);
            await new Promise((r) => setTimeout(r, 3));
            Atomics.sub(c, 0, 1);
            release();
          }
        }));
        parentPort.postMessage('done');
      });`;
    const workers = Array.from(
      { length: 3 },
      () => new Worker(code, { eval: true, workerData: { semaphores, memory: sharedMemory(), counter } }),
    );
    await Promise.all(
      workers.map((w) => new Promise((resolve, reject) => (w.once('message', resolve), w.once('error', reject)))),
    );
    await Promise.all(workers.map((w) => w.terminate()));
    expect(Atomics.load(counter, 1)).toBe(3); // 12 lanes in 3 threads wanted the gate; never more than 3 held it
    expect(Atomics.load(counter, 0)).toBe(0);
  });

  it('a permit held by a terminated thread is free again when its lease ends', async () => {
    const semaphores = pathToFileURL(join(build, 'core/semaphores.js')).href;
    const { lockKey, sharedMemory, sharedSemaphore } =
      await fromBuild<typeof import('../../core/semaphores.js')>('core/semaphores.js');
    const code = `
      const { workerData, parentPort } = require('node:worker_threads');
      import(workerData.semaphores).then(async ({ adoptSharedMemory, lockKey, sharedSemaphore }) => {
        adoptSharedMemory(workerData.memory);
        await sharedSemaphore('lease-gate', 1, { leaseMs: 300 }).acquire(); // never released
        await lockKey('some request', { leaseMs: 300 }); // never released
        parentPort.postMessage('holding');
      });`;
    const worker = new Worker(code, { eval: true, workerData: { semaphores, memory: sharedMemory() } });
    await new Promise((resolve, reject) => (worker.once('message', resolve), worker.once('error', reject)));
    await worker.terminate();
    const gate = sharedSemaphore('lease-gate', 1, { leaseMs: 300 });
    expect(gate.holders()).toBe(1);
    const started = performance.now();
    const release = await gate.acquire(AbortSignal.timeout(5000));
    expect(performance.now() - started).toBeGreaterThan(100);
    expect(gate.holders()).toBe(1);
    release();
    expect(gate.holders()).toBe(0);
    const unlock = await lockKey('some request', { signal: AbortSignal.timeout(5000) }); // the dead holder's lease ran out
    unlock();
    const again = await lockKey('some request', { signal: AbortSignal.timeout(100) }); // released: free at once
    again();
  });

  it('a keyed lock is exclusive until released', async () => {
    const { lockKey } = await fromBuild<typeof import('../../core/semaphores.js')>('core/semaphores.js');
    const order: string[] = [];
    const first = await lockKey('k');
    const second = lockKey('k').then((release) => (order.push('second'), release));
    await new Promise((r) => setTimeout(r, 120));
    order.push('first done');
    first();
    (await second)();
    expect(order).toEqual(['first done', 'second']);
  });
});

describe('prompt evaluator in the worker pool', () => {
  it('never has more requests in flight than `concurrency`, whatever the number of workers', async () => {
    const { runSearch } = await fromBuild<RunModule>('search/run.js');
    const { parseRunConfig } = await fromBuild<ConfigModule>('search/config.js');
    for (const concurrency of [2, 3]) {
      const dir = useRunFiles();
      const server = await startFakeLlm({ respond: correct, delayMs: 25 });
      servers.push(server);
      // 3 workers × `concurrency` lanes each would put 6–9 requests in flight without the shared limit.
      const s = await runSearch(
        parseRunConfig(config(dir, server, { workers: 3, evaluations: 6, options: { concurrency } }), dir),
        { out: join(dir, 'run') },
      );
      expect(s).toMatchObject({ status: 'done', failures: 0 });
      expect(server.requests.length).toBeGreaterThanOrEqual(6 * 8 - 8); // distinct random prompts: ~8 requests each
      expect(server.maxInFlight()).toBe(concurrency);
    }
  });

  it('a real CLI run with the key in the environment: the server gets it, the run directory, caches and output never do', async () => {
    const dir = useRunFiles();
    // Prompts that keep "Classify" are refused, by a server that echoes the Authorization header into its error.
    const server = await startFakeLlm({
      respond: (r) =>
        r.body.messages.at(-1)!.content.includes('Classify')
          ? { kind: 'status', status: 400, message: `bad request (auth: Bearer ${KEY})` }
          : correct(r),
    });
    servers.push(server);
    const file = join(dir, 'config.json');
    writeFileSync(file, JSON.stringify(config(dir, server, { workers: 2, evaluations: 8 })));
    const child = spawn(
      process.execPath,
      [join(build, 'cli/bin.js'), 'run', file, '--out', join(dir, 'run'), '--json'],
      {
        cwd: dir,
        env: { ...process.env, OPENAI_API_KEY: KEY },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += String(d)));
    child.stderr.on('data', (d: Buffer) => (output += String(d)));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code, output).toBe(0);

    expect(server.authorizations.length).toBeGreaterThan(0);
    expect(server.authorizations.every((a) => a === `Bearer ${KEY}`)).toBe(true);
    const rows = JSON.parse(await exportRun(join(dir, 'run'), { format: 'json', all: true })) as {
      ok: boolean;
      message?: string;
    }[];
    const failed = rows.filter((r) => !r.ok);
    expect(failed.length).toBeGreaterThan(0); // some prompts kept "Classify"…
    expect(rows.some((r) => r.ok)).toBe(true); // …and some did not
    for (const r of failed)
      expect(r.message).toMatch(
        /^LLM server at http:\/\/127\.0\.0\.1:\d+\/v1 answered 400: refused the request: bad request \(auth: Bearer \[API key\]\)$/,
      );

    expect(output).not.toContain('SECRET123');
    const files = listFiles(dir);
    expect(files.some((f) => f.endsWith('llm.mdb'))).toBe(true);
    expect(files.some((f) => f.endsWith('run.log'))).toBe(true);
    for (const f of files) expect(readFileSync(f).includes('SECRET123'), f).toBe(false);
  });
});

function listFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? listFiles(path) : [path];
  });
}
