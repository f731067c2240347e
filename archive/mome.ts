// Pareto archives: MOME (Pierrot et al., GECCO 2022, arXiv:2202.03057), a grid or CVT whose cells each hold a bounded
// Pareto front, and `pareto`, one front without descriptors (what an NSGA-II run keeps). All objectives are maximized
// (the engine applies the config's directions); hypervolumes are taken against the run's reference point.
import { z } from 'zod';
import { lazySchema } from '../core/lazy-schema.js';
import { ConfigError } from '../core/errors.js';
import { hypervolume } from '../core/hypervolume.js';
import { BoundedFront, paretoFront } from '../core/pareto.js';
import { randomInt, type Rng } from '../core/rng.js';
import { compareScored } from '../core/score.js';
import type { AddResult, Archive, ArchiveStats, Candidate, Elite } from './archive.js';
import { createCvtArchive, cvtArchiveOptionsSchema, type CvtSource } from './cvt.js';
import { createGridArchive, gridArchiveOptionsSchema, ownMemory } from './grid.js';

/** The cells of a Pareto archive: which cell a descriptor vector falls in, and the geometry saved with the run. */
export interface Tessellation {
  readonly cells: number;
  cellOf(descriptors: readonly number[]): number;
  geometry(): unknown;
}

const frontCapacity = lazySchema(() =>
  z
    .int()
    .min(1)
    .max(100_000)
    .describe('members a cell’s front keeps at most; over it, the most crowded leaves (MOME: 50)'),
);

/**
 * Options of the `mome` archive: a front capacity, plus a grid's options (`dims` with `bins`) or a CVT's (`cells`,
 * `dims`, `samples`), told apart by `cells`, each checked by that archive's own schema.
 */
export const momeArchiveOptionsSchema = lazySchema(() =>
  z.looseObject({ frontCapacity: frontCapacity.default(50) }).superRefine((o, ctx) => {
    const { frontCapacity: _, ...cells } = o;
    const schema = 'cells' in cells ? cvtArchiveOptionsSchema : gridArchiveOptionsSchema;
    const parsed = schema.safeParse(cells);
    if (!parsed.success)
      for (const issue of parsed.error.issues)
        ctx.addIssue({ code: 'custom', path: issue.path as PropertyKey[], message: issue.message });
  }),
);
export type MomeArchiveOptions = z.input<typeof momeArchiveOptionsSchema>;

/** Options of the `pareto` archive: one front over everything the run evaluated. */
export const paretoArchiveOptionsSchema = lazySchema(() =>
  z.strictObject({
    capacity: frontCapacity.default(1000).describe('members the front keeps at most; over it, the most crowded leaves'),
  }),
);
export type ParetoArchiveOptions = z.input<typeof paretoArchiveOptionsSchema>;

/** What a Pareto archive needs from the run: the reference point, each objective higher-is-better. */
export interface ParetoDeps extends CvtSource {
  readonly reference: readonly number[] | undefined;
}

/**
 * A MOME archive over a grid or a CVT.
 * @throws {ConfigError} without a reference point (the config's `objectives.reference`).
 */
export function createMomeArchive<G>(options: MomeArchiveOptions, deps: ParetoDeps): ParetoArchive<G> {
  const parsed = momeArchiveOptionsSchema.parse(options);
  const { frontCapacity: capacity, ...rest } = parsed;
  const cells: Tessellation =
    'cells' in rest
      ? createCvtArchive<G>(cvtArchiveOptionsSchema.parse(rest), deps)
      : createGridArchive<G>(gridArchiveOptionsSchema.parse(rest), { geometry: deps.geometry });
  return new ParetoArchive<G>(cells, capacity, requireReference('mome', deps.reference));
}

/** One Pareto front of at most `capacity` members; descriptors are carried, not used. */
export function createParetoArchive<G>(options: ParetoArchiveOptions, deps: ParetoDeps): ParetoArchive<G> {
  const { capacity } = paretoArchiveOptionsSchema.parse(options);
  const single: Tessellation = { cells: 1, cellOf: () => 0, geometry: () => ({ type: 'pareto' }) };
  return new ParetoArchive<G>(single, capacity, requireReference('pareto', deps.reference));
}

function requireReference(type: string, reference: readonly number[] | undefined): readonly number[] {
  if (!reference)
    throw new ConfigError(
      `a ${type} archive needs a reference point for its hypervolumes`,
      [{ path: 'objectives.reference', message: 'required with a Pareto archive (one value per objective)' }],
      'Set objectives.reference to a point every useful solution beats in every objective (e.g. the worst acceptable value of each).',
    );
  return Object.freeze([...reference]);
}

interface Cell<G> {
  readonly front: BoundedFront<Elite<G>>;
  /** Hypervolume of this cell's front against the reference (a term of the MOQD score). */
  hypervolume: number;
  /** The member with the best score: what `get` and `elites()` show for the cell. */
  best: Elite<G>;
}

/**
 * Cells that each hold a bounded Pareto front (MOME). A candidate enters its cell's front unless a member dominates or
 * equals it; the members it dominates leave; over capacity the most crowded member leaves (core/pareto.ts
 * BoundedFront). `add` is deterministic given the order of calls, so the log rebuilds it. Status: `new` when the cell
 * was empty, `improved` when the candidate joined the front, `rejected` otherwise.
 *
 * Statistics: `qdScore` is the MOQD score (Σ over cells of the hypervolume of the cell's front), `hypervolume` the
 * hypervolume of the front of all members (the global front), `bestScore` the best scalar score among members.
 * Parents (`sample`): a filled cell uniformly, then a member of its front uniformly, as in the MOME paper.
 */
export class ParetoArchive<G> implements Archive<G> {
  readonly cells: number;
  private readonly byCell = new Map<number, Cell<G>>();
  /** Filled cells in the order they were first filled: O(1) uniform draws. */
  private readonly order: Cell<G>[] = [];
  private moqd = 0;
  private memberCount = 0;
  private globalHypervolume: number | undefined = 0;
  private top: Elite<G> | undefined;
  private topStale = false;

  constructor(
    private readonly tessellation: Tessellation,
    readonly capacity: number,
    readonly reference: readonly number[],
  ) {
    this.cells = tessellation.cells;
  }

  get size(): number {
    return this.order.length;
  }

  cellOf(descriptors: readonly number[]): number {
    return this.tessellation.cellOf(descriptors);
  }

  geometry(): unknown {
    return this.tessellation.geometry();
  }

  /** @throws {Error} when the candidate has no objectives, or not one per coordinate of the reference point. */
  add(candidate: Candidate<G>): AddResult {
    const objectives = candidate.objectives;
    if (!objectives || objectives.length !== this.reference.length)
      throw new Error(
        `candidate ${candidate.id} has ${objectives ? `${objectives.length} objectives` : 'no objectives'}; this Pareto archive compares ${this.reference.length} (the config's objectives)`,
      );
    const cell = this.cellOf(candidate.descriptors);
    const elite: Elite<G> = {
      cell,
      id: candidate.id,
      genome: ownMemory(candidate.genome),
      score: candidate.score,
      descriptors: candidate.descriptors.slice(),
      objectives: objectives.slice(),
      ...(candidate.tiebreak ? { tiebreak: candidate.tiebreak.slice() } : {}),
      ...(candidate.metrics ? { metrics: candidate.metrics } : {}),
    };
    let entry = this.byCell.get(cell);
    const fresh = entry === undefined;
    const front = entry?.front ?? new BoundedFront<Elite<G>>(this.capacity);
    const before = front.size;
    if (!front.insert(elite.objectives!, elite)) return { status: 'rejected', cell };
    const members = front.members();
    const hv = hypervolume(
      members.map((m) => m.objectives),
      this.reference,
    );
    if (!entry) {
      entry = { front, hypervolume: 0, best: elite };
      this.byCell.set(cell, entry);
      this.order.push(entry);
    }
    this.moqd += hv - entry.hypervolume;
    entry.hypervolume = hv;
    this.memberCount += members.length - before;
    this.globalHypervolume = undefined;
    // The cell's best may have left the front; the archive's best only if it was in this cell.
    const left = !members.some((m) => m.payload === entry.best);
    if (left || compareScored(elite, entry.best) > 0) entry.best = bestOf(members);
    if (this.top && this.top.cell === cell && !members.some((m) => m.payload === this.top)) this.topStale = true;
    else if (!this.topStale && (!this.top || compareScored(elite, this.top) > 0)) this.top = elite;
    return { status: fresh ? 'new' : 'improved', cell };
  }

  rescore(): boolean {
    throw new Error(
      'a Pareto archive does not hold elites at a mean (cache.mode: aggregate is refused with objectives)',
    );
  }

  /** The member of `cell` with the best score. */
  get(cell: number): Elite<G> | undefined {
    return this.byCell.get(cell)?.best;
  }

  /** `n` members: each a filled cell drawn uniformly, then a member of its front drawn uniformly. */
  sample(rng: Rng, n: number): Elite<G>[] {
    const count = Math.floor(n);
    if (this.order.length === 0 || !(count > 0)) return [];
    const out = new Array<Elite<G>>(count);
    for (let i = 0; i < count; i++) {
      const members = this.order[randomInt(rng, this.order.length)]!.front.members();
      out[i] = members[randomInt(rng, members.length)]!.payload;
    }
    return out;
  }

  /** One per filled cell (its best-scored member), in ascending cell order. */
  *elites(): IterableIterator<Elite<G>> {
    for (const cell of this.sortedCells()) yield this.byCell.get(cell)!.best;
  }

  /** Every member of every front, in ascending cell order, then in order of entry. */
  *members(): IterableIterator<Elite<G>> {
    for (const cell of this.sortedCells()) for (const m of this.byCell.get(cell)!.front.members()) yield m.payload;
  }

  best(): Elite<G> | undefined {
    if (this.topStale) {
      this.top = undefined;
      for (const entry of this.order) if (!this.top || compareScored(entry.best, this.top) > 0) this.top = entry.best;
      this.topStale = false;
    }
    return this.top;
  }

  stats(): ArchiveStats {
    if (this.globalHypervolume === undefined) {
      const points = [...this.members()].map((m) => m.objectives!);
      this.globalHypervolume = hypervolume(
        paretoFront(points).map((i) => points[i]!),
        this.reference,
      );
    }
    const best = this.best();
    return {
      size: this.order.length,
      cells: this.cells,
      coverage: this.order.length / this.cells,
      qdScore: this.moqd,
      qdOffset: 0,
      bestScore: best?.score,
      bestId: best?.id,
      hypervolume: this.globalHypervolume,
      members: this.memberCount,
    };
  }

  private sortedCells(): number[] {
    return [...this.byCell.keys()].sort((a, b) => a - b);
  }
}

function bestOf<G>(members: readonly { readonly payload: Elite<G> }[]): Elite<G> {
  let best = members[0]!.payload;
  for (const m of members) if (compareScored(m.payload, best) > 0) best = m.payload;
  return best;
}
