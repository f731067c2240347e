// `elites worker`: answers a queue's evaluation jobs. It loads the run's evaluator (checked against the version the main
// process expects), runs it on a piscina pool of `concurrency` threads (the local pool's timeouts and crash handling;
// the process's own event loop stays free to renew BullMQ locks), and follows the queue from run to run.
import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { isAbsolute, resolve } from 'node:path';
import { DelayedError, UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { CacheEntry } from '../../../store/result-cache.js';
import { loadEvaluator } from '../../evaluation.js';
import { describeThrown } from '../../plugins.js';
import { compiledEntry } from '../compiled-entry.js';
import type { EvalTask, EvaluatorSpec, Executor } from '../executor.js';
import { createPiscinaExecutor } from '../piscina.js';
import { createProcessPool } from '../process-pool.js';
import { connectRedis, redact, resolveRedisUrl } from './connection.js';
import { answerLookups } from './fingerprint.js';
import {
  decode,
  encode,
  HEARTBEAT_MS,
  keys,
  parseMessage,
  type JobData,
  type PruneMessage,
  type ReportMessage,
  type RunRecord,
  type WorkerState,
} from './protocol.js';

export interface RedisWorkerOptions {
  readonly url: string;
  readonly queue: string;
  /** Evaluations at once: BullMQ jobs taken at a time, and evaluation threads. */
  readonly concurrency: number;
  /** Where plug-in modules are looked up (their path relative to the main process's working directory); default cwd. */
  readonly root?: string;
  readonly memoryMb?: number;
  readonly log: (line: string) => void;
  /** Aborting it stops taking jobs, lets running ones finish, and resolves runRedisWorker. */
  readonly stop?: AbortSignal;
}

/** How long a fingerprint lookup waits for the main process (a dead one answers nothing: the task is evaluated). */
const LOOKUP_TIMEOUT_MS = 1500;
/** The run record is re-read this often too (an announcement missed while Redis restarted). */
const POLL_MS = 3000;

/** What answers the jobs: worker threads, or evaluator processes (an `evaluator.process` run). */
type PoolExecutor = Executor & { prune(id: number): void };

interface Loaded {
  readonly run: RunRecord;
  readonly executor?: PoolExecutor;
  readonly bull?: Worker<JobData, string>;
  readonly connection?: Redis;
}

/** Runs until `options.stop` aborts. @throws {UsageError} for a bad URL or an unreachable Redis (before anything runs). */
export async function runRedisWorker(options: RedisWorkerOptions): Promise<void> {
  const url = resolveRedisUrl(options.url, '--redis');
  const k = keys(options.queue);
  const id = `${hostname()}.${process.pid}.${Math.random().toString(36).slice(2, 8)}`;
  const redis = await connectRedis(url, `elites-worker-${id}`, '--redis');
  const subscriber = redis.duplicate();
  subscriber.on('error', () => undefined);
  const log = (line: string): void => options.log(`worker ${process.pid}: ${line}`);

  let state: WorkerState = {
    host: hostname(),
    pid: process.pid,
    concurrency: options.concurrency,
    specId: null,
    state: 'waiting',
    seen: Date.now(),
  };
  const beat = (): Promise<unknown> =>
    redis.hset(k.workers, id, JSON.stringify({ ...state, seen: Date.now() })).catch(() => undefined);
  const setState = (next: Partial<WorkerState>): Promise<unknown> => {
    state = { ...state, ...next };
    return beat();
  };

  // Fingerprint lookups: threads → this thread (fingerprint.ts) → the main process (Redis pub/sub) → back.
  let lookups = 0;
  const answers = new Map<number, (entry: CacheEntry | undefined) => void>();
  const remoteLookup = async (fingerprint: string): Promise<CacheEntry | undefined> => {
    const i = ++lookups;
    const answered = new Promise<CacheEntry | undefined>((done) => {
      answers.set(i, done);
      setTimeout(() => done(undefined), LOOKUP_TIMEOUT_MS).unref();
    });
    const listeners = await redis.publish(k.fingerprintRequests, JSON.stringify({ w: id, i, f: fingerprint }));
    if (listeners === 0) answers.get(i)?.(undefined); // no main process listening: evaluate
    const entry = await answered;
    answers.delete(i);
    return entry;
  };
  const stopAnswering = answerLookups(remoteLookup);
  subscriber.on('message', (channel: string, message: string) => {
    if (channel === k.fingerprintReplies(id)) {
      try {
        const reply = JSON.parse(message) as { i: number; e: string | null };
        answers.get(reply.i)?.(reply.e === null ? undefined : decode<CacheEntry>(reply.e));
      } catch {
        // a malformed answer: the lookup times out as a miss
      }
    } else if (channel === k.prunes) {
      const prune = parseMessage<PruneMessage>(message, 2);
      if (prune !== undefined && prune[0] === loaded?.run.specId) loaded.executor?.prune(prune[1]);
    } else if (channel === k.announce) reload();
  });
  await subscriber.subscribe(k.announce, k.fingerprintReplies(id), k.prunes);

  let loaded: Loaded | undefined;
  let chain: Promise<void> = Promise.resolve();
  /** Re-reads the run record and switches to it; calls are serialised. */
  const reload = (): void => {
    chain = chain
      .then(async () => {
        if (options.stop?.aborted) return;
        const text = await redis.get(k.run);
        if (text === null) return;
        const run = JSON.parse(text) as RunRecord;
        if (loaded?.run.specId === run.specId) return;
        await unload(loaded);
        loaded = await load(run);
      })
      .catch((error: unknown) => log(`could not load the run: ${describeThrown(error)}`));
  };

  const load = async (run: RunRecord): Promise<Loaded> => {
    await setState({ specId: run.specId, state: 'loading' });
    const refuse = async (message: string): Promise<Loaded> => {
      log(`refused run ${run.runTag}: ${message}`);
      await setState({ state: 'refused', message });
      return { run };
    };
    const module =
      run.spec.module !== undefined
        ? findOnThisMachine(run.spec.module, run.moduleFromRoot, options.root, 'evaluator module')
        : undefined;
    if (module !== undefined && 'missing' in module) return refuse(module.missing);
    const processCwd =
      run.spec.process !== undefined
        ? findOnThisMachine(run.spec.process.cwd, run.processCwdFromRoot, options.root, "evaluator process's directory")
        : undefined;
    if (processCwd !== undefined && 'missing' in processCwd) return refuse(processCwd.missing);
    const spec: EvaluatorSpec = {
      ...run.spec,
      ...(module ? { module: module.path } : {}),
      ...(run.spec.process && processCwd ? { process: { ...run.spec.process, cwd: processCwd.path } } : {}),
    };
    let identity: string;
    try {
      const evaluator = await loadEvaluator(spec);
      identity = `${evaluator.name}@${evaluator.version ?? '(no version)'}`;
      if (evaluator.name !== run.expect.name || (evaluator.version ?? null) !== run.expect.version) {
        return refuse(
          `this worker's evaluator is ${identity}${module ? ` (${module.path})` : ''}, the run expects ${run.expect.name}@${run.expect.version ?? '(no version)'}: install the same version here and restart the worker`,
        );
      }
    } catch (error) {
      return refuse(`cannot load the evaluator: ${describeThrown(error)}`);
    }
    // A run with a pruner: the threads' reports go to the run's main process, whose 'prune's come back on k.prunes.
    const forward = (proposal: number, step: number, value: number): 'continue' => {
      void redis
        .publish(k.reports, encode([run.specId, proposal, step, value] satisfies ReportMessage))
        .catch(() => undefined);
      return 'continue';
    };
    const progress = run.reports ? { progress: { report: forward } } : {};
    const executor: PoolExecutor = spec.process
      ? // evaluator processes, driven from this thread; level-2 lookups are not bridged here: every task is evaluated
        createProcessPool(withoutCache(spec), options.concurrency, progress)
      : createPiscinaExecutor(spec, options.concurrency, {
          filename: compiledEntry('redis/thread-entry.cjs'),
          ...(options.memoryMb ? { memoryMb: options.memoryMb } : {}),
          ...progress,
        });
    try {
      await executor.start();
    } catch (error) {
      await executor.close();
      return refuse(describeThrown(error));
    }
    const connection = redis.duplicate(); // BullMQ leaves a connection it was given open: unload() closes it
    const bull = new Worker<JobData, string>(options.queue, (job, token) => answer(job, token, run, executor), {
      connection,
      concurrency: options.concurrency,
      lockDuration: run.stalledMs,
      stalledInterval: run.stalledMs,
      maxStalledCount: 2,
    });
    let lastError = '';
    bull.on('error', (error) => {
      if (error.message !== lastError) log(`queue error: ${error.message}`);
      lastError = error.message;
    });
    await setState({ state: 'ready', message: identity });
    log(
      `ready for run ${run.runTag} on queue ${options.queue} at ${redact(url)}: ${identity}, ${options.concurrency} at a time`,
    );
    return { run, executor, bull, connection };
  };

  const answer = async (
    job: Job<JobData, string>,
    token: string | undefined,
    run: RunRecord,
    executor: PoolExecutor,
  ): Promise<string> => {
    if (job.data.s !== run.specId) {
      const current = JSON.parse((await redis.get(k.run)) ?? 'null') as RunRecord | null;
      if (current?.specId !== job.data.s)
        throw new UnrecoverableError(`job ${job.id} belongs to no current run (spec ${job.data.s})`);
      // A newer run than the one loaded here: hand the job back and catch up.
      reload();
      await job.moveToDelayed(Date.now() + 500, token);
      throw new DelayedError();
    }
    return encode(await executor.submit(decode<EvalTask>(job.data.t)));
  };

  const heartbeat = setInterval(() => void beat(), HEARTBEAT_MS);
  const poll = setInterval(reload, POLL_MS);
  log(`connected to ${redact(url)}, queue ${options.queue}, concurrency ${options.concurrency}`);
  await beat();
  reload();
  await chain;
  if (!loaded) log('waiting for a run on this queue');

  await new Promise<void>((done) => {
    if (options.stop?.aborted) return done();
    options.stop?.addEventListener('abort', () => done(), { once: true });
  });
  clearInterval(heartbeat);
  clearInterval(poll);
  await chain;
  log('stopping: finishing the evaluations in progress');
  await unload(loaded);
  stopAnswering();
  await redis.hdel(k.workers, id).catch(() => undefined);
  subscriber.disconnect();
  redis.disconnect();
}

/** Stops taking jobs, lets running ones finish, frees the threads. */
async function unload(loaded: Loaded | undefined): Promise<void> {
  await loaded?.bull?.close();
  await loaded?.executor?.close();
  loaded?.connection?.disconnect();
}

/**
 * A path of the run's on this machine (a plug-in module, a process's directory): under --root (or the working
 * directory) at the path it has under the main process's working directory, else at the main machine's absolute path
 * (the same machine, or the same layout).
 */
function findOnThisMachine(
  absolute: string,
  fromRoot: string | undefined,
  root: string | undefined,
  what: string,
): { path: string } | { missing: string } {
  const candidates: string[] = [];
  if (fromRoot !== undefined && !isAbsolute(fromRoot)) candidates.push(resolve(root ?? process.cwd(), fromRoot));
  if (root === undefined) candidates.push(absolute);
  const found = candidates.find((c) => existsSync(c));
  if (found !== undefined) return { path: found };
  return {
    missing: `${what} not found (looked at ${candidates.join(', ')}): start the worker in the project's root directory, or pass --root DIR`,
  };
}

/** The spec without the main process's cache (its path means nothing here). */
function withoutCache({ cache: _mainProcess, ...spec }: EvaluatorSpec): EvaluatorSpec {
  return spec;
}
