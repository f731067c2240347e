// Pareto dominance: the non-dominated sort against peeling by definition, crowding distance by hand, bounded fronts.
import { describe, expect, it } from 'vitest';
import {
  BoundedFront,
  crowdingDistance,
  dominates,
  nonDominatedSort,
  type Objectives,
  paretoFront,
} from '../../core/pareto.js';
import { type Rng, randomInt, SeededRng } from '../../core/rng.js';

/** n points with m objectives on a coarse grid, so that ties and duplicates are common. */
function gridPoints(rng: Rng, n: number, m: number, levels: number): number[][] {
  return Array.from({ length: n }, () => Array.from({ length: m }, () => randomInt(rng, levels)));
}

/** Fronts by definition: repeatedly take the points no remaining point dominates. O(N³). */
function peelFronts(points: readonly Objectives[]): number[][] {
  let remaining = points.map((_, i) => i);
  const fronts: number[][] = [];
  while (remaining.length > 0) {
    const front = remaining.filter((i) => !remaining.some((j) => dominates(points[j]!, points[i]!)));
    fronts.push(front);
    remaining = remaining.filter((i) => !front.includes(i));
  }
  return fronts;
}

function shuffled<T>(items: readonly T[], rng: Rng): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = randomInt(rng, i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

const key = (v: Objectives): string => v.join(',');

describe('dominates', () => {
  it('needs at least as good everywhere and strictly better somewhere', () => {
    expect(dominates([2, 1], [1, 1])).toBe(true);
    expect(dominates([1, 1], [2, 1])).toBe(false);
    expect(dominates([1, 1], [1, 1])).toBe(false); // equal vectors do not dominate each other
    expect(dominates([2, 0], [1, 1])).toBe(false);
    expect(dominates([-1, -1, 5], [-2, -1, 5])).toBe(true);
  });
});

describe('nonDominatedSort', () => {
  it('sorts a hand example into fronts, input order within each', () => {
    const points = [
      [1, 1], // 0: dominated by 4, which is in F2 → F3
      [0, 4], // 1: F1
      [3, 3], // 2: F1
      [3, 3], // 3: equal to 2 → F1 as well
      [2, 2], // 4: F2
      [4, 0], // 5: F1
      [0, 0], // 6: dominated by 0 → F4
    ];
    expect(nonDominatedSort(points)).toEqual([[1, 2, 3, 5], [4], [0], [6]]);
    expect(paretoFront(points)).toEqual([1, 2, 3, 5]);
    expect(nonDominatedSort([])).toEqual([]);
  });

  it('gives the ranks of the definition on random sets with ties (2–4 objectives)', () => {
    const rng = SeededRng.fromSeed('nds').next;
    for (let trial = 0; trial < 200; trial++) {
      const m = 2 + (trial % 3);
      const points = gridPoints(rng, 1 + randomInt(rng, 60), m, 2 + randomInt(rng, 8));
      const fronts = nonDominatedSort(points);
      expect(fronts).toEqual(peelFronts(points));
      expect(fronts[0]).toEqual(paretoFront(points));
      expect(fronts.flat().sort((a, b) => a - b)).toEqual(points.map((_, i) => i));
    }
  });

  it('refuses vectors of different lengths', () => {
    expect(() => nonDominatedSort([[1, 2], [1]])).toThrow(RangeError);
  });
});

describe('crowdingDistance', () => {
  it('matches a hand computation, aligned with the front as given', () => {
    // Objective 0 spans 4: B gets (2 − 0)/4, C gets (4 − 1)/4. Objective 1 spans 5: B gets (5 − 2)/5, C (3 − 0)/5.
    const points = [
      [9, 9],
      [2, 2],
      [0, 5],
      [-1, -1],
      [4, 0],
      [1, 3],
    ]; // front: A = 2, B = 5, C = 1, D = 4
    const distance = crowdingDistance(points, [4, 1, 2, 5]);
    expect(distance[0]).toBe(Number.POSITIVE_INFINITY);
    expect(distance[1]).toBeCloseTo(0.75 + 0.6, 12);
    expect(distance[2]).toBe(Number.POSITIVE_INFINITY);
    expect(distance[3]).toBeCloseTo(0.5 + 0.6, 12);
  });

  it('adds nothing for a constant objective, and gives Infinity to fronts of two or fewer', () => {
    const points = [
      [0, 1],
      [1, 1],
      [3, 1],
    ];
    expect([...crowdingDistance(points, [0, 1, 2])]).toEqual([Number.POSITIVE_INFINITY, 1, Number.POSITIVE_INFINITY]);
    const allEqual = Array.from({ length: 3 }, () => [5, 5]);
    expect([...crowdingDistance(allEqual, [0, 1, 2])]).toEqual([0, 0, 0]);
    expect([...crowdingDistance(points, [2, 0])]).toEqual([Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY]);
    expect(crowdingDistance(points, []).length).toBe(0);
  });
});

describe('BoundedFront', () => {
  it('refuses dominated and equal vectors, and evicts the members a newcomer dominates', () => {
    const front = new BoundedFront<string>(10);
    expect(front.insert([1, 1], 'a')).toBe(true);
    expect(front.insert([2, 0], 'b')).toBe(true);
    expect(front.insert([0, 2], 'c')).toBe(true);
    expect(front.insert([1, 1], 'a again')).toBe(false);
    expect(front.insert([0.5, 0.5], 'dominated')).toBe(false);
    expect(front.insert([2, 1], 'd')).toBe(true); // dominates a and b
    expect(front.members().map((e) => e.payload)).toEqual(['c', 'd']);
    expect(front.members().map((e) => e.objectives)).toEqual([
      [0, 2],
      [2, 1],
    ]);
  });

  it('keeps its own copy of each vector', () => {
    const front = new BoundedFront<number>(2);
    const v = [1, 2];
    front.insert(v, 7);
    v[0] = 100;
    expect(front.members()[0]!.objectives).toEqual([1, 2]);
  });

  it('over capacity drops the least crowded member: an incumbent, or the newcomer', () => {
    const front = new BoundedFront<string>(3);
    for (const [v, p] of [
      [[0, 10], 'left'],
      [[10, 0], 'right'],
      [[1, 9], 'crowded'],
    ] as const) {
      expect(front.insert(v, p)).toBe(true);
    }
    // With (5, 5): crowded's distance is (5 − 0)/10 + (10 − 5)/10 = 1.0, (5, 5)'s is 9/10 + 9/10 = 1.8.
    expect(front.insert([5, 5], 'middle')).toBe(true);
    expect(front.members().map((e) => e.payload)).toEqual(['left', 'right', 'middle']);
    // (6, 4) would sit next to (5, 5): 0.5 + 0.5 against (5, 5)'s 0.6 + 0.6, so the newcomer leaves at once.
    expect(front.insert([6, 4], 'near middle')).toBe(false);
    expect(front.members().map((e) => e.payload)).toEqual(['left', 'right', 'middle']);
  });

  it('breaks crowding ties against the most recent member', () => {
    const front = new BoundedFront<string>(1);
    expect(front.insert([0, 1], 'first')).toBe(true);
    expect(front.insert([1, 0], 'second')).toBe(false); // both ends: Infinity each
    expect(front.insert([1, 1], 'better')).toBe(true); // dominates, so no tie to break
    expect(front.members().map((e) => e.payload)).toEqual(['better']);
  });

  it('never exceeds its capacity and stays mutually non-dominating', () => {
    const rng = SeededRng.fromSeed('bounded').next;
    const front = new BoundedFront<number>(7);
    for (let i = 0; i < 500; i++) {
      const x = rng();
      front.insert([x, 1 - x + 0.2 * rng(), rng()], i);
      const vectors = front.members().map((e) => e.objectives);
      expect(vectors.length).toBeLessThanOrEqual(7);
      expect(vectors.some((a) => vectors.some((b) => dominates(a, b)))).toBe(false);
    }
    expect(front.size).toBe(7);
  });

  it('ends with the Pareto front of everything inserted, in any order, when capacity does not bind', () => {
    const rng = SeededRng.fromSeed('order').next;
    for (let trial = 0; trial < 30; trial++) {
      const points = gridPoints(rng, 40, 2 + (trial % 3), 6);
      const expected = [...new Set(paretoFront(points).map((i) => key(points[i]!)))].sort();
      const indices = [...points.keys()];
      for (let order = 0; order < 4; order++) {
        const front = new BoundedFront<number>(points.length);
        for (const i of shuffled(indices, rng)) front.insert(points[i]!, i);
        const kept = front.members().map((e) => key(e.objectives));
        expect(kept.sort()).toEqual(expected);
      }
    }
  });

  it('refuses a bad capacity and vectors of another length', () => {
    expect(() => new BoundedFront(0)).toThrow(RangeError);
    expect(() => new BoundedFront(1.5)).toThrow(RangeError);
    const front = new BoundedFront<null>(3);
    front.insert([1, 2], null);
    expect(() => front.insert([1, 2, 3], null)).toThrow(RangeError);
  });
});
