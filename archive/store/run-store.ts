// RunStore over LMDB: the append-only event log (the truth), the latest checkpoint, and run metadata.
import { mkdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { open, type Database, type RootDatabase } from 'lmdb';
import { StoreError } from '../../search/errors.js';
import { STORE_SCHEMA_VERSION, type Checkpoint, type RunEvent } from './events.js';

export const STORE_FILE = 'store.mdb';
const LOCK_FILE = 'run.lock';

/**
 * The narrow persistence seam. Invariants: events are never rewritten; `append` resolves once the events are
 * committed (an evaluation counts as durable from then); a checkpoint saved after an append commits after it.
 */
export interface RunStore {
  append(event: RunEvent): Promise<void>;
  /** Events with seq ≥ fromSeq, in order. */
  events(fromSeq?: number): Iterable<RunEvent>;
  lastSeq(): number;
  saveCheckpoint(checkpoint: Checkpoint): Promise<void>;
  loadCheckpoint(): Checkpoint | undefined;
  getMeta<T>(name: string): T | undefined;
  putMeta(name: string, value: unknown): Promise<void>;
  /** Resolves when every write so far is committed. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

export interface OpenRunStoreOptions {
  /** Take the run lock (one writer per run). Readers (inspect, export) pass false. */
  readonly write: boolean;
}

/** Opens (creating if needed) the store of a run directory. @throws {StoreError} when locked by a live process or of another schema. */
export function openRunStore(dir: string, options: OpenRunStoreOptions): RunStore {
  if (options.write) {
    mkdirSync(dir, { recursive: true });
    acquireLock(dir);
  } else if (!existsSync(join(dir, STORE_FILE))) {
    throw new StoreError(`${dir} is not a run directory (no ${STORE_FILE})`, 'Pass the directory that `elites run` printed, e.g. runs/quickstart-<time>/.');
  }
  let root: RootDatabase;
  try {
    // noSubdir keeps one data file + one lock file per run; maps grow on demand.
    root = open({ path: join(dir, STORE_FILE), noSubdir: true, readOnly: !options.write, maxDbs: 8 });
  } catch (error) {
    if (options.write) releaseLock(dir);
    throw new StoreError(`cannot open the run store in ${dir}: ${(error as Error).message}`, undefined, { cause: error });
  }
  const events: Database<RunEvent, number> = root.openDB({ name: 'events', keyEncoding: 'uint32' });
  const meta: Database<unknown, string> = root.openDB({ name: 'meta' });
  const schema = meta.get('schema');
  if (schema === undefined && options.write) {
    void meta.put('schema', STORE_SCHEMA_VERSION);
  } else if (schema !== undefined && schema !== STORE_SCHEMA_VERSION) {
    void root.close();
    if (options.write) releaseLock(dir);
    throw new StoreError(`run store schema ${String(schema)} in ${dir}; this elites reads schema ${STORE_SCHEMA_VERSION}`, 'Use the elites version that wrote this run.');
  }
  let last = -1;
  for (const key of events.getKeys({ reverse: true, limit: 1 })) last = key;

  return {
    append(event) {
      if (event.seq !== last + 1) throw new StoreError(`event seq ${event.seq} does not follow ${last}`);
      last = event.seq;
      return events.put(event.seq, event).then(() => undefined);
    },
    *events(fromSeq = 0) {
      for (const { value } of events.getRange({ start: fromSeq })) yield value;
    },
    lastSeq: () => last,
    saveCheckpoint: (checkpoint) => meta.put('checkpoint', checkpoint).then(() => undefined),
    loadCheckpoint: () => meta.get('checkpoint') as Checkpoint | undefined,
    getMeta: <T>(name: string) => meta.get(name) as T | undefined,
    putMeta: (name, value) => meta.put(name, value).then(() => undefined),
    flush: () => Promise.resolve(root.committed).then(() => undefined),
    async close() {
      await root.committed;
      await root.close();
      if (options.write) releaseLock(dir);
    },
  };
}

function acquireLock(dir: string): void {
  const path = join(dir, LOCK_FILE);
  try {
    writeFileSync(path, String(process.pid), { flag: 'wx' });
    return;
  } catch {
    const holder = Number(readFileSync(path, 'utf8'));
    if (Number.isInteger(holder) && holder !== process.pid && isAlive(holder)) {
      throw new StoreError(`run ${dir} is in use by process ${holder}`, 'Wait for it to finish, or stop it (Ctrl-C) before resuming.');
    }
    writeFileSync(path, String(process.pid)); // stale lock of a killed process: take it over
  }
}

function releaseLock(dir: string): void {
  rmSync(join(dir, LOCK_FILE), { force: true });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
