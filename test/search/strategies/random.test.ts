// Random search: every proposal is a fresh sample with no parents.
import { describe, expect, it } from 'vitest';
import { strategies } from '../../../search/strategies/index.js';
import { bitDeps, told } from './fixtures.js';

describe('random', () => {
  it('always samples, whatever it is told', () => {
    const s = strategies.random.create({}, bitDeps(8, 'r'));
    for (let i = 0; i < 20; i++)
      for (const p of s.ask(3)) {
        expect(p.parents).toEqual([]);
        s.tell(told(p, i));
      }
    expect(s.state()).toEqual({ nextId: 60 });
  });
});
