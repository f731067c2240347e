// How many tasks a message carries, from the measured time per task: no timing here, the times are given.
import { describe, expect, it } from 'vitest';
import { createBatchSizer, MESSAGE_MS } from '../../search/executors/batch-size.js';

describe('message size from the measured time per task', () => {
  it('is one task until a message has been measured', () => {
    expect(createBatchSizer().size(64)).toBe(1);
  });

  it('carries about MESSAGE_MS of work: many microsecond tasks, a few millisecond ones, one slow one', () => {
    const at = (perTaskMs: number): number => {
      const sizer = createBatchSizer();
      sizer.observe(10, 10 * perTaskMs);
      return sizer.size(64);
    };
    expect(at(0.001)).toBe(64); // capped by the batch
    expect(at(MESSAGE_MS / 4)).toBe(4);
    expect(at(1000)).toBe(1);
  });

  it('follows a change of pace within a few messages, and a timed-out task brings it down at once', () => {
    const sizer = createBatchSizer();
    sizer.observe(64, 64 * 0.001);
    expect(sizer.size(64)).toBe(64);
    sizer.observe(1, 5000); // a task that ran into its 5 s timeout
    expect(sizer.size(64)).toBe(1);
    for (let i = 0; i < 40; i++) sizer.observe(64, 64 * 0.001);
    expect(sizer.size(64)).toBe(64);
  });

  it('says whether a batch fits in one message: never before a message was measured, nor when it would not', () => {
    const sizer = createBatchSizer();
    expect(sizer.fits(1)).toBe(false);
    sizer.observe(10, 10 * 0.002);
    expect(sizer.fits(64)).toBe(true);
    sizer.observe(1, 5000);
    expect(sizer.fits(1)).toBe(false); // one task beyond a message's work: the batch of one does not fit either
  });
});
