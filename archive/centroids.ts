// CVT centroids (Vassiliades et al. 2018, arXiv:1610.05729): seeded k-means on uniform samples, and nearest-centroid lookup.
import { randomInt, type Rng } from '../core/rng.js';

/*
 * Points are stored flat: point i of a d-dimensional set is points[i·d … i·d + d − 1].
 *
 * pymap_elites builds its CVT with scikit-learn's KMeans (k-means++ init, n_init = 1) on 25,000 uniform samples
 * and looks niches up in a KD-tree. We do the same, with two choices of our own:
 * - samples default to max(25,000, 2·k): pymap_elites' 25,000 at its k = 10,000, and still ≥ 2 samples per centroid
 *   for larger k;
 * - Lloyd iterations stop after `maxIterations` or when no assignment changes. Up to 6 dims each iteration assigns
 *   the samples through a KD-tree over the current centroids, O(samples · log k), and we run up to 20. Above 6
 *   dims an iteration is a full O(samples · k · d) scan, so we run up to 5 (scikit-learn would run to convergence).
 * The k-means++ seeding is O(samples · k · d) whatever the dims: about a second for k = 10,000, d = 2.
 */

/** pymap_elites' `cvt_samples`. */
export const DEFAULT_CVT_SAMPLES = 25_000;
/** Lloyd iterations when a KD-tree makes each one O(samples · log k). */
export const DEFAULT_KMEANS_ITERATIONS = 20;
/** Lloyd iterations above `KD_TREE_MAX_DIMS`, where each one is a full O(samples · k · d) scan. */
export const HIGH_DIM_KMEANS_ITERATIONS = 5;
/** Above this many dims a KD-tree visits nearly every leaf; a plain scan is then as fast and simpler. */
export const KD_TREE_MAX_DIMS = 6;
const KD_TREE_LEAF_SIZE = 8;

/** Uniform samples used to fit k centroids: max(25,000, 2·k). */
export function defaultSampleCount(k: number): number {
  return Math.max(DEFAULT_CVT_SAMPLES, 2 * k);
}

/** Lloyd iterations: 20 up to `KD_TREE_MAX_DIMS` dims, 5 above (the seeding already spreads the centroids). */
export function defaultIterations(d: number): number {
  return d <= KD_TREE_MAX_DIMS ? DEFAULT_KMEANS_ITERATIONS : HIGH_DIM_KMEANS_ITERATIONS;
}

export interface CvtCentroidOptions {
  /** Uniform samples to fit; default `defaultSampleCount(k)`; must be ≥ k. */
  readonly samples?: number;
  /** Lloyd iterations after k-means++ seeding; default `defaultIterations(d)`. */
  readonly maxIterations?: number;
}

/**
 * `k` centroids of a centroidal Voronoi tessellation of the box `dims` ([min, max] per dim): k-means++ then Lloyd
 * iterations on uniform samples. Deterministic for a given `rng` state; every centroid lies inside the box.
 * Returns flat coordinates (centroid c is at c·d … c·d + d − 1).
 * @throws {Error} when k or samples is not a positive integer, or samples < k.
 */
export function cvtCentroids(
  dims: readonly { readonly min: number; readonly max: number }[],
  k: number,
  rng: Rng,
  options: CvtCentroidOptions = {},
): Float64Array {
  const d = dims.length;
  const n = options.samples ?? defaultSampleCount(k);
  if (!Number.isSafeInteger(k) || k < 1) throw new Error(`a CVT needs a positive whole number of cells, got ${k}`);
  if (!Number.isSafeInteger(n) || n < k) throw new Error(`a CVT with ${k} cells needs at least ${k} samples, got ${n}`);
  const samples = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) {
      const { min, max } = dims[j]!;
      samples[i * d + j] = min + rng() * (max - min);
    }
  }
  const centroids = kMeans(samples, d, k, rng, options.maxIterations ?? defaultIterations(d));
  // Means of points in a box stay in it; clamp the last-ulp rounding of the division.
  for (let c = 0; c < k; c++) {
    for (let j = 0; j < d; j++) {
      const { min, max } = dims[j]!;
      const v = centroids[c * d + j]!;
      centroids[c * d + j] = v < min ? min : v > max ? max : v;
    }
  }
  return centroids;
}

/**
 * k-means on flat `points` (n = points.length / d ≥ k): k-means++ seeding (Arthur & Vassilvitskii 2007), then up to
 * `maxIterations` Lloyd steps (default `defaultIterations(d)`), stopping early when no assignment changes. An empty
 * cluster keeps its centroid.
 */
export function kMeans(
  points: Float64Array,
  d: number,
  k: number,
  rng: Rng,
  maxIterations = defaultIterations(d),
): Float64Array {
  const n = points.length / d;
  const centroids = kMeansPlusPlus(points, d, k, rng);
  const assignment = new Int32Array(n).fill(-1);
  const sums = new Float64Array(k * d);
  const counts = new Int32Array(k);
  for (let iteration = 0; iteration < maxIterations; iteration++) {
    const lookup = createNearestLookup(centroids, d);
    let changed = false;
    for (let i = 0; i < n; i++) {
      const c = lookup.nearestAt(points, i * d);
      if (assignment[i] !== c) {
        assignment[i] = c;
        changed = true;
      }
    }
    if (!changed) break;
    moveToMeans(points, d, centroids, assignment, sums, counts);
  }
  return centroids;
}

/** Sets each centroid to the mean of its points; a centroid without points stays where it is. */
function moveToMeans(
  points: Float64Array,
  d: number,
  centroids: Float64Array,
  assignment: Int32Array,
  sums: Float64Array,
  counts: Int32Array,
): void {
  const n = points.length / d;
  const k = centroids.length / d;
  sums.fill(0);
  counts.fill(0);
  for (let i = 0; i < n; i++) {
    const c = assignment[i]!;
    counts[c]!++;
    for (let j = 0; j < d; j++) sums[c * d + j]! += points[i * d + j]!;
  }
  for (let c = 0; c < k; c++) {
    const count = counts[c]!;
    if (count === 0) continue;
    for (let j = 0; j < d; j++) centroids[c * d + j] = sums[c * d + j]! / count;
  }
}

/** k-means++ seeding: each next centre is a point drawn with probability ∝ its squared distance to the nearest centre. */
function kMeansPlusPlus(points: Float64Array, d: number, k: number, rng: Rng): Float64Array {
  const n = points.length / d;
  const centroids = new Float64Array(k * d);
  const nearest = new Float64Array(n).fill(Infinity);
  let chosen = randomInt(rng, n);
  for (let c = 0; ; c++) {
    const base = chosen * d;
    for (let j = 0; j < d; j++) centroids[c * d + j] = points[base + j]!;
    if (c === k - 1) return centroids;
    let total = 0;
    for (let i = 0; i < n; i++) {
      let dist = 0;
      for (let j = 0; j < d; j++) {
        const diff = points[i * d + j]! - points[base + j]!;
        dist += diff * diff;
      }
      if (dist < nearest[i]!) nearest[i] = dist;
      total += nearest[i]!;
    }
    chosen = total > 0 ? drawWeighted(nearest, total, rng) : randomInt(rng, n); // all samples coincide: any will do
  }
}

/** Index i with probability weights[i] / total. */
function drawWeighted(weights: Float64Array, total: number, rng: Rng): number {
  let r = rng() * total;
  let last = 0;
  for (let i = 0; i < weights.length; i++) {
    const w = weights[i]!;
    if (w <= 0) continue;
    r -= w;
    last = i;
    if (r < 0) return i;
  }
  return last; // rounding left r ≥ 0 after the last positive weight
}

/** Finds the nearest of a fixed set of points. Ties go to the lowest index, so every implementation agrees. */
export interface NearestLookup {
  /** Index of the point nearest to `query` (its first d entries). */
  nearest(query: ArrayLike<number>): number;
  /** Index of the point nearest to source[offset … offset + d − 1]; allocates nothing. */
  nearestAt(source: ArrayLike<number>, offset: number): number;
}

/** A KD-tree for d ≤ `KD_TREE_MAX_DIMS`, a linear scan above. `points` is flat and must not change afterwards. */
export function createNearestLookup(points: Float64Array, d: number): NearestLookup {
  return d <= KD_TREE_MAX_DIMS ? new KdTree(points, d) : new LinearScan(points, d);
}

/** Nearest point by scanning all of them: O(n·d) a query. */
export class LinearScan implements NearestLookup {
  constructor(
    private readonly points: Float64Array,
    private readonly d: number,
  ) {}

  nearest(query: ArrayLike<number>): number {
    return this.nearestAt(query, 0);
  }

  nearestAt(source: ArrayLike<number>, offset: number): number {
    const { points, d } = this;
    const n = points.length / d;
    let best = Infinity;
    let bestIndex = 0;
    for (let i = 0; i < n; i++) {
      let dist = 0;
      for (let j = 0; j < d; j++) {
        const diff = points[i * d + j]! - source[offset + j]!;
        dist += diff * diff;
        if (dist >= best) break; // cannot win: ties keep the lower index, which came first
      }
      if (dist < best) {
        best = dist;
        bestIndex = i;
      }
    }
    return bestIndex;
  }
}

/**
 * A static KD-tree (median splits on the widest dim, leaves of up to 8 points) with exact nearest-neighbour
 * queries. Coordinates are copied in tree order so a leaf scan reads contiguous memory.
 */
export class KdTree implements NearestLookup {
  private readonly d: number;
  /** Point coordinates in tree order. */
  private readonly coords: Float64Array;
  /** Original index of the point at each tree position. */
  private readonly ids: Int32Array;
  // Node arrays: a leaf has splitDim −1 and covers tree positions [start, end); an inner node's children are left/right.
  private readonly splitDim: Int32Array;
  private readonly splitValue: Float64Array;
  private readonly left: Int32Array;
  private readonly right: Int32Array;
  private readonly start: Int32Array;
  private readonly end: Int32Array;
  // Preallocated query stack (nodes and their lower bounds), so queries allocate nothing.
  private readonly stackNodes: Int32Array;
  private readonly stackBounds: Float64Array;

  constructor(points: Float64Array, d: number) {
    const n = points.length / d;
    if (!Number.isInteger(n) || n < 1)
      throw new Error(`a KD-tree needs at least one ${d}-d point, got ${points.length} coordinates`);
    this.d = d;
    const order = Int32Array.from({ length: n }, (_, i) => i);
    const nodes = {
      splitDim: [] as number[],
      splitValue: [] as number[],
      left: [] as number[],
      right: [] as number[],
      start: [] as number[],
      end: [] as number[],
    };
    let depth = 0;

    const build = (from: number, to: number, level: number): number => {
      const node = nodes.splitDim.length;
      nodes.splitDim.push(-1);
      nodes.splitValue.push(0);
      nodes.left.push(-1);
      nodes.right.push(-1);
      nodes.start.push(from);
      nodes.end.push(to);
      depth = Math.max(depth, level);
      if (to - from <= KD_TREE_LEAF_SIZE) return node;
      const dim = widestDim(points, d, order, from, to);
      const range = order.subarray(from, to);
      range.sort((a, b) => points[a * d + dim]! - points[b * d + dim]! || a - b);
      const mid = (from + to) >> 1;
      nodes.splitDim[node] = dim;
      nodes.splitValue[node] = points[order[mid]! * d + dim]!;
      // Left holds coordinates ≤ split and right ≥ split on `dim`: the pruning bounds below rely on it.
      nodes.left[node] = build(from, mid, level + 1);
      nodes.right[node] = build(mid, to, level + 1);
      return node;
    };
    build(0, n, 0);

    this.ids = order;
    this.coords = new Float64Array(n * d);
    for (let p = 0; p < n; p++) for (let j = 0; j < d; j++) this.coords[p * d + j] = points[order[p]! * d + j]!;
    this.splitDim = Int32Array.from(nodes.splitDim);
    this.splitValue = Float64Array.from(nodes.splitValue);
    this.left = Int32Array.from(nodes.left);
    this.right = Int32Array.from(nodes.right);
    this.start = Int32Array.from(nodes.start);
    this.end = Int32Array.from(nodes.end);
    this.stackNodes = new Int32Array(2 * depth + 2);
    this.stackBounds = new Float64Array(2 * depth + 2);
  }

  nearest(query: ArrayLike<number>): number {
    return this.nearestAt(query, 0);
  }

  nearestAt(source: ArrayLike<number>, offset: number): number {
    const { d, coords, ids, splitDim, stackNodes, stackBounds } = this;
    let best = Infinity;
    let bestId = -1;
    let top = 0;
    stackNodes[0] = 0;
    stackBounds[0] = 0;
    top = 1;
    while (top > 0) {
      top--;
      const node = stackNodes[top]!;
      const bound = stackBounds[top]!;
      // Strict '>': a subtree whose bound equals the best distance may still hold a tie with a lower index.
      if (bound > best) continue;
      const dim = splitDim[node]!;
      if (dim < 0) {
        for (let p = this.start[node]!, end = this.end[node]!; p < end; p++) {
          let dist = 0;
          for (let j = 0; j < d; j++) {
            const diff = coords[p * d + j]! - source[offset + j]!;
            dist += diff * diff;
          }
          if (dist < best || (dist === best && ids[p]! < bestId)) {
            best = dist;
            bestId = ids[p]!;
          }
        }
        continue;
      }
      const diff = source[offset + dim]! - this.splitValue[node]!;
      const farBound = Math.max(bound, diff * diff);
      // Push the far child first so the near one is searched first and tightens `best`.
      stackNodes[top] = diff < 0 ? this.right[node]! : this.left[node]!;
      stackBounds[top++] = farBound;
      stackNodes[top] = diff < 0 ? this.left[node]! : this.right[node]!;
      stackBounds[top++] = bound;
    }
    return bestId;
  }
}

function widestDim(points: Float64Array, d: number, order: Int32Array, from: number, to: number): number {
  let widest = 0;
  let widestSpread = -1;
  for (let j = 0; j < d; j++) {
    let lo = Infinity;
    let hi = -Infinity;
    for (let p = from; p < to; p++) {
      const v = points[order[p]! * d + j]!;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    if (hi - lo > widestSpread) {
      widestSpread = hi - lo;
      widest = j;
    }
  }
  return widest;
}
