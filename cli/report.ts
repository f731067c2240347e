// `elites report RUN_DIR [--out FILE]`: one self-contained HTML page (charts, archive map, elites table) for a run.
import { join, relative, resolve } from 'node:path';
import { writeReport } from '../report/report.js';
import { formatNumber, write, type CliIo } from './io.js';

export interface ReportArgs {
  readonly dir: string;
  readonly out?: string;
  readonly maxElites?: number;
}

export async function reportCommand(args: ReportArgs, io: CliIo): Promise<number> {
  const cwd = io.cwd ?? '.';
  const dir = resolve(cwd, args.dir);
  const out = resolve(cwd, args.out ?? join(args.dir, 'report.html'));
  const written = await writeReport(dir, out, args.maxElites !== undefined ? { maxElites: args.maxElites } : {});
  const s = written.snapshot;
  const shown = relative(resolve(cwd), written.path) || written.path;
  write(
    io.stdout,
    `wrote ${shown} (${formatNumber(written.bytes / 1024 / 1024, 3)} MB): ${s.status}, ${formatNumber(s.summary.proposals)} proposals, ${formatNumber(s.summary.size)} elites, best ${formatNumber(s.summary.best)}`,
  );
  return 0;
}
