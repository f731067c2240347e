// Grid archive (MAP-Elites, Mouret & Clune 2015, arXiv:1504.04909): one elite per cell of a regular grid over descriptor space.
import { z } from 'zod';
import { lazySchema } from '../core/lazy-schema.js';
import { ConfigError } from '../core/errors.js';
import { randomInt, type Rng } from '../core/rng.js';
import { compareScored } from '../core/score.js';
import {
  cellBins,
  type AddResult,
  type Archive,
  type ArchiveDim,
  type ArchiveState,
  type ArchiveStats,
  type Candidate,
  type Elite,
} from './archive.js';
import { QdStatsTracker, type TrackerState } from './stats.js';

// Grids up to this many cells keep a dense cell → slot table (4 bytes a cell); larger, sparse ones use a Map.
const DENSE_CELL_LIMIT = 1 << 23;

/**
 * The elite table shared by the grid and CVT archives: a fixed, finite set of cells indexed 0..cells−1, of which
 * a subclass only defines `cellOf` and `geometry`. Filled cells live in a dense slot array, so `sample` is O(1)
 * per draw; `add` allocates nothing when it rejects a candidate (the hot path of a long run).
 */
export abstract class CellArchive<G> implements Archive<G> {
  readonly cells: number;
  private readonly slots: Elite<G>[] = [];
  /**
   * Each slot's elite's score, side by side: most candidates are worse than their cell's elite, and this rejects them
   * from a small dense column without reading the elite itself (a cache miss per add in a large archive).
   */
  private slotScores = new Float64Array(16);
  /** One frozen `rejected` result per slot, made when the cell is first filled: rejections then allocate nothing. */
  private readonly rejections: AddResult[] = [];
  private readonly slotOf: Int32Array | Map<number, number>;
  private sortedCells: Float64Array | undefined;
  private readonly tracker: QdStatsTracker<Elite<G>>;

  /** @param qdOffset in score units (direction applied); omitted: the minimum score ever added. */
  protected constructor(cells: number, qdOffset?: number) {
    if (!Number.isSafeInteger(cells) || cells < 1)
      throw new Error(`an archive needs a positive whole number of cells, got ${cells}`);
    this.cells = cells;
    this.slotOf = cells <= DENSE_CELL_LIMIT ? new Int32Array(cells).fill(-1) : new Map<number, number>();
    this.tracker = new QdStatsTracker<Elite<G>>(cells, qdOffset);
  }

  /**
   * Cell index of `descriptors`, clipped into range.
   * @throws {Error} when the number of descriptors is wrong or one is NaN.
   */
  abstract cellOf(descriptors: readonly number[]): number;

  abstract geometry(): unknown;

  get size(): number {
    return this.slots.length;
  }

  /**
   * Puts `candidate` in its cell when the cell is empty (`new`) or the candidate is strictly better by
   * `compareScored` (`improved`, with the replaced id in `previous`); ties are `rejected`, as in the reference code.
   * Stores a copy of the descriptors and tiebreak, so callers may reuse their buffers.
   * @throws {Error} when the descriptors do not fit the archive or the score is NaN.
   */
  add(candidate: Candidate<G>): AddResult {
    const cell = this.cellOf(candidate.descriptors);
    const score = candidate.score;
    if (score !== score)
      throw new Error(`candidate ${candidate.id} has a NaN score; the engine must reject it before add()`);
    this.tracker.observe(score);
    const slot = this.slotIndex(cell);
    if (slot < 0) {
      const elite = toElite(candidate, cell);
      this.setSlotIndex(cell, this.slots.length);
      this.pushSlot(elite);
      this.rejections.push(Object.freeze({ status: 'rejected', cell }));
      this.sortedCells = undefined;
      this.tracker.insert(elite);
      return { status: 'new', cell };
    }
    if (score < this.slotScores[slot]!) return this.rejections[slot]!; // worse whatever the tiebreaks say
    const incumbent = this.slots[slot]!;
    if (compareScored(candidate, incumbent) > 0) {
      const elite = toElite(candidate, cell);
      this.setSlot(slot, elite);
      this.tracker.insert(elite, incumbent);
      return { status: 'improved', cell, previous: incumbent.id };
    }
    return this.rejections[slot]!;
  }

  rescore(cell: number, score: number, tiebreak?: readonly number[]): boolean {
    if (score !== score) throw new Error(`cannot rescore cell ${cell} to NaN`);
    const slot = this.get(cell) === undefined ? -1 : this.slotIndex(cell);
    if (slot < 0) return false;
    const old = this.slots[slot]!;
    const { tiebreak: _old, ...rest } = old;
    const elite: Elite<G> = tiebreak ? { ...rest, score, tiebreak: tiebreak.slice() } : { ...rest, score };
    this.setSlot(slot, elite);
    this.tracker.observe(score);
    this.tracker.rescore(elite, old, () => this.slots);
    return true;
  }

  get(cell: number): Elite<G> | undefined {
    if (!Number.isInteger(cell) || cell < 0 || cell >= this.cells) return undefined;
    const slot = this.slotIndex(cell);
    return slot < 0 ? undefined : this.slots[slot];
  }

  /** `n` elites drawn uniformly over filled cells, with replacement, O(1) each; [] when empty. */
  sample(rng: Rng, n: number): Elite<G>[] {
    const filled = this.slots.length;
    const count = Math.floor(n);
    if (filled === 0 || !(count > 0)) return [];
    const out = new Array<Elite<G>>(count);
    for (let i = 0; i < count; i++) out[i] = this.slots[randomInt(rng, filled)]!;
    return out;
  }

  /** Filled cells in ascending cell order, so iteration is deterministic whatever the order of adds. */
  *elites(): IterableIterator<Elite<G>> {
    if (!this.sortedCells) this.sortedCells = Float64Array.from(this.slots, (e) => e.cell).sort();
    for (const cell of this.sortedCells) yield this.slots[this.slotIndex(cell)]!;
  }

  best(): Elite<G> | undefined {
    return this.tracker.best;
  }

  stats(): ArchiveStats {
    return this.tracker.stats();
  }

  /**
   * The elites in slot order (the order cells were first filled, which `sample` draws by) and the statistics' exact
   * state; a subclass adds its own under `extra`.
   */
  saveState(encode: (genome: G) => unknown): CellArchiveState {
    return {
      kind: this.stateKind(),
      elites: this.slots.map((e) => ({ ...savedCandidate(e, encode), c: e.cell })),
      stats: this.tracker.state(),
      ...this.extraState(encode),
    };
  }

  /** @throws {Error} when `state` is of another kind or this archive is not empty. */
  loadState(state: ArchiveState, decode: (encoded: unknown) => G): void {
    const saved = state as CellArchiveState;
    if (saved.kind !== this.stateKind() || !Array.isArray(saved.elites))
      throw new Error(`a ${this.stateKind()} archive cannot load a ${String(state.kind)} state`);
    if (this.slots.length > 0) throw new Error('an archive loads a saved state only while it is empty');
    for (const s of saved.elites) {
      const elite = toElite(loadedCandidate(s, decode), s.c);
      if (this.slotIndex(elite.cell) >= 0 || elite.cell < 0 || elite.cell >= this.cells)
        throw new Error(`a saved archive state puts two elites in cell ${elite.cell} (or one outside the archive)`);
      this.setSlotIndex(elite.cell, this.slots.length);
      this.pushSlot(elite);
      this.rejections.push(Object.freeze({ status: 'rejected', cell: elite.cell }));
    }
    this.sortedCells = undefined;
    const best = saved.stats.best;
    this.tracker.restore(saved.stats, best === undefined ? undefined : this.slots.find((e) => e.id === best));
    this.loadExtraState(saved, decode);
  }

  /** The `kind` of this archive's saved state. */
  protected abstract stateKind(): string;

  /** A subclass's own state beyond the cells (plain data). */
  protected extraState(_encode: (genome: G) => unknown): { extra?: unknown } {
    return {};
  }

  protected loadExtraState(_state: CellArchiveState, _decode: (encoded: unknown) => G): void {}

  /** The filled cells' elites in the order they were first filled (no sort: for re-filing them all). */
  protected filled(): readonly Elite<G>[] {
    return this.slots;
  }

  /**
   * Empties every cell, keeping the statistics' minimum score seen: an archive that re-files its elites (sliding
   * boundaries) adds them again afterwards.
   */
  protected clearCells(): void {
    if (this.slotOf instanceof Int32Array) for (const elite of this.slots) this.slotOf[elite.cell] = -1;
    else this.slotOf.clear();
    this.slots.length = 0;
    this.rejections.length = 0;
    this.sortedCells = undefined;
    this.tracker.clear();
  }

  private pushSlot(elite: Elite<G>): void {
    const slot = this.slots.length;
    this.slots.push(elite);
    if (slot === this.slotScores.length) {
      const grown = new Float64Array(this.slotScores.length * 2);
      grown.set(this.slotScores);
      this.slotScores = grown;
    }
    this.slotScores[slot] = elite.score;
  }

  private setSlot(slot: number, elite: Elite<G>): void {
    this.slots[slot] = elite;
    this.slotScores[slot] = elite.score;
  }

  private slotIndex(cell: number): number {
    const table = this.slotOf;
    return table instanceof Int32Array ? table[cell]! : (table.get(cell) ?? -1);
  }

  private setSlotIndex(cell: number, slot: number): void {
    if (this.slotOf instanceof Int32Array) this.slotOf[cell] = slot;
    else this.slotOf.set(cell, slot);
  }
}

/** A cell archive's saved state (`saveState`): short field names, an archive holds up to millions of elites. */
export interface CellArchiveState extends ArchiveState {
  readonly elites: readonly SavedElite[];
  readonly stats: TrackerState;
  readonly extra?: unknown;
}

/** A candidate as saved: i id, g encoded genome, s score, d descriptors, tb tiebreak, m metrics, ob objectives. */
export interface SavedCandidate {
  readonly i: number;
  readonly g: unknown;
  readonly s: number;
  readonly d: readonly number[];
  readonly tb?: readonly number[];
  readonly m?: Readonly<Record<string, number>>;
  readonly ob?: readonly number[];
}

/** An elite as saved: a candidate and its cell `c`. */
export interface SavedElite extends SavedCandidate {
  readonly c: number;
}

export function savedCandidate<G>(e: Candidate<G>, encode: (genome: G) => unknown): SavedCandidate {
  const out: { -readonly [K in keyof SavedCandidate]: SavedCandidate[K] } = {
    i: e.id,
    g: encode(e.genome),
    s: e.score,
    d: e.descriptors,
  };
  if (e.tiebreak) out.tb = e.tiebreak;
  if (e.metrics) out.m = e.metrics;
  if (e.objectives) out.ob = e.objectives;
  return out;
}

/** The candidate back, with the optional fields only when saved (as the engine makes them). */
export function loadedCandidate<G>(s: SavedCandidate, decode: (encoded: unknown) => G): Candidate<G> {
  const c: { -readonly [K in keyof Candidate<G>]: Candidate<G>[K] } = {
    id: s.i,
    genome: decode(s.g),
    score: s.s,
    descriptors: [...s.d],
  };
  if (s.tb) c.tiebreak = [...s.tb];
  if (s.m) c.metrics = { ...s.m };
  if (s.ob) c.objectives = [...s.ob];
  return c;
}

function toElite<G>(candidate: Candidate<G>, cell: number): Elite<G> {
  const { id, score, tiebreak, descriptors, metrics, objectives } = candidate;
  const genome = ownMemory(candidate.genome);
  // Filled in place, not spread: a spread copy of an object gets a map of its own here, and elites with thousands of
  // maps made every read of elite.score or elite.genome a megamorphic lookup (about a tenth of a cheap run's time).
  const elite: Writable<Elite<G>> = tiebreak
    ? { cell, id, genome, score, tiebreak: tiebreak.slice(), descriptors: descriptors.slice() }
    : { cell, id, genome, score, descriptors: descriptors.slice() };
  if (metrics) elite.metrics = metrics;
  // Carried, not compared: a single-objective archive of a run with objectives still shows them (e.g. against MOME).
  if (objectives) elite.objectives = objectives.slice();
  return elite;
}

/**
 * An elite is kept long: a typed-array genome that is a view of a larger buffer (spaces allocate short-lived genomes
 * from shared slabs) is copied, so the archive never holds a slab alive for one genome.
 */
export function ownMemory<G>(genome: G): G {
  if (!ArrayBuffer.isView(genome) || genome instanceof DataView) return genome;
  const view = genome as unknown as Float64Array;
  return view.byteLength === view.buffer.byteLength ? genome : (view.slice() as unknown as G);
}

/** Options of the `grid` archive (the config object minus `type`; the run's `qdOffset` arrives via the deps). */
export const gridArchiveOptionsSchema = lazySchema(() =>
  z.strictObject({
    dims: z
      .array(
        z
          .strictObject({
            name: z.string().min(1),
            min: z.number(),
            max: z.number(),
            bins: z.number().int().positive(),
          })
          .superRefine(dimRange),
      )
      .min(1, 'a grid archive needs at least one descriptor dim')
      .superRefine(uniqueDimNames),
    /** Share of elites in a dim's edge bins above which the run ends with a warning (archive/edges.ts); 1: never. */
    edgeWarning: z.number().min(0).max(1).optional(),
  }),
);

/** Zod refinement: a dim's max is above its min (when both are given). */
export function dimRange(
  dim: { readonly name: string; readonly min?: number; readonly max?: number },
  ctx: z.RefinementCtx,
): void {
  if (dim.min !== undefined && dim.max !== undefined && !(dim.max > dim.min))
    ctx.addIssue({
      code: 'custom',
      path: ['max'],
      message: `dim "${dim.name}": max (${dim.max}) must be greater than min (${dim.min})`,
    });
}

/** Zod refinement: dim names are unique (they label exports and heatmaps). */
export function uniqueDimNames(dims: readonly { readonly name: string }[], ctx: z.RefinementCtx): void {
  const seen = new Set<string>();
  dims.forEach((dim, i) => {
    if (seen.has(dim.name))
      ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `dim name "${dim.name}" is used twice` });
    seen.add(dim.name);
  });
}

/**
 * Default `archive.edgeWarning` (archive/edges.ts). A dim's two edge bins hold 2/bins of a uniformly filled grid (2%
 * at 100 bins, 20% at 10), and a search that stays inside the range fills the edges last; more than half the elites
 * there means the descriptors run past the range and are clipped in.
 */
export const DEFAULT_EDGE_WARNING = 0.5;

/** Options for `createGridArchive`. */
export interface GridArchiveOptions {
  readonly dims: readonly ArchiveDim[];
  /** Share of elites in a dim's edge bins above which a run warns (default DEFAULT_EDGE_WARNING, 0.5). */
  readonly edgeWarning?: number;
  /** In score units, direction applied. Omitted: the minimum score ever added. */
  readonly qdOffset?: number;
}

/** The plain data `geometry()` returns; stored with the run so a resume can check the config did not change. */
export interface GridGeometry {
  readonly type: 'grid';
  readonly dims: readonly Required<ArchiveDim>[];
}

/**
 * A regular grid: each dim's [min, max] is cut into `bins` equal bins and the cell index is row-major (the first
 * dim varies slowest). Descriptors outside [min, max] are clipped into the edge bin; a descriptor equal to max
 * falls in the last bin.
 */
export class GridArchive<G> extends CellArchive<G> {
  readonly dims: readonly Required<ArchiveDim>[];
  /** See GridArchiveOptions; read by the end-of-run check in archive/edges.ts. */
  readonly edgeWarning: number;
  private readonly mins: Float64Array;
  private readonly scales: Float64Array;
  private readonly bins: Int32Array;
  /** Each dim's bin of the last `cellOf` (add's edge statistics read them instead of dividing the cell back). */
  private readonly lastBins: Int32Array;
  // Every candidate added, rejected ones too (a replay adds them again): per dim, those in an edge bin and the
  // descriptors' span. A range set too narrow shows here even when the interior cells are full.
  private adds = 0;
  private readonly edgeAdds: Float64Array;
  private readonly lowest: Float64Array;
  private readonly highest: Float64Array;

  constructor(options: GridArchiveOptions) {
    const dims = checkGridDims(options.dims);
    super(
      dims.reduce((cells, d) => cells * d.bins, 1),
      options.qdOffset,
    );
    this.dims = dims;
    this.edgeWarning = options.edgeWarning ?? DEFAULT_EDGE_WARNING;
    this.mins = Float64Array.from(dims, (d) => d.min);
    this.scales = Float64Array.from(dims, (d) => d.bins / (d.max - d.min));
    this.bins = Int32Array.from(dims, (d) => d.bins);
    this.lastBins = new Int32Array(dims.length);
    this.edgeAdds = new Float64Array(dims.length);
    this.lowest = new Float64Array(dims.length).fill(Infinity);
    this.highest = new Float64Array(dims.length).fill(-Infinity);
  }

  /** As CellArchive's add, also counting the candidate into the edge statistics (`candidateEdges`). */
  override add(candidate: Candidate<G>): AddResult {
    const result = super.add(candidate); // its cellOf left each dim's bin in lastBins
    this.adds++;
    const descriptors = candidate.descriptors;
    for (let i = 0; i < this.bins.length; i++) {
      const bin = this.lastBins[i]!;
      if (bin === 0 || bin === this.bins[i]! - 1) this.edgeAdds[i]!++;
      const x = descriptors[i]!;
      if (x < this.lowest[i]!) this.lowest[i] = x;
      if (x > this.highest[i]!) this.highest[i] = x;
    }
    return result;
  }

  protected stateKind(): string {
    return 'grid';
  }

  /** The edge statistics (every candidate added, rejected ones too). */
  protected override extraState(): { extra: GridExtraState } {
    return { extra: this.candidateEdges() };
  }

  protected override loadExtraState(state: CellArchiveState): void {
    const extra = state.extra as GridExtraState | undefined;
    if (!extra || extra.edge.length !== this.bins.length)
      throw new Error('a saved grid archive state lacks its edge statistics, or has another number of dims');
    this.adds = extra.adds;
    this.edgeAdds.set(extra.edge);
    this.lowest.set(extra.lowest);
    this.highest.set(extra.highest);
  }

  /** Candidates added so far and, per dim, how many fell in its first or last bin, and their descriptors' span. */
  candidateEdges(): { adds: number; edge: number[]; lowest: number[]; highest: number[] } {
    return {
      adds: this.adds,
      edge: Array.from(this.edgeAdds),
      lowest: Array.from(this.lowest),
      highest: Array.from(this.highest),
    };
  }

  /**
   * Row-major cell index of the bins holding `descriptors`, each clipped into its dim's range.
   * @throws {Error} when `descriptors.length` differs from the number of dims, or a descriptor is NaN.
   */
  cellOf(descriptors: readonly number[]): number {
    const n = this.bins.length;
    if (descriptors?.length !== n) throw descriptorCountError('grid', this.dims, descriptors?.length);
    let cell = 0;
    for (let i = 0; i < n; i++) {
      const x = descriptors[i]!;
      if (x !== x) throw nanDescriptorError(this.dims, i);
      const bins = this.bins[i]!;
      let bin = Math.floor((x - this.mins[i]!) * this.scales[i]!);
      if (bin < 0) bin = 0;
      else if (bin >= bins) bin = bins - 1;
      this.lastBins[i] = bin;
      cell = cell * bins + bin;
    }
    return cell;
  }

  /** The bin index in each dim of `cell` (the inverse of the row-major index). */
  binsOf(cell: number): number[] {
    return cellBins(this.bins, cell);
  }

  geometry(): GridGeometry {
    return { type: 'grid', dims: this.dims.map((d) => ({ ...d })) };
  }
}

type GridExtraState = ReturnType<GridArchive<unknown>['candidateEdges']>;

/**
 * Builds a grid archive. When `restore.geometry` is given (the geometry saved with a run), it must describe the
 * same grid as `options`, so a resumed run cannot put old elites in new cells.
 * @throws {ConfigError} when a dim is invalid (bins not a positive integer, max ≤ min), the grid has more than
 * 2^53 cells, or the saved geometry differs from the options.
 */
export function createGridArchive<G>(
  options: GridArchiveOptions,
  restore: { readonly geometry?: unknown } = {},
): GridArchive<G> {
  const archive = new GridArchive<G>(options);
  if (restore.geometry !== undefined) {
    const saved = gridGeometrySchema.safeParse(restore.geometry);
    const dims = archive.dims;
    const same =
      saved.success &&
      saved.data.dims.length === dims.length &&
      saved.data.dims.every(
        (d, i) =>
          d.name === dims[i]!.name && d.min === dims[i]!.min && d.max === dims[i]!.max && d.bins === dims[i]!.bins,
      );
    if (!same) {
      throw new ConfigError(
        `the run's grid archive geometry does not match the config: saved ${JSON.stringify(restore.geometry)}, config ${JSON.stringify(archive.geometry())}`,
        [],
        'Resume with the archive settings the run was started with, or start a new run.',
      );
    }
  }
  return archive;
}

const gridGeometrySchema = lazySchema(() =>
  z.object({
    type: z.literal('grid'),
    dims: z.array(z.object({ name: z.string(), min: z.number(), max: z.number(), bins: z.number() })),
  }),
);

function checkGridDims(dims: readonly ArchiveDim[]): Required<ArchiveDim>[] {
  if (dims.length === 0) throw new ConfigError('a grid archive needs at least one descriptor dim');
  let cells = 1;
  const checked = dims.map((d) => {
    const bins = d.bins;
    if (bins === undefined || !Number.isSafeInteger(bins) || bins < 1) {
      throw new ConfigError(`grid dim "${d.name}": bins must be a positive integer, got ${String(bins)}`);
    }
    checkRange(d);
    cells *= bins;
    return { name: d.name, min: d.min, max: d.max, bins };
  });
  if (!Number.isSafeInteger(cells)) {
    throw new ConfigError(
      `the grid has ${cells} cells, more than can be indexed`,
      [],
      'Use fewer bins, or a cvt archive for many descriptor dims.',
    );
  }
  return checked;
}

/** @throws {ConfigError} unless min and max are finite and max > min. */
export function checkRange(dim: ArchiveDim): void {
  if (!Number.isFinite(dim.min) || !Number.isFinite(dim.max) || !(dim.max > dim.min)) {
    throw new ConfigError(`dim "${dim.name}": max (${dim.max}) must be greater than min (${dim.min}), both finite`);
  }
}

/** The error for a descriptor array of the wrong length (built only when thrown: `add` must not allocate). */
export function descriptorCountError(kind: string, dims: readonly ArchiveDim[], got: number | undefined): Error {
  const names = dims.map((d) => d.name).join(', ');
  return new Error(`${kind} archive expects ${dims.length} descriptors (${names}), got ${got ?? 'none'}`);
}

/** The error for a NaN descriptor, naming its dim. */
export function nanDescriptorError(dims: readonly ArchiveDim[], index: number): Error {
  return new Error(
    `descriptor ${index} ("${dims[index]?.name ?? '?'}") is NaN; evaluators must return finite descriptors`,
  );
}

type Writable<T> = { -readonly [K in keyof T]: T[K] };
