// The pending-proposals window: ids in order, deletes in any order, values in id order, compaction keeps it right.
import { describe, expect, it } from 'vitest';
import { PendingProposals } from '../../search/pending.js';

describe('PendingProposals', () => {
  it('holds proposals by id, deletes in any order and lists the rest in id order', () => {
    const pending = new PendingProposals<string>();
    for (let id = 5; id < 10; id++) pending.set(id, `p${id}`);
    expect(pending.size).toBe(5);
    expect(pending.delete(7)).toBe(true);
    expect(pending.delete(7)).toBe(false);
    expect(pending.delete(4)).toBe(false);
    expect(pending.delete(5)).toBe(true);
    expect([...pending.values()]).toEqual(['p6', 'p8', 'p9']);
    expect(pending.get(6)).toBe('p6');
    expect(pending.get(5)).toBeUndefined();
    expect(() => pending.set(8, 'again')).toThrow(/does not follow 9/);
    pending.set(10, 'p10');
    expect(pending.size).toBe(4);
  });

  it('stays right over many ids answered out of order (compaction of the processed prefix)', () => {
    const pending = new PendingProposals<number>();
    const held = new Set<number>();
    let next = 0;
    for (let round = 0; round < 2000; round++) {
      for (let k = 0; k < 4; k++) {
        pending.set(next, next);
        held.add(next++);
      }
      // Answer all but the newest, newest-but-one first: out of order, as worker threads do.
      const ids = [...held].slice(0, -1).reverse();
      for (const id of ids.slice(0, 3)) {
        expect(pending.delete(id)).toBe(true);
        held.delete(id);
      }
      expect(pending.size).toBe(held.size);
    }
    expect([...pending.values()]).toEqual([...held].sort((a, b) => a - b));
    pending.clear();
    expect(pending.size).toBe(0);
    pending.set(3, 3); // after clear, a window may start anywhere
    expect([...pending.values()]).toEqual([3]);
  });
});
