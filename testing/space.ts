// Space contract suite: the invariants every Space must keep, runnable on built-in and user spaces under vitest.
import { describe, expect, it } from 'vitest';
import { rngFromSeed } from '../core/rng.js';
import type { Space } from '../core/types.js';

const TRIALS = 200;

/**
 * Registers a vitest `describe` block that checks `make()` against the Space contract: seeded determinism,
 * operators that never edit their arguments, JSON-safe `encode`/`decode`, and keys that follow equality.
 * `make` is called afresh for each check, so spaces with scratch state are exercised from a clean start.
 */
export function spaceContract<G>(name: string, make: () => Space<G>): void {
  describe(`Space contract: ${name}`, () => {
    const samples = (space: Space<G>, seed: string, n: number): G[] => {
      const rng = rngFromSeed(seed);
      return Array.from({ length: n }, () => space.sample(rng));
    };
    const snapshot = (space: Space<G>, g: G): string => JSON.stringify(space.encode(g));

    it('has a non-empty name', () => {
      const space = make();
      expect(typeof space.name).toBe('string');
      expect(space.name.length).toBeGreaterThan(0);
    });

    it('sample is deterministic for the same seed', () => {
      const a = samples(make(), 'contract-sample', 20).map((g) => make().key(g));
      const b = samples(make(), 'contract-sample', 20).map((g) => make().key(g));
      expect(a).toEqual(b);
    });

    it('mutate is deterministic for the same seed', () => {
      const space = make();
      const [parent] = samples(space, 'contract-mutate-det', 1) as [G];
      const run = (): string[] => {
        const rng = rngFromSeed('contract-mutate-det/ops');
        return Array.from({ length: 20 }, () => space.key(space.mutate(parent, rng)));
      };
      expect(run()).toEqual(run());
    });

    it('mutate never edits its argument and returns a new genome', () => {
      const space = make();
      const rng = rngFromSeed('contract-mutate');
      for (const parent of samples(space, 'contract-mutate-parents', 50)) {
        const encoded = snapshot(space, parent);
        const clone = structuredClone(parent);
        const child = space.mutate(parent, rng);
        expect(snapshot(space, parent)).toBe(encoded);
        expect(parent).toEqual(clone);
        if (typeof parent === 'object' && parent !== null) expect(child).not.toBe(parent);
      }
    });

    it('crossover (when offered) never edits its arguments and returns a new genome', () => {
      const space = make();
      if (!space.crossover) return;
      const rng = rngFromSeed('contract-crossover');
      const parents = samples(space, 'contract-crossover-parents', 100);
      for (let i = 0; i + 1 < parents.length; i += 2) {
        const a = parents[i] as G;
        const b = parents[i + 1] as G;
        const [ea, eb] = [snapshot(space, a), snapshot(space, b)];
        const [ca, cb] = [structuredClone(a), structuredClone(b)];
        const child = space.crossover(a, b, rng);
        expect(snapshot(space, a)).toBe(ea);
        expect(snapshot(space, b)).toBe(eb);
        expect(a).toEqual(ca);
        expect(b).toEqual(cb);
        if (typeof a === 'object' && a !== null) {
          expect(child).not.toBe(a);
          expect(child).not.toBe(b);
        }
        space.key(child); // a child must be a genome the space can key
      }
    });

    it('encode → JSON → decode round-trips to the same key', () => {
      const space = make();
      const rng = rngFromSeed('contract-roundtrip');
      const genomes = samples(space, 'contract-roundtrip-parents', 30);
      for (const g of [...genomes, ...genomes.map((p) => space.mutate(p, rng))]) {
        const decoded = space.decode(JSON.parse(JSON.stringify(space.encode(g))));
        expect(space.key(decoded)).toBe(space.key(g));
        expect(snapshot(space, decoded)).toBe(snapshot(space, g));
      }
    });

    it('key is equal for equal genomes (also after structuredClone)', () => {
      const space = make();
      for (const g of samples(space, 'contract-key-equal', 30)) {
        expect(typeof space.key(g)).toBe('string');
        expect(space.key(g)).toBe(space.key(g));
        expect(make().key(structuredClone(g))).toBe(space.key(g));
      }
    });

    it('key differs for a mutated genome at least sometimes', () => {
      const space = make();
      const rng = rngFromSeed('contract-key-differs');
      const [parent] = samples(space, 'contract-key-differs-parent', 1) as [G];
      let differing = 0;
      for (let t = 0; t < TRIALS; t++) if (space.key(space.mutate(parent, rng)) !== space.key(parent)) differing++;
      expect(differing).toBeGreaterThan(0);
    });

    it('genomes with equal encodings get equal keys', () => {
      const space = make();
      const rng = rngFromSeed('contract-key-consistent');
      const genomes = samples(space, 'contract-key-consistent', 50);
      const all = [
        ...genomes,
        ...genomes.map((g) => space.mutate(g, rng)),
        ...genomes.map((g) => space.mutate(g, rng)),
      ];
      const keyByEncoding = new Map<string, string>();
      for (const g of all) {
        const text = snapshot(space, g);
        const key = space.key(g);
        expect(keyByEncoding.get(text) ?? key).toBe(key);
        keyByEncoding.set(text, key);
      }
    });

    it('describe returns a non-empty string', () => {
      const space = make();
      for (const g of samples(space, 'contract-describe', 10)) {
        const text = space.describe(g);
        expect(typeof text).toBe('string');
        expect(text.length).toBeGreaterThan(0);
      }
    });
  });
}
