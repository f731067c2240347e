// ResultCache over LMDB: evaluation results by functional hash, shared across runs and processes.
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { RootDatabase } from 'lmdb';
import { hashCanonical } from '../core/hash.js';
import { StoreError } from '../core/errors.js';
import { commitCause, lmdbFileProblem, settleWithin } from './lmdb-guard.js';
import { closeLmdb, openLmdb, openTable } from './lmdb-env.js';
import type { CacheEntry } from './cache-entry.js';

export { addSample, singleSample, type CacheEntry } from './cache-entry.js';

/** What makes two evaluations comparable: a result is reused only under the same namespace (search/cache-scope.ts). */
export interface CacheScope {
  readonly evaluator: string;
  readonly version: string;
  readonly options: unknown;
  readonly fidelity: number;
  /** The space's canonical config (a plug-in's with its source hash): a genome means a candidate only in its space. */
  readonly space?: unknown;
  /** Content hashes of the files and directories the evaluator's options point at. */
  readonly inputs?: Readonly<Record<string, string>>;
  /** For timings: the machine they were measured on. */
  readonly machine?: string;
}

/** Namespace of a scope: evaluator name and version, then a hash of everything else in it. */
export function cacheNamespace(scope: CacheScope): string {
  const { evaluator, version, options, ...rest } = scope;
  return `${evaluator}@${version}/${hashCanonical({ options: options ?? null, ...rest }).slice(0, 16)}`;
}

/**
 * Reads are synchronous and see this thread's own writes at once (its pending puts are held until committed); writes
 * resolve when committed, and never reject: the cache is best effort (a failed write, e.g. on a full disk, only loses
 * reuse; the run log is the truth). Level-1 entries are stored under `k:` + key and level-2 under `f:` + fingerprint.
 */
export interface ResultCache {
  byKey(key: string): CacheEntry | undefined;
  /** This thread's entry for a key that is not committed yet (a put or a staged entry), if any: no read of the file. */
  heldByKey(key: string): CacheEntry | undefined;
  byFingerprint(fingerprint: string): CacheEntry | undefined;
  putKey(key: string, entry: CacheEntry): Promise<void>;
  putFingerprint(fingerprint: string, entry: CacheEntry): Promise<void>;
  /**
   * Makes `entry` the answer for a key (`k`) or fingerprint (`f`) at once for this thread (and, for a fingerprint,
   * for the worker threads it sends its unsettled entries to), but writes it only when the returned function is
   * called: a noisy sample is written once its event is in the run log, so a kill never leaves a sample in the cache
   * that the log does not hold. Never called (the process died first): the entry is gone with the process.
   */
  stage(kind: 'k' | 'f', id: string, entry: CacheEntry): () => Promise<void>;
  /** Fingerprint entries put in this thread that are not committed yet (see {@link unsettledFingerprints}). */
  unsettledFingerprints(): UnsettledFingerprints;
  close(): Promise<void>;
}

/** A cache file and a namespace in it: what an EvaluatorSpec's `cache` names. */
export interface CacheLocation {
  readonly path: string;
  readonly namespace: string;
}

/** Fingerprint → the entry last put for it, for the puts not committed yet. */
export type UnsettledFingerprints = ReadonlyArray<readonly [fingerprint: string, entry: CacheEntry]>;

const NONE: UnsettledFingerprints = Object.freeze([]);

/**
 * Fingerprint entries put in this thread and not yet committed, per cache file and namespace. This thread reads its
 * own pending puts, other threads read committed data only: the thread-pool executor sends these with each task so
 * that a worker thread's fingerprint answers are this thread's (search/executors/piscina.ts). An entry leaves when
 * its put settles; a newer put of the same fingerprint stays until its own put settles.
 */
const unsettled = new Map<string, Unsettled>();

/**
 * This thread's puts to one file and namespace that are not committed yet: fingerprints (sent to worker threads) and
 * keys (read here only). Reads of a pending put are answered from these maps, so the table needs no lmdb-js object
 * cache (an LRU over every value read, which cost a tenth of the main thread's time on a cheap objective).
 */
interface Unsettled {
  readonly entries: Map<string, CacheEntry>;
  readonly keys: Map<string, CacheEntry>;
  opened: number;
}

const locationKey = (location: CacheLocation): string => `${resolve(location.path)}\0${location.namespace}`;

/** The fingerprint entries this thread has put into `location` that are not committed yet (usually none or a few). */
export function unsettledFingerprints(location: CacheLocation): UnsettledFingerprints {
  const entries = unsettled.get(locationKey(location))?.entries;
  return entries === undefined || entries.size === 0 ? NONE : [...entries];
}

export interface OpenResultCacheOptions {
  readonly path: string;
  readonly namespace: string;
  /** Workers open the cache read-only: only the main thread writes (DESIGN §7). */
  readonly readOnly?: boolean;
}

/** @throws {StoreError} when the cache file cannot be opened. */
export function openResultCache(options: OpenResultCacheOptions): ResultCache {
  const problem = lmdbFileProblem(options.path);
  if (problem?.kind === 'foreign')
    throw new StoreError(
      `cannot open the result cache ${options.path}: ${problem.message}`,
      'Set cache.path to a new file (or an existing elites cache), or cache.enabled: false.',
    );
  let root: RootDatabase;
  try {
    if (!options.readOnly) mkdirSync(dirname(options.path), { recursive: true });
    root = openLmdb(options.path, { maxDbs: 4, reader: options.readOnly ?? false });
  } catch (error) {
    throw new StoreError(
      `cannot open the result cache ${options.path}: ${(error as Error).message}`,
      'Set cache.path to a writable file, or cache.enabled: false.',
      { cause: error },
    );
  }
  // A reader that comes before the writer's first commit finds no table: it answers nothing until it is reopened.
  const db = openTable<CacheEntry, string>(root, 'results', { reader: options.readOnly ?? false });
  const prefix = `${options.namespace}:`;
  const writes = { failed: false };
  // Shared by every writer of this file and namespace in this thread: a worker must see all of their pending puts.
  const location = locationKey(options);
  const tracked: Unsettled = unsettled.get(location) ?? { entries: new Map(), keys: new Map(), opened: 0 };
  if (!options.readOnly) {
    tracked.opened++;
    unsettled.set(location, tracked);
  }
  // A reader in a worker thread keeps its snapshot across back-to-back tasks; renew it so the main
  // thread's latest commits are visible (lmdb-js resetReadTxn, meant for exactly this).
  const fresh = options.readOnly ? () => root.resetReadTxn() : () => undefined;
  const table = (): NonNullable<typeof db> => {
    if (!db) throw new Error('the result cache was opened to read only');
    return db;
  };
  /**
   * Makes `entry` the answer for `id` until its put settles (unless a newer entry took its place by then); returns
   * what to call once it has. After a failed commit puts may never settle: tracking stops rather than grow for ever.
   */
  const hold = (kind: 'k' | 'f', id: string, entry: CacheEntry): (() => void) => {
    const held = kind === 'f' ? tracked.entries : tracked.keys;
    if (writes.failed) {
      held.clear();
      return () => undefined;
    }
    held.set(id, entry);
    return () => {
      if (held.get(id) === entry) held.delete(id);
    };
  };
  const put = (kind: 'k' | 'f', id: string, entry: CacheEntry): Promise<void> =>
    bestEffort(writes, () => table().put(`${prefix}${kind}:${id}`, entry));
  const heldByKey = (key: string): CacheEntry | undefined => tracked.keys.get(key);
  const cache: ResultCache = {
    byKey: (key) => {
      const held = heldByKey(key);
      if (held) return held;
      fresh();
      return db?.get(`${prefix}k:${key}`);
    },
    heldByKey,
    byFingerprint: (fp) => {
      const held = tracked.entries.get(fp);
      if (held) return held;
      fresh();
      return db?.get(`${prefix}f:${fp}`);
    },
    stage(kind, id, entry) {
      const settled = hold(kind, id, entry);
      // Released in log order, so the file ends with the newest; a newer staged entry stays the one this thread reads.
      return () => put(kind, id, entry).then(settled);
    },
    putKey(key, entry) {
      const settled = hold('k', key, entry);
      return put('k', key, entry).then(settled);
    },
    putFingerprint(fp, entry) {
      const settled = hold('f', fp, entry);
      return put('f', fp, entry).then(settled);
    },
    unsettledFingerprints: () => (tracked.entries.size === 0 ? NONE : [...tracked.entries]),
    async close() {
      // Bounded: after a failed commit lmdb-js may never settle these.
      if (options.readOnly) return; // a reader's environment stays open (store/lmdb-env.ts)
      if (!writes.failed) await settleWithin(root.committed, 30_000);
      await settleWithin(closeLmdb(root), writes.failed ? 2000 : 30_000);
      if (--tracked.opened === 0 && unsettled.get(location) === tracked) unsettled.delete(location);
    },
  };
  return cache;
}

function bestEffort(writes: { failed: boolean }, put: () => Promise<unknown>): Promise<void> {
  const failed = async (error: unknown): Promise<void> => {
    writes.failed = true;
    await commitCause(error);
  };
  try {
    return put().then(() => undefined, failed);
  } catch (error) {
    return failed(error);
  }
}
