// A task's result as bytes, written by a thread into shared memory as the task finishes: JSON when JSON carries it
// exactly (the usual result: finite numbers and strings, ~1 µs), else the v8 serializer (NaN, −0, … ; ~20 µs a call,
// more than a cheap evaluation, hence not the default).
import { deserialize, serialize } from 'node:v8';
import type { TaskResult } from './executor.js';

const JSON_RECORD = 0;
const V8_RECORD = 1;
// A record: Uint32 length of the payload, a format byte, the payload.
const RECORD_HEADER = 5;

/**
 * Writes `result` at `offset` of `bytes`; returns the offset after it, or undefined when it does not fit (or cannot be
 * serialized at all: the reply's structured clone then reports it).
 */
export function writeRecord(bytes: Buffer, offset: number, result: TaskResult): number | undefined {
  const room = bytes.length - offset - RECORD_HEADER;
  if (room < 0) return undefined;
  let format = JSON_RECORD;
  let length: number;
  if (exactInJson(result)) {
    const text = JSON.stringify(result);
    // UTF-8 takes at most 3 bytes per UTF-16 unit: a text that might not fit is measured first (write() would cut it).
    if (text.length * 3 > room && Buffer.byteLength(text) > room) return undefined;
    length = bytes.write(text, offset + RECORD_HEADER, 'utf8');
  } else {
    let payload: Buffer;
    try {
      payload = serialize(result);
    } catch {
      return undefined;
    }
    if (payload.length > room) return undefined;
    format = V8_RECORD;
    length = payload.length;
    payload.copy(bytes, offset + RECORD_HEADER);
  }
  bytes.writeUInt32LE(length, offset);
  bytes[offset + 4] = format;
  return offset + RECORD_HEADER + length;
}

/** The result at `offset` of `bytes`, and the offset after it. */
export function readRecord(bytes: Buffer, offset: number): { result: TaskResult; next: number } {
  const length = bytes.readUInt32LE(offset);
  const start = offset + RECORD_HEADER;
  const result = (
    bytes[offset + 4] === JSON_RECORD
      ? JSON.parse(bytes.toString('utf8', start, start + length))
      : deserialize(Buffer.from(bytes.subarray(start, start + length)))
  ) as TaskResult; // a copy: shared memory is not the deserializer's
  return { result, next: start + length };
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
