// A run (RunView) → the plain, bounded JSON snapshot that the report page and the dashboard render.
import { cellBins, type Elite } from '../archive/archive.js';
import { openRunView, type RunView } from '../search/run-view.js';
import { fromScore } from '../core/types.js';
import { sampleFields } from '../search/summary.js';
import type {
  MapCell,
  ReportSnapshot,
  SnapshotDim,
  SnapshotElite,
  SnapshotHistoryPoint,
  SnapshotMap,
} from './snapshot-types.js';
import { MAX_BUCKETS, TimelineBuilder } from './timeline.js';

export interface SnapshotOptions {
  /** Elites listed with their text and metrics, best first (default 5,000); the map always shows every cell. */
  readonly maxElites?: number;
  /** Longer describe() texts are cut here (default 4,000 characters). */
  readonly maxTextChars?: number;
  /** CVT centroids are included (to draw empty cells) up to this many (default 20,000). */
  readonly maxCentroids?: number;
  readonly maxBuckets?: number;
}

const DEFAULTS = { maxElites: 5000, maxTextChars: 4000, maxCentroids: 20_000, maxBuckets: MAX_BUCKETS } as const;

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
 * One pass over the view's log (bounded by what the view's archive was rebuilt from, so a live run renders
 * consistently): outcome buckets for rates over time.
 */
export function buildSnapshot(view: RunView, options: SnapshotOptions = {}): ReportSnapshot {
  const o = { ...DEFAULTS, ...options };
  const { config, archive, summary, counters } = view;
  const direction = config.direction;
  const fitnessOf = (e: Elite<unknown>): number => fromScore(e.score, direction);

  const all = [...archive.elites()].sort((a, b) => b.score - a.score || a.id - b.id);
  const listed = all.slice(0, Math.max(0, o.maxElites));

  const timeline = new TimelineBuilder(counters.proposals, o.maxBuckets);
  let seq = -1;
  for (const e of view.events()) {
    if (e.seq >= counters.proposals) break; // the archive was rebuilt from events 0..proposals−1
    seq = e.seq;
    timeline.add(e);
  }

  const elites: SnapshotElite[] = listed.map((e) => ({
    id: e.id,
    cell: e.cell,
    fitness: fitnessOf(e),
    descriptors: [...e.descriptors],
    text: cut(view.space.describe(e.genome), o.maxTextChars),
    metrics: { ...e.metrics },
    ...sampleFields(e.id, view.samples),
  }));
  const metricNames = [...new Set(elites.flatMap((e) => Object.keys(e.metrics)))].sort();

  return {
    format: 'elites-report/1',
    runId: summary.runId,
    name: config.name,
    status: view.status,
    direction,
    generatedAt: new Date().toISOString(),
    seq,
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
    timeline: timeline.series(),
    failureKinds: timeline.failureKinds(),
    elites,
    elitesTotal: all.length,
    elitesLimit: o.maxElites,
    metricNames,
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

/** Places each filled cell: grid bins from the row-major index (first dim slowest), CVT cells at their centroid. */
export function mapOf(
  geometry: unknown,
  cells: number,
  filled: readonly Omit<MapCell, 'pos'>[],
  maxCentroids: number = DEFAULTS.maxCentroids,
): SnapshotMap {
  const g = geometry as GridGeometryLike | CvtGeometryLike;
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
    }));
  if (summary.proposals > 0 && points.at(-1)?.proposals !== summary.proposals) {
    points.push({
      proposals: summary.proposals,
      seconds: summary.seconds,
      coverage: summary.archive.coverage,
      qdScore: summary.archive.qdScore,
      best: summary.best?.fitness ?? null,
    });
  }
  return points;
}

function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length - max} more characters)`;
}
