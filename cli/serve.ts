// `elites serve [--runs DIR] [--port N] [--host H]`: the local dashboard, until Ctrl-C.
import { resolve } from 'node:path';
import { startDashboard } from '../report/server.js';
import { UsageError } from '../core/errors.js';
import { write, type CliIo } from './io.js';

export interface ServeArgs {
  readonly runs: string;
  readonly port: number;
  readonly host: string;
}

export async function serveCommand(args: ServeArgs, io: CliIo): Promise<number> {
  if (!Number.isInteger(args.port) || args.port < 0 || args.port > 65535)
    throw new UsageError(
      `--port must be a whole number in 0..65535, got ${args.port}`,
      'Pass --port 0 to pick a free port.',
    );
  const dashboard = await startDashboard({
    runsDir: resolve(io.cwd ?? '.', args.runs),
    host: args.host,
    port: args.port,
  });
  const exposed = args.host !== '127.0.0.1' && args.host !== 'localhost' && args.host !== '::1';
  write(
    io.stdout,
    `elites dashboard: ${dashboard.url} (runs in ${args.runs}; read-only; Ctrl-C to stop)${exposed ? `\nwarning: listening on ${args.host}: other machines can read these runs` : ''}`,
  );
  await new Promise<void>((done) => {
    if (!io.stop) return; // in-process without a stop signal: serve until the process ends
    if (io.stop.aborted) return done();
    io.stop.addEventListener('abort', () => done(), { once: true });
  });
  await dashboard.close();
  write(io.stdout, 'dashboard stopped');
  return 0;
}
