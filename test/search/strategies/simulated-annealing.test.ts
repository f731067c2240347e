// Simulated annealing and hill climbing (Plum): the known optimum of a synthetic pruning problem, the acceptance rule
// exp(Δ/T) with T = T0·exp(−i/τ), strict hill climbing and its patience.
import { describe, expect, it } from 'vitest';
import { SeededRng } from '../../../core/rng.js';
import {
  hillClimbingOptions,
  simulatedAnnealingOptions,
  strategies,
  type SimulatedAnnealingState,
} from '../../../search/strategies/index.js';
import type { Proposal, Strategy } from '../../../search/strategies/strategy.js';
import type { Space } from '../../../core/types.js';
import { bitDeps, told } from './fixtures.js';
import { depsFor, drive, OPTIMUM, pruningFitness, pruningSpace } from './pruning-problem.js';

/** Scores in Plum's units (accuracy in percent): 10 per junk word pruned, −100 per key word. */
const PERCENT = 10;

/** Integers: sample 0, mutate adds 1; key is the number. */
const line: Space<number> = {
  name: 'line',
  sample: () => 0,
  mutate: (g) => g + 1,
  key: (g) => String(g),
  describe: (g) => String(g),
  encode: (g) => g,
  decode: (x) => x as number,
};
const lineDeps = (seed: string) => ({
  space: line,
  archive: bitDeps(2, 'a').archive as never,
  rng: SeededRng.fromSeed(seed),
});

/** Tells the initial point `start`, then one iteration of candidates scored by `score`; returns the next iteration's parent. */
function oneIteration(s: Strategy<number>, start: number, score: (p: Proposal<number>) => number): number | undefined {
  const [initial] = s.ask(1);
  s.tell(told(initial!, start));
  for (const p of s.ask(100)) s.tell(told(p, score(p)));
  return s.ask(1)[0]?.parents[0];
}

describe('simulated annealing on a synthetic pruning problem (optimum: prune exactly the 10 junk words)', () => {
  it.each(['a', 'b', 'c', 'd', 'e'])('finds the optimum (seed %s)', (seed) => {
    const space = pruningSpace();
    const sa = strategies['simulated-annealing'].create({ patience: 0 }, depsFor(space, `sa-${seed}`));
    const run = drive(
      sa,
      (g) => pruningFitness(space, g as never, PERCENT),
      1500,
      10,
      undefined,
      OPTIMUM.fitness * PERCENT,
    );
    expect(run.best?.score).toBe(OPTIMUM.fitness * PERCENT);
    expect(space.describe(run.best!.genome as never)).toBe(OPTIMUM.text);
  });

  it("has Plum's settings", () => {
    expect(simulatedAnnealingOptions.parse({})).toEqual({ candidates: 10, patience: 7, t0: 10, tau: 5 });
  });
});

describe('annealing acceptance', () => {
  it('accepts an improvement always', () => {
    const s = strategies['simulated-annealing'].create({ candidates: 3 }, lineDeps('up')) as Strategy<number>;
    expect(oneIteration(s, 50, (p) => 50 + p.id)).toBe(3); // the best candidate (id 3) becomes current
  });

  it('accepts a worse best candidate with probability exp(Δ/T), T = 10·exp(−1/5) in iteration 1', () => {
    const runs = 600;
    let accepted = 0;
    for (let r = 0; r < runs; r++) {
      const s = strategies['simulated-annealing'].create({ candidates: 2 }, lineDeps(`worse-${r}`)) as Strategy<number>;
      if (oneIteration(s, 50, () => 45) !== 0) accepted++;
    }
    const expected = Math.exp(-5 / (10 * Math.exp(-1 / 5)));
    expect(accepted / runs).toBeGreaterThan(expected - 0.06);
    expect(accepted / runs).toBeLessThan(expected + 0.06);
  });

  it('cools: late iterations almost never accept a loss', () => {
    const s = strategies['simulated-annealing'].create(
      { candidates: 1, patience: 0 },
      lineDeps('cool'),
    ) as Strategy<number>;
    const [initial] = s.ask(1);
    s.tell(told(initial!, 100));
    let moves = 0;
    let parent = initial!.id;
    for (let i = 1; i <= 60; i++) {
      const [p] = s.ask(1);
      expect(p!.parents[0]).toBe(parent);
      const current = (s.state() as SimulatedAnnealingState).search.current!;
      s.tell(told(p!, (current.score as number) - 1)); // always one point worse than the current point
      const next = (s.state() as SimulatedAnnealingState).search.current!;
      if (next.id !== parent) {
        moves++;
        parent = next.id;
        if (i > 40) throw new Error(`accepted a loss at iteration ${i} (T = ${10 * Math.exp(-i / 5)})`);
      }
    }
    expect(moves).toBeGreaterThan(0);
  });
});

describe('hill climbing', () => {
  it.each(['a', 'b', 'c'])('finds the optimum of the pruning problem (seed %s)', (seed) => {
    const space = pruningSpace();
    const hc = strategies['hill-climbing'].create({ patience: 0 }, depsFor(space, `hc-${seed}`));
    const run = drive(hc, (g) => pruningFitness(space, g as never), 1500, 10, undefined, OPTIMUM.fitness);
    expect(run.best?.score).toBe(OPTIMUM.fitness);
  });

  it('moves only on a strict improvement', () => {
    const equal = strategies['hill-climbing'].create({ candidates: 3 }, lineDeps('eq')) as Strategy<number>;
    expect(oneIteration(equal, 50, () => 50)).toBe(0);
    const better = strategies['hill-climbing'].create({ candidates: 3 }, lineDeps('gt')) as Strategy<number>;
    expect(oneIteration(better, 50, (p) => (p.id === 2 ? 51 : 0))).toBe(2);
  });

  it('is finished after `patience` iterations without improvement, and goes on if asked', () => {
    expect(hillClimbingOptions.parse({})).toEqual({ candidates: 10, patience: 7 });
    const s = strategies['hill-climbing'].create(
      { candidates: 2, patience: 3 },
      lineDeps('patience'),
    ) as Strategy<number>;
    const run = drive(s, (g) => (g <= 2 ? g : 0), 1000); // improves twice (0 → 1 → 2), then never again
    expect(run.converged).toBe(true);
    expect(run.proposals).toBe(1 + 2 * 2 + 2 * 3); // initial, two improving iterations, three idle ones
    expect(s.ask(5)).toHaveLength(2);
  });
});
