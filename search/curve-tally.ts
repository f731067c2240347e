// Learning curves (ctx.report, the event field `rp`) gathered over the log for the report: each elite's own, and the
// last MAX_PRUNED_CURVES pruned candidates'. A fold with bounded state, saved in the run's snapshots.
import type { RunEvent } from '../store/events.js';

/** Pruned candidates' curves kept for the report's faded background: the last 200 pruned in log order. */
export const MAX_PRUNED_CURVES = 200;

export type Curve = readonly (readonly [number, number])[];

export interface CurveTallyState {
  /** The reports of the archive's members that have them, by id. */
  readonly elites: readonly (readonly [number, Curve])[];
  /** The last pruned candidates' reports, oldest first. */
  readonly pruned: readonly { readonly id: number; readonly curve: Curve }[];
  readonly prunedTotal: number;
  /** Whether any event reported. */
  readonly any: boolean;
}

/**
 * Fed every event once, in seq order. Keeps the reports of successful events while their candidate may be an elite:
 * `members` says which are, and the rest are dropped now and then (memory follows the archive, not the log), unless
 * `keepsRejected` (a rejected candidate may enter later: nothing is dropped).
 */
export class CurveTally {
  private readonly elites: Map<number, Curve>;
  private readonly ring: { readonly id: number; readonly curve: Curve }[];
  private next = 0;
  private prunedCount: number;
  private reported: boolean;
  private dropAbove = 1024;

  constructor(
    private readonly members: () => Iterable<{ readonly id: number }>,
    private readonly keepsRejected: boolean,
    saved?: CurveTallyState,
  ) {
    this.elites = new Map(saved?.elites);
    this.ring = [...(saved?.pruned ?? [])];
    this.prunedCount = saved?.prunedTotal ?? 0;
    this.reported = saved?.any ?? false;
  }

  add(e: RunEvent): void {
    const rp = e.rp;
    if (!rp || rp.length === 0) return;
    this.reported = true;
    if (e.ok) {
      this.elites.set(e.id, rp);
      if (this.elites.size > this.dropAbove) this.dropNonMembers();
      return;
    }
    if (e.kind !== 'pruned') return;
    this.prunedCount++;
    const entry = { id: e.id, curve: rp };
    if (this.ring.length < MAX_PRUNED_CURVES) this.ring.push(entry);
    else {
      this.ring[this.next] = entry;
      this.next = (this.next + 1) % MAX_PRUNED_CURVES;
    }
  }

  /** Elite `id`'s reports, or undefined when its event reported nothing. */
  curveOf(id: number): Curve | undefined {
    return this.elites.get(id);
  }

  /** The last `count` (at most MAX_PRUNED_CURVES) pruned candidates' reports, oldest first. */
  pruned(count: number): { readonly id: number; readonly curve: Curve }[] {
    const ordered = [...this.ring.slice(this.next), ...this.ring.slice(0, this.next)];
    return count <= 0 ? [] : ordered.slice(-count);
  }

  get prunedTotal(): number {
    return this.prunedCount;
  }

  /** Whether any event of the log reported (a run without ctx.report has no curves). */
  get any(): boolean {
    return this.reported;
  }

  state(): CurveTallyState {
    this.dropNonMembers();
    return {
      elites: [...this.elites],
      pruned: this.pruned(MAX_PRUNED_CURVES),
      prunedTotal: this.prunedCount,
      any: this.reported,
    };
  }

  private dropNonMembers(): void {
    if (!this.keepsRejected) {
      const keep = new Set<number>();
      for (const m of this.members()) keep.add(m.id);
      for (const id of this.elites.keys()) if (!keep.has(id)) this.elites.delete(id);
    }
    this.dropAbove = Math.max(1024, 2 * this.elites.size);
  }
}
