// MAP-Elites: random samples for the first initialRandom proposals, then only children of archive elites.
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../core/errors.js';
import { strategies } from '../../../search/strategies/index.js';
import type { Proposal, Strategy } from '../../../search/strategies/strategy.js';
import { bitArchive, bitSpace, oneMax, plainBitSpace, told, failed, type Bits } from './fixtures.js';
import { SeededRng } from '../../../core/rng.js';
import type { Space } from '../../../core/types.js';

/** The bit space, recording which operator made each genome and from which parents. */
function spySpace(n: number) {
  const base = bitSpace(n);
  const made = new Map<Bits, { op: 'sample' | 'mutate' | 'crossover'; from: Bits[] }>();
  const space: Space<Bits> = {
    ...base,
    sample: (rng) => {
      const g = base.sample(rng);
      made.set(g, { op: 'sample', from: [] });
      return g;
    },
    mutate: (parent, rng) => {
      const g = base.mutate(parent, rng);
      made.set(g, { op: 'mutate', from: [parent] });
      return g;
    },
    crossover: (a, b, rng) => {
      const g = base.crossover(a, b, rng);
      made.set(g, { op: 'crossover', from: [a, b] });
      return g;
    },
  };
  return { space, made };
}

function setup(options: unknown, n = 10) {
  const { space, made } = spySpace(n);
  const archive = bitArchive(n);
  const s = strategies['map-elites'].create(options, {
    space,
    archive,
    rng: SeededRng.fromSeed('me'),
  }) as Strategy<Bits>;
  /** Evaluates and adds to the archive before telling, as the engine does. */
  const tell = (p: Proposal<Bits>) => {
    const r = oneMax(p.genome);
    const { status } = archive.add({ id: p.id, genome: p.genome, score: r.fitness, descriptors: r.descriptors ?? [] });
    s.tell({ ...told(p, r.fitness), status });
  };
  return { s, archive, made, tell };
}

describe('map-elites', () => {
  it('proposes random samples for the first initialRandom asks, then only children of elites', () => {
    const { s, archive, made, tell } = setup({ initialRandom: 20 });
    for (let i = 0; i < 300; i++) {
      const batch = s.ask(i % 3 === 0 ? 3 : 1);
      for (const p of batch) {
        const how = made.get(p.genome);
        if (p.id < 20) {
          expect(how?.op).toBe('sample');
          expect(p.parents).toEqual([]);
        } else {
          expect(how?.op).toBe('mutate');
          expect(p.parents).toHaveLength(1);
          const elites = [...archive.elites()];
          const parent = elites.find((e) => e.id === p.parents[0]);
          expect(parent, `parent ${p.parents[0]} of ${p.id} is an elite`).toBeDefined();
          expect(how?.from[0]).toBe(parent?.genome);
        }
      }
      for (const p of batch) tell(p);
    }
  });

  it('keeps sampling after initialRandom while the archive is empty', () => {
    const { s } = setup({ initialRandom: 2 });
    for (let i = 0; i < 10; i++) {
      const [p] = s.ask(1) as [Proposal<Bits>];
      expect(p.parents).toEqual([]);
      s.tell(failed(p));
    }
  });

  it('with crossoverRate 1, every child is a crossover of two elites', () => {
    const { s, archive, made, tell } = setup({ initialRandom: 10, crossoverRate: 1 });
    for (let i = 0; i < 100; i++) {
      const [p] = s.ask(1) as [Proposal<Bits>];
      if (p.id >= 10) {
        const how = made.get(p.genome);
        expect(how?.op).toBe('crossover');
        const ids = new Set([...archive.elites()].map((e) => e.id));
        expect(p.parents.length).toBeGreaterThanOrEqual(1);
        expect(p.parents.every((id) => ids.has(id))).toBe(true);
      }
      tell(p);
    }
  });

  it('mixes crossover and mutation at crossoverRate, and never crosses over at 0', () => {
    const mixed = setup({ initialRandom: 10, crossoverRate: 0.5 });
    const none = setup({ initialRandom: 10 });
    for (const run of [mixed, none]) for (let i = 0; i < 400; i++) run.tell(run.s.ask(1)[0] as Proposal<Bits>);
    const ops = (m: typeof mixed.made) => [...m.values()].map((x) => x.op);
    const crossovers = ops(mixed.made).filter((op) => op === 'crossover').length;
    expect(crossovers).toBeGreaterThan(150);
    expect(crossovers).toBeLessThan(240);
    expect(ops(none.made)).not.toContain('crossover');
  });

  it('throws at creation when crossoverRate > 0 and the space has no crossover', () => {
    const deps = { space: plainBitSpace(10), archive: bitArchive(10), rng: SeededRng.fromSeed('x') };
    expect(() => strategies['map-elites'].create({ crossoverRate: 0.1 }, deps)).toThrow(ConfigError);
    expect(() => strategies['map-elites'].create({ crossoverRate: 0.1 }, deps)).toThrow(
      /crossoverRate.*plain-bits10.*crossover/,
    );
    expect(() => strategies['map-elites'].create({}, deps)).not.toThrow();
  });

  it('has the documented defaults', () => {
    expect(strategies['map-elites'].options.parse({})).toEqual({ initialRandom: 100, crossoverRate: 0 });
  });
});
