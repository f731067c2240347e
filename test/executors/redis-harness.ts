// Real infrastructure for the Redis executor tests (no mocks): a redis-server on a free loopback port in a temp dir,
// and `elites worker` processes from dist/. Everything started here is stopped by stopAll().
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from '../../tools/args.js';
import { binPath } from '../helpers/cli.js';
import { repoRoot } from '../helpers/files.js';

/** Why the suite cannot run here, or undefined when redis-server is installed. */
export function redisMissing(): string | undefined {
  const probe = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  return probe.status === 0
    ? undefined
    : 'redis-server is not installed (apt-get install redis-server; CI installs it)';
}

const children = new Set<ChildProcess>();
const dirs: string[] = [];

export interface RedisServer {
  readonly url: string;
  readonly port: number;
  /** SIGKILL, then a fresh start on the same port: without persistence, everything in it is gone. */
  restart(pauseMs?: number): Promise<void>;
  stop(): void;
}

export async function startRedis(): Promise<RedisServer> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'elites-redis-'));
  dirs.push(dir);
  let child: ChildProcess | undefined;
  const launch = async (): Promise<void> => {
    child = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
      { stdio: 'ignore' },
    );
    children.add(child);
    await waitForPing(`redis://127.0.0.1:${port}`);
  };
  await launch();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    async restart(pauseMs = 300) {
      const old = child;
      old?.kill('SIGKILL');
      if (old)
        await new Promise((resolve) =>
          old.exitCode !== null || old.signalCode !== null ? resolve(undefined) : old.once('exit', resolve),
        );
      await new Promise((resolve) => setTimeout(resolve, pauseMs));
      await launch();
    },
    stop() {
      child?.kill('SIGKILL');
    },
  };
}

async function waitForPing(url: string): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const client = new Redis(url, { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.ping();
      client.disconnect();
      return;
    } catch {
      client.disconnect();
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  throw new Error(`redis-server did not answer at ${url}`);
}

export interface WorkerProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  output(): string;
  /** Resolves once the worker has loaded a run's evaluator (or refused it). */
  loaded(): Promise<void>;
  exited: Promise<number | null>;
}

/** An `elites worker` process (the built CLI), in the repository root unless `cwd` says otherwise. */
export function startWorker(
  url: string,
  queue: string,
  options: { concurrency?: number; root?: string; cwd?: string } = {},
): WorkerProcess {
  const args = [
    binPath,
    'worker',
    '--redis',
    url,
    '--queue',
    queue,
    '--concurrency',
    String(options.concurrency ?? 2),
    ...(options.root ? ['--root', options.root] : []),
  ];
  const child = spawn(process.execPath, args, { cwd: options.cwd ?? repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let text = '';
  const waiters: (() => void)[] = [];
  const onData = (d: Buffer): void => {
    text += String(d);
    if (/ready for run|refused run/.test(text)) for (const w of waiters.splice(0)) w();
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    pid: child.pid ?? -1,
    output: () => text,
    loaded: () =>
      new Promise<void>((resolve, reject) => {
        if (/ready for run|refused run/.test(text)) return resolve();
        waiters.push(resolve);
        void exited.then(() => reject(new Error(`worker exited before loading a run:\n${text}`)));
      }),
    exited,
  };
}

/** Kills every process this harness started (by its own pid) and removes its temp dirs. */
export function stopAll(): void {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  children.clear();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}
