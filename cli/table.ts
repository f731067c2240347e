// `elites table DIR… [--by PATH]`: the best configuration per value of a config field (e.g. per GEMM shape), as a
// printed table and as JSON (--output FILE, or --json on stdout).
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { bestByGroup } from '../report/table.js';
import { formatNumber, write, type CliIo } from './io.js';

export interface TableArgs {
  readonly dirs: readonly string[];
  readonly by: string;
  readonly output?: string;
  readonly json?: boolean;
}

export async function tableCommand(args: TableArgs, io: CliIo): Promise<number> {
  const rows = await bestByGroup(
    args.dirs.map((d) => resolve(io.cwd ?? '.', d)),
    args.by,
  );
  const json = JSON.stringify({ by: args.by, rows }, null, 2);
  if (args.output) writeFileSync(resolve(io.cwd ?? '.', args.output), `${json}\n`);
  if (args.json) {
    write(io.stdout, json);
    return 0;
  }
  if (rows.length === 0) {
    write(io.stdout, '(no run has an elite yet)');
    return 0;
  }
  const width = Math.max(args.by.length, ...rows.map((r) => r.group.length));
  write(io.stdout, `${args.by.padEnd(width)}  ${'best'.padStart(10)}  runs  configuration`);
  for (const r of rows)
    write(
      io.stdout,
      `${r.group.padEnd(width)}  ${formatNumber(r.fitness).padStart(10)}  ${String(r.runs).padStart(4)}  ${r.text}`,
    );
  if (args.output) write(io.stdout, `wrote ${args.output}`);
  return 0;
}
