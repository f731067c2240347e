// Tasks whose genomes are typed arrays (the vector and bit-string spaces) go to a thread packed in its lane's shared
// memory, not by structured clone: a clone of each task object costs the main thread about a microsecond, as much as a
// cheap evaluation, and clones the whole buffer a genome views (a slab of many genomes: spaces/vector.ts). Exact: the
// thread gets typed arrays of the same kind and bytes, and every field of the task. Any other genome goes by clone.
import type { EvalTask } from './executor.js';

interface TypedArrayKind {
  new (buffer: ArrayBufferLike, byteOffset?: number, length?: number): ArrayBufferView & ArrayLike<unknown>;
  readonly BYTES_PER_ELEMENT: number;
}

/** The typed arrays a packed genome may be, by the code that is packed. */
const KINDS: readonly TypedArrayKind[] = [
  Float64Array,
  Uint8Array,
  Float32Array,
  Int32Array,
  Uint32Array,
  Int16Array,
  Uint16Array,
  Int8Array,
  Uint8ClampedArray,
  BigInt64Array,
  BigUint64Array,
];

// Doubles per task: id, repeat, the end of its key among the keys, flags, fidelity, sample, the genome's kind and
// length. Then the genomes, each from a multiple of 8 bytes, in order; then the keys one after another (UTF-16 code
// units, exact for any string), sliced out by a thread only when one is read.
const STRIDE = 8;
const HAS_FIDELITY = 1;
const HAS_SAMPLE = 2;
const FRESH = 4;
const LOOK_UP_KEY = 8;

const aligned = (offset: number): number => (offset + 7) & ~7;

/** The kind of a genome that can be packed, else −1. */
function kindOf(genome: unknown): number {
  if (typeof genome !== 'object' || genome === null || !ArrayBuffer.isView(genome)) return -1;
  return KINDS.indexOf(genome.constructor as TypedArrayKind);
}

/** Bytes the tasks take packed, or undefined when a genome is not a typed array. */
export function packedBytes(tasks: readonly EvalTask[]): number | undefined {
  let bytes = 8 * STRIDE * tasks.length;
  let keys = 0;
  for (const task of tasks) {
    if (kindOf(task.genome) < 0) return undefined;
    bytes += aligned((task.genome as ArrayBufferView).byteLength);
    keys += task.key.length;
  }
  return bytes + 2 * keys;
}

/** A lane's shared memory and typed views of it, made once: a lane posts batch after batch through it. */
export class MessageMemory {
  readonly doubles: Float64Array;
  readonly units: Uint16Array;
  private readonly views: (ArrayLike<unknown> & { set(from: ArrayLike<unknown>, at: number): void })[] = [];

  constructor(readonly buffer: SharedArrayBuffer) {
    this.doubles = new Float64Array(buffer);
    this.units = new Uint16Array(buffer);
  }

  /** A view of the whole buffer of the genome's kind. */
  view(kind: number): { set(from: ArrayLike<unknown>, at: number): void } {
    const made = this.views[kind];
    if (made !== undefined) return made;
    const view = new (KINDS[kind] as TypedArrayKind)(this.buffer) as unknown as MessageMemory['views'][number];
    this.views[kind] = view;
    return view;
  }
}

/**
 * Writes `tasks` at byte `offset` (a multiple of 8) of `memory`, which has room for `packedBytes(tasks)` there. Only
 * for tasks that `packedBytes` accepted.
 */
export function packTasks(tasks: readonly EvalTask[], memory: MessageMemory, offset: number): void {
  const d = memory.doubles;
  let keyEnd = 0;
  let at = offset + 8 * STRIDE * tasks.length;
  for (let i = 0, p = offset / 8; i < tasks.length; i++, p += STRIDE) {
    const task = tasks[i] as EvalTask;
    const genome = task.genome as ArrayBufferView & ArrayLike<unknown>;
    const kind = kindOf(genome);
    keyEnd += task.key.length;
    d[p] = task.id;
    d[p + 1] = task.repeat;
    d[p + 2] = keyEnd;
    d[p + 3] =
      (task.fidelity === undefined ? 0 : HAS_FIDELITY) |
      (task.sample === undefined ? 0 : HAS_SAMPLE) |
      (task.fresh ? FRESH : 0) |
      (task.lookUpKey ? LOOK_UP_KEY : 0);
    d[p + 4] = task.fidelity ?? 0;
    d[p + 5] = task.sample ?? 0;
    d[p + 6] = kind;
    d[p + 7] = genome.length;
    memory.view(kind).set(genome, at / (KINDS[kind] as TypedArrayKind).BYTES_PER_ELEMENT);
    at = aligned(at + genome.byteLength);
  }
  const units = memory.units;
  let u = at / 2;
  for (const task of tasks) {
    const { key } = task;
    for (let j = 0; j < key.length; j++) units[u++] = key.charCodeAt(j);
  }
}

/**
 * Thread side: the `count` tasks packed at byte `offset` of `buffer`. They are copied out of shared memory (the pool
 * posts its next batch there once the thread has replied): the genomes into one buffer of this thread's.
 */
export function unpackTasks(buffer: SharedArrayBuffer, offset: number, count: number): EvalTask[] {
  const d = new Float64Array(buffer, offset, count * STRIDE);
  const genomesAt = offset + 8 * STRIDE * count;
  let genomeBytes = 0;
  for (let p = 0; p < count * STRIDE; p += STRIDE)
    genomeBytes = aligned(
      genomeBytes + (d[p + 7] as number) * (KINDS[d[p + 6] as number] as TypedArrayKind).BYTES_PER_ELEMENT,
    );
  const own = new ArrayBuffer(genomeBytes);
  new Uint8Array(own).set(new Uint8Array(buffer, genomesAt, genomeBytes));
  const keysAt = genomesAt + genomeBytes;
  const keyUnits = count === 0 ? 0 : (d[(count - 1) * STRIDE + 2] as number);
  const keys = Buffer.from(buffer).toString('utf16le', keysAt, keysAt + 2 * keyUnits);
  const tasks = new Array<EvalTask>(count);
  let keyStart = 0;
  let at = 0;
  for (let i = 0, p = 0; i < count; i++, p += STRIDE) {
    const flags = d[p + 3] as number;
    const kind = KINDS[d[p + 6] as number] as TypedArrayKind;
    const length = d[p + 7] as number;
    const keyEnd = d[p + 2] as number;
    tasks[i] = new PackedTask(
      d[p] as number,
      new kind(own, at, length),
      d[p + 1] as number,
      keys,
      keyStart,
      keyEnd,
      flags & HAS_FIDELITY ? (d[p + 4] as number) : undefined,
      flags & HAS_SAMPLE ? (d[p + 5] as number) : undefined,
      flags & FRESH ? true : undefined,
      flags & LOOK_UP_KEY ? true : undefined,
    );
    keyStart = keyEnd;
    at = aligned(at + length * kind.BYTES_PER_ELEMENT);
  }
  return tasks;
}

/** A task as a thread reads it: its key is sliced out of the batch's keys only if read (ctx.rng's seed). */
class PackedTask implements EvalTask {
  constructor(
    readonly id: number,
    readonly genome: unknown,
    readonly repeat: number,
    private readonly keys: string,
    private readonly keyStart: number,
    private readonly keyEnd: number,
    readonly fidelity: number | undefined,
    readonly sample: number | undefined,
    readonly fresh: boolean | undefined,
    readonly lookUpKey: boolean | undefined,
  ) {}

  get key(): string {
    return this.keys.slice(this.keyStart, this.keyEnd);
  }
}
