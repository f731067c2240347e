// Regularized evolution: random start-up until P successes, best-of-S parents, the oldest member leaves.
import { describe, expect, it } from 'vitest';
import { randomInt, SeededRng } from '../../../core/rng.js';
import { compareScored } from '../../../core/score.js';
import { strategies, type RegularizedEvolutionState } from '../../../search/strategies/index.js';
import type { Proposal, Strategy } from '../../../search/strategies/strategy.js';
import { bitDeps, failed, told, type Bits } from './fixtures.js';

const stateOf = (s: Strategy<Bits>) => s.state() as RegularizedEvolutionState;

describe('regularized-evolution', () => {
  it('samples until populationSize successes were told (failures do not count)', () => {
    const s = strategies['regularized-evolution'].create(
      { populationSize: 3, sampleSize: 2 },
      bitDeps(8, 're'),
    ) as Strategy<Bits>;
    const outcomes: [number, boolean][] = [
      [1, false],
      [2, true],
      [3, false],
      [4, true],
      [5, true],
    ];
    for (const [score, ok] of outcomes) {
      const [p] = s.ask(1) as [Proposal<Bits>];
      expect(p.parents).toEqual([]);
      s.tell(ok ? told(p, score) : failed(p));
    }
    const [child] = s.ask(1) as [Proposal<Bits>];
    expect(child.parents).toHaveLength(1);
  });

  it('removes the oldest member, even when it is the best', () => {
    const s = strategies['regularized-evolution'].create(
      { populationSize: 3, sampleSize: 3 },
      bitDeps(8, 're'),
    ) as Strategy<Bits>;
    const [a, b, c] = s.ask(3) as [Proposal<Bits>, Proposal<Bits>, Proposal<Bits>];
    s.tell(told(a, 10));
    s.tell(told(b, 1));
    s.tell(told(c, 2));
    const [child] = s.ask(1) as [Proposal<Bits>];
    s.tell(told(child, 0));
    expect(stateOf(s).population.map((m) => m.id)).toEqual([b.id, c.id, child.id]);
    const [late] = s.ask(1) as [Proposal<Bits>];
    s.tell(failed(late));
    expect(stateOf(s).population.map((m) => m.id)).toEqual([b.id, c.id, child.id]);
  });

  it('takes as parent the best of sampleSize uniform draws with replacement, and mutates it', () => {
    const deps = bitDeps(8, 're-tournament');
    const s = strategies['regularized-evolution'].create({ populationSize: 5, sampleSize: 3 }, deps) as Strategy<Bits>;
    const start = s.ask(5);
    [3, 9, 1, 9, 4].forEach((score, i) => s.tell(told(start[i] as Proposal<Bits>, score)));
    for (let round = 0; round < 50; round++) {
      const mirror = SeededRng.restore(deps.rng.state()).next;
      const population = stateOf(s).population;
      let winner = population[randomInt(mirror, population.length)];
      for (let k = 1; k < 3; k++) {
        const x = population[randomInt(mirror, population.length)];
        if (x && winner && compareScored({ score: x.score as number }, { score: winner.score as number }) > 0)
          winner = x;
      }
      const [child] = s.ask(1) as [Proposal<Bits>];
      expect(child.parents).toEqual([winner?.id]);
      s.tell(told(child, round % 7));
    }
  });

  it('rejects sampleSize > populationSize', () => {
    expect(() =>
      strategies['regularized-evolution'].create({ populationSize: 5, sampleSize: 6 }, bitDeps(8, 'x')),
    ).toThrow(/sampleSize/);
  });
});
