// Hypervolume: the volume of objective space a set of points dominates, bounded below by a reference point.
// Every objective is maximized (core/pareto.ts); a point counts only if it beats the reference in every objective.
import { dominates, type Objectives, weaklyDominates } from './pareto.js';

/**
 * Exact hypervolume of `points` (maximized) above `reference`: the volume of {x : reference < x ≤ some point}.
 * Points that are not strictly above the reference in every objective add nothing; duplicates and dominated
 * points add nothing. One objective: O(N). Two: a sort and a sweep, O(N log N). Three: a sweep down the third
 * objective over a staircase kept in a sorted array, O(N²) worst case (array splices), O(N log N) comparisons.
 * Four or more: hypervolumeBySlicing, exponential in the number of objectives.
 * @throws {RangeError} when a point's length differs from the reference's, or the reference is empty.
 */
export function hypervolume(points: readonly Objectives[], reference: Objectives): number {
  const above = pointsAbove(points, reference);
  switch (reference.length) {
    case 1:
      return above.reduce((best, p) => Math.max(best, p[0]! - reference[0]!), 0);
    case 2:
      return area2d(above, reference[0]!, reference[1]!);
    case 3:
      return volume3d(above, reference);
    default:
      return slice(above, reference);
  }
}

/**
 * Exact hypervolume for any number of objectives by slicing (HSO, While et al., IEEE TEVC 10(1), 2006): sweep the
 * last objective downwards; each slab between consecutive values is its depth times the hypervolume, one objective
 * fewer, of the points above it; two objectives end in the sweep. O(N^(M−1) log N) for M objectives: exponential in
 * M, meant for small fronts (a few hundred points at M = 4). hypervolume() calls it from four objectives on; it is
 * exported so the faster two- and three-objective routines can be checked against an independent computation.
 * @throws {RangeError} as hypervolume() does.
 */
export function hypervolumeBySlicing(points: readonly Objectives[], reference: Objectives): number {
  const above = pointsAbove(points, reference);
  if (reference.length === 1) return hypervolume(above, reference);
  return slice(above, reference);
}

/**
 * Each point's exclusive contribution: how much the hypervolume shrinks without it (aligned with `points`).
 * Dominated points, points equal to another and points not above the reference contribute 0. Finding the others
 * costs O(M·N²). At two objectives each one's share is its step of the staircase less what the points it dominates
 * cover of that step (a sort per contributor, over the points it dominates). From three objectives on it is the
 * volume of its box less the hypervolume of every other point clipped to that box: one hypervolume() per
 * contributor, O(N³) at three objectives.
 * @throws {RangeError} as hypervolume() does.
 */
export function hypervolumeContributions(points: readonly Objectives[], reference: Objectives): Float64Array {
  const contribution = new Float64Array(points.length);
  const m = reference.length;
  checkDimensions(points, reference);
  const above = points.flatMap((p, i) => (isAbove(p, reference) ? [i] : []));
  const steps: number[] = []; // the non-dominated points above the reference, one of each group of equal ones
  const hasTwin = new Set<number>(); // non-dominated points with an equal point: their share is 0
  const shadows = new Map<number, Objectives[]>(); // for each step, the points it dominates
  for (const i of above) {
    const shadow: Objectives[] = [];
    let isDominated = false;
    let isLaterTwin = false;
    for (const j of above) {
      if (j === i) continue;
      if ((isDominated = dominates(points[j]!, points[i]!))) break;
      if (dominates(points[i]!, points[j]!)) shadow.push(points[j]!);
      else if (weaklyDominates(points[j]!, points[i]!)) {
        hasTwin.add(i); // equal vectors
        isLaterTwin ||= j < i;
      }
    }
    if (isDominated || isLaterTwin) continue;
    steps.push(i);
    shadows.set(i, shadow);
  }
  if (m === 2) {
    // Down the staircase (first objective descending), step i alone reaches the rectangle
    // (next x, x] × (previous y, y]; of the other points only those it dominates reach into it.
    steps.sort((a, b) => points[b]![0]! - points[a]![0]!);
    steps.forEach((i, s) => {
      if (hasTwin.has(i)) return;
      const [x, y] = points[i]! as [number, number];
      const nextX = s + 1 < steps.length ? points[steps[s + 1]!]![0]! : reference[0]!;
      const previousY = s > 0 ? points[steps[s - 1]!]![1]! : reference[1]!;
      const covered = hypervolume(shadows.get(i)!, [nextX, previousY]);
      contribution[i] = Math.max(0, (x - nextX) * (y - previousY) - covered); // max: rounding, never the sign
    });
    return contribution;
  }
  for (const i of steps) {
    if (hasTwin.has(i)) continue;
    const p = points[i]!;
    let box = 1;
    for (let k = 0; k < m; k++) box *= p[k]! - reference[k]!;
    const clipped = above.filter((j) => j !== i).map((j) => points[j]!.map((v, k) => Math.min(v, p[k]!)));
    contribution[i] = Math.max(0, box - hypervolume(clipped, reference));
  }
  return contribution;
}

function checkDimensions(points: readonly Objectives[], reference: Objectives): void {
  const m = reference.length;
  if (m === 0) throw new RangeError('hypervolume: the reference point has no objectives');
  for (const p of points) {
    if (p.length !== m) throw new RangeError(`hypervolume: a point has ${p.length} objectives, the reference ${m}`);
  }
}

/** The points strictly above the reference in every objective. */
function pointsAbove(points: readonly Objectives[], reference: Objectives): Objectives[] {
  checkDimensions(points, reference);
  return points.filter((p) => isAbove(p, reference));
}

/** Strictly above in every objective; NaN never is. */
function isAbove(p: Objectives, reference: Objectives): boolean {
  for (let k = 0; k < reference.length; k++) if (!(p[k]! > reference[k]!)) return false;
  return true;
}

/** Area above (rx, ry) under the staircase of points already above it, by first objective descending. */
function area2d(points: readonly Objectives[], rx: number, ry: number): number {
  const sorted = [...points].sort((a, b) => b[0]! - a[0]! || b[1]! - a[1]!);
  let area = 0;
  let bestY = ry;
  for (const p of sorted) {
    const y = p[1]!;
    if (y > bestY) {
      area += (p[0]! - rx) * (y - bestY);
      bestY = y;
    }
  }
  return area;
}

/**
 * Three objectives: sweep the third objective downwards. Each slab's cross-section is the area of the 2-D front
 * of the points above it, kept as a staircase and updated by the area each insertion adds.
 */
function volume3d(points: readonly Objectives[], reference: Objectives): number {
  const sorted = [...points].sort((a, b) => b[2]! - a[2]!);
  const front = new Staircase(reference[0]!, reference[1]!);
  let volume = 0;
  for (let i = 0; i < sorted.length; i++) {
    const p = sorted[i]!;
    front.insert(p[0]!, p[1]!);
    const below = i + 1 < sorted.length ? sorted[i + 1]![2]! : reference[2]!;
    volume += front.area * (p[2]! - below);
  }
  return volume;
}

/** A 2-D front (x descending, y ascending, both above the reference) and the area it dominates. */
class Staircase {
  private readonly xs: number[] = [];
  private readonly ys: number[] = [];
  area = 0;

  constructor(
    private readonly rx: number,
    private readonly ry: number,
  ) {}

  insert(x: number, y: number): void {
    const { xs, ys } = this;
    // First step with x' ≤ x; the step before it has x' > x and the highest y of those.
    let lo = 0;
    let hi = xs.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (xs[mid]! > x) lo = mid + 1;
      else hi = mid;
    }
    const previousY = lo > 0 ? ys[lo - 1]! : this.ry;
    if (previousY >= y) return; // dominated by a step to the left
    if (lo < xs.length && xs[lo] === x && ys[lo]! >= y) return; // dominated or equal at the same x
    // The new region: at heights in (lower, y] the old front reaches the x of its first step at least that high;
    // the steps passed on the way are dominated by (x, y) and leave.
    let lower = previousY;
    let end = lo;
    while (end < xs.length && ys[end]! <= y) {
      this.area += (x - xs[end]!) * (ys[end]! - lower);
      lower = ys[end]!;
      end++;
    }
    this.area += (x - (end < xs.length ? xs[end]! : this.rx)) * (y - lower);
    xs.splice(lo, end - lo, x);
    ys.splice(lo, end - lo, y);
  }
}

/** HSO over the last objective; `points` are all above `reference`, which has at least two objectives. */
function slice(points: readonly Objectives[], reference: Objectives): number {
  const m = reference.length;
  if (m === 2) return area2d(points, reference[0]!, reference[1]!);
  const sorted = [...points].sort((a, b) => b[m - 1]! - a[m - 1]!);
  const lower = reference.slice(0, m - 1);
  let active: Objectives[] = []; // projections of the points seen so far, mutually non-dominating
  let volume = 0;
  for (let i = 0; i < sorted.length; i++) {
    const p = sorted[i]!;
    const projection = p.slice(0, m - 1);
    if (!active.some((q) => weaklyDominates(q, projection))) {
      active = active.filter((q) => !weaklyDominates(projection, q));
      active.push(projection);
    }
    const depth = p[m - 1]! - (i + 1 < sorted.length ? sorted[i + 1]![m - 1]! : reference[m - 1]!);
    if (depth > 0) volume += depth * slice(active, lower);
  }
  return volume;
}
