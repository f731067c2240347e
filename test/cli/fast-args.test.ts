// The command lines cli/fast-args.ts parses without yargs come out as yargs parses them, and the lines it leaves to yargs
// are the ones yargs must check (help, errors, unusual forms).
import { describe, expect, it } from 'vitest';
import { FAST_COMMANDS, parseFast } from '../../cli/fast-args.js';
import { HELP_TEXT, HELP_WIDTH } from '../../cli/help.js';
import { parseWithYargs } from '../../cli/main.js';

const camel = (name: string): string => name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/** yargs's args restricted to the names the fast parser knows for the command (yargs adds `_`, `$0`, aliases). */
async function viaYargs(argv: readonly string[]): Promise<{ command?: string; args: Record<string, unknown> }> {
  const parsed = await parseWithYargs(argv);
  const spec = FAST_COMMANDS[parsed.command ?? '']!;
  const names = [...spec.positionals.map((p) => p.name), ...Object.keys(spec.options).map(camel)];
  const all = parsed.args as Record<string, unknown>;
  return {
    ...(parsed.command ? { command: parsed.command } : {}),
    args: Object.fromEntries(names.filter((n) => all[n] !== undefined).map((n) => [n, all[n]])),
  };
}

describe('command lines parsed without yargs', () => {
  const lines = [
    ['run', 'c.yaml'],
    [
      'run',
      'c.yaml',
      '--out',
      'o',
      '--json',
      '--seed',
      '3',
      '--workers',
      '0',
      '--evaluations',
      '1e3',
      '--seconds',
      '2.5',
    ],
    ['resume', 'runs/a', '--evaluations', '100', '--json'],
    ['inspect', 'runs/a'],
    ['inspect', '--top', '3', 'runs/a', '--json'],
    ['export', 'runs/a'],
    ['export', 'runs/a', '--format', 'jsonl', '--all', '-o', 'x.jsonl'],
    ['export', 'runs/a', '--output', 'x.json', '--format', 'json'],
    ['runs'],
    ['runs', 'elsewhere', '--json'],
    ['report', 'runs/a', '--max-elites', '20', '-o', 'r.html'],
    ['report', 'runs/a', '--out', 'r.html'],
  ];
  it.each(lines)('%s … as yargs parses it', async (...argv: string[]) => {
    const fast = parseFast(argv);
    expect(fast, 'the fast parser takes this line').toBeDefined();
    expect({ command: fast!.command, args: fast!.args }).toEqual(await viaYargs(argv));
  });

  const left = [
    [],
    ['--help'],
    ['run'],
    ['run', 'a.yaml', 'b.yaml'],
    ['run', 'a.yaml', '--seed=3'],
    ['run', 'a.yaml', '--seed', '-1'],
    ['run', 'a.yaml', '--seed', '010'],
    ['run', 'a.yaml', '--json', 'false'],
    ['run', 'a.yaml', '--help'],
    ['inspect', 'runs/a', '--top', 'x'],
    ['inspect', 'runs/a', '--topp', '3'],
    ['inspect', 'runs/a', '--top', '3', '--top', '4'],
    ['inspect', 'runs/a', '--top'],
    ['export', 'runs/a', '--format', 'xml'],
    ['export', 'runs/a', '-x'],
    ['runs', 'a', 'b'],
    ['table', 'runs/a'],
    ['serve'],
    ['bogus'],
  ];
  it.each(left)('%s … is left to yargs', (...argv: string[]) => {
    expect(parseFast(argv)).toBeUndefined();
  });

  it('a line yargs refuses is refused with its message', async () => {
    await expect(parseWithYargs(['export', 'runs/a', '--format', 'xml'])).rejects.toThrow(/Invalid values/);
    await expect(parseWithYargs(['inspect', 'runs/a', '--topp', '3'])).rejects.toThrow(/Unknown argument/);
  });
});

describe('the help text kept in cli/help.ts', () => {
  it("is what yargs writes for `elites --help` (after changing a command, paste this test's received text)", async () => {
    expect(HELP_TEXT).toBe((await parseWithYargs(['--help'], HELP_WIDTH)).help);
  });
});
