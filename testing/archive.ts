// Archive contract suite: the behaviour every Archive must show (MAP-Elites add rule, stats, determinism, sampling).
import { describe, expect, it } from 'vitest';
import type { AddResult, Archive, Candidate, Elite } from '../archive/archive.js';
import { randomInt, rngFromSeed, type Rng } from '../core/rng.js';
import { compareScored } from '../core/score.js';

export interface ArchiveContractOptions {
  /**
   * Draws a descriptor vector the archive accepts. Default: uniform over each `geometry().dims` range widened by
   * 10% on both sides (so clipping is exercised); give it when `geometry()` has no `dims` with `min` and `max`.
   */
  readonly descriptors?: (rng: Rng) => number[];
}

/**
 * Registers a vitest `describe` block checking that the archives `make` returns (fresh and empty each call) follow
 * the Archive contract: new / improved / rejected by `compareScored` with ties rejected, stats consistent with the
 * elites, replaying the same adds gives the same archive, sampling returns only filled elites, cellOf is stable.
 */
export function archiveContract(
  name: string,
  make: () => Archive<unknown>,
  options: ArchiveContractOptions = {},
): void {
  describe(`archive contract: ${name}`, () => {
    const draw = (archive: Archive<unknown>): ((rng: Rng) => number[]) =>
      options.descriptors ?? descriptorsFromGeometry(archive);
    const candidates = (archive: Archive<unknown>, seed: string, count: number): Candidate<unknown>[] => {
      const rng = rngFromSeed(seed);
      const sampleDescriptors = draw(archive);
      // Few distinct scores and occasional tiebreaks, so ties and tiebreak wins actually happen.
      return Array.from({ length: count }, (_, id) => ({
        id,
        genome: { id },
        score: randomInt(rng, 20) - 5,
        ...(rng() < 0.3 ? { tiebreak: [randomInt(rng, 3)] } : {}),
        descriptors: sampleDescriptors(rng),
      }));
    };

    it('starts empty', () => {
      const archive = make();
      expect(archive.size).toBe(0);
      expect(archive.cells).toBeGreaterThan(0);
      expect([...archive.elites()]).toEqual([]);
      expect(archive.best()).toBeUndefined();
      expect(archive.sample(rngFromSeed('empty'), 5)).toEqual([]);
      const stats = archive.stats();
      expect(stats).toMatchObject({ size: 0, coverage: 0, qdScore: 0, bestScore: undefined, bestId: undefined });
      expect(stats.cells).toBe(archive.cells);
    });

    it('adds new, improves only when strictly better, rejects ties and worse candidates', () => {
      const archive = make();
      const descriptors = draw(archive)(rngFromSeed('one cell'));
      const cell = archive.cellOf(descriptors);
      const add = (id: number, score: number, tiebreak?: number[]): AddResult =>
        archive.add({ id, genome: id, score, descriptors, ...(tiebreak ? { tiebreak } : {}) });

      expect(add(1, 5)).toEqual({ status: 'new', cell });
      expect(add(2, 4)).toEqual({ status: 'rejected', cell });
      expect(add(3, 5)).toEqual({ status: 'rejected', cell }); // a tie keeps the incumbent (strict '>')
      expect(add(4, 5, [1])).toEqual({ status: 'improved', cell, previous: 1 }); // the tiebreak decides equal scores
      expect(add(5, 5, [1])).toEqual({ status: 'rejected', cell });
      expect(add(6, 5, [0, 9])).toEqual({ status: 'rejected', cell }); // lexicographic: first entry decides
      expect(add(7, 6)).toEqual({ status: 'improved', cell, previous: 4 });
      expect(archive.size).toBe(1);
      expect(archive.get(cell)).toMatchObject({ id: 7, score: 6, cell, genome: 7 });
      expect(archive.get(cell)?.descriptors).toEqual(descriptors);
      expect(archive.best()?.id).toBe(7);
    });

    it('follows the MAP-Elites rule on many random adds', () => {
      const archive = make();
      const incumbents = new Map<number, Candidate<unknown>>();
      for (const candidate of candidates(archive, 'rule', 400)) {
        const cell = archive.cellOf(candidate.descriptors);
        const incumbent = incumbents.get(cell);
        const result = archive.add(candidate);
        expect(result.cell).toBe(cell);
        if (!incumbent) {
          expect(result).toEqual({ status: 'new', cell });
          incumbents.set(cell, candidate);
        } else if (compareScored(candidate, incumbent) > 0) {
          expect(result).toEqual({ status: 'improved', cell, previous: incumbent.id });
          incumbents.set(cell, candidate);
        } else {
          expect(result).toEqual({ status: 'rejected', cell });
        }
      }
      expect(archive.size).toBe(incumbents.size);
      for (const [cell, incumbent] of incumbents) expect(archive.get(cell)?.id).toBe(incumbent.id);
    });

    it('keeps size, coverage, qdScore and best consistent with the elites', () => {
      const archive = make();
      const all = candidates(archive, 'stats', 300);
      for (const candidate of all) archive.add(candidate);
      const elites = [...archive.elites()];
      const stats = archive.stats();
      expect(elites.length).toBe(archive.size);
      expect(new Set(elites.map((e) => e.cell)).size).toBe(elites.length);
      for (const elite of elites) {
        expect(elite.cell).toBe(archive.cellOf(elite.descriptors));
        expect(archive.get(elite.cell)).toBe(elite);
      }
      expect(stats.size).toBe(elites.length);
      expect(stats.cells).toBe(archive.cells);
      expect(stats.coverage).toBeCloseTo(elites.length / archive.cells, 12);
      expect(stats.coverage).toBeGreaterThan(0);
      expect(stats.coverage).toBeLessThanOrEqual(1);
      const expectedQd = elites.reduce((sum, e) => sum + (e.score - stats.qdOffset), 0);
      expect(stats.qdScore).toBeCloseTo(expectedQd, 9);
      if (elites.every((e) => e.score >= stats.qdOffset)) expect(stats.qdScore).toBeGreaterThanOrEqual(0);
      // Among elites that tie on score and tiebreak, any may be the best; it must be one of them.
      const best = archive.best();
      expect(best && archive.get(best.cell)).toBe(best);
      for (const elite of elites) expect(compareScored(elite, best!)).toBeLessThanOrEqual(0);
      expect(stats.bestScore).toBe(best?.score);
      expect(stats.bestId).toBe(best?.id);
    });

    it('rebuilds the same archive when the same adds are replayed', () => {
      const first = make();
      const second = make();
      const adds = candidates(first, 'replay', 300);
      const results = adds.map((c) => first.add(c));
      expect(adds.map((c) => second.add(c))).toEqual(results);
      const summary = (archive: Archive<unknown>): unknown[] =>
        [...archive.elites()].map((e: Elite<unknown>) => [e.cell, e.id, e.score, e.tiebreak, e.descriptors]);
      expect(summary(second)).toEqual(summary(first));
      expect(second.stats()).toEqual(first.stats());
      expect(second.geometry()).toEqual(first.geometry());
    });

    it('samples only filled elites, with replacement', () => {
      const archive = make();
      for (const candidate of candidates(archive, 'sample', 100)) archive.add(candidate);
      const filled = new Set([...archive.elites()]);
      const drawn = archive.sample(rngFromSeed('draws'), 500);
      expect(drawn).toHaveLength(500);
      for (const elite of drawn) expect(filled.has(elite)).toBe(true);
      expect(archive.sample(rngFromSeed('draws'), 0)).toEqual([]);
      expect(archive.sample(rngFromSeed('again'), 50)).toEqual(archive.sample(rngFromSeed('again'), 50));
    });

    it('maps descriptors to a stable cell in range', () => {
      const archive = make();
      const twin = make();
      const rng = rngFromSeed('cells');
      const sampleDescriptors = draw(archive);
      for (let i = 0; i < 200; i++) {
        const descriptors = sampleDescriptors(rng);
        const cell = archive.cellOf(descriptors);
        expect(Number.isInteger(cell)).toBe(true);
        expect(cell).toBeGreaterThanOrEqual(0);
        expect(cell).toBeLessThan(archive.cells);
        expect(archive.cellOf([...descriptors])).toBe(cell);
        expect(twin.cellOf(descriptors)).toBe(cell);
      }
    });
  });
}

/** Uniform descriptors over `geometry().dims`, each range widened by 10% on both sides. */
function descriptorsFromGeometry(archive: Archive<unknown>): (rng: Rng) => number[] {
  const geometry = archive.geometry() as { dims?: unknown } | undefined;
  const dims = geometry?.dims;
  const valid =
    Array.isArray(dims) &&
    dims.length > 0 &&
    dims.every(
      (d: unknown) =>
        typeof d === 'object' &&
        d !== null &&
        typeof (d as { min?: unknown }).min === 'number' &&
        typeof (d as { max?: unknown }).max === 'number',
    );
  if (!valid) throw new Error('archiveContract: geometry() has no dims with min and max; pass options.descriptors');
  const ranges = (dims as { min: number; max: number }[]).map(({ min, max }) => ({ min, max }));
  return (rng) =>
    ranges.map(({ min, max }) => {
      const margin = 0.1 * (max - min);
      return min - margin + rng() * (max - min + 2 * margin);
    });
}
