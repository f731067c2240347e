// The CLI: yargs wiring only. Each command lives in its own file and calls the library; main returns an exit code.
// A command's file is imported only when that command runs, so `elites --help` or `elites runs` does not load what
// `elites run` or `elites worker` needs (BullMQ, the LLM client, the report and dashboard code). yargs itself is
// imported only for a line cli/fast-args.ts leaves to it (help, errors, the rarer commands and forms).
import type { Argv } from 'yargs';
import { ElitesError, ExitCode, formatError } from '../core/errors.js';
import { parseFast } from './fast-args.js';
import { HELP_TEXT, HELP_WIDTH } from './help.js';
import { write, type CliIo } from './io.js';

class ArgumentError extends Error {}

/** Each command's handler, imported when the command runs. */
const commands = {
  run: async () => (await import('./run.js')).runCommand,
  resume: async () => (await import('./run.js')).resumeCommand,
  inspect: async () => (await import('./inspect.js')).inspectCommand,
  export: async () => (await import('./export.js')).exportCommand,
  runs: async () => (await import('./runs.js')).runsCommand,
  table: async () => (await import('./table.js')).tableCommand,
  report: async () => (await import('./report.js')).reportCommand,
  serve: async () => (await import('./serve.js')).serveCommand,
  init: async () => (await import('./init.js')).initCommand,
  worker: async () => (await import('./worker.js')).workerCommand,
};
type CommandName = keyof typeof commands;
type ArgsOf<C extends CommandName> = Parameters<Awaited<ReturnType<(typeof commands)[C]>>>[0];

/** A parsed command line: the command and its arguments, or the help text yargs wrote instead. */
export interface ParsedLine {
  readonly command?: CommandName;
  readonly args?: unknown;
  readonly help: string;
}

export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    // The top-level help at its usual width is a constant (cli/help.ts); a narrower terminal gets yargs's layout.
    if (argv.length === 1 && argv[0] === '--help' && helpWidth() === HELP_WIDTH) {
      write(io.stdout, HELP_TEXT);
      return ExitCode.ok;
    }
    const fast = parseFast(argv);
    const parsed: ParsedLine = fast
      ? { command: fast.command as CommandName, args: fast.args, help: '' }
      : await parseWithYargs(argv);
    if (parsed.command === undefined) {
      if (parsed.help) write(io.stdout, parsed.help);
      return ExitCode.ok;
    }
    const handler = (await commands[parsed.command]()) as (args: unknown, io: CliIo) => Promise<number>;
    return await handler(parsed.args, io);
  } catch (error) {
    if (error instanceof ArgumentError) {
      write(io.stderr, `${error.message}\nRun \`elites --help\` for usage.`);
      return ExitCode.badInput;
    }
    write(io.stderr, `error: ${formatError(error)}`);
    return error instanceof ElitesError ? error.exitCode : ExitCode.failed;
  }
}

/**
 * What yargs makes of `argv` (the commands and options below are the CLI's reference; fast-args.ts mirrors some).
 * @throws {ArgumentError} for a line yargs refuses.
 */
export async function parseWithYargs(argv: readonly string[], width = helpWidth()): Promise<ParsedLine> {
  const { default: yargs } = await import('yargs');
  let parsed: { command: CommandName; args: unknown } | undefined;
  // A command's handler records its args, typed by the command's args interface (e.g. ExportArgs): yargs infers argv
  // from the builder and it must be assignable to that interface, so a required option left out, or one declared with
  // the wrong type, fails to compile.
  const handle =
    <C extends CommandName>(command: C) =>
    (args: ArgsOf<C>): void =>
      void (parsed = { command, args });
  const budgetOptions = <T>(y: Argv<T>) =>
    y
      .option('evaluations', { type: 'number', describe: 'proposal budget (cache hits included)' })
      .option('seconds', { type: 'number', describe: 'wall-clock budget' })
      .option('workers', { type: 'number', describe: 'worker threads (0 = inline)' })
      .option('json', { type: 'boolean', describe: 'print the summary as JSON' });

  const cli = yargs()
    .scriptName('elites')
    .usage('$0 <command> [options]\n\nEvolutionary and quality-diversity search with a functional-hash cache.')
    .command(
      'run <config>',
      'start a search from a YAML/JSON config',
      (y) =>
        budgetOptions(y.positional('config', { type: 'string', demandOption: true }))
          .option('out', { type: 'string', describe: 'run directory (default runs/<name>-<time>/)' })
          .option('seed', { type: 'number' }),
      handle('run'),
    )
    .command(
      'resume <dir>',
      'continue a run from its last checkpoint',
      (y) => budgetOptions(y.positional('dir', { type: 'string', demandOption: true })),
      handle('resume'),
    )
    .command(
      'inspect <dir>',
      'summary, archive heatmap and top elites',
      (y) =>
        y
          .positional('dir', { type: 'string', demandOption: true })
          .option('top', { type: 'number', default: 10 })
          .option('json', { type: 'boolean' }),
      handle('inspect'),
    )
    .command(
      'export <dir>',
      'write the elites (or --all events) as csv, jsonl or json',
      (y) =>
        y
          .positional('dir', { type: 'string', demandOption: true })
          .option('format', { choices: ['csv', 'jsonl', 'json'] as const, default: 'csv' as const })
          .option('all', { type: 'boolean', describe: 'every logged event, not just the elites' })
          .option('output', { type: 'string', alias: 'o', describe: 'write to a file instead of stdout' }),
      handle('export'),
    )
    .command(
      'runs [dir]',
      'list runs with status and best',
      (y) => y.positional('dir', { type: 'string', default: 'runs' }).option('json', { type: 'boolean' }),
      handle('runs'),
    )
    .command(
      'table <dirs..>',
      'best configuration per value of a config field across runs (e.g. per GEMM shape)',
      (y) =>
        y
          .positional('dirs', { type: 'string', array: true, demandOption: true })
          .option('by', {
            type: 'string',
            default: 'evaluator.options.shape',
            describe: 'dotted config path to group runs by',
          })
          .option('output', { type: 'string', alias: 'o', describe: 'also write the table as JSON to this file' })
          .option('json', { type: 'boolean', describe: 'print JSON instead of the table' }),
      handle('table'),
    )
    .command(
      'report <dir>',
      'write a self-contained HTML report of a run: archive map, progress charts, elites table',
      (y) =>
        y
          .positional('dir', { type: 'string', demandOption: true })
          .option('out', {
            type: 'string',
            alias: 'o',
            describe: 'the HTML file to write (default RUN_DIR/report.html)',
          })
          .option('max-elites', {
            type: 'number',
            describe: 'elites listed with their text (best first; default 5000; the map shows all)',
          }),
      handle('report'),
    )
    .command(
      'serve',
      'a local read-only dashboard of the runs in a directory, live while they run',
      (y) =>
        y
          .option('runs', { type: 'string', default: 'runs', describe: 'the directory holding the run directories' })
          .option('port', { type: 'number', default: 8080, describe: 'port to listen on (0 = any free port)' })
          .option('host', {
            type: 'string',
            default: '127.0.0.1',
            describe: 'address to bind (other than loopback exposes the runs to the network)',
          }),
      handle('serve'),
    )
    .command(
      'init [dir]',
      'write a starter config and plug-in evaluator (--python: a Python one, run as an evaluator process)',
      (y) =>
        y
          .positional('dir', { type: 'string', default: '.' })
          .option('force', { type: 'boolean' })
          .option('python', { type: 'boolean', describe: 'the evaluator in Python (python3, nothing from pip)' }),
      handle('init'),
    )
    .command(
      'worker',
      'answer evaluation jobs of runs with executor: { type: redis } (until Ctrl-C)',
      (y) =>
        y
          .option('redis', {
            type: 'string',
            describe: 'Redis URL, redis://[:PASSWORD@]HOST:PORT or rediss:// (default $ELITES_REDIS_URL)',
          })
          .option('queue', { type: 'string', default: 'elites', describe: "the run config's executor.queue" })
          .option('concurrency', {
            type: 'number',
            default: 1,
            describe: 'evaluations at once (threads, or processes of an evaluator.process)',
          })
          .option('root', {
            type: 'string',
            describe: 'project directory plug-in modules are resolved in (default: the working directory)',
          })
          .option('memory-mb', { type: 'number', describe: 'heap limit of each evaluation thread (MB)' }),
      handle('worker'),
    )
    .demandCommand(1, 'name a command: run, resume, inspect, export, runs, table, report, serve, init or worker')
    .strict()
    .help()
    .version(false)
    .wrap(width)
    .exitProcess(false)
    .fail((message, error) => {
      throw error ?? new ArgumentError(message);
    });

  let help = '';
  await cli.parseAsync([...argv], {}, (_err, _argv, output) => void (help = output));
  return { ...parsed, help };
}

/** The help's width: the terminal's, at most 100 columns (100 when stdout is not a terminal). */
function helpWidth(): number {
  return Math.min(HELP_WIDTH, process.stdout.columns ?? HELP_WIDTH);
}
