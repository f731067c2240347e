// `elites inspect RUN_DIR`: summary, archive heatmap and the top elites (or all of it as JSON); in colour on a terminal that has it.
import { inspectRun } from '../report/inspect.js';
import { formatEliteTable, formatPareto, formatSummary } from './format.js';
import { write, type CliIo } from './io.js';
import { createStyle } from './style.js';

export interface InspectArgs {
  readonly dir: string;
  readonly top?: number;
  readonly json?: boolean;
}

export async function inspectCommand(args: InspectArgs, io: CliIo): Promise<number> {
  const style = createStyle(!args.json && (io.color ?? false));
  // In colour the character is a solid block and the colour carries the level.
  const inspection = await inspectRun(args.dir, {
    top: args.top ?? 10,
    ...(style.enabled ? { paint: (_shade: string, level: number) => style.level(level, '█') } : {}),
  });
  if (args.json) {
    write(
      io.stdout,
      JSON.stringify(
        {
          ...inspection.summary,
          top: inspection.top,
          history: inspection.history.points,
          ...(inspection.pareto ? { pareto: inspection.pareto } : {}),
        },
        null,
        2,
      ),
    );
    return 0;
  }
  const table = formatEliteTable(
    inspection.top.map((e, i) => ({ rank: i + 1, ...e })),
    style,
  );
  write(
    io.stdout,
    [
      formatSummary(inspection.summary, style),
      '',
      inspection.heatmap,
      '',
      style.bold(`top ${inspection.top.length} elites:`),
      table,
      ...(inspection.pareto ? ['', formatPareto(inspection.pareto, args.top ?? 10, style)] : []),
    ].join('\n'),
  );
  return 0;
}
