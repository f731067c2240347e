// Learning curves for the report: the listed elites' own reports (ctx.report, the event field `rp`) and a bounded
// sample of pruned candidates' curves, gathered in the snapshot's one pass over the log.
import type { RunEvent } from '../store/events.js';
import type { SnapshotCurve, SnapshotCurves } from './snapshot-types.js';

/** Pruned candidates' curves kept for the page's faded background: the last 200 pruned in log order. */
export const MAX_PRUNED_CURVES = 200;
/** Points per curve: longer curves (hundreds of steps) are thinned to an even stride, first and last kept. */
export const MAX_CURVE_POINTS = 100;

type Curve = readonly (readonly [number, number])[];

/**
 * Fed every event once, in seq order. Keeps the reports of the events of `ids` (the listed elites; a later event of
 * the same id replaces an earlier one) and those of the last `maxPruned` pruned events, in a ring: memory is bounded
 * by the elites listed and `maxPruned`, whatever the length of the run.
 */
export class CurvesBuilder {
  private readonly elites = new Map<number, Curve>();
  private readonly ring: SnapshotCurve[] = [];
  private next = 0;
  private prunedTotal = 0;
  private any = false;

  constructor(
    private readonly ids: ReadonlySet<number>,
    private readonly maxPruned = MAX_PRUNED_CURVES,
    private readonly maxPoints = MAX_CURVE_POINTS,
  ) {}

  add(e: RunEvent): void {
    const rp = e.rp;
    if (!rp || rp.length === 0) return;
    this.any = true;
    if (e.ok) {
      if (this.ids.has(e.id)) this.elites.set(e.id, rp);
      return;
    }
    if (e.kind !== 'pruned') return;
    this.prunedTotal++;
    if (this.maxPruned <= 0) return;
    const curve = { id: e.id, curve: thin(rp, this.maxPoints) };
    if (this.ring.length < this.maxPruned) this.ring.push(curve);
    else {
      this.ring[this.next] = curve;
      this.next = (this.next + 1) % this.maxPruned;
    }
  }

  /** An elite's reports (a copy, thinned), or undefined when its event reported nothing. */
  curveOf(id: number): [number, number][] | undefined {
    const rp = this.elites.get(id);
    return rp ? thin(rp, this.maxPoints) : undefined;
  }

  /** Undefined when no event of the log reported (a run without ctx.report). */
  summary(): SnapshotCurves | undefined {
    if (!this.any) return undefined;
    return {
      pruned: [...this.ring.slice(this.next), ...this.ring.slice(0, this.next)],
      prunedTotal: this.prunedTotal,
      prunedLimit: Math.max(0, this.maxPruned),
      elites: this.elites.size,
      curvePointsLimit: this.maxPoints,
    };
  }
}

/** A copy of `curve` with at most `max` points: an even stride over it, the first and last points kept. */
export function thin(curve: Curve, max: number): [number, number][] {
  const n = curve.length;
  const pick = (i: number): [number, number] => [curve[i]![0], curve[i]![1]];
  if (n <= max) return curve.map((_, i) => pick(i));
  if (max <= 1) return max === 1 ? [pick(n - 1)] : [];
  return Array.from({ length: max }, (_, i) => pick(Math.round((i * (n - 1)) / (max - 1))));
}
