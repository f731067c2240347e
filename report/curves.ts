// Learning curves for the report: the run's curve tally (search/curve-tally.ts) thinned to what a chart draws.
import type { Curve, CurveTally } from '../search/curve-tally.js';
import type { SnapshotCurves } from './snapshot-types.js';

export { MAX_PRUNED_CURVES } from '../search/curve-tally.js';

/** Points per curve: longer curves (hundreds of steps) are thinned to an even stride, first and last kept. */
export const MAX_CURVE_POINTS = 100;

/** The report's curves section; undefined when no event of the log reported (a run without ctx.report). */
export function curvesOf(
  tally: CurveTally,
  o: { readonly elites: number; readonly maxPruned: number; readonly maxPoints: number },
): SnapshotCurves | undefined {
  if (!tally.any) return undefined;
  const limit = Math.max(0, o.maxPruned);
  return {
    pruned: tally.pruned(limit).map(({ id, curve }) => ({ id, curve: thin(curve, o.maxPoints) })),
    prunedTotal: tally.prunedTotal,
    prunedLimit: limit,
    elites: o.elites,
    curvePointsLimit: o.maxPoints,
  };
}

/** A copy of `curve` with at most `max` points: an even stride over it, the first and last points kept. */
export function thin(curve: Curve, max: number): [number, number][] {
  const n = curve.length;
  const pick = (i: number): [number, number] => [curve[i]![0], curve[i]![1]];
  if (n <= max) return curve.map((_, i) => pick(i));
  if (max <= 1) return max === 1 ? [pick(n - 1)] : [];
  return Array.from({ length: max }, (_, i) => pick(Math.round((i * (n - 1)) / (max - 1))));
}
