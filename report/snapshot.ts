// A run (RunView) → the plain, bounded JSON snapshot that the report page and the dashboard render.
import { cellBins, type Elite } from '../archive/archive.js';
import { openRunView, type RunView } from '../search/run-view.js';
import { fromScore, fromScores } from '../core/types.js';
import { paretoFront, type Objectives } from '../core/pareto.js';
import { sampleFields } from '../search/summary.js';
import type {
  MapCell,
  ReportSnapshot,
  SnapshotDim,
  SnapshotElite,
  SnapshotHistoryPoint,
  SnapshotMap,
  SnapshotPareto,
  SnapshotParetoMember,
} from './snapshot-types.js';
import { curvesOf, MAX_CURVE_POINTS, MAX_PRUNED_CURVES, thin } from './curves.js';

/** Points of the outcome timeline: enough resolution for a chart; each bucket is one bar or line point. */
export const MAX_BUCKETS = 200;

export interface SnapshotOptions {
  /** Elites listed with their text and metrics, best first (default 5,000); the map always shows every cell. */
  readonly maxElites?: number;
  /** Longer describe() texts are cut here (default 4,000 characters). */
  readonly maxTextChars?: number;
  /** CVT centroids are included (to draw empty cells) up to this many (default 20,000). */
  readonly maxCentroids?: number;
  /** Outcome buckets (default 200; at most search/timeline.ts FINE_BUCKETS). */
  readonly maxBuckets?: number;
  /** Pareto archives: members listed with their objectives and text (default 5,000), the global front first. */
  readonly maxMembers?: number;
  /** Learning curves of pruned candidates drawn in the background: the last this many pruned (default and most: 200). */
  readonly maxPrunedCurves?: number;
  /** Points per learning curve; longer ones are thinned to an even stride (default 100). */
  readonly maxCurvePoints?: number;
}

const DEFAULTS = {
  maxElites: 5000,
  maxTextChars: 4000,
  maxCentroids: 20_000,
  maxBuckets: MAX_BUCKETS,
  maxMembers: 5000,
  maxPrunedCurves: MAX_PRUNED_CURVES,
  maxCurvePoints: MAX_CURVE_POINTS,
} as const;

/** Opens the run read-only, snapshots it and closes it again (never holds the store open between calls). */
export async function readSnapshot(dir: string, options: SnapshotOptions = {}): Promise<ReportSnapshot> {
  const view = await openRunView(dir);
  try {
    return buildSnapshot(view, options);
  } finally {
    await view.close();
  }
}

/**
 * From the view's archive and tally (no pass over the log: the tally holds the outcome buckets and the learning
 * curves, as of the same event as the archive, so a live run renders consistently).
 */
export function buildSnapshot(view: RunView, options: SnapshotOptions = {}): ReportSnapshot {
  const o = { ...DEFAULTS, ...options };
  const { config, archive, summary, tally } = view;
  const direction = config.direction;
  const fitnessOf = (e: Elite<unknown>): number => fromScore(e.score, direction);

  const all = [...archive.elites()].sort((a, b) => b.score - a.score || a.id - b.id);
  const listed = all.slice(0, Math.max(0, o.maxElites));

  const elites: SnapshotElite[] = listed.map((e) => {
    const reports = tally.curves.curveOf(e.id);
    const curve = reports ? thin(reports, o.maxCurvePoints) : undefined;
    return {
      id: e.id,
      cell: e.cell,
      fitness: fitnessOf(e),
      descriptors: [...e.descriptors],
      text: cut(view.space.describe(e.genome), o.maxTextChars),
      metrics: { ...e.metrics },
      ...sampleFields(e.id, view.samples),
      ...(curve ? { curve } : {}),
    };
  });
  const learning = curvesOf(tally.curves, {
    elites: elites.filter((e) => e.curve !== undefined).length,
    maxPruned: Math.min(o.maxPrunedCurves, MAX_PRUNED_CURVES),
    maxPoints: o.maxCurvePoints,
  });
  const metricNames = [...new Set(elites.flatMap((e) => Object.keys(e.metrics)))].sort();
  const pareto = paretoOf(view, o, fitnessOf);

  return {
    format: 'elites-report/1',
    runId: summary.runId,
    name: config.name,
    status: view.status,
    direction,
    generatedAt: new Date().toISOString(),
    seq: view.counters.proposals - 1, // the last event the archive holds
    budget: {
      ...(config.budget.evaluations !== undefined ? { evaluations: config.budget.evaluations } : {}),
      ...(config.budget.seconds !== undefined ? { seconds: config.budget.seconds } : {}),
    },
    summary: {
      proposals: summary.proposals,
      evaluations: summary.evaluations,
      keyHits: summary.cacheHits.key,
      fingerprintHits: summary.cacheHits.fingerprint,
      failures: summary.failures,
      pruned: summary.pruned,
      seconds: summary.seconds,
      best: summary.best?.fitness ?? null,
      size: summary.archive.size,
      cells: summary.archive.cells,
      coverage: summary.archive.coverage,
      qdScore: summary.archive.qdScore,
      stopReason: summary.stopReason,
      ...(summary.error !== undefined ? { error: summary.error } : {}),
      ...(summary.scoredBy ? { scoredBy: summary.scoredBy } : {}),
    },
    map: mapOf(
      archive.geometry(),
      archive.cells,
      all.map((e) => ({ cell: e.cell, id: e.id, fitness: fitnessOf(e) })),
      o.maxCentroids,
    ),
    history: historyOf(view),
    timeline: tally.timeline.series(o.maxBuckets),
    failureKinds: tally.timeline.failureKinds(),
    elites,
    elitesTotal: all.length,
    elitesLimit: o.maxElites,
    metricNames,
    ...(pareto ? { pareto } : {}),
    ...(learning ? { curves: learning } : {}),
  };
}

interface GridGeometryLike {
  readonly type: 'grid' | 'sliding-boundaries';
  readonly dims: readonly { name: string; min: number; max: number; bins: number }[];
  /** sliding-boundaries: each dim's boundaries now. */
  readonly boundaries?: readonly (readonly number[])[];
}
interface CvtGeometryLike {
  readonly type: 'cvt';
  readonly dims: readonly { name: string; min: number; max: number }[];
  readonly centroids: readonly (readonly number[])[];
}
/** The `pareto` archive: one front, no descriptor cells. */
interface NoCellsGeometryLike {
  readonly type: 'pareto';
}

/** Places each filled cell: grid bins from the row-major index (first dim slowest), CVT cells at their centroid. */
export function mapOf(
  geometry: unknown,
  cells: number,
  filled: readonly Omit<MapCell, 'pos'>[],
  maxCentroids: number = DEFAULTS.maxCentroids,
): SnapshotMap {
  const g = geometry as GridGeometryLike | CvtGeometryLike | NoCellsGeometryLike;
  if (g.type === 'pareto') return { type: 'none', dims: [], cells, filled: filled.map((c) => ({ ...c, pos: [] })) };
  if (g.type === 'cvt') {
    const dims: SnapshotDim[] = g.dims.map((d) => ({ name: d.name, min: d.min, max: d.max }));
    return {
      type: 'cvt',
      dims,
      cells,
      filled: filled.map((c) => ({ ...c, pos: [...(g.centroids[c.cell] ?? [])] })),
      ...(g.centroids.length <= maxCentroids ? { centroids: g.centroids.map((c) => [...c]) } : {}),
    };
  }
  const dims: SnapshotDim[] = g.dims.map((d, i) => {
    const edges = g.type === 'sliding-boundaries' ? g.boundaries?.[i] : undefined;
    return { name: d.name, min: d.min, max: d.max, bins: d.bins, ...(edges?.length ? { edges: [...edges] } : {}) };
  });
  const bins = dims.map((d) => d.bins!);
  return { type: 'grid', dims, cells, filled: filled.map((c) => ({ ...c, pos: cellBins(bins, c.cell) })) };
}

/** The checkpoint's history, trimmed to the log the archive was rebuilt from, ending at the archive's own state. */
function historyOf(view: RunView): SnapshotHistoryPoint[] {
  const { summary } = view;
  const points: SnapshotHistoryPoint[] = view.history.points
    .filter((p) => p.proposals <= summary.proposals)
    .map((p) => ({
      proposals: p.proposals,
      seconds: p.seconds,
      coverage: p.coverage,
      qdScore: p.qdScore,
      best: p.best,
      ...(p.hypervolume !== undefined ? { hypervolume: p.hypervolume } : {}),
    }));
  if (summary.proposals > 0 && points.at(-1)?.proposals !== summary.proposals) {
    points.push({
      proposals: summary.proposals,
      seconds: summary.seconds,
      coverage: summary.archive.coverage,
      qdScore: summary.archive.qdScore,
      best: summary.best?.fitness ?? null,
      ...(summary.archive.hypervolume !== undefined ? { hypervolume: summary.archive.hypervolume } : {}),
    });
  }
  return points;
}

/**
 * The Pareto section, when the view's archive holds fronts (it has `members()`): every member flagged dominated or
 * not within the whole archive, then at most `maxMembers` listed (the global front first; see SnapshotPareto).
 */
function paretoOf(
  view: RunView,
  o: Required<SnapshotOptions>,
  fitnessOf: (e: Elite<unknown>) => number,
): SnapshotPareto | undefined {
  const { archive, config } = view;
  const directions = config.objectives?.directions;
  if (!archive.members || !directions) return undefined;
  const all = [...archive.members()];
  const scores = all.map((m) => m.objectives ?? []);
  const dominated = dominatedFlags(scores);
  const front: number[] = [];
  const behind: number[] = [];
  dominated.forEach((d, i) => (d ? behind : front).push(i));
  const limit = Math.max(0, o.maxMembers);
  // An even stride keeps the shape of a front (sorted along the first objective) or the spread over cells.
  const byFirst = front.length > limit ? [...front].sort((a, b) => scores[a]![0]! - scores[b]![0]! || a - b) : front;
  const picked = stride(byFirst, limit);
  picked.push(...stride(behind, limit - picked.length));
  const members: SnapshotParetoMember[] = picked
    .map((i) => {
      const m = all[i]!;
      return {
        id: m.id,
        cell: m.cell,
        fitness: fitnessOf(m),
        descriptors: [...m.descriptors],
        text: cut(view.space.describe(m.genome), o.maxTextChars),
        metrics: { ...m.metrics },
        ...sampleFields(m.id, view.samples),
        objectives: fromScores(scores[i]!, directions),
        dominated: dominated[i]!,
      };
    })
    .sort((a, b) => a.id - b.id);
  const stats = archive.stats();
  return {
    names: directions.map((_, i) => config.objectives?.names?.[i] ?? `objective ${i + 1}`),
    directions: [...directions],
    reference: archive.reference
      ? fromScores(archive.reference, directions)
      : [...(config.objectives?.reference ?? [])],
    hypervolume: stats.hypervolume ?? 0,
    moqdScore: stats.qdScore,
    members,
    membersTotal: all.length,
    membersLimit: limit,
    dominatedTotal: behind.length,
  };
}

/** `count` entries of `items` at an even stride, both ends included (all of them when there are no more). */
function stride<T>(items: readonly T[], count: number): T[] {
  const n = items.length;
  if (count >= n) return [...items];
  if (count <= 0) return [];
  if (count === 1) return [items[0]!];
  return Array.from({ length: count }, (_, i) => items[Math.round((i * (n - 1)) / (count - 1))]!);
}

/** Whether each point is dominated by another (every objective higher-is-better): the complement of paretoFront. */
export function dominatedFlags(points: readonly Objectives[]): boolean[] {
  const onFront = new Set(paretoFront(points));
  return points.map((_, i) => !onFront.has(i));
}

function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length - max} more characters)`;
}
