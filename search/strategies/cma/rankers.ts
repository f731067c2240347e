// pyribs' rankers (ribs/emitters/rankers.py; Fontaine et al. 2020, arXiv:1912.02400): how an emitter orders its
// evaluated batch before the CMA-ES update. Each gives a pair (stage, value) sorted descending, stage first.
import type { SoftStatus } from './thresholds.js';

export const rankerNames = ['imp', '2imp', 'obj', '2obj', 'rd', '2rd'] as const;
/**
 * imp: improvement value only (the CMA-MAE ranker); 2imp: new cells, then improved, then the rest, each by value
 * (CMA-ME's improvement emitter); obj / 2obj: objective (optimizing emitter); rd / 2rd: projection of the
 * descriptors on a random direction of descriptor space, drawn at each (re)start (random direction emitter).
 */
export type RankerName = (typeof rankerNames)[number];

export interface RankInput {
  readonly status: SoftStatus;
  readonly value: number;
  readonly objective: number;
  readonly descriptors: readonly number[];
}

/** Whether `ranker` needs a random direction in descriptor space. */
export function usesDirection(ranker: RankerName): boolean {
  return ranker === 'rd' || ranker === '2rd';
}

/** The (stage, value) pair of one evaluated candidate. */
export function rankKey(ranker: RankerName, input: RankInput, direction: Float64Array | undefined): [number, number] {
  switch (ranker) {
    case 'imp':
      return [0, input.value];
    case '2imp':
      return [input.status, input.value];
    case 'obj':
      return [0, input.objective];
    case '2obj':
      return [input.status, input.objective];
    case 'rd':
    case '2rd': {
      let projection = 0;
      const d = input.descriptors;
      for (let i = 0; i < d.length; i++) projection += d[i]! * (direction?.[i] ?? 0);
      return [ranker === 'rd' ? 0 : input.status, projection];
    }
  }
}

/** Indices 0..count−1 sorted by (stage, value) descending; ties keep tell order. */
export function rankOrder(stages: Float64Array, values: Float64Array, count: number): number[] {
  const order = Array.from({ length: count }, (_, i) => i);
  order.sort((a, b) => stages[b]! - stages[a]! || values[b]! - values[a]! || a - b);
  return order;
}

/**
 * pyribs' random direction (RandomDirectionRanker.reset): a standard normal vector scaled by the descriptor ranges,
 * so that it is uniform in direction over the archive's box.
 */
export function randomDirection(normal: () => number, ranges: readonly number[]): Float64Array {
  return Float64Array.from(ranges, (r) => normal() * r);
}
