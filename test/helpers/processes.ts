// The live child processes of a process, read from /proc (Linux): lets a test wait until a child it cannot see
// directly (started deep inside an evaluator) is running, instead of guessing how long that takes.
import { readdirSync, readFileSync } from 'node:fs';

export interface ChildProcessInfo {
  readonly pid: number;
  /** argv joined by spaces. */
  readonly command: string;
}

/** Children of `parent` (default: this process) that are not zombies. */
export function childProcesses(parent = process.pid): ChildProcessInfo[] {
  const out: ChildProcessInfo[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      // /proc/PID/stat: "pid (comm) state ppid …"; comm may hold spaces and parentheses, so split after the last ')'.
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(ppid) !== parent || state === 'Z') continue;
      out.push({
        pid: Number(name),
        command: readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0').join(' ').trim(),
      });
    } catch {
      // The process ended while we looked.
    }
  }
  return out;
}

/**
 * True while a process with this pid exists and is not a zombie (signal 0 probes without sending anything; a zombie,
 * dead but not yet reaped by a parent that may never reap it, is dead for a test).
 */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true; // no /proc: the signal probe is all there is
  }
}
