// RunStore over LMDB: the append-only event log (the truth), the latest checkpoint, and run metadata.
import { mkdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Database, RootDatabase } from 'lmdb';
import { StoreError, UsageError } from '../core/errors.js';
import { commitCause, lmdbFileProblem, settleWithin } from './lmdb-guard.js';
import { closeLmdb, openLmdb, openTable } from './lmdb-env.js';
import { acquireLock, readLock, releaseLock } from './lock-file.js';
import { BlockBuilder, decodeBlock, eventsIn, isEventBlock, type EventBlock } from './event-block.js';
import {
  READABLE_STORE_SCHEMAS,
  STORE_SCHEMA_VERSION,
  type Checkpoint,
  type RunEvent,
  type RunSnapshot,
  type RunStatus,
} from './events.js';

export const STORE_FILE = 'store.mdb';
const LOCK_FILE = 'run.lock';

/**
 * The narrow persistence seam. Invariants: events are never rewritten; `append` resolves once the events are
 * committed (an evaluation counts as durable from then); a checkpoint saved after an append commits after it.
 * The events appended in one event-loop turn (lmdb-js commits a turn's writes as one transaction) are stored as one
 * record, a block (store/event-block.ts); readers get the events back one by one.
 * Writes that fail (disk full, I/O error) reject with a StoreError; what committed before stays readable.
 */
export interface RunStore {
  append(event: RunEvent): Promise<void>;
  /** Events with seq ≥ fromSeq, in order. */
  events(fromSeq?: number): Iterable<RunEvent>;
  lastSeq(): number;
  /** With `snapshot` (of the same seq or older), both are put in the same write. */
  saveCheckpoint(checkpoint: Checkpoint, snapshot?: RunSnapshot): Promise<void>;
  loadCheckpoint(): Checkpoint | undefined;
  /** The last saved snapshot, whatever its version (the caller checks it). */
  loadSnapshot(): RunSnapshot | undefined;
  getMeta<T>(name: string): T | undefined;
  /** A reader: `name` as last committed, past this store's snapshot (later reads see that newer snapshot too). */
  getLatestMeta<T>(name: string): T | undefined;
  putMeta(name: string, value: unknown): Promise<void>;
  /** Resolves when every write so far is committed. */
  flush(): Promise<void>;
  /** Never rejects: a store whose last commit failed still closes (and releases its lock). */
  close(): Promise<void>;
}

export interface OpenRunStoreOptions {
  /** Take the run lock (one writer per run). Readers (inspect, export) pass false. */
  readonly write: boolean;
  /** Initial LMDB map size in bytes (lmdb-js grows the map past it on demand); for tests. */
  readonly mapSize?: number;
}

/** The one wording of "this is not a run directory": `why` follows the path (` (no store.mdb)`, `: not LMDB`). */
export function notARunDirectory(shownAs: string, why: string): UsageError {
  return new UsageError(
    `${shownAs} is not a run directory${why}`,
    'Pass a directory made by `elites run`; `elites runs` lists them.',
  );
}

/** @throws {UsageError} when `dir` holds no run store; `shownAs`: the path as the user gave it. */
export function requireRunDirectory(dir: string, shownAs = dir): void {
  if (!existsSync(join(dir, STORE_FILE))) throw notARunDirectory(shownAs, ` (no ${STORE_FILE})`);
}

/**
 * Opens (creating if needed) the store of a run directory.
 * @throws {UsageError} when the directory cannot be a run (not creatable, not LMDB, another schema) or is locked by a live process.
 * @throws {StoreError} when LMDB cannot open it for another reason.
 */
export function openRunStore(dir: string, options: OpenRunStoreOptions): RunStore {
  let lockToken = '';
  if (options.write) {
    try {
      mkdirSync(dir, { recursive: true });
    } catch (error) {
      throw new UsageError(
        `cannot create the run directory ${dir}: ${(error as Error).message}`,
        'Pass an --out directory that can be created (its parents must be directories you can write).',
      );
    }
    lockToken = takeRunLock(dir);
  } else {
    requireRunDirectory(dir);
  }
  const problem = lmdbFileProblem(join(dir, STORE_FILE));
  if (problem && (problem.kind === 'foreign' || !options.write)) {
    if (options.write) releaseLock(join(dir, LOCK_FILE), lockToken);
    if (problem.kind === 'empty')
      throw new UsageError(
        `${dir} holds no run yet: ${problem.message}`,
        'It was stopped while it was being created: start it again with `elites run CONFIG --out DIR`.',
      );
    throw notARunDirectory(dir, `: ${problem.message}`);
  }
  let root: RootDatabase;
  try {
    root = openLmdb(join(dir, STORE_FILE), {
      maxDbs: 8,
      reader: !options.write,
      ...(options.mapSize ? { mapSize: options.mapSize } : {}),
    });
  } catch (error) {
    if (options.write) releaseLock(join(dir, LOCK_FILE), lockToken);
    throw new StoreError(`cannot open the run store in ${dir}: ${(error as Error).message}`, undefined, {
      cause: error,
    });
  }
  // Values: blocks of events (schema 2), or single events (schema 1 runs, read as they are).
  const events = openTable<StoredEvents, number>(root, 'events', { keyEncoding: 'uint32', reader: !options.write });
  const meta = openTable<unknown, string>(root, 'meta', { reader: !options.write });
  // A reader's environment is shared and kept open (store/lmdb-env.ts): each look must see what the writer committed
  // since the last. Renewed after the tables are opened (opening them reads through the current snapshot).
  if (!options.write && events && meta) root.resetReadTxn();
  if (!events || !meta) {
    // Read-only, before the writer's first commit made the tables: there is no run in it yet.
    throw new UsageError(
      `${dir} holds no run yet (its store is being created, or was stopped while it was)`,
      'Wait for it to start, or start it again with `elites run CONFIG --out DIR`.',
    );
  }
  const schema = meta.get('schema');
  if (
    options.write &&
    schema !== STORE_SCHEMA_VERSION &&
    (schema === undefined || READABLE_STORE_SCHEMAS.includes(schema as number))
  ) {
    // A schema 1 run resumed here gets blocks after its single events: older elites must no longer open it.
    void meta.put('schema', STORE_SCHEMA_VERSION).then(undefined, (error: unknown) => commitCause(error)); // a failed write surfaces at the next one
  } else if (schema !== undefined && !READABLE_STORE_SCHEMAS.includes(schema as number)) {
    if (options.write) {
      void closeLmdb(root);
      releaseLock(join(dir, LOCK_FILE), lockToken);
    }
    const newer = typeof schema === 'number' && schema > STORE_SCHEMA_VERSION;
    throw new UsageError(
      `${dir} was written with run store schema ${String(schema)}; this elites reads schemas ${READABLE_STORE_SCHEMAS.join(' and ')}`,
      newer
        ? 'It was made by a newer elites: use that version (or newer) to resume, inspect or export it.'
        : 'Use the elites version that wrote this run.',
    );
  }
  // The log is its contiguous prefix 0..last. A failed commit (disk full) can be followed by commits that succeed:
  // events after such a gap were never part of a consistent log (no checkpoint covers them), so readers stop at
  // the gap and the next writer deletes what lies beyond it before appending.
  let last = contiguousEnd(events);
  if (options.write) {
    const orphans = [...events.getKeys({ start: last + 1 })];
    if (orphans.length > 0) root.transactionSync(() => orphans.forEach((key) => events.removeSync(key)));
  }
  /** The next block's index among the log's entries (see EventBlock.o). */
  let ordinal = options.write ? entryCount(events) : 0;
  /** Events appended in this turn, not yet put: written as one block at the turn's end (or before another write). */
  let open: { readonly first: number; readonly events: BlockBuilder; readonly done: Deferred } | undefined;
  let failed: StoreError | undefined; // after a failed write no event or checkpoint is written (it would land after a gap)
  // lmdb-js gives every unconditional put of one transaction the same promise: wrap it once, not once per event.
  let lastWrite: { put: Promise<unknown>; what: string; wrapped: Promise<void> } | undefined;
  const write = (what: string, put: () => Promise<unknown>, ordered = true): Promise<void> => {
    if (failed && ordered) return Promise.reject(failed);
    try {
      const pending = put();
      if (lastWrite?.put === pending && lastWrite.what === what) return lastWrite.wrapped;
      const wrapped = pending.then(
        () => undefined,
        async (error: unknown) => Promise.reject((failed ??= writeError(dir, what, error, await commitCause(error)))),
      );
      lastWrite = { put: pending, what, wrapped };
      return wrapped;
    } catch (error) {
      return Promise.reject((failed ??= writeError(dir, what, error)));
    }
  };

  /** Puts the open block (if any) under its first seq; its appends settle with that put's commit. */
  const putBlock = (): void => {
    const block = open;
    if (!block) return;
    open = undefined;
    const entry = ordinal++;
    write('the run log', () => events.put(block.first, block.events.finish(entry))).then(
      block.done.resolve,
      block.done.reject,
    );
  };

  return {
    append(event) {
      if (event.seq !== last + 1) throw new StoreError(`event seq ${event.seq} does not follow ${last}`);
      if (failed) return Promise.reject(failed);
      last = event.seq;
      if (!open) {
        open = { first: event.seq, events: new BlockBuilder(), done: deferred() };
        queueMicrotask(putBlock); // after the loop's synchronous run of answers, still in this turn's transaction
      }
      open.events.add(event);
      return open.done.promise;
    },
    *events(fromSeq = 0) {
      if (fromSeq > last) return;
      const start = Math.max(0, fromSeq);
      for (const { key, value } of events.getRange({ start: blockStart(events, start), end: last + 1 })) {
        if (!isEventBlock(value)) {
          if (key >= start) yield value;
          continue;
        }
        const decoded = decodeBlock(key, value);
        for (const e of decoded) if (e.seq >= start && e.seq <= last) yield e;
      }
    },
    lastSeq: () => last,
    saveCheckpoint: (checkpoint, snapshot) =>
      write('a checkpoint', () =>
        // (putBlock first: the events it holds were appended before, and must not commit after it.)
        // One transaction: a snapshot never lands without the checkpoint it was taken with (nor the other way).
        meta.transaction(() => {
          putBlock();
          if (snapshot) meta.putSync('snapshot', snapshot);
          meta.putSync('checkpoint', checkpoint);
        }),
      ),
    loadCheckpoint: () => meta.get('checkpoint') as Checkpoint | undefined,
    loadSnapshot: () => meta.get('snapshot') as RunSnapshot | undefined,
    getMeta: <T>(name: string) => meta.get(name) as T | undefined,
    getLatestMeta<T>(name: string) {
      if (!options.write) root.resetReadTxn();
      return meta.get(name) as T | undefined;
    },
    putMeta: (name, value) => write(`run metadata (${name})`, () => meta.put(name, value), false),
    flush: () => {
      putBlock();
      return write('pending writes', () => Promise.resolve(root.committed));
    },
    async close() {
      putBlock();
      // After a failed commit lmdb-js may never settle `committed` or `close()`: wait a bounded time, then go on
      // (the lock is released either way; a timer keeps the process alive while it waits).
      if (!options.write) return; // a reader's environment stays open (store/lmdb-env.ts)
      if (!failed) await settleWithin(root.committed, 30_000);
      await settleWithin(closeLmdb(root), failed ? 2000 : 30_000);
      releaseLock(join(dir, LOCK_FILE), lockToken);
    },
  };
}

/** What the events table holds under a key: a block (schema 2) or one event (schema 1). */
type StoredEvents = EventBlock | RunEvent;

function entryCount(events: Database<StoredEvents, number>): number {
  return (events.getStats() as { entryCount: number }).entryCount;
}

/**
 * The last seq of the gap-free prefix 0..n (−1 when empty); O(1) unless there is a gap: the last entry says how many
 * entries precede it (a block its ordinal, a single event its seq), which is the entry count exactly when none is
 * missing (a lost commit lost whole entries).
 */
function contiguousEnd(events: Database<StoredEvents, number>): number {
  const count = entryCount(events);
  if (count === 0) return -1;
  // (lmdb-js's reverse range misses key 0 when it is the only key: then read key 0 itself)
  let lastKey = -1;
  let lastValue: StoredEvents | undefined;
  for (const { key, value } of events.getRange({ reverse: true, limit: 1 })) {
    lastKey = key;
    lastValue = value;
  }
  if (lastValue === undefined) {
    lastKey = 0;
    lastValue = events.get(0);
  }
  if (lastValue !== undefined) {
    const before = isEventBlock(lastValue) ? lastValue.o : lastKey;
    if (before + 1 === count) return lastKey + eventsIn(lastValue) - 1;
  }
  let expected = 0;
  for (const { key, value } of events.getRange()) {
    if (key !== expected) break;
    expected += eventsIn(value);
  }
  return expected - 1;
}

/** The key of the entry holding `seq`: the greatest key ≤ seq (a block starts at or before it). */
function blockStart(events: Database<StoredEvents, number>, seq: number): number {
  if (seq === 0 || events.doesExist(seq)) return seq;
  for (const key of events.getKeys({ start: seq, reverse: true, limit: 1 })) return key;
  return 0;
}

interface Deferred {
  readonly promise: Promise<void>;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

function deferred(): Deferred {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

function writeError(dir: string, what: string, error: unknown, cause?: string): StoreError {
  const message = cause ?? (error instanceof Error ? error.message : String(error));
  return new StoreError(
    `cannot write ${what} in ${dir}: ${message} (is the disk full, or the file at a size limit?)`,
    `Events committed before this are intact. Free some space, then \`elites resume ${dir}\`.`,
    { cause: error },
  );
}

/** The run's lock (one writer per run): its token, to release it with. A stale lock of a killed process is taken over. */
function takeRunLock(dir: string): string {
  const lock = acquireLock(join(dir, LOCK_FILE));
  if (lock.ok) return lock.token;
  if (lock.pid === undefined)
    throw new UsageError(
      `run ${dir} is in use by another process (its lock was still being taken after 30 s)`,
      'If no elites process uses this run, delete run.lock and any run.lock.takeover-* beside it.',
    );
  throw new UsageError(
    `run ${dir} is in use by process ${lock.pid}`,
    'Wait for it to finish, or stop it (Ctrl-C) before resuming. If that process is not elites, delete run.lock.',
  );
}

/**
 * A run's status as readers show it: 'running' with no live process holding its lock means killed (resumable). The
 * status comes from the reader's snapshot and the lock from now, so a writer that ended after the snapshot looks
 * dead: its final status, committed since, tells the two apart (the snapshot's 'running' then stands, and the next
 * look sees the end). Read it last: it may renew the store's snapshot.
 */
export function readRunStatus(store: RunStore, dir: string): RunStatus | 'killed' {
  const stored = store.getMeta<RunStatus>('status') ?? 'running';
  if (stored !== 'running' || readLock(join(dir, LOCK_FILE)).state === 'live') return stored;
  const latest = store.getLatestMeta<RunStatus>('status') ?? 'running';
  return latest === 'running' ? 'killed' : 'running';
}

/** The live process holding the run's lock, if any (a lock left by a killed process does not count). */
export function lockHolder(dir: string): number | undefined {
  const lock = readLock(join(dir, LOCK_FILE));
  return lock.state === 'live' ? lock.pid : undefined;
}
