// Text heatmap of an archive for `elites inspect`: the best score per character cell, shaded by quantile.
import type { ArchiveDim, ArchiveView, Elite } from './archive.js';
import { toSignificant } from '../core/significant.js';

/** Shades from the lowest to the highest quantile of score among filled character cells. */
export const HEATMAP_SHADES = [' ', '░', '▒', '▓', '█'] as const;
/** Marks a character cell with no elite. */
export const HEATMAP_EMPTY = '·';
export const DEFAULT_HEATMAP_WIDTH = 60;
export const DEFAULT_HEATMAP_HEIGHT = 20;

export interface HeatmapOptions {
  /** Most character columns (default 60); a grid with fewer bins uses one column per bin. */
  readonly width?: number;
  /** Most character rows for 2-D maps (default 20). */
  readonly height?: number;
  /** The archive's `geometry()`: grid bins or CVT centroids place each cell; otherwise elite descriptors do. */
  readonly geometry?: unknown;
  /** Colours a filled character cell by its quantile level (0 … HEATMAP_SHADES.length − 1), e.g. for a terminal. */
  readonly paint?: (shade: string, level: number) => string;
}

/** Where an elite goes along one drawn axis: a character index in 0..count−1. */
type Placement = (elite: Elite<unknown>, axis: number, count: number) => number;

/**
 * Renders the archive as text: one row of shades for one dim; a map with y upward for two (downsampled to at
 * most width × height characters, each showing the best score of the cells it covers); for more dims, the
 * projection onto the first two, best over the rest. Pure, and never throws: "(empty archive)" when empty.
 */
export function renderHeatmap(
  archive: ArchiveView<unknown>,
  configDims: readonly ArchiveDim[],
  options: HeatmapOptions = {},
): string {
  if (archive.size === 0) return '(empty archive)';
  // A sliding-boundaries archive's ranges are its boundaries now, not the config's.
  const sliding = slidingDimsOf(options.geometry);
  const dims = sliding ?? configDims;
  if (dims.length === 0) return '(no descriptor dims to draw)';
  const width = Math.max(1, Math.floor(options.width ?? DEFAULT_HEATMAP_WIDTH));
  const height = Math.max(1, Math.floor(options.height ?? DEFAULT_HEATMAP_HEIGHT));
  const drawn = dims.slice(0, 2);
  const { place, counts } = placement(archive, dims, options.geometry, drawn.length === 1 ? [width] : [width, height]);
  const cols = counts[0]!;
  const rows = drawn.length === 1 ? 1 : counts[1]!;

  // Best score per character cell; NaN marks an empty one.
  const best = new Float64Array(rows * cols).fill(NaN);
  for (const elite of archive.elites()) {
    const col = place(elite, 0, cols);
    const row = rows === 1 ? 0 : rows - 1 - place(elite, 1, rows); // row 0 is printed first: the top, highest y
    const i = row * cols + col;
    if (Number.isNaN(best[i]!) || elite.score > best[i]!) best[i] = elite.score;
  }
  const filled = Array.from(best.filter((v) => !Number.isNaN(v))).sort((a, b) => a - b);
  const shade = (v: number): string => {
    if (Number.isNaN(v)) return HEATMAP_EMPTY;
    const level = quantileLevel(filled, v);
    return options.paint ? options.paint(HEATMAP_SHADES[level]!, level) : HEATMAP_SHADES[level]!;
  };
  const lines = Array.from({ length: rows }, (_, r) =>
    Array.from(best.subarray(r * cols, (r + 1) * cols), shade).join(''),
  );

  const stats = archive.stats();
  const legend =
    `score ${formatNumber(filled[0]!)} … ${formatNumber(filled[filled.length - 1]!)} by quantile: ` +
    `${options.paint ? HEATMAP_SHADES.map((s, level) => options.paint!(s, level)).join(' ') : `'${HEATMAP_SHADES[0]}' ${HEATMAP_SHADES.slice(1).join(' ')}`} (low → high), ${HEATMAP_EMPTY} empty; ${stats.size}/${stats.cells} cells filled`;
  const x = drawn[0]!;
  const note = sliding
    ? [
        `sliding boundaries: one column${drawn.length > 1 ? ' or row' : ''} per bin, bins of unequal width (percentiles of recent descriptors)`,
      ]
    : [];
  if (drawn.length === 1) {
    return [x.name, `${formatNumber(x.min)} │${lines[0]!}│ ${formatNumber(x.max)}`, ...note, legend].join('\n');
  }

  const y = drawn[1]!;
  const out: string[] = [];
  if (dims.length > 2) {
    out.push(
      `projection onto ${x.name} × ${y.name}, best over ${dims
        .slice(2)
        .map((d) => d.name)
        .join(', ')}`,
    );
  }
  const top = rows === 1 ? `${formatNumber(y.min)}–${formatNumber(y.max)}` : formatNumber(y.max);
  const bottom = formatNumber(y.min);
  const labelWidth = Math.max(top.length, bottom.length);
  const pad = ' '.repeat(labelWidth);
  out.push(`${pad} ↑ ${y.name}`);
  lines.forEach((line, r) => {
    const label = r === 0 ? top : r === rows - 1 ? bottom : '';
    out.push(`${label.padStart(labelWidth)} ${label ? '┤' : '│'}${line}│`);
  });
  out.push(`${pad} └${'─'.repeat(cols)}┘`);
  const xMin = formatNumber(x.min);
  const xMax = formatNumber(x.max);
  out.push(`${pad}  ${xMin}${' '.repeat(Math.max(1, cols - xMin.length - xMax.length))}${xMax}`);
  out.push(`${pad}  ${x.name} →`);
  out.push(...note, legend);
  return out.join('\n');
}

/**
 * How cells map to characters: by grid bins when the geometry (or `dims`, when their bins multiply to the
 * archive's cells) describes a grid; by centroid when it is a CVT geometry; else by each elite's descriptors.
 */
function placement(
  archive: ArchiveView<unknown>,
  dims: readonly ArchiveDim[],
  geometry: unknown,
  limits: readonly number[],
): { place: Placement; counts: number[] } {
  const continuous = (position: (elite: Elite<unknown>, axis: number) => number | undefined): Placement => {
    return (elite, axis, count) => {
      const dim = dims[axis]!;
      const fraction = ((position(elite, axis) ?? dim.min) - dim.min) / (dim.max - dim.min);
      const i = Math.floor(fraction * count);
      return i >= 0 ? Math.min(i, count - 1) : 0; // also maps NaN (a zero-width dim) to 0
    };
  };

  const centroids = cvtCentroidsOf(geometry);
  if (centroids) return { place: continuous((elite, axis) => centroids[elite.cell]?.[axis]), counts: [...limits] };

  const bins = gridBinsOf(geometry) ?? dims.map((d) => d.bins ?? 0);
  if (
    bins.length > 0 &&
    bins.every((b) => Number.isSafeInteger(b) && b > 0) &&
    bins.reduce((a, b) => a * b, 1) === archive.cells
  ) {
    const binOf = (cell: number, axis: number): number => {
      let rest = cell;
      for (let i = bins.length - 1; i > axis; i--) rest = Math.floor(rest / bins[i]!);
      return rest % bins[axis]!;
    };
    return {
      place: (elite, axis, count) => Math.floor((binOf(elite.cell, axis) * count) / bins[axis]!),
      counts: limits.map((limit, axis) => Math.min(limit, bins[axis] ?? limit)),
    };
  }
  return { place: continuous((elite, axis) => elite.descriptors[axis]), counts: [...limits] };
}

function cvtCentroidsOf(geometry: unknown): readonly (readonly number[])[] | undefined {
  if (!isRecord(geometry) || geometry.type !== 'cvt' || !Array.isArray(geometry.centroids)) return undefined;
  return geometry.centroids as readonly (readonly number[])[];
}

/** The dims of a sliding-boundaries geometry with their outer boundaries now; undefined for any other geometry. */
function slidingDimsOf(geometry: unknown): ArchiveDim[] | undefined {
  if (!isRecord(geometry) || geometry.type !== 'sliding-boundaries' || !Array.isArray(geometry.dims)) return undefined;
  const dims = (geometry.dims as unknown[]).map((d) =>
    isRecord(d) &&
    typeof d.name === 'string' &&
    typeof d.bins === 'number' &&
    typeof d.min === 'number' &&
    typeof d.max === 'number'
      ? { name: d.name, min: d.min, max: d.max, bins: d.bins }
      : undefined,
  );
  return dims.every((d) => d !== undefined) ? dims : undefined;
}

function gridBinsOf(geometry: unknown): number[] | undefined {
  if (!isRecord(geometry) || geometry.type !== 'grid' || !Array.isArray(geometry.dims)) return undefined;
  return (geometry.dims as unknown[]).map((d) => (isRecord(d) && typeof d.bins === 'number' ? d.bins : 0));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** Shade index 0..4 of `v`: the fraction of filled values ≤ v, in fifths, so the best is always '█'. */
function quantileLevel(sorted: readonly number[], v: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! <= v) lo = mid + 1;
    else hi = mid;
  }
  const level = Math.ceil((lo / sorted.length) * HEATMAP_SHADES.length) - 1;
  return Math.min(HEATMAP_SHADES.length - 1, Math.max(0, level));
}

function formatNumber(v: number): string {
  if (Number.isInteger(v) && Math.abs(v) < 1e9) return String(v);
  return toSignificant(v, 4);
}
