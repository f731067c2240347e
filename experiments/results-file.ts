// What the report generators share about their results JSON: read it (or start empty), write it whole or not at all,
// and name the commit a measurement was made at.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { repoRoot } from '../tools/args.js';

/** The results stored at `file`, or `empty()` when there are none yet. */
export function readResultsFile<T>(file: string, empty: () => T): T {
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as T) : empty();
}

/** Write-then-rename, so a crash mid-write never leaves half a JSON behind. */
export function writeResultsFile(file: string, results: unknown): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(`${file}.tmp`, `${JSON.stringify(results, null, 1)}\n`);
  renameSync(`${file}.tmp`, file);
}

/** The repository's HEAD commit, or 'unknown' outside a git checkout. */
export function headCommit(): string {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { cwd: repoRoot, encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}
