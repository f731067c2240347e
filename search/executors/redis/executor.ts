// Executor `redis`: tasks become BullMQ jobs that `elites worker` processes answer. The main process keeps the strategy,
// archive, log and cache; Redis holds only the jobs in flight, the run record workers load, and heartbeats.
import { hostname } from 'node:os';
import { relative } from 'node:path';
import { Queue, QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import type { ResultCache } from '../../../store/result-cache.js';
import { PluginError, UsageError } from '../../../core/errors.js';
import { loadEvaluator } from '../../evaluation.js';
import type { Failure } from '../../strategies/strategy.js';
import type { Evaluator } from '../../../core/types.js';
import type { EvalTask, EvaluatorSpec, Executor, ProgressSink, TaskResult } from '../executor.js';
import { connectRedis, redact, resolveRedisUrl } from './connection.js';
import {
  decode,
  encode,
  HEARTBEAT_STALE_MS,
  jobId,
  keys,
  parseMessage,
  shortHash,
  type EvaluatorIdentity,
  type JobData,
  type PruneMessage,
  type ReportMessage,
  type RunRecord,
  type WorkerState,
} from './protocol.js';

export interface RedisExecutorConfig {
  readonly url: string;
  readonly queue: string;
  readonly inFlight?: number;
  readonly waitForWorkersSeconds: number;
  readonly stalledSeconds: number;
}

export interface RedisExecutorOptions {
  /** Stable for one run directory across resumes: the prefix of every job id. */
  readonly runTag: string;
  /** The run's result cache: workers' level-2 fingerprint lookups are answered from it. */
  readonly cache?: ResultCache;
  /** Where notices go (a refused worker while others run, jobs re-queued after Redis lost them). Default stderr. */
  readonly log?: (line: string) => void;
  /** The evaluator the main thread loaded already (its name and version are what workers must match); loaded here when absent. */
  readonly evaluator?: Pick<Evaluator<unknown>, 'name' | 'version'>;
  /** The run's pruner: workers' evaluations report to it (through Redis) and stop when it answers 'prune'. */
  readonly progress?: ProgressSink;
}

/** The owner key's lifetime: a killed main process frees its queue after this long. */
const OWNER_TTL_MS = 15_000;
/** Completed jobs kept (newest first) so a resumed main process finds the results of tasks it was waiting on. */
const KEEP_DONE_MIN = 10_000;

interface Waiting {
  readonly resolvers: ((result: TaskResult) => void)[];
  readonly data: JobData;
  /** When the job was last added or checked. */
  since: number;
}

export interface RedisExecutor extends Executor {
  /** Workers ready for this run when it started, with their concurrency. */
  readonly workersAtStart: readonly { readonly host: string; readonly pid: number; readonly concurrency: number }[];
}

export function createRedisExecutor(
  spec: EvaluatorSpec,
  config: RedisExecutorConfig,
  options: RedisExecutorOptions,
): RedisExecutor {
  const k = keys(config.queue);
  const log = options.log ?? ((line: string) => void process.stderr.write(`${line}\n`));
  const stalledMs = Math.round(config.stalledSeconds * 1000);
  // Lost jobs (Redis restarted without persistence) and missed events are found by checking tasks this old.
  const sweepMs = Math.min(5000, stalledMs);
  const waiting = new Map<string, Waiting>();
  const timers: NodeJS.Timeout[] = [];
  let client: Redis | undefined;
  let subscriber: Redis | undefined;
  let queue: Queue | undefined;
  let events: QueueEvents | undefined;
  let record: RunRecord | undefined;
  let size = config.inFlight ?? 1;
  let keepDone = KEEP_DONE_MIN;
  let closed = false;
  const workersAtStart: { host: string; pid: number; concurrency: number }[] = [];
  const connections: Redis[] = [];
  const own = (connection: Redis): Redis => {
    connections.push(connection);
    return connection;
  };

  const settle = (id: string, result: TaskResult): void => {
    const entry = waiting.get(id);
    if (!entry) return; // answered already: a re-queued or re-checked job resolves its task once
    waiting.delete(id);
    for (const resolve of entry.resolvers) resolve(result);
  };

  const enqueue = (id: string, entry: Waiting): void => {
    entry.since = Date.now();
    queue
      ?.add('evaluate', entry.data, {
        jobId: id,
        removeOnComplete: { count: keepDone },
        removeOnFail: { count: keepDone },
      })
      .catch((error: unknown) => {
        if (!closed)
          log(`redis executor: could not queue ${id} (${(error as Error).message}); retrying in ${sweepMs / 1000} s`);
      });
  };

  /** Where a task's job stands in Redis; answers it when done, re-queues it when Redis has lost it. */
  const check = async (id: string): Promise<void> => {
    const entry = waiting.get(id);
    if (!entry || !queue) return;
    entry.since = Date.now();
    const state = await queue.getJobState(id);
    if (state === 'completed' || state === 'failed') {
      const job = await queue.getJob(id);
      if (!job) return void enqueue(id, entry); // removed between the two reads
      settle(
        id,
        state === 'completed' ? decode<TaskResult>(job.returnvalue as string) : queueFailure(job.failedReason),
      );
    } else if (state === 'unknown') {
      log(`redis executor: job ${id} is gone from Redis (restarted without persistence?); queued again`);
      enqueue(id, entry);
    }
  };

  const sweep = async (): Promise<void> => {
    const old = Date.now() - sweepMs;
    const due = [...waiting].filter(([, entry]) => entry.since < old).map(([id]) => id);
    await Promise.all(due.map((id) => check(id).catch(() => undefined)));
  };

  /** A worker's report to the pruner; a report of another run (a previous one's worker still running) is not ours. */
  const hearReport = (redis: Redis, run: RunRecord, message: string): void => {
    const report = parseMessage<ReportMessage>(message, 4);
    if (report === undefined || report[0] !== run.specId || closed) return;
    const [, id, step, value] = report;
    let decision: 'continue' | 'prune';
    try {
      decision = options.progress?.report(id, step, value) ?? 'continue';
    } catch (error) {
      // A malformed report fails its evaluation in the worker already (ctx.report checks it); this one is dropped.
      return void log(`redis executor: report of proposal ${id} dropped: ${(error as Error).message}`);
    }
    if (decision === 'prune')
      void redis.publish(k.prunes, encode([run.specId, id] satisfies PruneMessage)).catch(() => undefined);
  };

  /** Publishes the run for workers and claims the queue (again after a Redis restart: both keys are gone then). */
  const publish = async (redis: Redis, run: RunRecord): Promise<void> => {
    await redis.set(k.owner, run.runTag, 'PX', OWNER_TTL_MS);
    await redis.set(k.run, JSON.stringify(run));
    await redis.publish(k.announce, run.specId);
  };

  return {
    get size() {
      return size;
    },
    workersAtStart,

    async start() {
      const url = resolveRedisUrl(config.url, 'executor.url');
      const redis = await connectRedis(url, 'elites-main', 'executor.url');
      client = redis;
      const evaluator = options.evaluator ?? (await loadEvaluator(spec));
      const expect: EvaluatorIdentity = { name: evaluator.name, version: evaluator.version ?? null };
      const { cache, sharedMemory: _memory, ...rest } = spec;
      const shared = { ...rest, ...(cache ? { cache: { ...cache, path: '' } } : {}) };
      const body = {
        runTag: options.runTag,
        spec: shared,
        ...(spec.module !== undefined ? { moduleFromRoot: relative(process.cwd(), spec.module) } : {}),
        ...(spec.process !== undefined ? { processCwdFromRoot: relative(process.cwd(), spec.process.cwd) } : {}),
        expect,
        stalledMs,
        ...(options.progress ? { reports: true as const } : {}),
      };
      // The same run resumed by another process has the same spec id: workers keep what they loaded.
      const run: RunRecord = {
        specId: shortHash(JSON.stringify(body), 16),
        ...body,
        main: { host: hostname(), pid: process.pid },
      };
      record = run;

      await claimQueue(redis, config.queue, options.runTag, url);
      await publish(redis, run);
      // BullMQ leaves connections it was given open: close() disconnects them.
      queue = new Queue(config.queue, { connection: own(redis.duplicate()) });
      queue.on('error', () => undefined); // connection errors: ioredis reconnects, the sweep catches up
      events = new QueueEvents(config.queue, { connection: own(redis.duplicate()) });
      events.on('error', () => undefined);
      events.on('completed', ({ jobId: id, returnvalue }) => {
        if (waiting.has(id)) settle(id, decode<TaskResult>(returnvalue as unknown as string));
      });
      events.on('failed', ({ jobId: id, failedReason }) => settle(id, queueFailure(failedReason)));
      // A resumed run adds a job that still exists (running, or done while the main process was away): look it up.
      events.on('duplicated', ({ jobId: id }) => void check(id).catch(() => undefined));
      await Promise.all([queue.waitUntilReady(), events.waitUntilReady()]);

      // Fingerprint lookups from workers, answered from this run's cache (see fingerprint.ts); running evaluations'
      // reports, decided by the run's pruner (a 'prune' goes to every worker: the one running that id stops it).
      subscriber = own(redis.duplicate());
      subscriber.on('error', () => undefined);
      await subscriber.subscribe(k.fingerprintRequests, ...(options.progress ? [k.reports] : []));
      subscriber.on('message', (channel: string, message: string) => {
        if (channel === k.reports) return void hearReport(redis, run, message);
        let request: { w: string; i: number; f: string };
        try {
          request = JSON.parse(message) as typeof request;
        } catch {
          return; // not ours: a stray publisher must not end the run
        }
        const entry = options.cache?.byFingerprint(String(request.f));
        void redis
          .publish(
            k.fingerprintReplies(String(request.w)),
            JSON.stringify({ i: request.i, e: entry ? encode(entry) : null }),
          )
          .catch(() => undefined);
      });

      const ready = await waitForWorkers(redis, run, config, url, log);
      workersAtStart.push(...ready);
      size =
        config.inFlight ??
        Math.max(
          1,
          ready.reduce((sum, w) => sum + w.concurrency, 0),
        );
      keepDone = Math.max(KEEP_DONE_MIN, 20 * size);

      // After a Redis restart ioredis reconnects by itself; the run record and the owner key must be written again.
      redis.on('ready', () => void publish(redis, run).catch(() => undefined));
      timers.push(
        setInterval(
          () => void redis.set(k.owner, run.runTag, 'PX', OWNER_TTL_MS).catch(() => undefined),
          OWNER_TTL_MS / 3,
        ),
      );
      timers.push(setInterval(() => void sweep(), sweepMs));
      for (const t of timers) t.unref();
    },

    submit(task: EvalTask): Promise<TaskResult> {
      if (closed || !record)
        return Promise.resolve({ ok: false, failure: { kind: 'crashed', message: 'executor closed' } });
      const id = jobId(record.runTag, task);
      return new Promise<TaskResult>((resolve) => {
        const same = waiting.get(id);
        if (same) return void same.resolvers.push(resolve);
        const entry: Waiting = {
          resolvers: [resolve],
          data: { s: record!.specId, t: encode(task) },
          since: Date.now(),
        };
        waiting.set(id, entry);
        enqueue(id, entry);
      });
    },

    async close() {
      closed = true;
      for (const t of timers) clearInterval(t);
      // Jobs stay in Redis: workers finish them, and a resumed run picks up their results (same job ids).
      for (const id of [...waiting.keys()])
        settle(id, { ok: false, failure: { kind: 'crashed', message: 'run stopped before the evaluation finished' } });
      const redis = client;
      if (redis && record && redis.status === 'ready') {
        // Free the queue for the next run at once (only if it is still ours).
        await redis
          .eval(
            "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0",
            1,
            k.owner,
            record.runTag,
          )
          .catch(() => undefined);
      }
      await Promise.allSettled([events?.close(), queue?.close()]);
      for (const connection of connections) connection.disconnect();
      redis?.disconnect();
    },
  };
}

/**
 * One run per queue at a time: a queue owned by a live run with another tag is refused; one left by a finished or
 * dead run is emptied of that run's jobs first (they would be evaluated for nobody).
 * @throws {UsageError} when another live run owns the queue.
 */
async function claimQueue(redis: Redis, queueName: string, runTag: string, url: string): Promise<void> {
  const k = keys(queueName);
  const taken = await redis.set(k.owner, runTag, 'PX', OWNER_TTL_MS, 'NX');
  if (taken === null) {
    const owner = await redis.get(k.owner);
    if (owner !== null && owner !== runTag) {
      const other = JSON.parse((await redis.get(k.run)) ?? '{}') as Partial<RunRecord>;
      const who = other.main ? ` (main process ${other.main.pid} on ${other.main.host})` : '';
      throw new UsageError(
        `queue ${queueName} at ${redact(url)} is in use by another run${who}`,
        'Give this run its own executor.queue (and start workers with --queue NAME), or wait for that run to end (a killed one frees the queue within 15 s).',
      );
    }
  }
  const previous = JSON.parse((await redis.get(k.run)) ?? 'null') as RunRecord | null;
  if (previous !== null && previous.runTag !== runTag) {
    const connection = redis.duplicate();
    const old = new Queue(queueName, { connection });
    try {
      await old.obliterate({ force: true });
    } finally {
      await old.close();
      connection.disconnect();
    }
  }
}

/**
 * Waits until at least one worker has loaded this run's evaluator (and the others that are loading have finished),
 * so the in-flight limit can follow the workers' capacity.
 * @throws {PluginError} when the only workers refused the run (another evaluator version, a setup that fails);
 *   {UsageError} when no worker answers within executor.waitForWorkersSeconds.
 */
async function waitForWorkers(
  redis: Redis,
  run: RunRecord,
  config: RedisExecutorConfig,
  url: string,
  log: (line: string) => void,
): Promise<{ host: string; pid: number; concurrency: number }[]> {
  const k = keys(config.queue);
  const deadline = Date.now() + config.waitForWorkersSeconds * 1000;
  let firstReady: number | undefined;
  const warned = new Set<string>();
  for (;;) {
    const now = Date.now();
    const all = Object.values(await redis.hgetall(k.workers)).map((text) => JSON.parse(text) as WorkerState);
    const fresh = all.filter((w) => now - w.seen < HEARTBEAT_STALE_MS);
    const ours = fresh.filter((w) => w.specId === run.specId);
    const ready = ours.filter((w) => w.state === 'ready');
    const refused = ours.filter((w) => w.state === 'refused');
    const pending = fresh.length - ready.length - refused.length;
    if (ready.length === 0 && refused.length > 0) {
      const w = refused[0]!;
      throw new PluginError(
        `worker ${w.pid} on ${w.host} refused this run: ${w.message ?? 'no reason given'}`,
        'Install the same project (and evaluator version) on that machine and restart its `elites worker`, or stop it and start a matching one.',
      );
    }
    for (const w of refused) {
      const id = `${w.host}/${w.pid}`;
      if (!warned.has(id))
        log(`warning: worker ${w.pid} on ${w.host} refused this run and takes no tasks: ${w.message ?? ''}`);
      warned.add(id);
    }
    if (ready.length > 0) {
      firstReady ??= now;
      // Give workers still loading the evaluator a little time, so the in-flight limit counts them too.
      if (pending === 0 || now - firstReady > 5000)
        return ready.map((w) => ({ host: w.host, pid: w.pid, concurrency: w.concurrency }));
    }
    if (now > deadline) {
      throw new UsageError(
        `no elites worker answered on queue ${config.queue} at ${redact(url)} within ${config.waitForWorkersSeconds} s${fresh.length > 0 ? ` (${fresh.length} still loading the evaluator)` : ''}`,
        `Start one on a machine with this project: \`elites worker --redis URL --queue ${config.queue}\` (README: Distributed evaluation), or raise executor.waitForWorkersSeconds.`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** A job BullMQ gave up on: its worker process died (or lost its lock) too often, or the job belonged to no run. */
function queueFailure(reason: string | undefined): TaskResult {
  const failure: Failure = {
    kind: 'crashed',
    message: `the queue gave up on this evaluation: ${reason ?? 'no reason given'}${/stalled/i.test(reason ?? '') ? ' (the worker processes running it died or were blocked past executor.stalledSeconds, more than once)' : ''}`,
  };
  return { ok: false, failure };
}
