// Harmony search (Plum settings): the known optimum of a synthetic pruning problem, memory of distinct best points,
// the HMCR / PAR / improvise mapping onto space operators.
import { describe, expect, it } from 'vitest';
import { createHarmony, harmonyOptions, strategies, type HarmonyState } from '../../../search/strategies/index.js';
import type { Strategy } from '../../../search/strategies/strategy.js';
import { bitDeps, ones, plainBitSpace, told, type Bits } from './fixtures.js';
import { depsFor, drive, OPTIMUM, pruningFitness, pruningSpace } from './pruning-problem.js';

describe('harmony search on a synthetic pruning problem (optimum: prune exactly the 10 junk words)', () => {
  it.each(['a', 'b', 'c', 'd', 'e'])(
    'finds the optimum from randomly pruned prompts, by crossover and pruning (seed %s)',
    (seed) => {
      const space = pruningSpace({ initialPruning: {} });
      const hs = strategies.harmony.create({}, depsFor(space, `hs-${seed}`));
      const run = drive(hs, (g) => pruningFitness(space, g as never), 2000, 4, undefined, OPTIMUM.fitness);
      expect(run.best?.score).toBe(OPTIMUM.fitness);
      expect(space.describe(run.best!.genome as never)).toBe(OPTIMUM.text);
    },
  );

  it.each(['a', 'b', 'c'])("finds it with Plum's improvisation by mutation too (seed %s)", (seed) => {
    const space = pruningSpace({ initialPruning: {} });
    const hs = strategies.harmony.create({ improvise: 'mutate' }, depsFor(space, `hsm-${seed}`));
    expect(drive(hs, (g) => pruningFitness(space, g as never), 2000, 4, undefined, OPTIMUM.fitness).best?.score).toBe(
      OPTIMUM.fitness,
    );
  });

  it("has Plum's settings", () => {
    expect(harmonyOptions.parse({})).toEqual({ memorySize: 10, hmcr: 0.4, par: 0.5, improvise: 'sample' });
  });
});

describe('harmony memory', () => {
  it('holds the best distinct points: fills, then replaces the worst only when strictly better', () => {
    const s = createHarmony({ memorySize: 3 }, bitDeps(12, 'memory')) as Strategy<Bits>;
    const first = s.ask(3);
    first.forEach((p, i) => s.tell(told(p, 10 + i)));
    const scores = () => (s.state() as HarmonyState).memory.map((m) => m.score).sort();
    expect(scores()).toEqual([10, 11, 12]);
    const [a, b] = s.ask(2);
    s.tell(told(a!, 10)); // ties the worst: stays out
    expect(scores()).toEqual([10, 11, 12]);
    s.tell(told(b!, 20));
    expect(scores()).toEqual([11, 12, 20]);
  });

  it('never stores the same key twice', () => {
    const s = createHarmony({ memorySize: 5 }, bitDeps(12, 'distinct')) as Strategy<Bits>;
    const [p] = s.ask(1);
    s.tell(told(p!, 1));
    s.tell(told({ ...p!, id: 99 }, 5)); // the same genome again (as a cache answer would bring it)
    expect((s.state() as HarmonyState).memory.map((m) => m.id)).toEqual([p!.id]);
  });
});

describe('harmony improvisation', () => {
  it('samples only, with hmcr 0', () => {
    const s = createHarmony({ memorySize: 2, hmcr: 0 }, bitDeps(12, 'random')) as Strategy<Bits>;
    for (const p of s.ask(2)) s.tell(told(p, ones(p.genome)));
    expect(s.ask(50).every((p) => p.parents.length === 0)).toBe(true);
  });

  it('builds every harmony from two memory members with hmcr 1 when the space has crossover, from one without', () => {
    const withCrossover = createHarmony({ memorySize: 4, hmcr: 1, par: 0 }, bitDeps(12, 'x')) as Strategy<Bits>;
    for (const p of withCrossover.ask(4)) withCrossover.tell(told(p, ones(p.genome)));
    const members = new Set((withCrossover.state() as HarmonyState).memory.map((m) => m.id));
    for (const p of withCrossover.ask(50)) {
      expect(p.parents).toHaveLength(2);
      expect(p.parents[0]).not.toBe(p.parents[1]);
      p.parents.forEach((id) => expect(members).toContain(id));
    }
    const plain = createHarmony(
      { memorySize: 4, hmcr: 1, par: 0 },
      bitDeps(12, 'p', plainBitSpace(12)),
    ) as Strategy<Bits>;
    for (const p of plain.ask(4)) plain.tell(told(p, ones(p.genome)));
    for (const p of plain.ask(50)) expect(p.parents).toHaveLength(1);
  });

  it('does not propose a copy of a memory member when a mutation can avoid it', () => {
    const space = plainBitSpace(12);
    const s = createHarmony({ memorySize: 4, hmcr: 1, par: 0 }, bitDeps(12, 'copies', space)) as Strategy<Bits>;
    for (const p of s.ask(4)) s.tell(told(p, ones(p.genome)));
    const memory = new Set((s.state() as HarmonyState).memory.map((m) => (m.genome as number[]).join('')));
    const copies = s.ask(200).filter((p) => memory.has(space.key(p.genome))).length;
    expect(copies).toBeLessThan(5);
  });
});
