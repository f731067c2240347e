// A bench run in a process of its own, started as `elites` is (its V8 flags): sphere rounds (bench/sphere-run.ts) and
// quickstart runs (bench/planar-run.ts). In one process a later search runs slower than the first (V8 optimises a
// space's closures less once a second instance exists), so each timed search gets a fresh one.
import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { eliteNodeFlags, repoRoot } from '../tools/args.js';

const execFileAsync = promisify(execFile);

/** Runs dist/bench/`script` with `args` and then `dir` (created), and returns the JSON of its last line of output. */
export async function inOwnProcess<T>(script: string, args: readonly (string | number)[], dir: string): Promise<T> {
  mkdirSync(dir, { recursive: true });
  const { stdout } = await execFileAsync(
    process.execPath,
    [...eliteNodeFlags, join(repoRoot, 'dist/bench', script), ...args.map(String), dir],
    { maxBuffer: 1 << 20 },
  );
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as T;
}
