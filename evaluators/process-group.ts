// Child process groups, shared by the evaluators that start programs (command, kernel, process): a child spawned with
// `detached: true` leads a group of its own, so one kill stops it and everything it started; groups still alive when
// this process exits are killed then; a program is checked before a run starts; and what a child printed is kept as
// a bounded tail for messages.

import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';

/** Process groups still running; killed if this process exits first. */
const live = new Set<number>();
let exitHookInstalled = false;

/** SIGKILLs the group led by `pid` (no error when it is gone already). */
export function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // ESRCH: the group is gone already
  }
}

/**
 * Kills the group led by `pid` when this process exits, unless the returned function is called first (the child has
 * ended). A worker thread's exit is not seen here: a long-lived child should also end when its stdin closes.
 */
export function trackGroup(pid: number | undefined): () => void {
  if (pid === undefined) return () => undefined;
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const p of live) killGroup(p);
    });
  }
  live.add(pid);
  return () => void live.delete(pid);
}

/**
 * Why `program` (an argv[0]) cannot be started, or undefined when it can: a name with a slash must be an executable
 * file (relative to `cwd`), a name without one must be found on `searchPath` (a PATH value). Checked before a run
 * starts, so a typo is a config error rather than a failed evaluation.
 */
export function programProblem(program: string, cwd: string, searchPath: string): string | undefined {
  if (program.includes('/')) {
    const path = isAbsolute(program) ? program : resolve(cwd, program);
    return isExecutable(path) ? undefined : `: ${path} is not an executable file`;
  }
  const found = searchPath.split(delimiter).some((d) => d !== '' && isExecutable(join(d, program)));
  return found ? undefined : ' not found on PATH';
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** The command for a message: arguments with unusual characters quoted as JSON, at most 300 characters. */
export function displayCommand(argv: readonly string[]): string {
  const text = argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : JSON.stringify(a))).join(' ');
  return text.length > 300 ? `${text.slice(0, 297)}...` : text;
}

/** The last `count` lines of `text` (each cut to 500 characters), or [] when it holds only white space. */
export function lastLines(text: string, count: number): string[] {
  const trimmed = text.trimEnd();
  if (trimmed.trim() === '') return [];
  return trimmed
    .split(/\r?\n/)
    .slice(-count)
    .map((l) => (l.length > 500 ? `${l.slice(0, 497)}...` : l));
}

/** Keeps the last `cap` bytes written to it. */
export class TailBuffer {
  private chunks: Buffer[] = [];
  private size = 0;
  constructor(private readonly cap: number) {}

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.size += chunk.length;
    if (this.size > 2 * this.cap) this.compact();
  }

  text(): string {
    this.compact();
    return this.chunks.length === 0 ? '' : this.chunks[0]!.toString('utf8');
  }

  private compact(): void {
    let all = Buffer.concat(this.chunks);
    if (all.length > this.cap) all = Buffer.from(all.subarray(all.length - this.cap)); // a copy: the rest can be freed
    this.chunks = [all];
    this.size = all.length;
  }
}
