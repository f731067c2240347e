// ResultCache over LMDB: evaluation results by functional hash, shared across runs and processes.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { RootDatabase } from 'lmdb';
import { hashCanonical } from '../core/hash.js';
import { StoreError } from '../core/errors.js';
import { commitCause, lmdbFileProblem, settleWithin } from './lmdb-guard.js';
import { closeLmdb, openLmdb, openTable } from './lmdb-env.js';
import type { EvalResult } from '../core/types.js';

/** What the cache holds for a key or fingerprint: a result, and in aggregate mode the running statistics of its samples. */
export interface CacheEntry {
  readonly result: EvalResult;
  /** Samples folded into `result.fitness` (1 in plain caching). */
  readonly n: number;
  /** Σ of squared deviations (Welford), for the variance of noisy evaluations. */
  readonly m2: number;
  /** Fitness of the most recent sample. */
  readonly latest: number;
}

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
 * Reads are synchronous and see this process's own writes at once (lmdb-js caches pending puts); writes resolve
 * when committed, and never reject: the cache is best effort (a failed write, e.g. on a full disk, only loses
 * reuse; the run log is the truth). Level-1 entries are stored under `k:` + key and level-2 under `f:` + fingerprint.
 */
export interface ResultCache {
  byKey(key: string): CacheEntry | undefined;
  byFingerprint(fingerprint: string): CacheEntry | undefined;
  putKey(key: string, entry: CacheEntry): Promise<void>;
  putFingerprint(fingerprint: string, entry: CacheEntry): Promise<void>;
  close(): Promise<void>;
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
  const db = openTable<CacheEntry, string>(root, 'results', {
    cache: !options.readOnly,
    reader: options.readOnly ?? false,
  });
  const prefix = `${options.namespace}:`;
  const writes = { failed: false };
  // A reader in a worker thread keeps its snapshot across back-to-back tasks; renew it so the main
  // thread's latest commits are visible (lmdb-js resetReadTxn, meant for exactly this).
  const fresh = options.readOnly ? () => root.resetReadTxn() : () => undefined;
  const table = (): NonNullable<typeof db> => {
    if (!db) throw new Error('the result cache was opened to read only');
    return db;
  };
  return {
    byKey: (key) => {
      fresh();
      return db?.get(`${prefix}k:${key}`);
    },
    byFingerprint: (fp) => {
      fresh();
      return db?.get(`${prefix}f:${fp}`);
    },
    putKey: (key, entry) => bestEffort(writes, () => table().put(`${prefix}k:${key}`, entry)),
    putFingerprint: (fp, entry) => bestEffort(writes, () => table().put(`${prefix}f:${fp}`, entry)),
    async close() {
      // Bounded: after a failed commit lmdb-js may never settle these.
      if (!writes.failed && !options.readOnly) await settleWithin(root.committed, 30_000);
      await settleWithin(closeLmdb(root), writes.failed ? 2000 : 30_000);
    },
  };
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

/** A cache entry holding one sample. */
export function singleSample(result: EvalResult): CacheEntry {
  return { result, n: 1, m2: 0, latest: result.fitness };
}

/** Folds a new sample into an entry (Welford's running mean and M2); the entry's fitness becomes the mean. */
export function addSample(entry: CacheEntry, sample: EvalResult): CacheEntry {
  const n = entry.n + 1;
  const delta = sample.fitness - entry.result.fitness;
  const mean = entry.result.fitness + delta / n;
  const m2 = entry.m2 + delta * (sample.fitness - mean);
  return { result: { ...sample, fitness: mean }, n, m2, latest: sample.fitness };
}
