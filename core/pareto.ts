// Pareto dominance between objective vectors: dominance, Deb's non-dominated sort, crowding distance, bounded fronts.
// Every objective is maximized at this layer: callers negate the objectives they minimize before calling in.

/** One point in objective space, every entry higher-is-better. All vectors compared together have one length. */
export type Objectives = readonly number[];

/** True when a is at least as good as b in every objective and strictly better in one (equal vectors: false). */
export function dominates(a: Objectives, b: Objectives): boolean {
  let strictly = false;
  for (let k = 0; k < a.length; k++) {
    const x = a[k]!;
    const y = b[k]!;
    if (x < y) return false;
    if (x > y) strictly = true;
  }
  return strictly;
}

/** True when a is at least as good as b in every objective: a dominates b or equals it. */
export function weaklyDominates(a: Objectives, b: Objectives): boolean {
  for (let k = 0; k < a.length; k++) if (a[k]! < b[k]!) return false;
  return true;
}

/**
 * Deb's fast non-dominated sort (Deb et al., IEEE TEVC 6(2), 2002), O(M·N²) time and O(N²) memory: the fronts
 * F1, F2, … as lists of indices into `points`, ascending within each front. Equal vectors share a front.
 * @throws {RangeError} when the vectors differ in length.
 */
export function nonDominatedSort(points: readonly Objectives[]): number[][] {
  checkLengths(points);
  const n = points.length;
  const dominatedBy: number[][] = Array.from({ length: n }, () => []); // S_p: the points p dominates
  const dominatorCount = new Int32Array(n); // n_p: how many points dominate p
  for (let p = 0; p < n; p++) {
    for (let q = p + 1; q < n; q++) {
      if (dominates(points[p]!, points[q]!)) {
        dominatedBy[p]!.push(q);
        dominatorCount[q]!++;
      } else if (dominates(points[q]!, points[p]!)) {
        dominatedBy[q]!.push(p);
        dominatorCount[p]!++;
      }
    }
  }
  const fronts: number[][] = [];
  let current: number[] = [];
  for (let p = 0; p < n; p++) if (dominatorCount[p] === 0) current.push(p);
  while (current.length > 0) {
    fronts.push(current);
    const next: number[] = [];
    for (const p of current) {
      for (const q of dominatedBy[p]!) if (--dominatorCount[q]! === 0) next.push(q);
    }
    current = next.sort((a, b) => a - b); // discovery order is not input order
  }
  return fronts;
}

/**
 * NSGA-II crowding distance of each member of `front` (indices into `points`), aligned with `front`. Per objective
 * the front is sorted; its two ends get Infinity and each interior member adds (next − previous) / (max − min).
 * An objective whose values are all equal adds nothing; a front of at most two members is all Infinity.
 * Members with equal values keep their order in `front`, so the result is deterministic. O(M·N log N).
 */
export function crowdingDistance(points: readonly Objectives[], front: readonly number[]): Float64Array {
  const n = front.length;
  const distance = new Float64Array(n);
  if (n <= 2) return distance.fill(Number.POSITIVE_INFINITY);
  const m = points[front[0]!]!.length;
  const order = Array.from({ length: n }, (_, i) => i);
  const value = new Float64Array(n); // one objective's column: the sort reads it, not the nested arrays
  for (let k = 0; k < m; k++) {
    for (let i = 0; i < n; i++) value[i] = points[front[i]!]![k]!;
    order.sort((a, b) => value[a]! - value[b]! || a - b);
    const min = value[order[0]!]!;
    const range = value[order[n - 1]!]! - min;
    if (!(range > 0)) continue;
    distance[order[0]!] = Number.POSITIVE_INFINITY;
    distance[order[n - 1]!] = Number.POSITIVE_INFINITY;
    for (let j = 1; j < n - 1; j++) distance[order[j]!]! += (value[order[j + 1]!]! - value[order[j - 1]!]!) / range;
  }
  return distance;
}

/**
 * Indices of the non-dominated points, ascending; equal vectors are all kept. In lexicographically descending order a
 * point's dominators all come before it, and if one is dominated, what dominates it comes earlier still: so two
 * objectives take one sweep, O(N log N), and more compare each point with the front kept so far, O(N log N + M·N·F)
 * for a front of F points.
 * @throws {RangeError} when the vectors differ in length.
 */
export function paretoFront(points: readonly Objectives[]): number[] {
  checkLengths(points);
  const order = Array.from(points.keys()).sort((a, b) => {
    const pa = points[a]!;
    const pb = points[b]!;
    for (let k = 0; k < pa.length; k++) if (pa[k] !== pb[k]) return pb[k]! - pa[k]!;
    return a - b;
  });
  const front: number[] = [];
  if (points[0]?.length === 2) {
    // Groups of equal first objective, best first: a point is dominated by an earlier group whose best second objective
    // is at least its own, or by its group's first point (the group's highest second objective) when that is higher.
    let before = Number.NEGATIVE_INFINITY; // highest second objective among points with a strictly higher first
    for (let g = 0; g < order.length; ) {
      const first = points[order[g]!]![0]!;
      const top = points[order[g]!]![1]!;
      let end = g;
      for (; end < order.length && points[order[end]!]![0] === first; end++) {
        const y = points[order[end]!]![1]!;
        if (!(before >= y || top > y)) front.push(order[end]!);
      }
      before = Math.max(before, top);
      g = end;
    }
  } else
    for (const i of order) {
      const p = points[i]!;
      if (!front.some((j) => dominates(points[j]!, p))) front.push(i);
    }
  return front.sort((a, b) => a - b);
}

/** One member of a BoundedFront: its objectives (a private copy) and what the caller attached. */
export interface FrontMember<P> {
  readonly objectives: Objectives;
  readonly payload: P;
}

/**
 * A Pareto front of at most `capacity` members, as a MOME cell holds (Pierrot et al., arXiv:2202.03057).
 * Invariants: members are mutually non-dominating and pairwise distinct; they are kept in insertion order;
 * the result depends only on the sequence of inserts. Without capacity pressure the final set of objective
 * vectors is the Pareto front of everything inserted, whatever the order.
 */
export class BoundedFront<P> {
  private entries: FrontMember<P>[] = [];

  /** @throws {RangeError} when capacity is not a positive integer. */
  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`BoundedFront: capacity must be a positive integer, got ${capacity}`);
    }
  }

  get size(): number {
    return this.entries.length;
  }

  /**
   * Offers a vector: refused when a member dominates or equals it; otherwise the members it dominates leave and it
   * joins. Over capacity, the member with the smallest crowding distance leaves; among equals the most recently
   * inserted one, so incumbents are not displaced by an equally crowded newcomer. Returns whether the vector is a
   * member afterwards. O(M·P), plus O(M·P log P) when the front is full.
   * @throws {RangeError} when the vector's length differs from the members'.
   */
  insert(objectives: Objectives, payload: P): boolean {
    const first = this.entries[0];
    if (first && first.objectives.length !== objectives.length) {
      throw new RangeError(
        `BoundedFront: objective vector of length ${objectives.length}, members have ${first.objectives.length}`,
      );
    }
    for (const e of this.entries) if (weaklyDominates(e.objectives, objectives)) return false;
    const entry: FrontMember<P> = { objectives: Object.freeze([...objectives]), payload };
    this.entries = this.entries.filter((e) => !dominates(objectives, e.objectives));
    this.entries.push(entry);
    if (this.entries.length > this.capacity) {
      const vectors = this.entries.map((e) => e.objectives);
      const distance = crowdingDistance(vectors, [...vectors.keys()]);
      let drop = 0;
      for (let i = 1; i < distance.length; i++) if (distance[i]! <= distance[drop]!) drop = i; // ties: the later
      this.entries.splice(drop, 1);
    }
    return this.entries.includes(entry);
  }

  /** The members in insertion order (a new array each call). */
  members(): readonly FrontMember<P>[] {
    return [...this.entries];
  }
}

function checkLengths(points: readonly Objectives[]): void {
  const m = points[0]?.length;
  for (let i = 1; i < points.length; i++) {
    if (points[i]!.length !== m) {
      throw new RangeError(`objective vector ${i} has length ${points[i]!.length}, vector 0 has ${m}`);
    }
  }
}
