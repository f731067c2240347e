// Edge cells of a grid archive: the share of elites in the first or last bin of each dim, the mark of a range set too narrow.
import type { ArchiveView } from './archive.js';
import { GridArchive } from './grid.js';

export { DEFAULT_EDGE_WARNING } from './grid.js';
/** Fewer elites than this say nothing about a share. */
export const EDGE_WARNING_MIN_ELITES = 10;

/** One dim's edge bins: the share of elites in them, and the span of the elites' (unclipped) descriptors. */
export interface EdgeShare {
  readonly name: string;
  readonly bins: number;
  /** Elites whose bin in this dim is the first or the last, over all elites: 0..1. */
  readonly share: number;
  readonly min: number;
  readonly max: number;
  /** Lowest and highest descriptor in this dim among the elites. */
  readonly lowest: number;
  readonly highest: number;
}

/** What the summary carries (`warnings`) when elites pile into edge cells. */
export interface EdgeCellWarning {
  readonly code: 'archive-edge-cells';
  readonly message: string;
  /** The share above which a dim is named (`archive.edgeWarning`). */
  readonly threshold: number;
  readonly elites: number;
  /** The dims whose share passed the threshold. */
  readonly dims: readonly EdgeShare[];
}

/** Per dim of a grid, the share of its elites in that dim's edge bins; [] when it is empty. */
export function edgeShares<G>(archive: GridArchive<G>): EdgeShare[] {
  const dims = archive.dims;
  const edge = new Array<number>(dims.length).fill(0);
  const lowest = new Array<number>(dims.length).fill(Infinity);
  const highest = new Array<number>(dims.length).fill(-Infinity);
  let count = 0;
  for (const elite of archive.elites()) {
    count++;
    const bins = archive.binsOf(elite.cell);
    dims.forEach((d, i) => {
      if (bins[i] === 0 || bins[i] === d.bins - 1) edge[i]!++;
      const x = elite.descriptors[i]!;
      if (x < lowest[i]!) lowest[i] = x;
      if (x > highest[i]!) highest[i] = x;
    });
  }
  if (count === 0) return [];
  return dims.map((d, i) => ({
    name: d.name,
    bins: d.bins,
    share: edge[i]! / count,
    min: d.min,
    max: d.max,
    lowest: lowest[i]!,
    highest: highest[i]!,
  }));
}

/**
 * The warning for a grid archive when more than `threshold` of its elites (default: the archive's `edgeWarning`)
 * sit in the edge bins of some dim; undefined otherwise, for other archives, below EDGE_WARNING_MIN_ELITES elites,
 * and for dims whose edge bins are already that share of their bins (a uniform fill would pass the threshold).
 */
export function edgeCellWarning<G>(archive: ArchiveView<G>, threshold?: number): EdgeCellWarning | undefined {
  if (!(archive instanceof GridArchive)) return undefined;
  const grid = archive as GridArchive<G>;
  const limit = threshold ?? grid.edgeWarning;
  if (grid.size < EDGE_WARNING_MIN_ELITES) return undefined;
  const dims = edgeShares(grid).filter((d) => 2 / d.bins < limit && d.share > limit);
  if (dims.length === 0) return undefined;
  return {
    code: 'archive-edge-cells',
    message: edgeMessage(dims, grid.size, limit),
    threshold: limit,
    elites: grid.size,
    dims,
  };
}

function edgeMessage(dims: readonly EdgeShare[], elites: number, threshold: number): string {
  const pct = (x: number): string => `${Math.round(100 * x)}%`;
  const shares = dims.map((d) => `${pct(d.share)} in the first or last of the ${d.bins} bins of ${d.name}`).join(', ');
  const spans = dims
    .map((d) => `${d.name} ${num(d.lowest)} … ${num(d.highest)} (range ${num(d.min)} … ${num(d.max)})`)
    .join(', ');
  return (
    `of the grid's ${elites} elites, ${shares} (more than archive.edgeWarning ${threshold}): descriptors outside a ` +
    `dim's [min, max] are clipped into its edge bins, so the range is likely too narrow. The elites' descriptors ` +
    `span ${spans}. Widen min/max in archive.dims to cover them, or use \`archive: { type: sliding-boundaries }\`, ` +
    'whose bins follow the descriptors found.'
  );
}

function num(v: number): string {
  return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(4)));
}
