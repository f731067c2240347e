// pyribs' BanditScheduler selection (ribs/schedulers/_bandit_scheduler.py; Cully, "Multi-Emitter MAP-Elites",
// GECCO 2021, arXiv:2007.05352): numActive emitters of a pool are active; an emitter whose batch is over is
// reselected (reselect 'terminated': only if it restarted since it was last looked at, or has no restarts at all, as
// pyribs' Gaussian and iso-line emitters; 'all': always), and free places go to the inactive emitters of highest UCB1
//   success/selection + ζ·√(ln Σ success / selection),
// never-selected ones first. success counts proposals the soft archive took, selection proposals told. No randomness.
import { z } from 'zod';
import { lazySchema } from '../../../core/lazy-schema.js';

export type Reselect = 'terminated' | 'all';

export interface BanditSettings {
  readonly numActive: number;
  readonly zeta: number;
  readonly reselect: Reselect;
}

export const banditState = lazySchema(() =>
  z.strictObject({
    active: z.array(z.boolean()),
    success: z.array(z.number().min(0)),
    selection: z.array(z.number().min(0)),
    /** Each emitter's restart count when it was last looked at (pyribs `_restarts`; −1: it has none). */
    restarts: z.array(z.number().int().min(-1)),
  }),
);
export type BanditState = z.infer<typeof banditState>;

export class Bandit {
  private active: boolean[];
  private success: number[];
  private selection: number[];
  private seen: number[];

  constructor(
    private readonly settings: BanditSettings,
    readonly size: number,
  ) {
    if (!(settings.numActive >= 1 && settings.numActive <= size))
      throw new RangeError(`numActive must be in 1..${size} (the pool's emitters), got ${settings.numActive}`);
    this.active = new Array<boolean>(size).fill(false);
    this.success = new Array<number>(size).fill(0);
    this.selection = new Array<number>(size).fill(0);
    this.seen = new Array<number>(size).fill(0);
  }

  isActive(i: number): boolean {
    return this.active[i]!;
  }

  get activeCount(): number {
    return this.active.filter(Boolean).length;
  }

  /** A told proposal of emitter i; `added`: the soft archive took it (pyribs counts its nonzero add statuses). */
  record(i: number, added: boolean): void {
    this.selection[i]! += 1;
    if (added) this.success[i]! += 1;
  }

  /**
   * pyribs' `ask` step, for the emitters whose batch is over (`due`; pyribs: all, as it asks only when every batch is
   * told). Returns the emitters that start a new turn: those kept and those newly activated.
   */
  reselect(due: (i: number) => boolean, restarts: (i: number) => number | undefined): number[] {
    const { size, active } = this;
    const { numActive, zeta, reselect: rule } = this.settings;
    const out: boolean[] = new Array<boolean>(size).fill(false);
    for (let i = 0; i < size; i++) {
      if (active[i] && !due(i)) continue; // mid-batch: neither reselected nor looked at
      const r = restarts(i) ?? -1;
      out[i] = active[i]! && (rule === 'all' || r < 0 || r > this.seen[i]!);
      this.seen[i] = r;
    }
    const started: number[] = [];
    // The first call (or fewer active than numActive): the pool's first emitters, as pyribs.
    let needed = numActive - this.activeCount;
    for (let i = 0; needed > 0 && i < size; i++) {
      out[i] = false;
      if (!active[i]) {
        active[i] = true;
        started.push(i);
        needed--;
      }
    }
    for (let i = 0; i < size; i++) if (active[i] && due(i) && !out[i] && !started.includes(i)) started.push(i);
    if (!out.includes(true)) return started;
    for (let i = 0; i < size; i++) if (out[i]) active[i] = false;
    let count = this.activeCount;
    for (const i of this.ranking(zeta)) {
      if (count >= numActive) break;
      if (!active[i]) {
        active[i] = true;
        started.push(i);
        count++;
      }
    }
    return started;
  }

  /**
   * Emitters by UCB1, best first; never selected ones (+∞) first; ties to the lower index (pyribs leaves ties to
   * numpy's argsort). While nothing has succeeded yet the bonus is 0 (pyribs takes ln 0 and gets NaN).
   */
  private ranking(zeta: number): number[] {
    const total = this.success.reduce((a, b) => a + b, 0);
    const log = Math.log(Math.max(1, total));
    const ucb = this.selection.map((n, i) =>
      n === 0 ? Number.POSITIVE_INFINITY : this.success[i]! / n + zeta * Math.sqrt(log / n),
    );
    return ucb.map((_, i) => i).sort((a, b) => (ucb[b]! === ucb[a]! ? a - b : ucb[b]! > ucb[a]! ? 1 : -1));
  }

  state(): BanditState {
    return {
      active: [...this.active],
      success: [...this.success],
      selection: [...this.selection],
      restarts: [...this.seen],
    };
  }

  restore(state: BanditState): void {
    const lengths = [state.active, state.success, state.selection, state.restarts].map((a) => a.length);
    if (lengths.some((l) => l !== this.size))
      throw new Error(`bandit: the checkpoint has ${lengths[0]} emitters, the config ${this.size}`);
    this.active = [...state.active];
    this.success = [...state.success];
    this.selection = [...state.selection];
    this.seen = [...state.restarts];
  }
}
