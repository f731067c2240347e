// Sliding-boundaries archive (Fontaine et al. 2019, arXiv:1904.10656; pyribs SlidingBoundariesArchive): a grid whose bin boundaries follow the percentiles of recent descriptors.
import { z } from 'zod';
import { lazySchema } from '../core/lazy-schema.js';
import { ConfigError } from '../core/errors.js';
import { cellBins, type AddResult, type Candidate } from './archive.js';
import {
  CellArchive,
  descriptorCountError,
  loadedCandidate,
  nanDescriptorError,
  ownMemory,
  savedCandidate,
  dimRange,
  uniqueDimNames,
  type CellArchiveState,
  type SavedCandidate,
} from './grid.js';

/** A descriptor axis: a name and its number of bins; `min`/`max` only set the bins until the first remap. */
export interface SlidingDim {
  readonly name: string;
  readonly bins: number;
  readonly min?: number;
  readonly max?: number;
}

const slidingDimSchema = lazySchema(() =>
  z
    .strictObject({
      name: z.string().min(1),
      bins: z.number().int().positive(),
      min: z.number().optional(),
      max: z.number().optional(),
    })
    .superRefine(dimRange),
);

/** Options of the `sliding-boundaries` archive (the config object minus `type`; `qdOffset` arrives via the deps). */
export const slidingBoundariesArchiveOptionsSchema = lazySchema(() =>
  z.strictObject({
    dims: z
      .array(slidingDimSchema)
      .min(1, 'a sliding-boundaries archive needs at least one descriptor dim')
      .superRefine(uniqueDimNames)
      .superRefine((dims, ctx) => {
        const ranged = dims.filter((d) => d.min !== undefined && d.max !== undefined).length;
        const partial = dims.findIndex((d) => (d.min === undefined) !== (d.max === undefined));
        if (partial >= 0 || (ranged > 0 && ranged < dims.length))
          ctx.addIssue({
            code: 'custom',
            path: [partial >= 0 ? partial : 0],
            message:
              'give a starting min and max for every dim, or for none (the boundaries then come from the first adds)',
          });
      }),
    /** Adds between remaps (pyribs' default 100). */
    remapFrequency: z.number().int().positive().default(100),
    /** Most recent candidates kept: the boundaries are their percentiles, and a remap adds them again (pyribs: 1000). */
    bufferCapacity: z.number().int().positive().default(1000),
  }),
);

export interface SlidingBoundariesArchiveOptions {
  readonly dims: readonly SlidingDim[];
  readonly remapFrequency?: number;
  readonly bufferCapacity?: number;
  /** In score units, direction applied. Omitted: the minimum score ever added. */
  readonly qdOffset?: number;
}

/** `geometry()`: the settings and the boundaries now. A resume checks the settings, then replays the log. */
export interface SlidingBoundariesGeometry {
  readonly type: 'sliding-boundaries';
  /** `min`/`max`: the outer boundaries now (absent before the first add when no starting range was given). */
  readonly dims: readonly { name: string; bins: number; min?: number; max?: number }[];
  /** `bins + 1` ascending boundaries per dim (bin j is [b[j], b[j+1]), the last one closed); [] before known. */
  readonly boundaries: readonly (readonly number[])[];
  /** The configured starting ranges, when given. */
  readonly start?: readonly { min: number; max: number }[];
  readonly remapFrequency: number;
  readonly bufferCapacity: number;
  /** Remaps so far. */
  readonly remaps: number;
}

/**
 * A grid with `bins` bins per dim whose boundaries move: the archive keeps the `bufferCapacity` most recent
 * candidates (rejected ones too) and, after every `remapFrequency` adds, sets each dim's boundaries to the
 * percentiles of the buffer's descriptors (boundary j = the ⌊j·n/bins⌋-th smallest, the last = the largest), empties
 * the cells and adds the elites and then the buffer again, so each new cell keeps the best of them. Descriptors
 * outside the outer boundaries are clipped into the edge bins. Without a starting range the archive also remaps
 * after adds 1, 2, 4, 8, … below `remapFrequency`, so it has boundaries from the first add. Deterministic in the
 * order of adds, like every archive; elites change cells at a remap.
 */
export class SlidingBoundariesArchive<G> extends CellArchive<G> {
  /** A buffered candidate rejected now may take a cell at the next remap. */
  readonly keepsRejected = true;
  readonly axes: readonly SlidingDim[];
  readonly remapFrequency: number;
  readonly bufferCapacity: number;
  private readonly bins: Int32Array;
  /** Per dim, `bins + 1` boundaries; NaN until known. */
  private readonly edges: Float64Array[];
  private readonly hasStart: boolean;
  /** The buffer: a ring of own copies, oldest at `head` once full. */
  private readonly buffer: Candidate<G>[] = [];
  private head = 0;
  /** Buffer slot of each buffered id, so `rescore` keeps the buffer's copy in step with the elite. */
  private readonly bufferSlot = new Map<number, number>();
  private adds = 0;
  private remapCount = 0;

  constructor(options: SlidingBoundariesArchiveOptions) {
    const axes = checkSlidingDims(options.dims);
    super(
      axes.reduce((cells, d) => cells * d.bins, 1),
      options.qdOffset,
    );
    this.axes = axes;
    this.remapFrequency = positiveInt(options.remapFrequency ?? 100, 'remapFrequency');
    this.bufferCapacity = positiveInt(options.bufferCapacity ?? 1000, 'bufferCapacity');
    this.bins = Int32Array.from(axes, (d) => d.bins);
    this.hasStart = axes.every((d) => d.min !== undefined && d.max !== undefined);
    this.edges = axes.map((d) => {
      const edges = new Float64Array(d.bins + 1).fill(Number.NaN);
      if (this.hasStart) for (let j = 0; j <= d.bins; j++) edges[j] = d.min! + ((d.max! - d.min!) * j) / d.bins;
      return edges;
    });
  }

  /** Remaps so far. */
  get remaps(): number {
    return this.remapCount;
  }

  /** The boundaries now: `bins + 1` per dim, ascending; NaN before the first add when no range was given. */
  boundaries(): number[][] {
    return this.edges.map((e) => Array.from(e));
  }

  /**
   * Buffers `candidate`, then adds it; every `remapFrequency`-th add remaps instead and returns the status of the
   * candidate added last, after the elites and the rest of the buffer (pyribs' rule).
   * @throws {Error} when the descriptors do not fit the archive or the score is NaN (nothing is buffered then).
   */
  override add(candidate: Candidate<G>): AddResult {
    this.checkDescriptors(candidate.descriptors);
    if (candidate.score !== candidate.score)
      throw new Error(`candidate ${candidate.id} has a NaN score; the engine must reject it before add()`);
    this.buffered(candidate);
    this.adds++;
    if (this.remapDue()) return this.remap();
    return super.add(candidate);
  }

  /** As for every archive; the buffer's copy of that elite takes the new score too, so a remap does not undo it. */
  override rescore(cell: number, score: number, tiebreak?: readonly number[]): boolean {
    const id = this.get(cell)?.id;
    if (!super.rescore(cell, score, tiebreak)) return false;
    const slot = id === undefined ? undefined : this.bufferSlot.get(id);
    if (slot !== undefined) {
      const { tiebreak: _old, ...rest } = this.buffer[slot]!;
      this.buffer[slot] = tiebreak ? { ...rest, score, tiebreak: tiebreak.slice() } : { ...rest, score };
    }
    return true;
  }

  /**
   * Row-major cell of `descriptors` under the boundaries now, each clipped into [first, last boundary]; a value on
   * a boundary falls in the bin above it, the largest in the last bin that starts below it (pyribs' `index_of` with
   * its epsilon → 0). Cell 0 before any boundary is known.
   * @throws {Error} when `descriptors.length` differs from the number of dims, or a descriptor is NaN.
   */
  cellOf(descriptors: readonly number[]): number {
    this.checkDescriptors(descriptors);
    let cell = 0;
    for (let i = 0; i < this.bins.length; i++) {
      const bins = this.bins[i]!;
      cell = cell * bins + binOf(this.edges[i]!, bins, descriptors[i]!);
    }
    return cell;
  }

  /** The bin index in each dim of `cell` (the inverse of the row-major index). */
  binsOf(cell: number): number[] {
    return cellBins(this.bins, cell);
  }

  geometry(): SlidingBoundariesGeometry {
    const known = !Number.isNaN(this.edges[0]![0]!);
    return {
      type: 'sliding-boundaries',
      dims: this.axes.map((d, i) => {
        const e = this.edges[i]!;
        return known ? { name: d.name, bins: d.bins, min: e[0]!, max: e[d.bins]! } : { name: d.name, bins: d.bins };
      }),
      boundaries: known ? this.boundaries() : this.axes.map(() => []),
      ...(this.hasStart ? { start: this.axes.map((d) => ({ min: d.min!, max: d.max! })) } : {}),
      remapFrequency: this.remapFrequency,
      bufferCapacity: this.bufferCapacity,
      remaps: this.remapCount,
    };
  }

  protected stateKind(): string {
    return 'sliding-boundaries';
  }

  /** The buffer (genomes through the same `encode` as the elites'), its ring position, the counts and boundaries. */
  protected override extraState(encode: (genome: G) => unknown): { extra: SlidingExtraState } {
    return {
      extra: {
        buffer: this.buffer.map((c) => savedCandidate(c, encode)),
        head: this.head,
        bufferSlot: [...this.bufferSlot],
        adds: this.adds,
        remaps: this.remapCount,
        edges: this.edges.map((e) => Array.from(e)),
      },
    };
  }

  protected override loadExtraState(state: CellArchiveState, decode: (encoded: unknown) => G): void {
    const extra = state.extra as SlidingExtraState | undefined;
    if (!extra || extra.edges.length !== this.edges.length)
      throw new Error('a saved sliding-boundaries state lacks its buffer, or has another number of dims');
    this.buffer.push(...extra.buffer.map((c) => loadedCandidate(c, decode)));
    this.head = extra.head;
    for (const [id, slot] of extra.bufferSlot) this.bufferSlot.set(id, slot);
    this.adds = extra.adds;
    this.remapCount = extra.remaps;
    extra.edges.forEach((e, i) => this.edges[i]!.set(e));
  }

  private checkDescriptors(descriptors: readonly number[]): void {
    const n = this.bins.length;
    if (descriptors?.length !== n)
      throw descriptorCountError('sliding-boundaries', dimsForErrors(this.axes), descriptors?.length);
    for (let i = 0; i < n; i++)
      if (descriptors[i]! !== descriptors[i]!) throw nanDescriptorError(dimsForErrors(this.axes), i);
  }

  /** Puts an own copy in the ring (the caller may reuse its buffers; a slab genome is copied out). */
  private buffered(candidate: Candidate<G>): void {
    const copy: Candidate<G> = {
      ...candidate,
      genome: ownMemory(candidate.genome),
      descriptors: candidate.descriptors.slice(),
      ...(candidate.tiebreak ? { tiebreak: candidate.tiebreak.slice() } : {}),
    };
    let slot = this.buffer.length;
    if (slot < this.bufferCapacity) this.buffer.push(copy);
    else {
      slot = this.head;
      const old = this.buffer[slot]!;
      if (this.bufferSlot.get(old.id) === slot) this.bufferSlot.delete(old.id);
      this.buffer[slot] = copy;
      this.head = (slot + 1) % this.bufferCapacity;
    }
    this.bufferSlot.set(candidate.id, slot);
  }

  private remapDue(): boolean {
    if (this.adds % this.remapFrequency === 0) return true;
    // No range to start from: remap on a doubling schedule until the regular one takes over.
    return !this.hasStart && this.adds < this.remapFrequency && (this.adds & (this.adds - 1)) === 0;
  }

  /** New boundaries from the buffer; then the elites and the buffer (oldest first) are added again. */
  private remap(): AddResult {
    const n = this.buffer.length;
    const column = new Float64Array(n);
    this.axes.forEach((dim, i) => {
      for (let k = 0; k < n; k++) column[k] = this.buffer[k]!.descriptors[i]!;
      column.sort();
      const edges = this.edges[i]!;
      for (let j = 0; j < dim.bins; j++) edges[j] = column[Math.floor((j * n) / dim.bins)]!;
      edges[dim.bins] = column[n - 1]!;
    });
    this.remapCount++;
    // An elite is a candidate plus its cell; add() files it anew. Slot order, not cell order: no sort per remap.
    const elites: readonly Candidate<G>[] = this.filled().slice();
    this.clearCells();
    for (const elite of elites) super.add(elite);
    const start = n < this.bufferCapacity ? 0 : this.head;
    for (let k = 0; k < n - 1; k++) super.add(this.buffer[(start + k) % n]!);
    return super.add(this.buffer[(start + n - 1) % n]!);
  }
}

interface SlidingExtraState {
  readonly buffer: readonly SavedCandidate[];
  readonly head: number;
  readonly bufferSlot: readonly (readonly [number, number])[];
  readonly adds: number;
  readonly remaps: number;
  readonly edges: readonly (readonly number[])[];
}

/**
 * Builds a sliding-boundaries archive. When `restore.geometry` is given (saved when the run started), its settings
 * must be the options' (the boundaries themselves come back by replaying the log).
 * @throws {ConfigError} when a dim is invalid or the saved settings differ from the options.
 */
export function createSlidingBoundariesArchive<G>(
  options: SlidingBoundariesArchiveOptions,
  restore: { readonly geometry?: unknown } = {},
): SlidingBoundariesArchive<G> {
  const archive = new SlidingBoundariesArchive<G>(options);
  if (restore.geometry !== undefined && settingsOf(restore.geometry) !== settingsOf(archive.geometry())) {
    throw new ConfigError(
      `the run's sliding-boundaries archive settings do not match the config: saved ${settingsOf(restore.geometry)}, config ${settingsOf(archive.geometry())}`,
      [],
      'Resume with the archive settings the run was started with, or start a new run.',
    );
  }
  return archive;
}

/** The parts of a geometry that the config fixes, as a comparable string (undefined for another archive's). */
function settingsOf(geometry: unknown): string | undefined {
  const g = savedSchema.safeParse(geometry);
  if (!g.success) return undefined;
  const { dims, start, remapFrequency, bufferCapacity } = g.data;
  return JSON.stringify({
    dims: dims.map((d) => [d.name, d.bins]),
    start: start ?? null,
    remapFrequency,
    bufferCapacity,
  });
}

const savedSchema = lazySchema(() =>
  z.object({
    type: z.literal('sliding-boundaries'),
    dims: z.array(z.object({ name: z.string(), bins: z.number() })),
    start: z.array(z.object({ min: z.number(), max: z.number() })).optional(),
    remapFrequency: z.number(),
    bufferCapacity: z.number(),
  }),
);

/** Bin of `x` under `edges` (bins + 1 ascending values); see `cellOf`. */
function binOf(edges: Float64Array, bins: number, x: number): number {
  const upper = edges[bins]!;
  if (!(x < upper)) {
    if (upper !== upper) return 0; // no boundaries yet
    // At or past the top: the last bin that starts below the top (bins that start at it are empty, zero width).
    let lo = 0;
    let hi = bins;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (edges[mid]! >= upper) hi = mid;
      else lo = mid + 1;
    }
    return lo > 0 ? lo - 1 : 0;
  }
  // Clipped up to the lowest boundary, the bin j with edges[j] ≤ x < edges[j+1]: one less than the first inner
  // boundary above x (so below the range, the first bin of nonzero width).
  const clipped = x < edges[0]! ? edges[0]! : x;
  let lo = 1;
  let hi = bins;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (edges[mid]! > clipped) hi = mid;
    else lo = mid + 1;
  }
  return lo - 1;
}

function checkSlidingDims(dims: readonly SlidingDim[]): SlidingDim[] {
  if (dims.length === 0) throw new ConfigError('a sliding-boundaries archive needs at least one descriptor dim');
  const parsed = slidingBoundariesArchiveOptionsSchema.shape.dims.safeParse(dims);
  if (!parsed.success)
    throw new ConfigError(`invalid sliding-boundaries dims: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
  const cells = parsed.data.reduce((n, d) => n * d.bins, 1);
  if (!Number.isSafeInteger(cells))
    throw new ConfigError(`the archive has ${cells} cells, more than can be indexed`, [], 'Use fewer bins.');
  return parsed.data.map((d) => ({ ...d }));
}

function positiveInt(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value < 1)
    throw new ConfigError(`sliding-boundaries ${name} must be a positive integer, got ${value}`);
  return value;
}

/** The error helpers name dims; a sliding dim's range is not known in advance. */
function dimsForErrors(axes: readonly SlidingDim[]): { name: string; min: number; max: number }[] {
  return axes.map((d) => ({ name: d.name, min: d.min ?? Number.NaN, max: d.max ?? Number.NaN }));
}
