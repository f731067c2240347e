// Tabu search (Plum, classic rule): the known optimum of a synthetic keep/prune problem on bit strings, the FIFO tabu
// list, moving to a worse point, the best kept.
import { describe, expect, it } from 'vitest';
import { strategies, tabuOptions, type TabuState } from '../../../search/strategies/index.js';
import type { Strategy } from '../../../search/strategies/strategy.js';
import { bitDeps, bitSpace, told, type Bits } from './fixtures.js';
import { drive } from './pruning-problem.js';

/** Bits as keep flags over 10 key words then 10 junk words: junk pruned − 10·key pruned. Optimum 10: 1×10 then 0×10. */
const keepPrune = (g: Bits): number => {
  let f = 0;
  for (let i = 0; i < 20; i++) if (!g[i]) f += i < 10 ? -10 : 1;
  return f;
};
const OPTIMUM = '11111111110000000000';

const tabu = (options: unknown, seed: string) => strategies.tabu.create(options, bitDeps(20, seed)) as Strategy<Bits>;

describe('tabu search on a synthetic keep/prune problem with mutations both ways', () => {
  it.each(['a', 'b', 'c', 'd', 'e'])('finds the optimum and keeps it as the best (seed %s)', (seed) => {
    const s = tabu({ patience: 0 }, `tabu-${seed}`);
    const run = drive(s, keepPrune, 3000, 10, undefined, 10);
    expect(run.best?.score).toBe(10);
    expect(Array.from(run.best!.genome).join('')).toBe(OPTIMUM);
    const state = s.state() as TabuState;
    expect(state.best?.score).toBe(10);
    expect(state.best?.genome).toEqual(Array.from(OPTIMUM, Number));
  });

  it("has Plum's settings", () => {
    expect(tabuOptions.parse({})).toEqual({ candidates: 10, tabuSize: 5, maxRedraws: 20, patience: 7 });
  });
});

describe('tabu rule', () => {
  it('never proposes a tabu key when a mutation can avoid it, and the list holds the last tabuSize accepted keys', () => {
    const space = bitSpace(20);
    const s = tabu({ candidates: 4, tabuSize: 3, patience: 0 }, 'list');
    const accepted: string[] = [];
    for (let i = 0; i < 300; i++) {
      const before = (s.state() as TabuState).tabu;
      const got = s.ask(4);
      for (const p of got) {
        if (i > 0) expect(before).not.toContain(space.key(p.genome));
        s.tell(told(p, keepPrune(p.genome)));
      }
      const state = s.state() as TabuState;
      const current = state.search.current!;
      const key = space.key(Uint8Array.from(current.genome as number[]));
      if (accepted.at(-1) !== key) accepted.push(key);
      expect(state.tabu).toEqual(accepted.slice(-3));
      expect(state.tabu.length).toBeLessThanOrEqual(3);
    }
  });

  it('moves to the best non-tabu candidate even when it is worse, and keeps the best ever', () => {
    const s = tabu({ candidates: 3 }, 'worse');
    const [initial] = s.ask(1);
    s.tell(told(initial!, 100));
    const candidates = s.ask(3);
    candidates.forEach((p, i) => s.tell(told(p, 10 + i)));
    const state = s.state() as TabuState;
    expect(state.search.current?.id).toBe(candidates[2]!.id); // the best of three worse candidates
    expect(state.best?.id).toBe(initial!.id);
    expect(s.ask(1)[0]?.parents).toEqual([candidates[2]!.id]);
  });

  it('is finished after `patience` iterations without a new best', () => {
    const s = tabu({ candidates: 2, patience: 2 }, 'patience');
    const run = drive(s, () => 0, 1000); // nothing ever beats the initial point
    expect(run.converged).toBe(true);
    expect(run.proposals).toBe(1 + 2 * 2);
  });
});
