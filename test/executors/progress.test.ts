// A message's shared progress: the results a thread keeps as each task finishes, read back exactly by the pool.
import { describe, expect, it } from 'vitest';
import type { TaskResult } from '../../search/executors/executor.js';
import { PROGRESS_BYTES, readProgress, resetProgress, writeProgress } from '../../search/executors/progress.js';
import { readRecord, writeRecord } from '../../search/executors/result-record.js';

const ok = (fitness: number, metrics: Record<string, number> = {}): TaskResult => ({
  ok: true,
  result: { fitness, descriptors: [0.25, 0.5], metrics },
  source: 'evaluated',
});

describe('result records', () => {
  it('read back equal to what was written, JSON or not: NaN, −0, infinities, strings, failures', () => {
    const results: TaskResult[] = [
      ok(1.5, { a: 0.1 + 0.2 }),
      ok(-0),
      ok(2, { nan: Number.NaN, inf: Number.POSITIVE_INFINITY }),
      { ok: true, result: { fitness: 3 }, fingerprint: 'fp é ✓', source: 'fingerprint' },
      { ok: false, failure: { kind: 'threw', message: 'boom: ünïcode', stack: 'Error: boom\n    at x' } },
    ];
    const bytes = Buffer.alloc(4096);
    let offset = 0;
    for (const r of results) offset = writeRecord(bytes, offset, r) ?? Number.NaN;
    let at = 0;
    for (const r of results) {
      const { result, next } = readRecord(bytes, at);
      expect(result).toEqual(r);
      if (r.ok) expect(Object.is((result as typeof r).result.fitness, r.result.fitness)).toBe(true); // −0 stays −0
      at = next;
    }
    expect(at).toBe(offset);
  });

  it('does not write past the end: a record that does not fit is refused', () => {
    const big: TaskResult = { ok: false, failure: { kind: 'threw', message: 'x'.repeat(100) } };
    expect(writeRecord(Buffer.alloc(64), 0, big)).toBeUndefined();
    expect(writeRecord(Buffer.alloc(64), 0, ok(1))).toBeUndefined(); // ~90 bytes of JSON
    expect(writeRecord(Buffer.alloc(256), 0, ok(1))).toBeDefined();
  });
});

describe('progress of a message', () => {
  it('counts the tasks done, keeps their results, and marks when the next one started', () => {
    const buffer = new SharedArrayBuffer(PROGRESS_BYTES);
    const sentAt = performance.timeOrigin + performance.now() - 1000; // sent a second ago
    resetProgress(buffer);
    const reader = readProgress(buffer, sentAt);
    expect(reader.done()).toBe(0);
    expect(reader.startedAt()).toBe(sentAt); // not begun: timed from the send
    const writer = writeProgress(buffer, sentAt);
    writer.begin();
    const begun = reader.startedAt();
    expect(begun).toBeGreaterThanOrEqual(sentAt + 999);
    expect(writer.finish(0, ok(1))).toBe(true);
    expect(writer.finish(1, ok(2, { nan: Number.NaN }))).toBe(true);
    expect(reader.done()).toBe(2);
    expect(reader.startedAt()).toBeGreaterThanOrEqual(begun);
    expect(reader.results(2)).toEqual([ok(1), ok(2, { nan: Number.NaN })]);
  });

  it('refuses a result that does not fit, and the count stays where it was', () => {
    const buffer = new SharedArrayBuffer(PROGRESS_BYTES);
    resetProgress(buffer);
    const writer = writeProgress(buffer, 0);
    const huge: TaskResult = { ok: false, failure: { kind: 'threw', message: 'x'.repeat(PROGRESS_BYTES) } };
    expect(writer.finish(0, huge)).toBe(false);
    expect(readProgress(buffer, 0).done()).toBe(0);
  });
});
