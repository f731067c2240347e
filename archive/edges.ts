// Edge cells of a grid archive: the share of elites, and of all candidates added, in the first or last bin of each dim — the mark of a range set too narrow.
// Types only from grid.ts: the summary (and so `elites runs`) reads this without loading the archives' schemas.
import type { ArchiveView } from './archive.js';
import type { GridArchive } from './grid.js';

/** Fewer elites than this say nothing about a share. */
export const EDGE_WARNING_MIN_ELITES = 10;

/** One dim's edge bins (its first and last): the share of elites and of all candidates added that sit in them. */
export interface EdgeShare {
  readonly name: string;
  readonly bins: number;
  readonly min: number;
  readonly max: number;
  /** Elites whose bin in this dim is the first or the last, over all elites: 0..1. */
  readonly share: number;
  /**
   * Candidates ever added (rejected ones too) that fell in those bins, over all added: 0..1. It shows a range set too
   * narrow even when the interior cells are full too, where the elites' share stays near 2/bins.
   */
  readonly candidateShare: number;
  /** Lowest and highest descriptor in this dim among the candidates added (unclipped). */
  readonly lowest: number;
  readonly highest: number;
}

/** What the summary carries (`warnings`) when elites or candidates pile into edge cells. */
export interface EdgeCellWarning {
  readonly code: 'archive-edge-cells';
  readonly message: string;
  /** The share above which a dim is named (`archive.edgeWarning`). */
  readonly threshold: number;
  readonly elites: number;
  readonly candidates: number;
  /** The dims whose elites' or candidates' share passed the threshold. */
  readonly dims: readonly EdgeShare[];
}

/** Per dim of a grid, the share of its elites and of its added candidates in that dim's edge bins; [] when empty. */
export function edgeShares<G>(archive: GridArchive<G>): EdgeShare[] {
  const dims = archive.dims;
  const edge = new Array<number>(dims.length).fill(0);
  let count = 0;
  for (const elite of archive.elites()) {
    count++;
    const bins = archive.binsOf(elite.cell);
    dims.forEach((d, i) => {
      if (bins[i] === 0 || bins[i] === d.bins - 1) edge[i]!++;
    });
  }
  if (count === 0) return [];
  const added = archive.candidateEdges();
  return dims.map((d, i) => ({
    name: d.name,
    bins: d.bins,
    min: d.min,
    max: d.max,
    share: edge[i]! / count,
    candidateShare: added.adds > 0 ? added.edge[i]! / added.adds : 0,
    lowest: added.lowest[i]!,
    highest: added.highest[i]!,
  }));
}

/**
 * The warning for a grid archive when more than `threshold` (default: the archive's `edgeWarning`) of its elites, or
 * of the candidates added to it, sit in the edge bins of some dim; undefined otherwise, for other archives, below
 * EDGE_WARNING_MIN_ELITES elites, and for dims whose edge bins are already that share of their bins (a uniform fill
 * would pass the threshold).
 */
export function edgeCellWarning<G>(archive: ArchiveView<G>, threshold?: number): EdgeCellWarning | undefined {
  if (!isGrid(archive)) return undefined;
  const grid = archive;
  const limit = threshold ?? grid.edgeWarning;
  if (grid.size < EDGE_WARNING_MIN_ELITES) return undefined;
  const dims = edgeShares(grid).filter((d) => 2 / d.bins < limit && (d.share > limit || d.candidateShare > limit));
  if (dims.length === 0) return undefined;
  const candidates = grid.candidateEdges().adds;
  return {
    code: 'archive-edge-cells',
    message: edgeMessage(dims, grid.size, candidates, limit),
    threshold: limit,
    elites: grid.size,
    candidates,
    dims,
  };
}

/** A grid archive (or a subclass): it counts the candidates that fall in its edge bins. */
function isGrid<G>(archive: ArchiveView<G>): archive is GridArchive<G> {
  const grid = archive as Partial<GridArchive<G>>;
  return (
    typeof grid.candidateEdges === 'function' &&
    typeof grid.binsOf === 'function' &&
    typeof grid.edgeWarning === 'number'
  );
}

function edgeMessage(dims: readonly EdgeShare[], elites: number, candidates: number, threshold: number): string {
  const pct = (x: number): string => `${Math.round(100 * x)}%`;
  const each = dims
    .map(
      (d) =>
        `${d.name}: ${pct(d.candidateShare)} of the ${candidates} candidates and ${pct(d.share)} of the ${elites} elites ` +
        `fell in its first or last bin (of ${d.bins}); the candidates span ${num(d.lowest)} … ${num(d.highest)}, ` +
        `the range is ${num(d.min)} … ${num(d.max)}`,
    )
    .join('; ');
  return (
    `descriptors pile into the edge cells of the grid (more than archive.edgeWarning ${threshold}) — ${each}. ` +
    "Descriptors outside a dim's [min, max] are clipped into its edge bins, so the range is likely too narrow: " +
    'widen min/max in archive.dims to cover them, or use `archive: { type: sliding-boundaries }`, whose bins follow ' +
    'the descriptors found.'
  );
}

function num(v: number): string {
  return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(4)));
}
