// Per-proposal outcomes bucketed by log seq: a fold over the log whose buckets double in width as it grows, so its
// state is bounded (at most FINE_BUCKETS) and saved in the run's snapshots; a report adds only the events after one.
import type { RunEvent } from '../store/events.js';

/** Buckets the fold keeps; a report merges neighbours down to the number it draws. */
export const FINE_BUCKETS = 1024;

export interface OutcomeBucket {
  /** First and last seq in the bucket, inclusive. */
  from: number;
  to: number;
  evaluated: number;
  keyHits: number;
  fingerprintHits: number;
  /** Failed proposals, pruned ones not included (as the summary's `failures`). */
  failures: number;
  pruned: number;
  /** Seconds since the run started at the bucket's last proposal. */
  seconds: number;
}

/** The fold's state: bucket i holds seqs i·width … (i+1)·width − 1. */
export interface TimelineState {
  readonly width: number;
  readonly buckets: readonly OutcomeBucket[];
  /** Failures by kind. */
  readonly kinds: readonly (readonly [string, number])[];
}

/** Fed every event once, in seq order (from 0, or on from a saved state). */
export class OutcomeTimeline {
  private width: number;
  private buckets: OutcomeBucket[];
  private readonly kinds: Map<string, number>;

  constructor(saved?: TimelineState) {
    this.width = saved?.width ?? 1;
    this.buckets = saved?.buckets.map((b) => ({ ...b })) ?? [];
    this.kinds = new Map(saved?.kinds);
  }

  add(e: RunEvent): void {
    let index = Math.floor(e.seq / this.width);
    while (index >= FINE_BUCKETS) {
      this.coarsen();
      index = Math.floor(e.seq / this.width);
    }
    let b = this.buckets[index];
    if (!b) {
      b = {
        from: e.seq,
        to: e.seq,
        evaluated: 0,
        keyHits: 0,
        fingerprintHits: 0,
        failures: 0,
        pruned: 0,
        seconds: e.t,
      };
      this.buckets[index] = b;
    }
    b.to = e.seq;
    b.seconds = e.t;
    if (!e.ok && e.kind === 'pruned')
      b.pruned++; // stopped early by the pruner: counted apart, as the summary does
    else if (!e.ok) {
      b.failures++;
      this.kinds.set(e.kind, (this.kinds.get(e.kind) ?? 0) + 1);
    } else if (e.src === 'e') b.evaluated++;
    else if (e.src === 'k') b.keyHits++;
    else b.fingerprintHits++;
  }

  state(): TimelineState {
    return { width: this.width, buckets: this.buckets.map((b) => ({ ...b })), kinds: [...this.kinds] };
  }

  /** At most `max` buckets of equal width (a whole multiple of the fold's), in seq order; seconds to the millisecond. */
  series(max: number): OutcomeBucket[] {
    const per = Math.max(1, Math.ceil(this.buckets.length / Math.max(1, max)));
    const out: OutcomeBucket[] = [];
    for (let i = 0; i < this.buckets.length; i += per) out.push(merged(this.buckets.slice(i, i + per)));
    return out.map((b) => ({ ...b, seconds: Math.round(b.seconds * 1000) / 1000 }));
  }

  /** Failures by kind, most frequent first. */
  failureKinds(): { kind: string; count: number }[] {
    return [...this.kinds]
      .map(([kind, count]) => ({ kind, count }))
      .sort((a, b) => b.count - a.count || a.kind.localeCompare(b.kind));
  }

  /** Doubles the width: neighbouring buckets merge, so the boundaries stay multiples of the width. */
  private coarsen(): void {
    const next: OutcomeBucket[] = [];
    for (let i = 0; i < this.buckets.length; i += 2) next.push(merged(this.buckets.slice(i, i + 2)));
    this.buckets = next;
    this.width *= 2;
  }
}

/** One bucket for consecutive ones: counts summed, the span and the time of the last. */
function merged(run: readonly OutcomeBucket[]): OutcomeBucket {
  const first = run[0]!;
  const last = run.at(-1)!;
  const sum = (key: 'evaluated' | 'keyHits' | 'fingerprintHits' | 'failures' | 'pruned'): number =>
    run.reduce((n, b) => n + b[key], 0);
  return {
    from: first.from,
    to: last.to,
    evaluated: sum('evaluated'),
    keyHits: sum('keyHits'),
    fingerprintHits: sum('fingerprintHits'),
    failures: sum('failures'),
    pruned: sum('pruned'),
    seconds: last.seconds,
  };
}
