// The one way elites opens an LMDB file, so that processes sharing a file never harm each other: a run watched by
// `elites status` or the dashboard while it writes, a result cache shared by two runs.
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { threadId } from 'node:worker_threads';
import { openAsClass, type Database, type Key, type RootDatabase, type RootDatabaseOptionsWithPath } from 'lmdb';
import { StoreError } from '../core/errors.js';
import { isAlive, sleepSync as sleep } from './lock-file.js';

/** Address space reserved per file (not disk: the file grows with its data); readers and writer map the same size. */
const MAP_BYTES = 64 * 2 ** 30;

export interface OpenLmdbOptions {
  readonly maxDbs: number;
  /** Initial map size in bytes (lmdb-js grows the map past it on demand); for tests. */
  readonly mapSize?: number;
  /** The caller only reads: the environment is shared and kept open (see below), and `openTable` creates nothing. */
  readonly reader?: boolean;
}

/**
 * The environments this thread has open, one per file (by path; `ino` tells a new file at the path from the old).
 * lmdb-js coordinates the writes of one environment object (its write thread hands its open batch to a synchronous
 * transaction of the same object), not of two objects on one file: a second open of the file in this thread would get
 * its own, and the first synchronous transaction on it (its constructor runs one) would wait on LMDB's write lock while
 * the other object's write thread holds it, waiting for this thread to finish the turn's batch: a deadlock. So every
 * open of a file in this thread, reader or writer, shares one.
 */
interface Opened {
  readonly path: string;
  readonly ino: number;
  readonly root: RootDatabase;
  /** Opened `readOnly` (an unwritable file): a writer cannot share it. */
  readonly readOnly: boolean;
  /** Writers using it: closed when the last one closes, unless a reader has used it (kept open then). */
  writers: number;
  read: boolean;
}
const opened = new Map<string, Opened>();
const openedRoots = new WeakMap<RootDatabase, Opened>();

/**
 * Opens an LMDB file (one data file, its lock file beside it). What lmdb-js 3.5 needs, measured with a writer process
 * and processes opening the same file (test/reliability/shared-files.test.ts, open-beside-writer.test.ts):
 * - **No process opens the file while another may commit to it.** The LMDB that lmdb-js builds sets the lock file's
 *   "last transaction" from the meta page it read while opening, unconditionally (upstream LMDB does it only for
 *   MDB_PREVSNAPSHOT since ITS#9496). A commit by another process between that read and that store sets the shared
 *   counter back: that process's next transaction then starts from an old snapshot, and its commit is lost (a gap in
 *   a run log, then checkpoints past it) or fails with `MDB_PROBLEM: mdb_page_touch no parent` (a writer dying at
 *   start-up). Any open does it, read-only or not, kept open afterwards or not. So every open is gated (see
 *   `openEnvironment`): a process that opened a file to write registers beside it and, while another process opens
 *   it, holds the file's write lock for that process; no commit can land in between.
 * - **One environment per file and thread**, shared by its readers and writers there (see `Opened`: two would
 *   deadlock). It closes with its last writer, but once a reader has used it, it stays open until the thread or
 *   process ends; each reader's look renews its read snapshot. Fewer opens. (A reader opened `readOnly` would leave a
 *   writer unable to write: a writer does not share that one.)
 * - **Readers open read-write and simply never write.** Only where the file cannot be opened for writing (read-only
 *   media, no permission) does a reader fall back to `readOnly`: no process of ours can be writing it there.
 * - **overlappingSync off, one map size, in every process.** A commit is on disk when its promise resolves (with
 *   lmdb-js's default overlapping sync, the first process to open a file after a kill rolls back to the last synced
 *   commit, losing committed events), and no process needs to grow its map while another maps the file.
 */
export function openLmdb(path: string, options: OpenLmdbOptions): RootDatabase {
  const file = resolve(path);
  const write = !options.reader;
  // The file a reader opens exists (callers check); a new file at the path is a new run.
  const ino = write ? inode(file) : statSync(file).ino;
  const known = opened.get(file);
  if (known && known.ino === ino && !(write && known.readOnly)) {
    if (!write) {
      known.read = true;
      known.root.resetReadTxn(); // see what was committed since the last look
    } else if (known.writers++ === 0) {
      registerShared(file); // until now only read here: other processes must now wait for its loan
      lenders.get(file)?.roots.add(known.root);
    }
    return known.root;
  }
  const settings = {
    path: file,
    noSubdir: true,
    overlappingSync: false,
    maxDbs: options.maxDbs,
    mapSize: options.mapSize ?? MAP_BYTES,
  };
  const { root, readOnly } = openEnvironment(settings, write);
  // A replaced file's old environment stays open while it is used: no process writes the old file.
  const entry: Opened = { path: file, ino: inode(file) ?? -1, root, readOnly, writers: write ? 1 : 0, read: !write };
  opened.set(file, entry);
  openedRoots.set(root, entry);
  if (write) lenders.get(file)?.roots.add(root);
  return root;
}

/**
 * Ends a writer's use of what `openLmdb` opened to write: the environment closes with its last writer in this thread,
 * unless a reader has used it (it stays open then, as a reader's does). A reader has nothing to close.
 */
export async function closeLmdb(root: RootDatabase): Promise<void> {
  const entry = openedRoots.get(root);
  if (!entry || entry.writers === 0) return;
  if (--entry.writers > 0) return; // other writers of this thread still use it
  const keep = entry.read;
  if (!keep && opened.get(entry.path) === entry) opened.delete(entry.path); // an open from now on opens afresh
  const lending = lenders.get(entry.path);
  lending?.closing.add(root); // stops vouching for it: a close that never settles (failed commit) goes stale
  try {
    if (keep) {
      await Promise.resolve(root.committed).catch(() => undefined); // a failed commit was reported to its writer
    } else {
      await root.close();
    }
  } finally {
    lending?.closing.delete(root);
    // (a writer that shared it again meanwhile keeps it lent)
    if (lending && entry.writers === 0 && lenders.get(entry.path) === lending) {
      lending.roots.delete(root);
      if (lending.roots.size === 0) unregister(entry.path); // every commit of this thread to the file has landed
    }
  }
}

/** A named table of `root`; a reader never creates one (undefined when the writer has not made it yet). */
export function openTable<V, K extends Key = Key>(
  root: RootDatabase,
  name: string,
  options: { readonly reader?: boolean; readonly keyEncoding?: 'uint32' },
): Database<V, K> | undefined {
  const { reader, ...rest } = options;
  const dbOptions = { name, ...rest, create: !reader }; // `create` is an lmdb-js option its types leave out
  return root.openDB<V, K>(dbOptions) as Database<V, K> | undefined;
}

// ---- The open gate -------------------------------------------------------------------------------------------------
// Beside FILE: FILE-opening (one opener at a time; holds its token), FILE-lent (the token a writer holds the write lock
// for) and FILE-writer.PID.THREAD (a thread that opened FILE to write; its mtime is a heartbeat).

/** How often a writer looks for an opener (and beats). */
const LEND_POLL_MS = 5;
const BEAT_MS = 1000;
/**
 * A writer thread that has not beaten for this long runs no JavaScript: it issues no write, and what it issued has
 * long been committed. An opener stops waiting for it (it ended without closing, or is busy in one long computation).
 */
const STALE_MS = 10_000;
/** A writer lends its write lock for at most this long (an opener takes about a millisecond; a stopped one is let go). */
const LEND_MS = 5000;
/** An opener gives up after this long: a writer that beats but never lends (it should not happen). */
const WAIT_MS = 60_000;

type Settings = RootDatabaseOptionsWithPath & { readonly path: string };
type RootClass = new (name: null, options: Settings & { isRoot: true }) => RootDatabase;

interface Lending {
  readonly mark: string;
  readonly roots: Set<RootDatabase>;
  /** Roots being closed: a thread whose every root is closing no longer beats. */
  readonly closing: Set<RootDatabase>;
  beaten: number;
  /** The last opener's token this thread lent (or declined) the lock to. */
  served?: string;
}

/** Files this thread opened to write, by path: it lends their write lock to openers in other processes. */
const lenders = new Map<string, Lending>();
let lendTimer: ReturnType<typeof setInterval> | undefined;
let cleanupRegistered = false;

const openingFile = (path: string): string => `${path}-opening`;
const lentFile = (path: string): string => `${path}-lent`;
const writerPrefix = (path: string): string => `${basename(path)}-writer.`;

/**
 * Opens the environment of `settings.path` while no other process can commit to it: under FILE-opening (openers one
 * at a time), and, when some other process registered as writing the file, only once one of them holds the file's
 * write lock for this opener. A writer registers before it lets the next opener in, so before its first commit.
 * Where nothing can be written beside the file (read-only place) there is no gate: no writer of ours can be there.
 */
function openEnvironment(
  settings: Settings,
  write: boolean,
): { readonly root: RootDatabase; readonly readOnly: boolean } {
  const path = settings.path;
  const token = `${process.pid}.${threadId}.${randomUUID()}`;
  const gated = takeOpening(path, token, write);
  let Root: RootClass;
  let used: Settings = settings;
  try {
    if (gated) {
      const writers = activeWriters(path);
      // lmdb-js shares an environment within a process: opening one this process already has touches no lock file.
      const openHere =
        lenders.has(path) || opened.get(path)?.ino === inode(path) || writers.some((w) => w.pid === process.pid);
      if (writers.length > 0 && !openHere) waitForLoan(path, token);
    }
    try {
      Root = openAsClass(settings) as unknown as RootClass; // the environment, without its first transaction
    } catch (error) {
      if (write || !/permission denied|read-only file system|EACCES|EROFS|EPERM/i.test(String(error))) throw error;
      used = { ...settings, readOnly: true };
      Root = openAsClass(used) as unknown as RootClass;
    }
    if (write && gated) register(path);
  } finally {
    if (gated) releaseOpening(path, token);
  }
  // The root's first transaction needs the write lock: only after the lender has let it go.
  return { root: new Root(null, { ...used, isRoot: true }), readOnly: used.readOnly === true };
}

/**
 * Registers this thread as writing `path`, an environment it opened to read (no commit from it so far), as an opening
 * writer does: under FILE-opening, so that an opener of another process either finished opening before or sees it.
 */
function registerShared(path: string): void {
  if (lenders.has(path)) return;
  const token = `${process.pid}.${threadId}.${randomUUID()}`;
  if (!takeOpening(path, token, true)) return;
  try {
    register(path);
  } finally {
    releaseOpening(path, token);
  }
}

/** Takes FILE-opening; false when nothing can be created beside the file (no gate there). */
function takeOpening(path: string, token: string, write: boolean): boolean {
  const file = openingFile(path);
  const started = Date.now();
  for (;;) {
    try {
      writeFileSync(file, token, { flag: 'wx' });
      return true;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' && write) {
        mkdirSync(dirname(path), { recursive: true });
        continue;
      }
      if (code !== 'EEXIST') {
        if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') return false;
        throw error;
      }
    }
    const holder = readText(file);
    if (holder === undefined) continue; // released meanwhile
    // Empty: created, its token not written yet (or its opener was killed in between: let it go after a while).
    if (holder === '' ? Date.now() - mtimeOf(file) > 5000 : !isAlive(pidOf(holder))) {
      if (readText(file) === holder) rmSync(file, { force: true }); // an opener killed mid-open
      continue;
    }
    if (Date.now() - started > WAIT_MS)
      throw new StoreError(
        `cannot open ${path}: process ${holder === undefined ? '?' : pidOf(holder)} has been opening it for ${WAIT_MS / 1000} s`,
        `Is that process stopped? If no elites process uses the file, delete ${file}.`,
      );
    sleep(1);
  }
}

function releaseOpening(path: string, token: string): void {
  if (readText(openingFile(path)) === token) rmSync(openingFile(path), { force: true });
}

/** Waits until a writer holds the file's write lock for `token`, or no writer is left that could commit. */
function waitForLoan(path: string, token: string): void {
  const started = Date.now();
  let looked = started;
  for (;;) {
    if (readText(lentFile(path)) === token) return;
    const now = Date.now();
    if (now - looked > 50) {
      looked = now;
      const writers = activeWriters(path);
      if (writers.length === 0) return;
      if (now - started > WAIT_MS)
        throw new StoreError(
          `cannot open ${path}: process ${writers.map((w) => w.pid).join(', ')} writes it and did not make way for ${WAIT_MS / 1000} s`,
          'Try again; if that process is not elites, delete its FILE-writer.* mark beside the file.',
        );
    }
    sleep(0.5);
  }
}

/** Other threads and processes registered as writing `path` that may still commit (alive, beating). */
function activeWriters(path: string): { readonly pid: number }[] {
  const dir = dirname(path);
  const prefix = writerPrefix(path);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const found: { pid: number }[] = [];
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const [pidText, threadText] = name.slice(prefix.length).split('.');
    const pid = Number(pidText);
    if (pid === process.pid && Number(threadText) === threadId) continue; // this thread
    const file = join(dir, name);
    if (!isAlive(pid)) {
      rmSync(file, { force: true }); // a killed writer's mark
      continue;
    }
    let beat: number;
    try {
      beat = statSync(file).mtimeMs;
    } catch {
      continue; // unregistered meanwhile
    }
    if (Date.now() - beat <= STALE_MS) found.push({ pid });
  }
  return found;
}

function register(path: string): void {
  if (lenders.has(path)) return;
  const mark = `${path}-writer.${process.pid}.${threadId}`;
  writeFileSync(mark, '');
  lenders.set(path, { mark, roots: new Set(), closing: new Set(), beaten: Date.now() });
  lendTimer ??= setInterval(lend, LEND_POLL_MS);
  lendTimer.unref();
  if (!cleanupRegistered) {
    cleanupRegistered = true;
    process.once('exit', () => {
      for (const lending of lenders.values()) rmSync(lending.mark, { force: true });
    });
  }
}

function unregister(path: string): void {
  const lending = lenders.get(path);
  if (!lending) return;
  lenders.delete(path);
  rmSync(lending.mark, { force: true });
  if (lenders.size === 0 && lendTimer) {
    clearInterval(lendTimer);
    lendTimer = undefined;
  }
}

/** The writer's side: beat, and hold the write lock of each file this thread writes while another process opens it. */
function lend(): void {
  for (const [path, lending] of lenders) {
    try {
      lendFile(path, lending);
    } catch {
      // the file's directory removed under a writer that never closed (a test's temporary files): nothing to lend
      if (!existsSync(dirname(path))) unregister(path);
    }
  }
}

function lendFile(path: string, lending: Lending): void {
  const now = Date.now();
  const live = [...lending.roots].filter((root) => !lending.closing.has(root));
  if (live.length > 0 && now - lending.beaten >= BEAT_MS) {
    lending.beaten = now;
    try {
      utimesSync(lending.mark, now / 1000, now / 1000);
    } catch {
      writeFileSync(lending.mark, ''); // removed by hand: make it again
    }
  }
  if (!existsSync(openingFile(path))) return;
  const token = readText(openingFile(path));
  // An opener of this process does not wait: it shares this process's environment.
  if (!token || token === lending.served || pidOf(token) === process.pid) return;
  const root = live[0] ?? [...lending.roots][0];
  if (!root) return;
  try {
    root.transactionSync(() => {
      // Another writer may have lent it first: then the opener is done, and this transaction ends at once.
      if (readText(openingFile(path)) !== token) return;
      writeFileSync(lentFile(path), token);
      const until = Date.now() + LEND_MS;
      for (let i = 1; readText(openingFile(path)) === token && Date.now() < until; i++) {
        if (i % 200 === 0 && !isAlive(pidOf(token))) break;
        sleep(0.2);
      }
    }); // nothing written: an empty transaction commits nothing
    lending.served = token;
  } catch {
    // a root closed meanwhile: the next look uses another, or the opener stops waiting when this thread goes stale
  } finally {
    if (readText(lentFile(path)) === token) rmSync(lentFile(path), { force: true });
  }
}

function mtimeOf(file: string): number {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return Date.now();
  }
}

function inode(path: string): number | undefined {
  try {
    return statSync(path).ino;
  } catch {
    return undefined;
  }
}

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

const pidOf = (token: string): number => Number(token.split('.')[0]);
