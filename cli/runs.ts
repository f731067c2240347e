// `elites runs [DIR]`: one line per run with its status (coloured on a terminal that has colour) and best.
import { listRuns } from '../report/inspect.js';
import { formatNumber, write, type CliIo } from './io.js';
import { createStyle } from './style.js';

export interface RunsArgs {
  readonly dir?: string;
  readonly json?: boolean;
}

export async function runsCommand(args: RunsArgs, io: CliIo): Promise<number> {
  const runs = await listRuns(args.dir ?? 'runs');
  if (args.json) {
    write(io.stdout, JSON.stringify(runs, null, 2));
    return 0;
  }
  if (runs.length === 0) {
    write(io.stdout, '(no runs)');
    return 0;
  }
  const style = createStyle(io.color ?? false);
  for (const r of runs) {
    const status = r.status === 'killed' ? 'killed (resumable)' : r.status;
    write(
      io.stdout,
      `${style.status(r.status, status.padEnd(18))} ${String(r.proposals).padStart(10)} proposals  best ${formatNumber(r.best).padEnd(10)} coverage ${(r.coverage * 100).toFixed(1).padStart(5)}%  ${r.dir}${r.error ? `  (${r.error})` : ''}`,
    );
  }
  return 0;
}
