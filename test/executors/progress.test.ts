// A lane's shared memory: the results a thread keeps as each task finishes, read back exactly by the pool (as
// doubles when they are numbers, else as JSON or by the v8 serializer), and a batch's progress.
import { describe, expect, it } from 'vitest';
import type { TaskResult } from '../../search/executors/executor.js';
import {
  LANE_BYTES,
  laneHeader,
  RESULT_BYTES,
  readProgress,
  resetProgress,
  whenChanged,
  writeProgress,
} from '../../search/executors/progress.js';
import { RecordReader, RecordWriter } from '../../search/executors/result-record.js';
import { waitFor } from '../helpers/wait.js';

const ok = (fitness: number, metrics?: Record<string, number>): TaskResult => ({
  ok: true,
  result: { fitness, descriptors: [0.25, 0.5], ...(metrics ? { metrics } : {}) },
  source: 'evaluated',
});

/** Writes `results` into a fresh buffer and reads them back. */
function roundTrip(results: readonly TaskResult[], bytes = 64 * 1024): TaskResult[] {
  const buffer = new SharedArrayBuffer(bytes);
  const writer = new RecordWriter(buffer, 8);
  for (const r of results) expect(writer.write(r)).toBe(true);
  const reader = new RecordReader(buffer, 8);
  return results.map(() => reader.next());
}

describe('result records', () => {
  it('read back equal to what was written, numbers or not: NaN, −0, infinities, strings, failures', () => {
    const results: TaskResult[] = [
      ok(1.5, { a: 0.1 + 0.2 }),
      ok(-0),
      ok(2, { nan: Number.NaN, inf: Number.POSITIVE_INFINITY, neg: -0 }),
      { ok: true, result: { fitness: 3 }, fingerprint: 'fp é ✓', source: 'fingerprint' },
      { ok: false, failure: { kind: 'threw', message: 'boom: ünïcode', stack: 'Error: boom\n    at x' } },
      { ok: true, result: { fitness: 4, tiebreak: [1, 2], objectives: [-1, 0.5, 7] }, source: 'evaluated' },
      { ok: true, result: { fitness: 5, descriptors: [] }, source: 'evaluated' },
      { ok: true, result: { fitness: 6, metrics: {} }, source: 'evaluated' },
      { ...ok(7, { a: 1 }), reports: [[1, 0.5]] },
      ok(8, { ['__proto__']: 1 }), // an own property of that name (as cleanResult makes it), not a prototype
    ];
    const back = roundTrip(results);
    expect(back).toEqual(results);
    for (const [i, r] of results.entries()) {
      const b = back[i] as TaskResult;
      if (r.ok && b.ok) {
        expect(Object.is(b.result.fitness, r.result.fitness)).toBe(true); // −0 stays −0
        expect(Object.keys(b.result)).toEqual(Object.keys(r.result)); // the same fields, in the same order
      }
    }
    const metricsOf = (r: TaskResult | undefined) => (r?.ok ? (r.result.metrics ?? {}) : {});
    expect(Object.is(metricsOf(back[2]).neg, -0)).toBe(true);
    expect(Object.getPrototypeOf(metricsOf(back[9]))).toBe(Object.prototype);
    expect(Object.keys(metricsOf(back[9]))).toEqual(['__proto__']);
  });

  it('metric names change between results: each result keeps its own names', () => {
    const results = [ok(1, { x: 1, y: 2 }), ok(2, { x: 3, y: 4 }), ok(3, { y: 5, x: 6 }), ok(4), ok(5, { z: 7 })];
    expect(roundTrip(results)).toEqual(results);
    for (const [i, r] of roundTrip(results).entries())
      if (r.ok)
        expect(Object.keys(r.result.metrics ?? {})).toEqual(Object.keys((results[i] as typeof r).result.metrics ?? {}));
  });

  it('does not write past its end: a record that does not fit is refused, and the one before it stays readable', () => {
    const big: TaskResult = { ok: false, failure: { kind: 'threw', message: 'x'.repeat(100) } };
    expect(new RecordWriter(new SharedArrayBuffer(64), 0).write(big)).toBe(false);
    const buffer = new SharedArrayBuffer(256);
    const writer = new RecordWriter(buffer, 0, 96); // room for one numbers record (8 + 8 × 9 bytes), not two
    expect(writer.write(ok(1, { a: 1 }))).toBe(true); // a names record, then the numbers
    expect(writer.write(ok(2, { a: 2 }))).toBe(false);
    expect(new Uint8Array(buffer, 96).every((b) => b === 0)).toBe(true);
    expect(new RecordReader(buffer, 0).next()).toEqual(ok(1, { a: 1 }));
  });
});

describe('progress of a batch', () => {
  it('counts the tasks done, keeps their results, and marks when the next one started', () => {
    const buffer = new SharedArrayBuffer(LANE_BYTES);
    const header = laneHeader(buffer);
    const sentAt = performance.timeOrigin + performance.now() - 1000; // sent a second ago
    resetProgress(header, sentAt);
    const reader = readProgress(buffer, header);
    expect(reader.done()).toBe(0);
    expect(reader.startedAt()).toBe(sentAt); // not begun: timed from the send
    const writer = writeProgress(buffer, header);
    writer.begin();
    const begun = reader.startedAt();
    expect(begun).toBeGreaterThanOrEqual(sentAt + 999);
    expect(writer.finish(0, ok(1))).toBe(true);
    expect(writer.finish(1, ok(2, { nan: Number.NaN }))).toBe(true);
    expect(reader.done()).toBe(2);
    expect(reader.startedAt()).toBeGreaterThanOrEqual(begun);
    expect(reader.results(2)).toEqual([ok(1), ok(2, { nan: Number.NaN })]);
    // The next batch through the same lane starts over.
    resetProgress(header, sentAt);
    writer.begin();
    expect(writer.finish(0, ok(3, { other: 1 }))).toBe(true);
    expect(reader.results(1)).toEqual([ok(3, { other: 1 })]);
  });

  it('refuses a result that does not fit: the task counts as done, and the kept results end before it', () => {
    const buffer = new SharedArrayBuffer(LANE_BYTES);
    const header = laneHeader(buffer);
    resetProgress(header, 0);
    const writer = writeProgress(buffer, header);
    const reader = readProgress(buffer, header);
    writer.begin();
    const huge: TaskResult = { ok: false, failure: { kind: 'threw', message: 'x'.repeat(RESULT_BYTES) } };
    expect(writer.finish(0, ok(1))).toBe(true);
    expect(reader.kept()).toBe(1);
    expect(writer.finish(1, huge)).toBe(false);
    // A small one after it is not kept either: results stay in task order, the rest go on the port.
    expect(writer.finish(2, ok(3))).toBe(false);
    expect({ done: reader.done(), kept: reader.kept() }).toEqual({ done: 3, kept: 1 });
    expect(reader.results(1)).toEqual([ok(1)]);
    // The next batch starts with room again.
    resetProgress(header, 0);
    writer.begin();
    expect(writer.finish(0, ok(4))).toBe(true);
    expect({ done: reader.done(), kept: reader.kept() }).toEqual({ done: 1, kept: 1 });
  });
});

describe('waiting for the other side', () => {
  it('calls back once the word changed, not on a notify for an earlier store', async () => {
    const words = new Int32Array(new SharedArrayBuffer(8));
    words[0] = 1;
    let called = 0;
    whenChanged(words, 0, 1, () => called++);
    Atomics.notify(words, 0); // late: announces the store of the 1 this wait began from
    for (let turn = 0; turn < 5; turn++) await new Promise((resolve) => setImmediate(resolve));
    expect(called).toBe(0);
    Atomics.store(words, 0, 2);
    Atomics.notify(words, 0);
    await waitFor(() => called === 1, { what: 'the callback after the change' });
    whenChanged(words, 0, 1, () => called++); // changed already: at once
    await Promise.resolve();
    expect(called).toBe(2);
  });
});
