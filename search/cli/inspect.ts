// `elites inspect RUN_DIR`: summary, archive heatmap and the top elites (or all of it as JSON).
import { inspectRun } from '../inspect.js';
import { formatEliteTable, formatSummary } from './format.js';
import { write, type CliIo } from './io.js';

export async function inspectCommand(args: { dir: string; top?: number; json?: boolean }, io: CliIo): Promise<number> {
  const report = await inspectRun(args.dir, { top: args.top ?? 10 });
  if (args.json) {
    write(io.stdout, JSON.stringify({ ...report.summary, top: report.top, history: report.history.points }, null, 2));
    return 0;
  }
  const table = formatEliteTable(report.top.map((e, i) => ({ rank: i + 1, ...e })));
  write(io.stdout, [formatSummary(report.summary), '', report.heatmap, '', `top ${report.top.length} elites:`, table].join('\n'));
  return 0;
}
