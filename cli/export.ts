// `elites export RUN_DIR --format csv|jsonl|json [--all] [--output FILE]`.
import { writeFileSync } from 'node:fs';
import { exportRun, type ExportFormat } from '../report/inspect.js';
import { write, type CliIo } from './io.js';

export interface ExportArgs {
  readonly dir: string;
  readonly format: ExportFormat;
  readonly all?: boolean;
  readonly output?: string;
}

export async function exportCommand(args: ExportArgs, io: CliIo): Promise<number> {
  const text = await exportRun(args.dir, { format: args.format, all: args.all ?? false });
  if (args.output) {
    writeFileSync(args.output, text);
    write(io.stderr, `wrote ${args.output}`);
  } else io.stdout.write(text);
  return 0;
}
