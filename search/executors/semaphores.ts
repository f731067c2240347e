// Cross-thread coordination for evaluators: named counting semaphores and keyed locks on one SharedArrayBuffer that
// the main thread and every worker thread of the process share (Atomics + Atomics.waitAsync).
//
// The memory is made lazily in the main thread (`sharedMemory()`); the piscina executor hands it to each worker in
// `workerData.sharedMemory`, and worker.ts adopts it before the evaluator is loaded. Inline (workers: 0) evaluators use
// the main thread's memory directly. An evaluator uses it like this, whichever thread it runs on:
//
//   const gate = sharedSemaphore('llm:http://127.0.0.1:8080', 4);   // at most 4 holders across all threads
//   const release = await gate.acquire(ctx.signal);
//   try { await fetch(…) } finally { release() }
//
// Semaphores count holders (not free permits), so no thread has to initialise them: a slot starts at 0 holders, and
// every caller passes the limit (callers of one name are expected to agree on it).

/** Named semaphores the memory holds (each name claims a slot for the life of the process). */
const SEMAPHORE_SLOTS = 64;
/** Stripes of the keyed locks: a key locks stripe hash(key) mod STRIPES (two keys may share one, which only serialises them). */
const LOCK_STRIPES = 4096;
const INTS = 2 * SEMAPHORE_SLOTS + LOCK_STRIPES;
/** Waits are re-checked this often even without a notify (and a ref'd timer keeps the event loop alive meanwhile). */
const POLL_MS = 50;

let memory: SharedArrayBuffer | undefined;
let view: Int32Array | undefined;

/** Frees what was acquired; calling it again does nothing. */
export type Release = () => void;

/** The process's coordination memory, made on first use (in the main thread: the one the executors hand to workers). */
export function sharedMemory(): SharedArrayBuffer {
  memory ??= new SharedArrayBuffer(INTS * Int32Array.BYTES_PER_ELEMENT);
  return memory;
}

/**
 * Makes this thread use `buffer` (the main thread's memory, from workerData) for every semaphore and lock.
 * @throws {TypeError} when `buffer` is not a coordination memory of the right size.
 */
export function adoptSharedMemory(buffer: unknown): void {
  if (!(buffer instanceof SharedArrayBuffer) || buffer.byteLength !== INTS * Int32Array.BYTES_PER_ELEMENT) {
    throw new TypeError(`shared coordination memory must be a SharedArrayBuffer of ${INTS * Int32Array.BYTES_PER_ELEMENT} bytes`);
  }
  memory = buffer;
  view = undefined;
}

function ints(): Int32Array {
  view ??= new Int32Array(sharedMemory());
  return view;
}

/** A counting semaphore shared by every thread of the process. */
export interface SharedSemaphore {
  readonly name: string;
  readonly limit: number;
  /** Resolves once fewer than `limit` holders remain; rejects with the signal's reason when it aborts first. */
  acquire(signal?: AbortSignal): Promise<Release>;
  /** Holders right now, across all threads. */
  holders(): number;
}

/**
 * The semaphore called `name` with at most `limit` holders at a time, across the main thread and all workers.
 * @throws {RangeError} for a limit that is not a positive integer, or when more than 64 names are in use.
 */
export function sharedSemaphore(name: string, limit: number): SharedSemaphore {
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`semaphore ${name}: limit must be a positive integer, got ${limit}`);
  const a = ints();
  const index = 2 * claimSlot(a, name) + 1;
  return {
    name,
    limit,
    holders: () => Atomics.load(a, index),
    async acquire(signal) {
      for (;;) {
        signal?.throwIfAborted();
        const held = Atomics.load(a, index);
        if (held < limit) {
          if (Atomics.compareExchange(a, index, held, held + 1) === held) return once(() => {
            Atomics.sub(a, index, 1);
            Atomics.notify(a, index);
          });
          continue; // another thread took it between the load and the exchange
        }
        await waitWhile(a, index, held, signal);
      }
    },
  };
}

/**
 * Locks `key` across all threads of the process (a mutex per key, e.g. "this request is being sent"). A holder that
 * never releases (its thread was terminated) is overtaken after `staleMs`.
 */
export async function lockKey(key: string, options: { readonly signal?: AbortSignal; readonly staleMs?: number } = {}): Promise<Release> {
  const a = ints();
  const h = hash32(key);
  const index = 2 * SEMAPHORE_SLOTS + (h % LOCK_STRIPES);
  const deadline = performance.now() + (options.staleMs ?? 600_000);
  for (;;) {
    options.signal?.throwIfAborted();
    const holder = Atomics.compareExchange(a, index, 0, h);
    if (holder === 0) break;
    if (performance.now() > deadline) {
      Atomics.store(a, index, h); // the holder is presumed dead (a terminated worker cannot release)
      break;
    }
    await waitWhile(a, index, holder, options.signal);
  }
  return once(() => {
    Atomics.compareExchange(a, index, h, 0);
    Atomics.notify(a, index);
  });
}

/** The slot of `name`: the first free or same-named slot from hash(name), claimed by compare-and-swap. */
function claimSlot(a: Int32Array, name: string): number {
  const h = hash32(name);
  for (let probe = 0; probe < SEMAPHORE_SLOTS; probe++) {
    const slot = (h + probe) % SEMAPHORE_SLOTS;
    const owner = Atomics.compareExchange(a, 2 * slot, 0, h);
    if (owner === 0 || owner === h) return slot;
  }
  throw new RangeError(`more than ${SEMAPHORE_SLOTS} shared semaphore names are in use in this process`);
}

type WaitAsync = (a: Int32Array, index: number, value: number, timeoutMs?: number) => { async: boolean; value: Promise<string> | string };

/** Waits until a[index] may differ from `value` (a notify, or the poll interval), or the signal aborts. */
async function waitWhile(a: Int32Array, index: number, value: number, signal: AbortSignal | undefined): Promise<void> {
  const waitAsync = (Atomics as unknown as { waitAsync: WaitAsync }).waitAsync;
  const result = waitAsync(a, index, value, POLL_MS);
  if (!result.async) return; // the value had already changed
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  try {
    await Promise.race([
      result.value,
      // Atomics.waitAsync does not keep Node's event loop alive by itself: this timer does.
      new Promise<void>((resolve) => (timer = setTimeout(resolve, POLL_MS + 5))),
      new Promise<void>((resolve) => {
        onAbort = resolve;
        signal?.addEventListener('abort', onAbort, { once: true });
      }),
    ]);
  } finally {
    clearTimeout(timer);
    if (onAbort) signal?.removeEventListener('abort', onAbort);
  }
}

function once(release: () => void): Release {
  let done = false;
  return () => {
    if (done) return;
    done = true;
    release();
  };
}

/** FNV-1a over UTF-16 code units, never 0 (0 marks a free slot). */
function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h >>>= 1; // a non-negative Int32
  return h === 0 ? 1 : h;
}
