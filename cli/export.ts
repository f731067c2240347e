// `elites export RUN_DIR --format csv|jsonl|json [--all] [--output FILE]`: written as it is made (a long log's --all
// export never sits in memory whole).
import { createWriteStream, openSync } from 'node:fs';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { writeExport, type ExportFormat } from '../report/inspect.js';
import { write, type CliIo } from './io.js';

export interface ExportArgs {
  readonly dir: string;
  readonly format: ExportFormat;
  readonly all?: boolean;
  readonly output?: string;
}

export async function exportCommand(args: ExportArgs, io: CliIo): Promise<number> {
  const options = { format: args.format, all: args.all ?? false };
  if (!args.output) {
    await writeExport(args.dir, options, (text) => drained(io.stdout, text));
    return 0;
  }
  // Opened here, so a path that cannot be written fails at once (as writeFileSync would), before the run is read.
  const file = createWriteStream('', { fd: openSync(args.output, 'w') });
  try {
    await writeExport(args.dir, options, (text) => drained(file, text));
  } finally {
    file.end();
    await once(file, 'close');
  }
  write(io.stderr, `wrote ${args.output}`);
  return 0;
}

/** Writes `text`; when the stream's buffer is full, resolves once it has drained. */
function drained(stream: Writable, text: string): Promise<void> | undefined {
  return stream.write(text) ? undefined : once(stream, 'drain').then(() => undefined);
}
