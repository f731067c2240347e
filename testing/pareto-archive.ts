// Pareto archive contract suite: what every archive whose cells hold Pareto fronts (mome, pareto) must show.
import { describe, expect, it } from 'vitest';
import type { Archive, Candidate, Elite } from '../archive/archive.js';
import { hypervolume } from '../core/hypervolume.js';
import { dominates, paretoFront } from '../core/pareto.js';
import { randomInt, rngFromSeed, type Rng } from '../core/rng.js';

export interface ParetoArchiveContractOptions {
  /** A descriptor vector the archive accepts (default: none, for an archive without descriptor dims). */
  readonly descriptors?: (rng: Rng) => number[];
  /** Members a cell's front keeps at most. */
  readonly capacity: number;
}

/**
 * Registers a vitest `describe` block checking that the archives `make` returns (fresh and empty each call, with a
 * `reference` point of two objectives, every objective higher-is-better) keep a Pareto front per cell: dominated and
 * equal candidates are rejected, dominated members leave, fronts stay within capacity, `get`/`elites()` show each
 * cell's best-scored member, `members()` all of them, the MOQD score and global hypervolume match the members, and
 * replaying the same adds rebuilds the same archive.
 */
export function paretoArchiveContract(
  name: string,
  make: () => Archive<unknown>,
  options: ParetoArchiveContractOptions,
): void {
  const draw = options.descriptors ?? ((): number[] => []);
  const candidates = (seed: string, count: number): Candidate<unknown>[] => {
    const rng = rngFromSeed(seed);
    // Objectives on a coarse lattice, so equal vectors and dominance both happen often.
    return Array.from({ length: count }, (_, id) => {
      const objectives = [randomInt(rng, 12) - 2, randomInt(rng, 12) - 2];
      return { id, genome: { id }, score: objectives[0]! + objectives[1]!, descriptors: draw(rng), objectives };
    });
  };
  const members = (archive: Archive<unknown>): Elite<unknown>[] => [...(archive.members?.() ?? [])];
  const byCell = (elites: readonly Elite<unknown>[]): Map<number, Elite<unknown>[]> => {
    const cells = new Map<number, Elite<unknown>[]>();
    for (const e of elites) cells.set(e.cell, [...(cells.get(e.cell) ?? []), e]);
    return cells;
  };

  describe(`pareto archive contract: ${name}`, () => {
    it('starts empty, with a reference point and members()', () => {
      const archive = make();
      expect(archive.reference).toHaveLength(2);
      expect(archive.members).toBeTypeOf('function');
      expect(archive.size).toBe(0);
      expect(members(archive)).toEqual([]);
      expect(archive.sample(rngFromSeed('empty'), 3)).toEqual([]);
      expect(archive.stats()).toMatchObject({ size: 0, qdScore: 0, hypervolume: 0, members: 0, bestId: undefined });
    });

    it('refuses a candidate without objectives, naming the count it compares', () => {
      const archive = make();
      expect(() => archive.add({ id: 0, genome: 0, score: 1, descriptors: draw(rngFromSeed('d')) })).toThrow(
        /no objectives.*compares 2/,
      );
    });

    it('keeps a front per cell: equal and dominated candidates are rejected, dominated members leave', () => {
      const archive = make();
      const descriptors = draw(rngFromSeed('one cell'));
      const add = (id: number, objectives: number[]) =>
        archive.add({ id, genome: id, score: objectives[0]! + objectives[1]!, descriptors, objectives }).status;
      expect(add(1, [1, 5])).toBe('new');
      expect(add(2, [5, 1])).toBe('improved'); // neither dominates: both stay
      expect(add(3, [1, 5])).toBe('rejected'); // equal to a member
      expect(add(4, [0, 4])).toBe('rejected'); // dominated
      expect(add(5, [2, 6])).toBe('improved'); // dominates member 1, which leaves
      expect(members(archive).map((m) => m.id)).toEqual([2, 5]);
      expect(archive.get(archive.cellOf(descriptors))?.id).toBe(5); // the better score of the two (8 vs 6)
    });

    it('keeps statistics, get(), elites() and fronts consistent with the members over many adds', () => {
      const archive = make();
      const all = candidates('many', 400);
      for (const c of all) archive.add(c);
      const kept = members(archive);
      const cells = byCell(kept);
      const stats = archive.stats();
      const reference = archive.reference!;
      expect(stats.members).toBe(kept.length);
      expect(stats.size).toBe(cells.size);
      expect(archive.size).toBe(cells.size);
      let moqd = 0;
      for (const [cell, front] of cells) {
        expect(front.length).toBeLessThanOrEqual(options.capacity);
        for (const a of front) for (const b of front) expect(dominates(a.objectives!, b.objectives!)).toBe(false);
        moqd += hypervolume(
          front.map((m) => m.objectives!),
          reference,
        );
        const best = front.reduce((x, y) => (y.score > x.score ? y : x));
        expect(archive.get(cell)!.score).toBe(best.score);
      }
      expect(stats.qdScore).toBeCloseTo(moqd, 9);
      expect(stats.hypervolume).toBeCloseTo(
        hypervolume(
          kept.map((m) => m.objectives!),
          reference,
        ),
        9,
      );
      expect([...archive.elites()].map((e) => e.cell)).toEqual([...cells.keys()].sort((a, b) => a - b));
      expect(stats.bestScore).toBe(Math.max(...kept.map((m) => m.score)));
      for (const s of archive.sample(rngFromSeed('parents'), 50)) expect(kept).toContain(s);
    });

    it("without capacity pressure, a cell's front is the Pareto front of what reached it, in any order", () => {
      const all = candidates('order', 60).map((c) => ({ ...c, descriptors: draw(rngFromSeed('same cell')) }));
      const front = (adds: readonly Candidate<unknown>[]): string[] => {
        const archive = make();
        for (const c of adds) archive.add(c);
        return members(archive)
          .map((m) => m.objectives!.join(','))
          .sort();
      };
      const forward = front(all);
      if (forward.length < options.capacity) {
        const distinct = [...new Set(all.map((c) => c.objectives!.join(',')))].map((k) => k.split(',').map(Number));
        const expected = paretoFront(distinct)
          .map((i) => distinct[i]!.join(','))
          .sort();
        expect(forward).toEqual(expected);
        expect(front([...all].reverse())).toEqual(expected);
      } else expect(forward).toHaveLength(options.capacity);
    });

    it('rebuilds the same archive when the same adds are replayed', () => {
      const all = candidates('replay', 300);
      const a = make();
      const b = make();
      const statuses = all.map((c) => a.add(c).status);
      expect(all.map((c) => b.add(c).status)).toEqual(statuses);
      expect(members(b).map((m) => [m.cell, m.id])).toEqual(members(a).map((m) => [m.cell, m.id]));
      expect(b.stats()).toEqual(a.stats());
    });
  });
}
