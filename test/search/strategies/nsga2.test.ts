// NSGA-II: generations over ask/tell, fronts and crowding-based survival, tournaments, failures, resume, and ZDT1.
import { describe, expect, it } from 'vitest';
import type { ArchiveView } from '../../../archive/archive.js';
import { ConfigError } from '../../../core/errors.js';
import { hypervolume } from '../../../core/hypervolume.js';
import { randomInt, rngFromSeed, SeededRng, type Rng } from '../../../core/rng.js';
import type { Space } from '../../../core/types.js';
import { strategies, type Nsga2State } from '../../../search/strategies/index.js';
import { nsga2Survivors } from '../../../search/strategies/nsga2.js';
import type { Outcome, Proposal, Strategy, StrategyDeps } from '../../../search/strategies/strategy.js';
import { createVectorSpace } from '../../../spaces/vector.js';
import { bitSpace, failed, type Bits } from './fixtures.js';

type Vec = Float64Array;

/** A successful outcome carrying `objectives` (already maximized); the score is a placeholder NSGA-II ignores. */
function withObjectives<G>(proposal: Proposal<G>, objectives: number[]): Outcome<G> {
  return {
    proposal,
    ok: true,
    score: objectives[0]!,
    objectives,
    result: { fitness: objectives[0]!, objectives },
    status: 'new',
    source: 'evaluated',
  };
}

const noArchive = {} as ArchiveView<never>;

function bitStrategy(options: unknown, seed = 'nsga2', objectiveCount = 2): Strategy<Bits> {
  const deps: StrategyDeps<Bits> = {
    space: bitSpace(8),
    archive: noArchive,
    rng: SeededRng.fromSeed(seed),
    objectiveCount,
  };
  return strategies.nsga2.create(options, deps as StrategyDeps<unknown>) as Strategy<Bits>;
}

const stateOf = <G>(s: Strategy<G>) => s.state() as Nsga2State;

/** Fisher–Yates over a copy. */
function shuffled<T>(rng: Rng, items: readonly T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = randomInt(rng, i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** Asks a whole generation (in batches of 3, to exercise partial asks) and checks nothing more is handed out. */
function askGeneration<G>(s: Strategy<G>, size: number): Proposal<G>[] {
  const out: Proposal<G>[] = [];
  for (;;) {
    const batch = s.ask(3);
    if (batch.length === 0) break;
    out.push(...batch);
  }
  expect(out).toHaveLength(size);
  return out;
}

// ZDT1 (Zitzler, Deb & Thiele, Evolutionary Computation 8(2), 2000), both minimized; told negated (maximized).
function zdt1(x: Vec): [number, number] {
  const n = x.length;
  const f1 = x[0]!;
  let sum = 0;
  for (let i = 1; i < n; i++) sum += x[i]!;
  const g = 1 + (9 * sum) / (n - 1);
  return [f1, g * (1 - Math.sqrt(f1 / g))];
}

function zdtDeps(seed: string, rng: SeededRng = SeededRng.fromSeed(seed)): StrategyDeps<Vec> {
  const space = createVectorSpace({
    dimensions: 30,
    min: 0,
    max: 1,
    mutation: { type: 'polynomial', eta: 20 },
    crossover: { type: 'sbx', eta: 15 },
  });
  return { space: space as Space<Vec>, archive: noArchive, rng, objectiveCount: 2 };
}

const zdtOutcome = (p: Proposal<Vec>): Outcome<Vec> => {
  const [f1, f2] = zdt1(p.genome);
  return withObjectives(p, [-f1, -f2]);
};

describe('nsga2: configuration', () => {
  it('needs the config’s objectives: a ConfigError naming objectives.directions at creation', () => {
    for (const objectiveCount of [0, undefined]) {
      const deps = { space: bitSpace(8), archive: noArchive, rng: SeededRng.fromSeed('c'), objectiveCount };
      let error: unknown;
      try {
        strategies.nsga2.create({}, deps as StrategyDeps<unknown>);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).message).toMatch(/objectives\.directions/);
      expect((error as ConfigError).issues[0]?.path).toBe('objectives.directions');
    }
  });

  it('throws a clear error for an outcome without objectives, and for a tell of an unknown id', () => {
    const s = bitStrategy({ populationSize: 2 });
    const [a] = s.ask(2) as [Proposal<Bits>];
    const single: Outcome<Bits> = {
      proposal: a,
      ok: true,
      score: 1,
      result: { fitness: 1 },
      status: 'new',
      source: 'evaluated',
    };
    expect(() => s.tell(single)).toThrow(/NSGA-II needs the config's `objectives`/);
    expect(() => s.tell(withObjectives(a, [1, 2, 3]))).toThrow(/has 3 objectives, the run has 2/);
    expect(() => s.tell(withObjectives({ ...a, id: 99 }, [1, 2]))).toThrow(/not outstanding/);
    s.tell(withObjectives(a, [1, 2])); // the refused tells changed nothing
    expect(stateOf(s).children).toMatchObject({ asked: 2, pending: [1], told: [{ id: 0, objectives: [1, 2] }] });
  });

  it('validates its options: binary tournaments only; crossover needs a space that has it', () => {
    const schema = strategies.nsga2.options;
    expect(schema.safeParse({ populationSize: 10, crossoverRate: 0.5, mutationRate: 0.1 }).success).toBe(true);
    expect(schema.safeParse({ tournamentSize: 3 }).success).toBe(false);
    expect(schema.safeParse({ populationSize: 0 }).success).toBe(false);
    const plain: Space<Bits> = { ...bitSpace(4), crossover: undefined } as Space<Bits>;
    const deps = { space: plain, archive: noArchive, rng: SeededRng.fromSeed('x'), objectiveCount: 2 };
    expect(() => strategies.nsga2.create({ crossoverRate: 0.5 }, deps as StrategyDeps<unknown>)).toThrow(ConfigError);
    expect(() => strategies.nsga2.create({}, deps as StrategyDeps<unknown>)).not.toThrow(); // default rate 0
  });
});

describe('nsga2: generations', () => {
  it('hands out one generation at a time; survival runs when its last child is told, in any order', () => {
    const s = bitStrategy({ populationSize: 4 });
    const first = s.ask(10);
    expect(first).toHaveLength(4);
    expect(first.every((p) => p.parents.length === 0)).toBe(true);
    expect(s.ask(5)).toEqual([]);
    const [a, b, c, d] = first as [Proposal<Bits>, Proposal<Bits>, Proposal<Bits>, Proposal<Bits>];
    s.tell(withObjectives(c, [1, 1]));
    s.tell(withObjectives(a, [2, 0]));
    s.tell(withObjectives(d, [0, 2]));
    expect(s.ask(5)).toEqual([]);
    expect(stateOf(s).generation).toBe(0);
    s.tell(withObjectives(b, [0, 0]));
    expect(stateOf(s).generation).toBe(1);
    const second = s.ask(2);
    expect(second).toHaveLength(2);
    expect(second.every((p) => p.parents.length > 0)).toBe(true);
    expect(s.ask(10)).toHaveLength(2);
    expect(s.ask(10)).toEqual([]);
  });

  it('ranks a hand-made population: the first front is the non-dominated members', () => {
    const s = bitStrategy({ populationSize: 6 });
    const points: Record<number, number[]> = {
      0: [1, 5], // front 1
      1: [2, 4], // front 1
      2: [3, 3], // front 1
      3: [1, 4], // dominated by 0 and 1
      4: [2, 2], // dominated by 1 and 2
      5: [5, 1], // front 1
    };
    for (const p of shuffled(rngFromSeed('order'), askGeneration(s, 6))) s.tell(withObjectives(p, points[p.id]!));
    const population = stateOf(s).population;
    expect(population.map((m) => m.id)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(population.filter((m) => m.rank === 0).map((m) => m.id)).toEqual([0, 1, 2, 5]);
    expect(population.filter((m) => m.rank === 1).map((m) => m.id)).toEqual([3, 4]);
    // Boundary members of each front are infinitely crowded (two-member fronts: both).
    expect(population.filter((m) => m.crowding === 'Infinity').map((m) => m.id)).toEqual([0, 3, 4, 5]);
  });

  it('keeps whole fronts, then cuts the last one by crowding distance (the extremes and the least crowded)', () => {
    // µ = 5. Parents (generation 0) hold a four-point second front on x + y = 1 and one poor point; the children
    // bring a two-point first front and three poor points. Survivors: the first front, then 3 of the 4 on the line:
    // its two ends (infinite distance) and (0.2, 0.8) (distance 1.8) rather than (0.1, 0.9) (0.4).
    const parents = [
      [0, 1],
      [0.1, 0.9],
      [0.2, 0.8],
      [1, 0],
      [-5, -5],
    ];
    const children = [
      [2, 3],
      [-6, -6],
      [3, 2],
      [-7, -7],
      [-8, -8],
    ];
    const run = (seed: string) => {
      const s = bitStrategy({ populationSize: 5 }, 'cut');
      const order = rngFromSeed(seed);
      for (const p of shuffled(order, askGeneration(s, 5))) s.tell(withObjectives(p, parents[p.id]!));
      for (const p of shuffled(order, askGeneration(s, 5))) s.tell(withObjectives(p, children[p.id - 5]!));
      return stateOf(s).population;
    };
    const population = run('one order');
    expect(population.map((m) => [m.id, m.objectives, m.rank])).toEqual([
      [0, [0, 1], 1],
      [2, [0.2, 0.8], 1],
      [3, [1, 0], 1],
      [5, [2, 3], 0],
      [7, [3, 2], 0],
    ]);
    // The crowding kept is that of the whole cut front, as in the paper: (0.2, 0.8) had 1.8 among the four.
    expect(population[1]!.crowding).toBeCloseTo(1.8, 12);
    expect(run('another order')).toEqual(population);
  });

  it('nsga2Survivors: equal crowding on the cut front keeps the lower ids', () => {
    const line = [0, 0.25, 0.5, 0.75, 1].map((x, i) => ({ id: 10 - i, genome: null, objectives: [x, 1 - x] }));
    // Interior points all have distance 1; with room for 3, the two ends and the lowest-id interior point stay.
    expect(nsga2Survivors(line, 3).map((m) => m.id)).toEqual([6, 7, 10]);
    expect(nsga2Survivors(line, 10)).toHaveLength(5);
  });

  it('binary tournaments: the last-ranked member and the most crowded one of a front never win', () => {
    const chain = bitStrategy({ populationSize: 40, crossoverRate: 0 }, 'chain');
    // One member per front: (i, i) dominates every (j, j) with j < i; id 0 is alone in the last front.
    for (const p of askGeneration(chain, 40)) chain.tell(withObjectives(p, [p.id, p.id]));
    const parents = askGeneration(chain, 40).map((p) => p.parents[0]!);
    expect(parents).not.toContain(0);
    // Rank of the winner of two distinct uniform draws from 40: mean (n − 2)/3 ≈ 12.7 (ranks 0 … 39).
    const meanRank = parents.reduce((sum, id) => sum + (39 - id), 0) / parents.length;
    expect(meanRank).toBeLessThan(17);

    const front = bitStrategy({ populationSize: 20, crossoverRate: 0.9 }, 'front');
    // 19 points spaced 1/18 on x + y = 1, plus id 19 squeezed between the first two: the smallest crowding distance.
    const x = (id: number) => (id === 19 ? 0.5 / 18 : id / 18);
    for (const p of askGeneration(front, 20)) front.tell(withObjectives(p, [x(p.id), 1 - x(p.id)]));
    for (let g = 0; g < 1; g++) {
      const all = askGeneration(front, 20).flatMap((p) => p.parents);
      expect(all.length).toBeGreaterThan(20);
      expect(all).not.toContain(19);
    }
  });

  it('failures count as told but never enter; with no member left, children are random samples again', () => {
    const s = bitStrategy({ populationSize: 4 });
    for (const p of askGeneration(s, 4)) s.tell(failed(p));
    expect(stateOf(s)).toMatchObject({ generation: 1, population: [] });
    const second = askGeneration(s, 4);
    expect(second.every((p) => p.parents.length === 0)).toBe(true);
    const [a, b, c, d] = second as [Proposal<Bits>, Proposal<Bits>, Proposal<Bits>, Proposal<Bits>];
    s.tell(failed(a));
    s.tell(withObjectives(b, [1, 0]));
    expect(stateOf(s).children).toMatchObject({ asked: 4, pending: [c.id, d.id], failed: [a.id] });
    s.tell(failed(d));
    s.tell(withObjectives(c, [0, 1]));
    expect(stateOf(s).population.map((m) => m.id)).toEqual([b.id, c.id]);
    const third = askGeneration(s, 4);
    for (const p of third) for (const parent of p.parents) expect([b.id, c.id]).toContain(parent);
    third.forEach((p, i) => s.tell(i === 0 ? withObjectives(p, [2, 2]) : failed(p)));
    expect(stateOf(s).population.map((m) => m.id)).toEqual([b.id, c.id, third[0]!.id]);
  });
});

describe('nsga2: state', () => {
  /**
   * Drives a strategy through `steps` steps from `start`: each step asks 1–40 proposals and tells a random share of
   * those outstanding in random order. The driver's draws depend only on the step number, so two runs agree.
   */
  function drive(s: Strategy<Vec>, outstanding: Proposal<Vec>[], log: unknown[], start: number, end: number): void {
    for (let step = start; step < end; step++) {
      const r = rngFromSeed(`drive-${step}`);
      const batch = s.ask(1 + randomInt(r, 40));
      if (outstanding.length === 0) expect(batch.length).toBeGreaterThan(0);
      for (const p of batch) log.push({ id: p.id, parents: p.parents, genome: Array.from(p.genome) });
      outstanding.push(...batch);
      const tells = randomInt(r, outstanding.length + 1);
      for (let k = 0; k < tells; k++) {
        const [p] = outstanding.splice(randomInt(r, outstanding.length), 1) as [Proposal<Vec>];
        s.tell(p.id % 17 === 3 ? failed(p) : zdtOutcome(p));
      }
    }
  }

  it('restore(state()) on a fresh instance, mid-generation and through JSON, continues identically', () => {
    const options = { populationSize: 20 };
    const steps = 170;
    const a = strategies.nsga2.create(options, zdtDeps('resume') as StrategyDeps<unknown>) as Strategy<Vec>;
    const logA: unknown[] = [];
    drive(a, [], logA, 0, steps);
    expect(stateOf(a).generation).toBeGreaterThanOrEqual(30);

    const depsB = zdtDeps('resume');
    const b = strategies.nsga2.create(options, depsB as StrategyDeps<unknown>) as Strategy<Vec>;
    const logB: unknown[] = [];
    const outstanding: Proposal<Vec>[] = [];
    // Stop at the first step from 70 on that leaves a generation partly asked or partly told.
    const isPartial = (state: Nsga2State) =>
      (state.children.asked > 0 && state.children.asked < 20) || state.children.told.length > 0;
    let stop = 0;
    while (stop < 70 || !isPartial(stateOf(b))) {
      drive(b, outstanding, logB, stop, stop + 1);
      stop++;
    }
    const saved = JSON.parse(JSON.stringify(b.state())) as Nsga2State;
    const savedRng = JSON.parse(JSON.stringify(depsB.rng.state()));
    expect(stop).toBeLessThan(steps);
    expect(saved.children.pending.length).toBeGreaterThan(0);
    expect(saved.population.length).toBe(20);

    const c = strategies.nsga2.create(
      options,
      zdtDeps('other seed', SeededRng.restore(savedRng)) as StrategyDeps<unknown>,
    ) as Strategy<Vec>;
    c.restore(saved);
    expect(c.state()).toEqual(b.state());
    drive(c, outstanding, logB, stop, steps);
    expect(logB).toEqual(logA);
    expect(c.state()).toEqual(a.state());
  });

  it('refuses state from another strategy', () => {
    expect(() => bitStrategy({}).restore({ nextId: 3, population: [] })).toThrow(/cannot restore/);
  });
});

describe('nsga2 on ZDT1', () => {
  // With this space's SBX (pymap_elites' form: every gene crossed, each gene from either child) the run reaches
  // ≈ 0.654–0.657 across seeds; Deb's per-gene SBX (probability 0.5, children kept whole) reaches ≈ 0.659, and 100
  // points spread evenly on the true front ≈ 0.662.
  it('reaches ≥ 98% of the true front’s hypervolume (2/3) in 25,000 evaluations, told in shuffled order', () => {
    const s = strategies.nsga2.create(
      { populationSize: 100 },
      zdtDeps('zdt1') as StrategyDeps<unknown>,
    ) as Strategy<Vec>;
    const order = rngFromSeed('zdt1-order');
    for (let generation = 0; generation < 250; generation++) {
      const children = s.ask(100);
      expect(children).toHaveLength(100);
      expect(s.ask(1)).toEqual([]);
      for (const p of shuffled(order, children)) s.tell(zdtOutcome(p));
    }
    const { population, generation } = stateOf(s);
    expect(generation).toBe(250);
    expect(population).toHaveLength(100);
    const hv = hypervolume(
      population.map((m) => m.objectives),
      [-1, -1],
    );
    expect(hv, `hypervolume ${hv.toFixed(4)}`).toBeGreaterThanOrEqual(0.98 * (2 / 3)); // this seed: 0.6555
  });
});
