// `elites run CONFIG` and `elites resume RUN_DIR`: start or continue a search, print the summary, map the outcome to an exit code.
import { loadRunConfig } from '../search/config.js';
import { ExitCode } from '../core/errors.js';
import { resumeBudget, resumeRun, runSearch, type RunHooks } from '../search/run.js';
import type { RunSummary } from '../search/summary.js';
import type { Budget } from '../search/budget.js';
import { formatSummary } from './format.js';
import { write, type CliIo } from './io.js';

export interface RunArgs {
  readonly config: string;
  readonly out?: string;
  readonly seed?: number;
  readonly workers?: number;
  readonly evaluations?: number;
  readonly seconds?: number;
  readonly json?: boolean;
}

export async function runCommand(args: RunArgs, io: CliIo): Promise<number> {
  const config = loadRunConfig(args.config, args);
  const summary = await withProgress(io, config.budget, (hooks) =>
    runSearch(config, { ...hooks, ...(args.out ? { out: args.out } : {}) }),
  );
  return printSummary(summary, args.json ?? false, io);
}

export interface ResumeArgs {
  readonly dir: string;
  readonly evaluations?: number;
  readonly seconds?: number;
  readonly workers?: number;
  readonly json?: boolean;
}

export async function resumeCommand(args: ResumeArgs, io: CliIo): Promise<number> {
  // The bar shows the budget the run will use: read where resumeRun reads it, merged as resumeRun merges it.
  const budget = await resumeBudget(args.dir, args);
  const summary = await withProgress(io, budget, (hooks) => resumeRun(args.dir, args, hooks));
  return printSummary(summary, args.json ?? false, io);
}

async function withProgress(
  io: CliIo,
  budget: Budget,
  start: (hooks: RunHooks) => Promise<RunSummary>,
): Promise<RunSummary> {
  // The bar draws only on a terminal: cli-progress is imported only then.
  const display = io.isTTY ? (await import('./progress.js')).createProgressDisplay(io, budget) : undefined;
  try {
    return await start({
      ...(io.stop ? { stop: io.stop } : {}),
      ...(display ? { onProgress: (p) => display.update(p) } : {}),
      onWarning: (message) => write(io.stderr, `warning: ${message}`),
    });
  } finally {
    display?.stop();
  }
}

/** Prints the summary (text or JSON) and maps the run's status to the exit code. */
function printSummary(summary: RunSummary, json: boolean, io: CliIo): number {
  write(io.stdout, json ? JSON.stringify(summary, null, 2) : formatSummary(summary));
  if (summary.status === 'interrupted') {
    write(io.stderr, `interrupted: resume with  elites resume ${summary.dir}`);
    return ExitCode.interrupted;
  }
  if (summary.status === 'failed') {
    write(
      io.stderr,
      `run failed: ${summary.error ?? 'see run.log'}\nThe log is intact: fix the cause, then  elites resume ${summary.dir}`,
    );
    return ExitCode.failed;
  }
  return ExitCode.ok;
}
