// Steady-state GA: random start-up, tournament parents from the population, replace-worst elitism, capabilities.
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../core/errors.js';
import { SeededRng } from '../../../core/rng.js';
import { compareScored } from '../../../core/score.js';
import { strategies, type GaState } from '../../../search/strategies/index.js';
import type { Proposal, Strategy } from '../../../search/strategies/strategy.js';
import { bitDeps, failed, plainBitSpace, told, type Bits } from './fixtures.js';

const make = (options: unknown, seed = 'ga', space = undefined as Parameters<typeof bitDeps>[2]) =>
  strategies.ga.create(options, bitDeps(12, seed, space)) as Strategy<Bits>;
const stateOf = (s: Strategy<Bits>) => s.state() as GaState;

describe('ga', () => {
  it('samples the first populationSize proposals, then breeds only from told members', () => {
    const s = make({ populationSize: 4, tournamentSize: 2 });
    const first = s.ask(6);
    expect(first.slice(0, 4).every((p) => p.parents.length === 0)).toBe(true);
    // Nothing told yet: the population is empty, so it keeps sampling.
    expect(first.slice(4).every((p) => p.parents.length === 0)).toBe(true);
    s.tell(told(first[2] as Proposal<Bits>, 1));
    s.tell(failed(first[0] as Proposal<Bits>));
    for (const p of s.ask(20)) {
      expect(p.parents.length).toBeGreaterThan(0);
      expect(p.parents.every((id) => id === 2)).toBe(true);
    }
  });

  it('keeps sampling while every evaluation has failed', () => {
    const s = make({ populationSize: 2 });
    for (let i = 0; i < 10; i++) {
      const [p] = s.ask(1) as [Proposal<Bits>];
      expect(p.parents).toEqual([]);
      s.tell(failed(p));
    }
  });

  it('replaces the worst member only with a child at least as good', () => {
    const s = make({ populationSize: 3 });
    const [a, b, c] = s.ask(3) as [Proposal<Bits>, Proposal<Bits>, Proposal<Bits>];
    s.tell(told(a, 5));
    s.tell(told(b, 1));
    s.tell(told(c, 2));
    const ids = () => stateOf(s).population.map((m) => m.id);
    const [worse, tie, better] = s.ask(3) as [Proposal<Bits>, Proposal<Bits>, Proposal<Bits>];
    s.tell(told(worse, 0.5));
    expect(ids()).toEqual([a.id, b.id, c.id]);
    s.tell(told(tie, 1));
    expect(ids()).toEqual([a.id, c.id, tie.id]);
    s.tell(told(better, 3));
    expect(ids()).toEqual([a.id, c.id, better.id]); // c (2) and tie (1): the worst, tie, left
  });

  it('never loses the best member (elitism) over a long run with random scores and failures', () => {
    const s = make({ populationSize: 10, tournamentSize: 3 }, 'elitism');
    const scores = SeededRng.fromSeed('scores').next;
    let bestTold = -Infinity;
    for (let i = 0; i < 2000; i++) {
      for (const p of s.ask(3)) {
        if (scores() < 0.1) {
          s.tell(failed(p));
          continue;
        }
        const score = Math.floor(scores() * 1000) / 10;
        bestTold = Math.max(bestTold, score);
        s.tell(told(p, score));
      }
      const population = stateOf(s).population;
      expect(population.length).toBeLessThanOrEqual(10);
      expect(Math.max(...population.map((m) => m.score as number))).toBe(bestTold);
    }
  });

  it('picks parents by tournament: better members are chosen more often', () => {
    const s = make({ populationSize: 4, tournamentSize: 3, crossoverRate: 0 });
    const start = s.ask(4);
    start.forEach((p, i) => s.tell(told(p, i)));
    const counts = new Map<number, number>();
    for (const p of s.ask(4000)) counts.set(p.parents[0] as number, (counts.get(p.parents[0] as number) ?? 0) + 1);
    // P(best of 3 draws from 4 is rank r) = ((r+1)/4)^3 − (r/4)^3: 1/64, 7/64, 19/64, 37/64.
    const expected = [1, 7, 19, 37].map((x) => (x / 64) * 4000);
    start.forEach((p, i) => expect(Math.abs((counts.get(p.id) ?? 0) - (expected[i] as number))).toBeLessThan(100));
  });

  it('uses crossover by default when the space has it, and not otherwise', () => {
    const withCrossover = make({ populationSize: 4 });
    const plain = make({ populationSize: 4 }, 'ga', plainBitSpace(12));
    for (const s of [withCrossover, plain]) {
      const start = s.ask(4);
      start.forEach((p, i) => s.tell(told(p, i)));
    }
    expect(withCrossover.ask(100).some((p) => p.parents.length === 2)).toBe(true);
    expect(plain.ask(100).every((p) => p.parents.length === 1)).toBe(true);
  });

  it('requires crossover for crossoverRate > 0 and mutateWithRate for mutationRate', () => {
    expect(() => make({ crossoverRate: 0.5 }, 'ga', plainBitSpace(12))).toThrow(ConfigError);
    expect(() => make({ crossoverRate: 0.5 }, 'ga', plainBitSpace(12))).toThrow(/crossover/);
    expect(() => make({ mutationRate: 0.1 }, 'ga', plainBitSpace(12))).toThrow(/mutateWithRate/);
    expect(() => make({ mutationRate: 0.1, crossoverRate: 0.5 })).not.toThrow();
  });

  it('compares members with compareScored, tie-break included', () => {
    const s = make({ populationSize: 2 });
    const [a, b, c] = s.ask(3) as [Proposal<Bits>, Proposal<Bits>, Proposal<Bits>];
    s.tell(told(a, 1, [5]));
    s.tell(told(b, 1, [3]));
    s.tell(told(c, 1, [4])); // beats b on the tie-break only
    const members = stateOf(s).population;
    expect(members.map((m) => m.id)).toEqual([a.id, c.id]);
    expect(compareScored({ score: 1, tiebreak: members[1]?.tiebreak }, { score: 1, tiebreak: [3] })).toBeGreaterThan(0);
  });
});
