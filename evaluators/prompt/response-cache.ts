// The LLM response cache: answers by a hash of the whole request (model, messages — the rendered prompt with the
// example in it —, temperature, max tokens, logprobs), in one LMDB file shared by runs, worker threads and processes.
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Database, RootDatabase } from 'lmdb';
import { lmdbFileProblem } from '../../store/lmdb-guard.js';
import { openLmdb } from '../../store/lmdb-env.js';
import { hashCanonical } from '../../core/hash.js';
import type { TopToken } from './labels.js';

/** What is kept of one chat/completions answer. */
export interface Answer {
  readonly text: string;
  /** Most likely first tokens with their logprobs, when the server gave them. */
  readonly top?: readonly TopToken[];
  readonly promptTokens: number;
  readonly completionTokens: number;
}

export interface ResponseCache {
  get(key: string): Answer | undefined;
  /** Renews the read snapshot, so answers other threads and processes committed since are visible. */
  refresh(): void;
  /** Resolves once committed (other threads and later runs see it). */
  put(key: string, answer: Answer): Promise<void>;
}

/** Key of a request body (no headers: the API key is never part of it); `tag` separates weights served under one name. */
export function requestKey(body: unknown, tag: string): string {
  return hashCanonical({ body, tag });
}

// One environment per file and thread: lmdb-js shares it between threads itself, and opening it twice in one thread
// (one evaluator per run in a long-lived process) would waste a map.
const opened = new Map<string, ResponseCache>();

/**
 * Opens (creating it and its directory) the cache at `path`. Every thread writes: LMDB serialises writers across
 * threads and processes, and an answer is immutable (same request, same key, same answer at temperature 0).
 * @throws {Error} when the file exists and is not an LMDB file, or cannot be opened.
 */
export function openResponseCache(path: string): ResponseCache {
  const file = resolve(path);
  const existing = opened.get(file);
  if (existing) return existing;
  const problem = lmdbFileProblem(file);
  if (problem?.kind === 'foreign')
    throw new Error(`responseCache ${file}: ${problem.message}; point responseCache at a new file, or set it to false`);
  let root: RootDatabase;
  try {
    mkdirSync(dirname(file), { recursive: true });
    root = openLmdb(file, { maxDbs: 2 });
  } catch (error) {
    throw new Error(`responseCache ${file} cannot be opened: ${(error as Error).message}`);
  }
  const db: Database<Answer, string> = root.openDB({ name: 'responses' }); // (opened to write: it always exists)
  const cache: ResponseCache = {
    get: (key) => db.get(key),
    refresh: () => root.resetReadTxn(),
    put: async (key, answer) => {
      await db.put(key, answer);
    },
  };
  opened.set(file, cache);
  return cache;
}
