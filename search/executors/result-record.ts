// A task's result as bytes, written by a thread into shared memory as the task finishes, read back by the pool. The
// usual result of a cheap evaluation (evaluated, numbers only: fitness, descriptors, metrics) as doubles, ~0.1 µs each
// way and exact for every double; any other as JSON when JSON carries it exactly (finite numbers and strings, ~1 µs to
// write, as much to parse), else by the v8 serializer (~20 µs a call, more than a cheap evaluation).
import { hasExactKeys } from '../../core/objects.js';
import { deserialize, serialize } from 'node:v8';
import type { EvalResult } from '../../core/types.js';
import type { TaskResult } from './executor.js';

const JSON_RECORD = 0;
const V8_RECORD = 1;
/** An evaluated result of numbers: doubles (NUMBERS_HEAD of them, then the values). */
const NUMBERS_RECORD = 2;
/** The metric names of the numbers records after it, in order (a JSON array): not a result of its own. */
const NAMES_RECORD = 3;
// A record starts at a multiple of 8 bytes: Uint32 length of the payload, a format byte, three spare bytes, the
// payload (a numbers record's doubles aligned).
const RECORD_HEADER = 8;
// A numbers record: fitness; the lengths of descriptors, tiebreak and objectives (−1: absent); the index of its metric
// names among the stream's names records (−1: no metrics); then the values in that order.
const NUMBERS_HEAD = 5;

const aligned = (offset: number): number => (offset + 7) & ~7;

/**
 * Thread side: writes results one after another from byte `offset` of `buffer` up to byte `end` (both multiples of 8).
 * The names records it refers to are those of its own stream: `reset` starts a new one.
 */
export class RecordWriter {
  private readonly bytes: Buffer;
  private readonly doubles: Float64Array;
  private at: number;
  /** The metric names of the last names record (none before the first), and its index. */
  private names: readonly string[] | undefined;
  private namesIndex = -1;

  constructor(buffer: ArrayBufferLike, offset: number, end = buffer.byteLength) {
    this.bytes = Buffer.from(buffer, 0, end);
    this.doubles = new Float64Array(buffer, 0, Math.floor(end / 8));
    this.at = offset;
  }

  /** A new stream from byte `offset`, written over the last. */
  reset(offset: number): void {
    this.at = offset;
    this.names = undefined;
    this.namesIndex = -1;
  }

  /** Appends `result`; false when it does not fit (or cannot be serialized at all: the reply's structured clone then reports it). */
  write(result: TaskResult): boolean {
    const numbers = numbersOf(result);
    if (numbers !== undefined) {
      const names = numbers.metrics === undefined ? undefined : this.namesFor(numbers.metrics);
      if (names !== false) return this.writeNumbers(numbers, names);
    }
    return this.writeText(result);
  }

  /** The index of `metrics`' names, written first when they differ from the last ones; false when they do not fit. */
  private namesFor(metrics: Record<string, number>): number | false {
    if (this.names !== undefined && hasExactKeys(metrics, this.names)) return this.namesIndex;
    const names = Object.keys(metrics);
    const at = this.record(NAMES_RECORD, JSON.stringify(names));
    if (at === undefined) return false;
    this.at = at;
    this.names = names;
    return ++this.namesIndex;
  }

  private writeNumbers(result: EvalResult, names: number | undefined): boolean {
    const { descriptors, tiebreak, objectives, metrics } = result;
    const count =
      NUMBERS_HEAD +
      (descriptors?.length ?? 0) +
      (tiebreak?.length ?? 0) +
      (objectives?.length ?? 0) +
      (metrics === undefined ? 0 : (this.names?.length ?? 0));
    const start = this.at + RECORD_HEADER;
    if (start + 8 * count > this.bytes.length) return false;
    const d = this.doubles;
    let p = start / 8;
    d[p++] = result.fitness;
    d[p++] = descriptors?.length ?? -1;
    d[p++] = tiebreak?.length ?? -1;
    d[p++] = objectives?.length ?? -1;
    d[p++] = names ?? -1;
    p = put(d, p, descriptors);
    p = put(d, p, tiebreak);
    p = put(d, p, objectives);
    if (metrics !== undefined) for (const name of this.names ?? []) d[p++] = metrics[name] as number;
    this.bytes.writeUInt32LE(8 * count, this.at);
    this.bytes[this.at + 4] = NUMBERS_RECORD;
    this.at = start + 8 * count;
    return true;
  }

  private writeText(result: TaskResult): boolean {
    let at: number | undefined;
    if (exactInJson(result)) at = this.record(JSON_RECORD, JSON.stringify(result));
    else {
      let payload: Buffer;
      try {
        payload = serialize(result);
      } catch {
        return false;
      }
      at = this.record(V8_RECORD, payload);
    }
    if (at === undefined) return false;
    this.at = at;
    return true;
  }

  /** Writes a record of `payload` at the current offset; the offset after it, or undefined when it does not fit. */
  private record(format: number, payload: string | Buffer): number | undefined {
    const start = this.at + RECORD_HEADER;
    const room = this.bytes.length - start;
    if (room < 0) return undefined;
    let length: number;
    if (typeof payload === 'string') {
      // UTF-8 takes at most 3 bytes per UTF-16 unit: a text that might not fit is measured first (write() would cut it).
      if (payload.length * 3 > room && Buffer.byteLength(payload) > room) return undefined;
      length = this.bytes.write(payload, start, 'utf8');
    } else {
      if (payload.length > room) return undefined;
      length = payload.copy(this.bytes, start);
    }
    this.bytes.writeUInt32LE(length, this.at);
    this.bytes[this.at + 4] = format;
    return Math.min(aligned(start + length), this.bytes.length);
  }
}

/** Pool side: reads the results a RecordWriter wrote from byte `offset` of `buffer`, in order. */
export class RecordReader {
  private readonly bytes: Buffer;
  private readonly doubles: Float64Array;
  private at: number;
  private readonly names: (readonly string[])[] = [];

  constructor(buffer: ArrayBufferLike, offset: number) {
    this.bytes = Buffer.from(buffer);
    this.doubles = new Float64Array(buffer, 0, Math.floor(buffer.byteLength / 8));
    this.at = offset;
  }

  /** Reads a new stream from byte `offset`. */
  reset(offset: number): void {
    this.at = offset;
    this.names.length = 0;
  }

  /** The next result (a copy: shared memory is not the result's). Only as many as were written. */
  next(): TaskResult {
    for (;;) {
      const length = this.bytes.readUInt32LE(this.at);
      const format = this.bytes[this.at + 4];
      const start = this.at + RECORD_HEADER;
      this.at = aligned(start + length);
      switch (format) {
        case NUMBERS_RECORD:
          return { ok: true, result: this.numbers(start / 8), source: 'evaluated' };
        case NAMES_RECORD:
          this.names.push(JSON.parse(this.bytes.toString('utf8', start, start + length)) as string[]);
          continue;
        case JSON_RECORD:
          return JSON.parse(this.bytes.toString('utf8', start, start + length)) as TaskResult;
        default:
          return deserialize(Buffer.from(this.bytes.subarray(start, start + length))) as TaskResult;
      }
    }
  }

  /** A numbers record's result, built field by field in cleanResult's order (evaluation.ts). */
  private numbers(p: number): EvalResult {
    const d = this.doubles;
    const result: EvalResult = { fitness: d[p] as number };
    const descriptors = d[p + 1] as number;
    const tiebreak = d[p + 2] as number;
    const objectives = d[p + 3] as number;
    const names = d[p + 4] as number;
    p += NUMBERS_HEAD;
    if (descriptors >= 0) {
      result.descriptors = take(d, p, descriptors);
      p += descriptors;
    }
    if (tiebreak >= 0) {
      result.tiebreak = take(d, p, tiebreak);
      p += tiebreak;
    }
    if (objectives >= 0) {
      result.objectives = take(d, p, objectives);
      p += objectives;
    }
    if (names >= 0) {
      const metrics: Record<string, number> = {};
      for (const name of this.names[names] as readonly string[]) metrics[name] = d[p++] as number;
      result.metrics = metrics;
    }
    return result;
  }
}

/**
 * The evaluated result of `result` when a numbers record holds it exactly: no fingerprint, no reports, arrays of
 * numbers, metrics of numbers under names that are plain keys; else undefined.
 */
function numbersOf(result: TaskResult): EvalResult | undefined {
  if (!result.ok || result.source !== 'evaluated' || result.fingerprint !== undefined || result.reports !== undefined)
    return undefined;
  const r = result.result;
  if (typeof r.fitness !== 'number') return undefined;
  if (!allNumbers(r.descriptors) || !allNumbers(r.tiebreak) || !allNumbers(r.objectives)) return undefined;
  const { metrics } = r;
  if (metrics !== undefined) {
    if (metrics === null || Object.getPrototypeOf(metrics) !== Object.prototype) return undefined;
    for (const name in metrics) if (typeof metrics[name] !== 'number' || name === '__proto__') return undefined;
  }
  return r;
}

function allNumbers(xs: readonly number[] | undefined): boolean {
  if (xs === undefined) return true;
  if (!Array.isArray(xs)) return false;
  for (let i = 0; i < xs.length; i++) if (typeof xs[i] !== 'number') return false;
  return true;
}

function put(d: Float64Array, p: number, xs: readonly number[] | undefined): number {
  if (xs === undefined) return p;
  for (let i = 0; i < xs.length; i++) d[p++] = xs[i] as number;
  return p;
}

function take(d: Float64Array, p: number, count: number): number[] {
  const out = new Array<number>(count);
  for (let i = 0; i < count; i++) out[i] = d[p + i] as number;
  return out;
}

/** True when JSON.parse(JSON.stringify(value)) equals `value`: plain objects and arrays of strings, booleans, finite numbers other than −0. */
function exactInJson(value: unknown): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value) && !Object.is(value, -0);
    case 'object': {
      if (value === null) return true;
      if (Array.isArray(value)) return value.every(exactInJson);
      if (Object.getPrototypeOf(value) !== Object.prototype) return false;
      for (const key in value) if (!exactInJson((value as Record<string, unknown>)[key])) return false;
      return true;
    }
    default:
      return false; // undefined, functions, symbols, bigints: JSON drops or refuses them
  }
}
