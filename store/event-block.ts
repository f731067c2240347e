// The log's record: the events that completed together (one event-loop turn, one LMDB transaction) as ONE block,
// keyed by its first seq, instead of one msgpack object per event. Plain events go into columns (raw bytes of
// doubles and 32-bit words: a few memcpys to pack and unpack); any other event (a failure, metrics, reports, a
// non-numeric genome, …) rides along whole. Readers get RunEvents back, the same as the writer gave (store/events.ts).
import { hasExactKeys } from '../core/objects.js';
import type { EventSource, EventStatus, OkEvent, RunEvent } from './events.js';

/** The block format; a log may also hold single events (format 1, schema 1 runs), one per key. */
export const BLOCK_FORMAT = 2;

/** A block as stored (msgpack by lmdb-js; the columns as bytes). */
export interface EventBlock {
  readonly b: typeof BLOCK_FORMAT;
  /** The entry's index among the log's entries: the last one's + 1 = the entry count when the log has no gap. */
  readonly o: number;
  readonly n: number;
  /** Descriptors per columnar event, genome length (0: none in columns). */
  readonly dn: number;
  readonly gn: number;
  /** The metric names of every columnar event, in order (absent: they have no metrics). */
  readonly mk?: readonly string[];
  /** Per event: the column form's flags, or WHOLE (then the event is in `x`). */
  readonly k: Uint8Array;
  /** Per event, 32-bit words: id, cell + 1, first parent, second parent. */
  readonly u: Uint8Array;
  /** Per event, doubles: t, f, dn descriptors, then the metrics named in `mk`. */
  readonly v: Uint8Array;
  /** Genomes of the columnar events that carry one, gn doubles each, in event order. */
  readonly g: Uint8Array;
  /** Events kept whole (without seq), as [index in block, event]. */
  readonly x?: readonly (readonly [number, Omit<RunEvent, 'seq'>])[];
}

const WHOLE = 0xff;
const SOURCES: readonly EventSource[] = ['e', 'k', 'f'];
const STATUSES: readonly EventStatus[] = ['n', 'i', 'r', 's'];
const SOURCE_BITS: Readonly<Record<EventSource, number>> = { e: 0, k: 1, f: 2 };
const STATUS_BITS: Readonly<Record<EventStatus, number>> = { n: 0, i: 1, r: 2, s: 3 };
const HAS_GENOME = 16;
const U32_MAX = 0xffffffff;

export function isEventBlock(value: unknown): value is EventBlock {
  return typeof value === 'object' && value !== null && (value as { b?: unknown }).b === BLOCK_FORMAT;
}

/** Events a stored value holds: a block's count, or 1 for a single (format 1) event. */
export function eventsIn(value: unknown): number {
  return isEventBlock(value) ? value.n : 1;
}

const isU32 = (x: number): boolean => Number.isInteger(x) && x >= 0 && x <= U32_MAX;

/** A genome the columns can hold: an array of `length` numbers, not all integers (bits and counts stay msgpack). */
function columnGenome(g: unknown, length: number): g is readonly number[] {
  if (!Array.isArray(g) || g.length !== length || length === 0) return false;
  let fraction = false;
  for (let i = 0; i < g.length; i++) {
    const x = g[i];
    if (typeof x !== 'number') return false;
    if (!fraction && !Number.isInteger(x)) fraction = true;
  }
  return fraction;
}

/** The column flags of `e`, or WHOLE when it does not fit the block's shape (dn descriptors, gn-long genomes, mk). */
function columnFlags(e: RunEvent, dn: number, gn: number, mk: readonly string[] | undefined): number {
  if (!e.ok) return WHOLE;
  if (e.tb || e.ob || e.fid || e.ag || e.rp || !hasExactKeys(e.m, mk)) return WHOLE;
  if ((e.d?.length ?? 0) !== dn || !isU32(e.id) || !isU32(e.cell + 1)) return WHOLE;
  const parents = e.parents?.length ?? 0;
  if (parents > 2 || (parents > 0 && !isU32(e.parents![0]!)) || (parents > 1 && !isU32(e.parents![1]!))) return WHOLE;
  if (e.g !== undefined && !columnGenome(e.g, gn)) return WHOLE;
  return SOURCE_BITS[e.src] | (STATUS_BITS[e.st] << 2) | (e.g !== undefined ? HAS_GENOME : 0) | (parents << 5);
}

/** Encodes `events` (consecutive seqs) as the log's entry number `ordinal`. */
export function encodeBlock(events: readonly RunEvent[], ordinal: number): EventBlock {
  const builder = new BlockBuilder();
  for (const e of events) builder.add(e);
  return builder.finish(ordinal);
}

/**
 * A block filled one event at a time, straight into its columns: the store adds each event as it is appended, so the
 * events of a turn are not kept alive (as objects the garbage collector would copy) until the turn ends.
 */
export class BlockBuilder {
  private n = 0;
  /** The block's shape, from its first successful event (a run's events nearly always share it); dn < 0: not yet. */
  private dn = -1;
  private gn = 0;
  private mk: readonly string[] | undefined;
  private stride = 0;
  private k: Uint8Array;
  private u: Uint32Array;
  private v = new Float64Array(0);
  private g: Float64Array;
  private gi = 0;
  private x: [number, Omit<RunEvent, 'seq'>][] = [];

  /**
   * `hint`: the previous block's events and genome values (a run's turns are alike), so the columns start at about
   * the size they end at instead of doubling their way there, a copy each time.
   */
  constructor(hint: { readonly events: number; readonly genomeValues: number } = { events: 64, genomeValues: 0 }) {
    const capacity = Math.max(64, hint.events);
    this.k = new Uint8Array(capacity);
    this.u = new Uint32Array(4 * capacity);
    this.g = new Float64Array(hint.genomeValues);
  }

  /** What the next block of a run like this one may start with (its constructor's `hint`). */
  get sizes(): { readonly events: number; readonly genomeValues: number } {
    return { events: this.n, genomeValues: this.gi };
  }

  get size(): number {
    return this.n;
  }

  add(e: RunEvent): void {
    const i = this.n++;
    if (i === this.k.length) this.grow();
    if (this.dn < 0 && e.ok) this.shapeFrom(e);
    if (this.gn === 0 && e.ok && Array.isArray(e.g)) this.gn = e.g.length;
    const flags = this.dn < 0 ? WHOLE : columnFlags(e, this.dn, this.gn, this.mk);
    this.k[i] = flags;
    if (flags === WHOLE || !e.ok) {
      const { seq: _, ...rest } = e;
      this.x.push([i, rest]);
      return;
    }
    const { u, v, dn, mk } = this;
    u[4 * i] = e.id;
    u[4 * i + 1] = e.cell + 1;
    if (e.parents) {
      u[4 * i + 2] = e.parents[0] ?? 0;
      u[4 * i + 3] = e.parents[1] ?? 0;
    }
    const at = this.stride * i;
    v[at] = e.t;
    v[at + 1] = e.f;
    for (let j = 0; j < dn; j++) v[at + 2 + j] = (e.d as readonly number[])[j]!;
    if (mk) for (let j = 0; j < mk.length; j++) v[at + 2 + dn + j] = (e.m as Readonly<Record<string, number>>)[mk[j]!]!;
    if (e.g !== undefined) {
      const { gn } = this;
      if (this.gi + gn > this.g.length) this.g = grown(this.g, Math.max(this.g.length * 2, 16 * gn));
      const genome = e.g as readonly number[];
      for (let j = 0; j < gn; j++) this.g[this.gi + j] = genome[j]!;
      this.gi += gn;
    }
  }

  finish(ordinal: number): EventBlock {
    const { n, mk, x } = this;
    return {
      b: BLOCK_FORMAT,
      o: ordinal,
      n,
      dn: Math.max(this.dn, 0),
      gn: this.gn,
      ...(mk ? { mk } : {}),
      k: this.k.subarray(0, n),
      u: bytesOf(this.u.subarray(0, 4 * n)),
      v: bytesOf(this.v.subarray(0, this.dn < 0 ? 0 : this.stride * n)),
      g: bytesOf(this.g.subarray(0, this.gi)),
      ...(x.length ? { x } : {}),
    };
  }

  private shapeFrom(e: OkEvent): void {
    this.dn = e.d?.length ?? 0;
    // (A metric named __proto__ would be a prototype when assigned back: such events stay whole.)
    this.mk = e.m && !Object.hasOwn(e.m, '__proto__') ? Object.keys(e.m) : undefined;
    this.stride = 2 + this.dn + (this.mk?.length ?? 0);
    this.v = new Float64Array(this.stride * this.k.length);
  }

  private grow(): void {
    const capacity = this.k.length * 2;
    this.k = grown(this.k, capacity);
    this.u = grown(this.u, 4 * capacity);
    if (this.dn >= 0) this.v = grown(this.v, this.stride * capacity);
  }
}

function grown<T extends Uint8Array | Uint32Array | Float64Array>(a: T, length: number): T {
  const out = new (a.constructor as new (n: number) => T)(length);
  out.set(a);
  return out;
}

/** The events of the block stored under key `first` (fresh objects and arrays: the reader may keep them). */
export function decodeBlock(first: number, block: EventBlock): RunEvent[] {
  const { n, dn, gn, k, mk } = block;
  const mn = mk?.length ?? 0;
  // Copied out: lmdb-js may hand out views of a buffer it reuses, and typed arrays need aligned offsets.
  const u = new Uint32Array(copyOf(block.u));
  const v = new Float64Array(copyOf(block.v));
  const g = new Float64Array(copyOf(block.g));
  const whole = new Map(block.x?.map(([i, e]) => [i, e]));
  const out = new Array<RunEvent>(n);
  const stride = 2 + dn + mn;
  let gi = 0;
  for (let i = 0; i < n; i++) {
    const flags = k[i]!;
    if (flags === WHOLE) {
      out[i] = { seq: first + i, ...(whole.get(i) as Omit<RunEvent, 'seq'>) } as RunEvent;
      continue;
    }
    const at = stride * i;
    // In toEvent's key order: seq, id, ok, src, f, st, cell, t, then the optional fields.
    const e: { -readonly [K in keyof OkEvent]: OkEvent[K] } = {
      seq: first + i,
      id: u[4 * i]!,
      ok: true,
      src: SOURCES[flags & 3]!,
      f: v[at + 1]!,
      st: STATUSES[(flags >> 2) & 3]!,
      cell: u[4 * i + 1]! - 1,
      t: v[at]!,
    };
    if (dn > 0) {
      const d = new Array<number>(dn);
      for (let j = 0; j < dn; j++) d[j] = v[at + 2 + j]!;
      e.d = d;
    }
    if (flags & HAS_GENOME) {
      const genome = new Array<number>(gn);
      for (let j = 0; j < gn; j++) genome[j] = g[gi + j]!;
      gi += gn;
      e.g = genome;
    }
    const parents = (flags >> 5) & 3;
    if (parents > 0) e.parents = parents === 1 ? [u[4 * i + 2]!] : [u[4 * i + 2]!, u[4 * i + 3]!];
    if (mk) {
      const m: Record<string, number> = {};
      for (let j = 0; j < mn; j++) m[mk[j]!] = v[at + 2 + dn + j]!;
      e.m = m;
    }
    out[i] = e;
  }
  return out;
}

/** The bytes of a typed array (its whole buffer: it was made for this). */
function bytesOf(a: Uint32Array | Float64Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

/** A fresh, aligned copy of stored bytes. */
function copyOf(bytes: Uint8Array): ArrayBuffer {
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return copy.buffer;
}
