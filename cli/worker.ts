// `elites worker --redis URL [--queue NAME] [--concurrency N] [--root DIR]`: answers evaluation jobs for runs whose
// config has `executor: { type: redis }`, until Ctrl-C / SIGTERM (running evaluations finish first).
import { UsageError } from '../core/errors.js';
import { runRedisWorker } from '../search/executors/redis/worker.js';
import { write, type CliIo } from './io.js';

export interface WorkerArgs {
  readonly redis?: string;
  readonly queue: string;
  readonly concurrency: number;
  readonly root?: string;
  readonly memoryMb?: number;
}

export async function workerCommand(args: WorkerArgs, io: CliIo): Promise<number> {
  const url = args.redis ?? process.env.ELITES_REDIS_URL;
  if (url === undefined || url === '')
    throw new UsageError(
      'no Redis URL: pass --redis URL or set ELITES_REDIS_URL',
      'e.g. elites worker --redis redis://:PASSWORD@HOST:6379 --queue elites',
    );
  if (!Number.isInteger(args.concurrency) || args.concurrency < 1 || args.concurrency > 1024)
    throw new UsageError(
      `--concurrency must be an integer in 1..1024, got ${args.concurrency}`,
      'Use about one per core the evaluator can use.',
    );
  await runRedisWorker({
    url,
    queue: args.queue,
    concurrency: args.concurrency,
    ...(args.root !== undefined ? { root: args.root } : {}),
    ...(args.memoryMb !== undefined ? { memoryMb: args.memoryMb } : {}),
    log: (line) => write(io.stderr, line),
    ...(io.stop ? { stop: io.stop } : {}),
  });
  return 0;
}
