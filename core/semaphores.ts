// Cross-thread coordination for evaluators: named counting semaphores and keyed locks on one SharedArrayBuffer that
// the main thread and every worker thread of the process share (Atomics + Atomics.waitAsync).
//
// The memory is made lazily in the main thread (`sharedMemory()`); the piscina executor hands it to each worker in
// `workerData.sharedMemory`, and worker.ts adopts it before the evaluator is loaded. Inline (workers: 0) evaluators use
// the main thread's memory directly. An evaluator uses it like this, whichever thread it runs on:
//
//   const gate = sharedSemaphore('llm:http://127.0.0.1:8080', 4);   // at most 4 permits held across all threads
//   const release = await gate.acquire(ctx.signal);
//   try { await fetch(…) } finally { release() }
//
// All of it starts as zeros, so no thread has to initialise anything: a semaphore's permits are cells (0 = free, else
// the holder's lease expiry), a name claims its slot by compare-and-swap, and every caller passes the limit.

/** Named semaphores the memory holds (each name claims a slot for the life of the process). */
const SEMAPHORE_SLOTS = 32;
/** Permit cells per semaphore: the largest limit. */
export const MAX_PERMITS = 256;
/** Stripes of the keyed locks: a key locks stripe hash(key) mod STRIPES (two keys may share one, which only serialises them). */
const LOCK_STRIPES = 4096;
// Layout: Int32 [name hash, release generation] per semaphore slot; then BigInt64 cells, 8-byte aligned: the permits
// of each semaphore, then the lock stripes. A cell is 0 when free, else its holder's lease expiry (ms since the epoch).
const INT_WORDS = 2 * SEMAPHORE_SLOTS;
const CELLS_OFFSET = INT_WORDS * 4;
const STRIPES_AT = SEMAPHORE_SLOTS * MAX_PERMITS;
const BYTES = CELLS_OFFSET + (STRIPES_AT + LOCK_STRIPES) * 8;
/** Waits are re-checked this often even without a notify (and a ref'd timer keeps the event loop alive meanwhile). */
const POLL_MS = 50;

let memory: SharedArrayBuffer | undefined;
let views: { ints: Int32Array; cells: BigInt64Array } | undefined;
/** Why the memory handed to this thread was not adopted (see adoptSharedMemory). */
let mismatch: string | undefined;

/** Frees what was acquired; calling it again does nothing. */
export type Release = () => void;

/** The process's coordination memory, made on first use (in the main thread: the one the executors hand to workers). */
export function sharedMemory(): SharedArrayBuffer {
  memory ??= new SharedArrayBuffer(BYTES);
  return memory;
}

/**
 * Makes this thread use `buffer` (the main thread's memory, from workerData) for every semaphore and lock. A buffer
 * of another layout (a main thread of another elites build, e.g. TypeScript sources with a stale dist/ worker) is not
 * adopted: evaluators that use no semaphore run as usual, and one that does gets an error saying so, never limits
 * that are silently not shared.
 */
export function adoptSharedMemory(buffer: unknown): void {
  views = undefined;
  if (buffer instanceof SharedArrayBuffer && buffer.byteLength === BYTES) {
    memory = buffer;
    mismatch = undefined;
  } else {
    mismatch = `this worker thread got coordination memory of another elites build (${buffer instanceof SharedArrayBuffer ? `${buffer.byteLength} bytes` : typeof buffer}, expected ${BYTES}): its main thread runs other code than the worker (rebuild with npm run build)`;
  }
}

function shared(): { ints: Int32Array; cells: BigInt64Array } {
  if (mismatch !== undefined) throw new Error(mismatch);
  const buffer = sharedMemory();
  views ??= {
    ints: new Int32Array(buffer, 0, INT_WORDS),
    cells: new BigInt64Array(buffer, CELLS_OFFSET, STRIPES_AT + LOCK_STRIPES),
  };
  return views;
}

/** A counting semaphore shared by every thread of the process. */
export interface SharedSemaphore {
  readonly name: string;
  readonly limit: number;
  /** Resolves with a permit once one of the `limit` is free; rejects with the signal's reason when it aborts first. */
  acquire(signal?: AbortSignal): Promise<Release>;
  /** Permits held right now (unexpired), across all threads. */
  holders(): number;
}

/**
 * The semaphore called `name`: at most `limit` permits held at a time, across the main thread and all workers.
 * A permit is a lease of `leaseMs` (default 10 minutes): one its holder never releases (its thread was terminated
 * mid-request) is free again when the lease ends, so a dead thread cannot shrink the limit for good. Hold a permit
 * for less than its lease (e.g. one HTTP request with a timeout), and let callers of one name agree on the limit.
 * @throws {RangeError} for a limit that is not an integer in 1..256, or when more than 32 names are in use in the process.
 */
export function sharedSemaphore(
  name: string,
  limit: number,
  options: { readonly leaseMs?: number } = {},
): SharedSemaphore {
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PERMITS)
    throw new RangeError(`semaphore ${name}: limit must be an integer in 1..${MAX_PERMITS}, got ${limit}`);
  const leaseMs = options.leaseMs ?? 600_000;
  const { ints, cells } = shared();
  const slot = claimSlot(ints, name);
  const generation = 2 * slot + 1;
  const first = slot * MAX_PERMITS;
  /** A free or expired cell taken for a new lease (its index and the lease written), or undefined. */
  const take = (): { cell: number; lease: bigint } | undefined => {
    const now = BigInt(Date.now());
    const lease = now + BigInt(leaseMs);
    for (let i = first; i < first + limit; i++) {
      const held = Atomics.load(cells, i);
      if ((held === 0n || held < now) && Atomics.compareExchange(cells, i, held, lease) === held)
        return { cell: i, lease };
    }
    return undefined;
  };
  return {
    name,
    limit,
    holders() {
      const now = BigInt(Date.now());
      let n = 0;
      for (let i = first; i < first + limit; i++) if (Atomics.load(cells, i) >= now) n++;
      return n;
    },
    async acquire(signal) {
      for (;;) {
        signal?.throwIfAborted();
        const seen = Atomics.load(ints, generation); // before the scan: a release during it changes the generation
        const taken = take();
        if (taken) {
          const { cell, lease } = taken;
          return once(() => {
            // Only our own lease: an expired one may already be someone else's.
            if (Atomics.compareExchange(cells, cell, lease, 0n) === lease) {
              Atomics.add(ints, generation, 1);
              Atomics.notify(ints, generation);
            }
          });
        }
        await waitWhile(ints, generation, seen, signal);
      }
    },
  };
}

/**
 * Locks `key` across all threads of the process (a mutex per key, e.g. "this request is being sent"). The lock is a
 * lease of `leaseMs` (default 10 minutes): one its holder never releases (its thread was terminated) is free again
 * when the lease ends.
 */
export async function lockKey(
  key: string,
  options: { readonly signal?: AbortSignal; readonly leaseMs?: number } = {},
): Promise<Release> {
  const { cells } = shared();
  const index = STRIPES_AT + (hash32(key) % LOCK_STRIPES);
  const leaseMs = BigInt(Math.max(1, Math.round(options.leaseMs ?? 600_000)));
  for (;;) {
    options.signal?.throwIfAborted();
    const now = BigInt(Date.now());
    const held = Atomics.load(cells, index);
    if (held === 0n || held < now) {
      const lease = now + leaseMs;
      if (Atomics.compareExchange(cells, index, held, lease) === held) {
        return once(() => {
          if (Atomics.compareExchange(cells, index, lease, 0n) === lease) Atomics.notify(cells, index);
        });
      }
      continue;
    }
    await waitWhile(cells, index, held, options.signal);
  }
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

type WaitAsync = (
  a: Int32Array | BigInt64Array,
  index: number,
  value: number | bigint,
  timeoutMs?: number,
) => { async: boolean; value: Promise<string> | string };

/** Waits until a[index] may differ from `value` (a notify, or the poll interval), or the signal aborts. */
async function waitWhile(
  a: Int32Array | BigInt64Array,
  index: number,
  value: number | bigint,
  signal: AbortSignal | undefined,
): Promise<void> {
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

/** FNV-1a over UTF-16 code units, as a non-negative Int32, never 0 (0 marks a free slot). */
function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h >>>= 1; // a non-negative Int32
  return h === 0 ? 1 : h;
}
