// A lock file held by a process: "PID TOKEN" in a file made with an exclusive create. A lock whose process is dead is
// taken over by one process only, however many try at once: each must first make the takeover mark of that very lock
// (exclusive create again), and checks under it that the lock is still the dead one before replacing it.
import { createHash, randomUUID } from 'node:crypto';
import { readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

export type LockState =
  | { readonly state: 'absent' }
  /** `pid` undefined: the file was created an instant ago and its holder is writing its id. */
  | { readonly state: 'live'; readonly pid: number | undefined }
  | { readonly state: 'stale'; readonly content: string };

export type Acquired = { readonly ok: true; readonly token: string } | { readonly ok: false; readonly pid?: number };

/** A file still empty after this long was left by a process killed between creating it and writing its id. */
const EMPTY_MS = 5000;
/** How long to wait for another process's takeover (it takes well under a millisecond) before giving up. */
const TAKEOVER_WAIT_MS = 30_000;

const sleeper = new Int32Array(new SharedArrayBuffer(4));

/** Blocks the thread for `ms` (the lock is taken synchronously, before anything runs). */
export function sleepSync(ms: number): void {
  Atomics.wait(sleeper, 0, 0, ms);
}

export function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Who holds the lock at `path` now. A file of an older elites holds the pid alone: it is read the same way. */
export function readLock(path: string): LockState {
  const content = readText(path);
  if (content === undefined) return { state: 'absent' };
  if (content === '') return ageOf(path) < EMPTY_MS ? { state: 'live', pid: undefined } : { state: 'stale', content };
  const pid = pidOf(content);
  return isAlive(pid) ? { state: 'live', pid } : { state: 'stale', content };
}

/**
 * Takes the lock at `path` for this process, or says which live process holds it. A lock this process already
 * holds is granted again (the same token). A stale lock is taken over atomically: of several processes that find the
 * same dead lock at once, exactly one gets it; the others then see it held by that one.
 */
export function acquireLock(path: string): Acquired {
  const token = `${process.pid} ${randomUUID()}`;
  const deadline = Date.now() + TAKEOVER_WAIT_MS;
  for (;;) {
    if (create(path, token)) return { ok: true, token };
    const lock = readLock(path);
    if (lock.state === 'absent') continue; // released meanwhile
    if (lock.state === 'live') {
      if (lock.pid === process.pid) return { ok: true, token: readText(path) ?? token };
      if (lock.pid !== undefined) return { ok: false, pid: lock.pid };
    } else {
      const outcome = takeOver(path, lock.content, token);
      if (outcome === 'taken') return { ok: true, token };
      if (outcome === 'changed') continue; // someone else's lock now, or none: look again
    }
    // An id being written, or another live process taking the same dead lock over: it is done within moments.
    if (Date.now() > deadline)
      return lock.state === 'live' && lock.pid !== undefined ? { ok: false, pid: lock.pid } : { ok: false };
    sleepSync(2);
  }
}

/** Removes the lock if it is still the one `token` took (a lock taken over from this holder is left alone). */
export function releaseLock(path: string, token: string): void {
  if (readText(path) === token) rmSync(path, { force: true });
}

/**
 * Replaces the dead lock `content` with `token`, under that lock's takeover mark. Marks are numbered: a mark whose
 * maker died (killed mid-takeover) is passed over for the next number; a live maker is waited for ('busy').
 */
function takeOver(path: string, content: string, token: string): 'taken' | 'changed' | 'busy' {
  const prefix = `${path}.takeover-${createHash('sha256').update(content).digest('hex').slice(0, 16)}-`;
  for (let n = 1; ; n++) {
    const mark = `${prefix}${n}`;
    if (!create(mark, token)) {
      const maker = readLock(mark);
      if (maker.state === 'live') return 'busy';
      continue; // its maker died (or it was removed just now): the next number
    }
    try {
      // Under the mark no other process can replace this lock; it is still the dead one, or another lock entirely.
      if (readText(path) !== content) return 'changed';
      const temporary = `${path}.${process.pid}.tmp`;
      writeFileSync(temporary, token);
      renameSync(temporary, path); // atomic: readers see the dead lock, then ours, never none
      removeMarks(prefix);
      return 'taken';
    } finally {
      rmSync(mark, { force: true });
    }
  }
}

/** Exclusive create: false when the file exists. */
function create(path: string, content: string): boolean {
  try {
    writeFileSync(path, content, { flag: 'wx' });
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

/** Every mark of one dead lock (left by takeovers whose makers died), once it is replaced. */
function removeMarks(prefix: string): void {
  const name = basename(prefix);
  for (const file of readdirSync(dirname(prefix)))
    if (file.startsWith(name)) rmSync(join(dirname(prefix), file), { force: true });
}

const pidOf = (content: string): number => Number(content.split(' ', 1)[0]);

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

function ageOf(path: string): number {
  try {
    return Date.now() - statSync(path).mtimeMs;
  } catch {
    return 0;
  }
}
