// A run directory's files beside the store: where a new one goes, refusing to overwrite a run, run.log, atomic writes.
import { appendFileSync, existsSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { lmdbFileProblem } from '../store/lmdb-guard.js';
import { openRunStore, STORE_FILE } from '../store/run-store.js';
import { UsageError } from '../core/errors.js';

/** `runs/<name>-<timestamp>/` under the working directory, with a suffix when that exists. */
export function defaultRunDir(name: string): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  let dir = join('runs', `${name}-${stamp}`);
  for (let i = 2; existsSync(dir); i++) dir = join('runs', `${name}-${stamp}-${i}`);
  return dir;
}

export function alreadyHoldsARun(dir: string): UsageError {
  return new UsageError(
    `${dir} already holds a run`,
    `Resume it with \`elites resume ${dir}\`, or pass another --out.`,
  );
}

/**
 * Refuses an --out directory that already holds a run, before anything is built (the lock is checked when it opens).
 * @throws {UsageError} when it does, or its store.mdb is not LMDB.
 */
export function refuseExistingRun(dir: string): void {
  if (!existsSync(join(dir, STORE_FILE)) || lmdbFileProblem(join(dir, STORE_FILE))?.kind === 'empty') return;
  let config: unknown;
  const store = openRunStore(dir, { write: false }); // refuses a store.mdb that is not LMDB
  try {
    config = store.getMeta('config');
  } finally {
    void store.close();
  }
  if (config !== undefined) throw alreadyHoldsARun(dir);
}

/** Written whole or not at all: a kill mid-write leaves the previous file (or none), never half of one. */
export function writeFileAtomic(path: string, text: string): void {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, text);
  renameSync(temporary, path);
}

/** Appends a timestamped line to the run's human-readable log. */
export function logRun(dir: string, line: string): void {
  appendFileSync(join(dir, 'run.log'), `${new Date().toISOString()} ${line}\n`);
}
