// The everyday command lines parsed without yargs: importing yargs costs about 0.08 s of CPU (some 50 modules and an ICU
// segmenter), a third of `elites runs` and a fifth of `elites run`'s start-up. A line this does not fully understand
// (help, a typo, an unknown or repeated option, `--name=value`, a value that looks like a flag) gives undefined and goes
// to yargs, with its checks and messages. What it accepts, yargs parses to the same values (test/cli/fast-args.test.ts).

type Kind = 'string' | 'number' | 'boolean' | readonly string[];

interface CommandSpec {
  /** In order; `default` makes one optional. */
  readonly positionals: readonly { readonly name: string; readonly default?: string }[];
  /** By the name on the command line (kebab-case); a list is the string's choices. */
  readonly options: Readonly<Record<string, Kind>>;
  readonly aliases?: Readonly<Record<string, string>>;
  readonly defaults?: Readonly<Record<string, unknown>>;
}

const budget = { evaluations: 'number', seconds: 'number', workers: 'number', json: 'boolean' } as const;

/** The commands taken here, as cli/main.ts declares them to yargs. */
export const FAST_COMMANDS: Readonly<Record<string, CommandSpec>> = {
  run: { positionals: [{ name: 'config' }], options: { ...budget, out: 'string', seed: 'number' } },
  resume: { positionals: [{ name: 'dir' }], options: budget },
  inspect: { positionals: [{ name: 'dir' }], options: { top: 'number', json: 'boolean' }, defaults: { top: 10 } },
  export: {
    positionals: [{ name: 'dir' }],
    options: { format: ['csv', 'jsonl', 'json'], all: 'boolean', output: 'string' },
    aliases: { o: 'output' },
    defaults: { format: 'csv' },
  },
  runs: { positionals: [{ name: 'dir', default: 'runs' }], options: { json: 'boolean' } },
  report: {
    positionals: [{ name: 'dir' }],
    options: { out: 'string', 'max-elites': 'number' },
    aliases: { o: 'out' },
  },
};

export interface FastParse {
  readonly command: string;
  /** The positionals and options by their camelCase names, with the defaults applied. */
  readonly args: Readonly<Record<string, unknown>>;
}

/** Plain decimals only: yargs reads other forms (0x10, 010, .5) its own ways. */
const NUMBER = /^(0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?$/;

/** The command and its arguments, or undefined when yargs should parse `argv`. */
export function parseFast(argv: readonly string[]): FastParse | undefined {
  const [command, ...rest] = argv;
  if (command === undefined || !Object.hasOwn(FAST_COMMANDS, command)) return undefined;
  const spec = FAST_COMMANDS[command]!;
  const args: Record<string, unknown> = { ...spec.defaults };
  const seen = new Set<string>();
  const positionals: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const token = rest[i]!;
    if (!token.startsWith('-')) {
      positionals.push(token);
      continue;
    }
    const name = token.startsWith('--') ? token.slice(2) : spec.aliases?.[token.slice(1)];
    if (name === undefined || !Object.hasOwn(spec.options, name) || seen.has(name)) return undefined;
    seen.add(name);
    const kind = spec.options[name]!;
    const key = camelCase(name);
    if (kind === 'boolean') {
      if (rest[i + 1] === 'true' || rest[i + 1] === 'false') return undefined; // yargs would take it as the value
      args[key] = true;
      continue;
    }
    const value = rest[++i];
    if (value === undefined || value.startsWith('-')) return undefined;
    if (kind === 'number') {
      if (!NUMBER.test(value)) return undefined;
      args[key] = Number(value);
    } else if (kind === 'string' || kind.includes(value)) args[key] = value;
    else return undefined;
  }
  if (positionals.length > spec.positionals.length) return undefined;
  for (const [i, p] of spec.positionals.entries()) {
    const value = positionals[i] ?? p.default;
    if (value === undefined) return undefined;
    args[p.name] = value;
  }
  return { command, args };
}

function camelCase(name: string): string {
  return name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}
