// PromptQuine GGA: finds the known optimum of a synthetic pruning problem, comma selection over the last λ, duplicates
// discarded without evaluation, the mean-length stop.
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../core/errors.js';
import { SeededRng } from '../../../core/rng.js';
import { createGga, ggaOptions, strategies, type GgaState } from '../../../search/strategies/index.js';
import type { Proposal, Strategy } from '../../../search/strategies/strategy.js';
import type { Space } from '../../../core/types.js';
import { bitDeps, failed, told } from './fixtures.js';
import { depsFor, drive, OPTIMUM, pruningFitness, pruningSpace } from './pruning-problem.js';

/** Integers: sample 0, mutate adds 1..3; key is the number. A space where every child is new unless `stuck`. */
function counterSpace(stuck = false): Space<number> & { length(g: number): number } {
  return {
    name: 'counter',
    sample: () => 0,
    mutate: (g, rng) => (stuck ? g : g + 1 + Math.floor(rng() * 3)),
    key: (g) => String(g),
    describe: (g) => String(g),
    encode: (g) => g,
    decode: (x) => x as number,
    length: (g) => 100 - g,
  };
}

const counterDeps = (stuck = false) => ({
  space: counterSpace(stuck),
  archive: bitDeps(2, 'a').archive as never,
  rng: SeededRng.fromSeed('gga'),
});

describe('gga on a synthetic pruning problem (optimum: prune exactly the 10 junk words)', () => {
  it.each(['a', 'b', 'c', 'd', 'e'])('finds the optimum and stops by the mean-length rule (seed %s)', (seed) => {
    const space = pruningSpace();
    const gga = strategies.gga.create({ offspring: 200, minMeanLength: OPTIMUM.length }, depsFor(space, `gga-${seed}`));
    const run = drive(gga, (g) => pruningFitness(space, g as never), 3000, 8);
    expect(run.best?.score).toBe(OPTIMUM.fitness);
    expect(space.describe(run.best!.genome as never)).toBe(OPTIMUM.text);
    expect(run.converged).toBe(true);
    const population = (gga.state() as GgaState).population.map((m) => space.decode(m.genome));
    expect(population.reduce((s, g) => s + space.length(g), 0) / population.length).toBeLessThanOrEqual(OPTIMUM.length);
  });

  it("has PromptQuine's defaults and stops once the mean length is at most 15 tokens", () => {
    expect(ggaOptions.parse({})).toEqual({ populationSize: 30, offspring: 50, tournamentFraction: 0.2 });
    const space = pruningSpace();
    const gga = strategies.gga.create({}, depsFor(space, 'defaults'));
    const run = drive(gga, (g) => pruningFitness(space, g as never), 5000, 4);
    expect(run.converged).toBe(true);
    const population = (gga.state() as GgaState).population.map((m) => space.decode(m.genome));
    expect(population).toHaveLength(30);
    expect(population.reduce((s, g) => s + space.length(g), 0) / 30).toBeLessThanOrEqual(15);
  });
});

describe('gga rounds', () => {
  /** Plays one round by hand: asks everything, tells scores from `score`, and returns the proposals. */
  function round(s: Strategy<number>, score: (p: Proposal<number>) => number | undefined): Proposal<number>[] {
    const got = s.ask(1000);
    for (const p of got) {
      const v = score(p);
      s.tell(v === undefined ? failed(p) : told(p, v));
    }
    return got;
  }
  const population = (s: Strategy<number>) => (s.state() as GgaState).population.map((m) => [m.id, m.score]);

  it('starts with populationSize samples and waits for all of them', () => {
    const s = createGga({ populationSize: 3, offspring: 4 }, counterDeps());
    const first = s.ask(10);
    expect(first.map((p) => p.genome)).toEqual([0, 0, 0]);
    expect(s.ask(1)).toEqual([]);
    first.forEach((p, i) => s.tell(told(p, i)));
    expect(population(s)).toEqual([
      [0, 0],
      [1, 1],
      [2, 2],
    ]);
  });

  it('replaces the whole population by the best μ of the λ offspring (comma selection)', () => {
    const s = createGga({ populationSize: 3, offspring: 4 }, counterDeps());
    round(s, () => 100); // the initial population scores 100
    const offspring = round(s, (p) => p.id); // offspring score below every parent
    expect(offspring).toHaveLength(4);
    expect(population(s)).toEqual([
      [6, 6],
      [5, 5],
      [4, 4],
    ]);
  });

  it('fills the window of the last λ with the newest old members when offspring fail', () => {
    const s = createGga({ populationSize: 3, offspring: 4 }, counterDeps());
    round(s, (p) => [5, 100, 1][p.id]); // population ids 0, 1, 2 scoring 5, 100, 1
    round(s, (p) => (p.id === 3 ? 50 : undefined)); // one offspring succeeds, three fail
    // window = last 4 added = [0, 1, 2, 3]: best three are 1 (100), 3 (50), 0 (5)
    expect(population(s)).toEqual([
      [1, 100],
      [3, 50],
      [0, 5],
    ]);
  });

  it('discards offspring that repeat a population member without proposing them; a round of only duplicates ends the search', () => {
    const s = createGga({ populationSize: 2, offspring: 5 }, counterDeps(true));
    round(s, () => 1);
    expect(s.finished?.()).toBe(false);
    const dup = s.ask(10);
    expect(dup).toHaveLength(1); // four duplicate slots discarded, the last proposed anyway
    expect(s.finished?.()).toBe(true);
    s.tell(told(dup[0]!, 1));
    expect(s.ask(3).length).toBeGreaterThan(0); // asked anyway, it goes on
  });

  it('uses tournaments of max(1, ⌊fraction·P⌋) draws with replacement', () => {
    const bestParentRate = (fraction: number): number => {
      const s = createGga({ populationSize: 10, offspring: 2000, tournamentFraction: fraction }, counterDeps());
      round(s, (p) => (p.id === 0 ? 100 : 0));
      return s.ask(2000).filter((p) => p.parents[0] === 0).length / 2000;
    };
    expect(bestParentRate(0.1)).toBeCloseTo(0.1, 1); // one draw: uniform parents
    expect(bestParentRate(0.2)).toBeCloseTo(1 - 0.9 ** 2, 1); // two draws: the best wins when drawn
    expect(bestParentRate(0.05)).toBeCloseTo(0.1, 1); // ⌊0.5⌋ = 0 draws → at least one
  });

  it('rejects minMeanLength on a space without length(g), naming the option; the default needs none', () => {
    expect(() => createGga({ minMeanLength: 3 }, bitDeps(8, 'x'))).toThrow(ConfigError);
    expect(() => createGga({ minMeanLength: 3 }, bitDeps(8, 'x'))).toThrow(/minMeanLength/);
    const plain = createGga({}, bitDeps(8, 'x'));
    expect(plain.finished?.()).toBe(false);
  });
});
