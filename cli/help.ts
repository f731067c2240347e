// `elites --help` as yargs writes it at its usual width (100 columns), kept here so the commonest help costs no yargs
// import (~0.1 s CPU with its help layout). test/cli/fast-args.test.ts checks it is yargs's text, word for word: after a
// change to the commands in cli/main.ts, paste the text that test prints.

/** The width the text is laid out for. */
export const HELP_WIDTH = 100;

export const HELP_TEXT = [
  'elites <command> [options]',
  '',
  'Evolutionary and quality-diversity search with a functional-hash cache.',
  '',
  'Commands:',
  '  elites run <config>    start a search from a YAML/JSON config',
  '  elites resume <dir>    continue a run from its last checkpoint',
  '  elites inspect <dir>   summary, archive heatmap and top elites',
  '  elites export <dir>    write the elites (or --all events) as csv, jsonl or json',
  '  elites runs [dir]      list runs with status and best',
  '  elites table <dirs..>  best configuration per value of a config field across runs (e.g. per GEMM',
  '                         shape)',
  '  elites report <dir>    write a self-contained HTML report of a run: archive map, progress charts,',
  '                         elites table',
  '  elites serve           a local read-only dashboard of the runs in a directory, live while they run',
  '  elites init [dir]      write a starter config and plug-in evaluator (--python: a Python one, run',
  '                         as an evaluator process)',
  '  elites worker          answer evaluation jobs of runs with executor: { type: redis } (until',
  '                         Ctrl-C)',
  '',
  'Options:',
  '  --help  Show help                                                                        [boolean]',
].join('\n');
