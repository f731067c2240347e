// Level-2 lookups from a worker's evaluation threads: the evaluation runner asks its cache synchronously (between
// fingerprint() and evaluate()), so a thread posts the fingerprint to its process's main thread and blocks on
// Atomics.wait until the answer (from the run's main process, through Redis) is written into shared memory.
import { BroadcastChannel } from 'node:worker_threads';
import { deserialize, serialize } from 'node:v8';
import type { CacheEntry, ResultCache } from '../../../store/result-cache.js';

const CHANNEL = 'elites:redis-fingerprint-lookups';
/** Answers larger than this (a result with huge metrics) count as misses. */
const ANSWER_BYTES = 256 * 1024;
// Int32 words at the start of the shared buffer: status (0 waiting, 1 answered), answer length.
const STATUS = 0;
const LENGTH = 1;
const HEADER_BYTES = 8;

interface LookupRequest {
  readonly fingerprint: string;
  readonly memory: SharedArrayBuffer;
}

/**
 * A read-only ResultCache for an evaluation thread whose level-2 lookups go to the process's main thread (see
 * `answerLookups`). Level-1 keys are never asked here (the main process answers those before a task is queued).
 */
export function bridgedCache(timeoutMs: number): ResultCache {
  const channel = new BroadcastChannel(CHANNEL);
  (channel as unknown as { unref?: () => void }).unref?.();
  const memory = new SharedArrayBuffer(HEADER_BYTES + ANSWER_BYTES);
  const header = new Int32Array(memory, 0, 2);
  return {
    byKey: () => undefined,
    heldByKey: () => undefined,
    byFingerprint(fingerprint) {
      Atomics.store(header, STATUS, 0);
      channel.postMessage({ fingerprint, memory } satisfies LookupRequest);
      if (Atomics.wait(header, STATUS, 0, timeoutMs) === 'timed-out') return undefined;
      const length = Atomics.load(header, LENGTH);
      if (length <= 0) return undefined;
      // The answer names its fingerprint: a late answer to an earlier, timed-out lookup is never taken for this one.
      let answer: { fingerprint: string; entry: CacheEntry };
      try {
        answer = deserialize(Buffer.from(new Uint8Array(memory, HEADER_BYTES, length))) as typeof answer;
      } catch {
        return undefined; // overwritten mid-read by a late answer: a miss, never a wrong hit
      }
      return answer.fingerprint === fingerprint ? answer.entry : undefined;
    },
    putKey: async () => undefined,
    stage: () => async () => undefined, // a worker's view of the main process's cache: it never writes
    putFingerprint: async () => undefined,
    unsettledFingerprints: () => [], // nothing is written here: the run's main process answers from its own view
    close: async () => channel.close(),
  };
}

/** In the worker process's main thread: answers the threads' lookups with `lookup`; returns a stop function. */
export function answerLookups(lookup: (fingerprint: string) => Promise<CacheEntry | undefined>): () => void {
  const channel = new BroadcastChannel(CHANNEL);
  channel.onmessage = (event: unknown) => {
    const { fingerprint, memory } = (event as { data: LookupRequest }).data;
    const reply = (entry: CacheEntry | undefined): void => {
      const header = new Int32Array(memory, 0, 2);
      let length = 0;
      if (entry !== undefined) {
        const bytes = serialize({ fingerprint, entry });
        if (bytes.length <= ANSWER_BYTES) {
          new Uint8Array(memory, HEADER_BYTES, bytes.length).set(bytes);
          length = bytes.length;
        }
      }
      Atomics.store(header, LENGTH, length);
      Atomics.store(header, STATUS, 1);
      Atomics.notify(header, STATUS);
    };
    lookup(fingerprint).then(reply, () => reply(undefined));
  };
  return () => channel.close();
}
