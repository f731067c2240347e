// Per-proposal outcomes bucketed by log seq, so a run of any length plots as at most ~MAX_BUCKETS points.
import type { RunEvent } from '../store/events.js';
import type { TimelineBucket } from './snapshot-types.js';

export const MAX_BUCKETS = 200; // enough resolution for a chart; each bucket is one bar or line point

interface MutableBucket {
  from: number;
  to: number;
  evaluated: number;
  keyHits: number;
  fingerprintHits: number;
  failures: number;
  pruned: number;
  seconds: number;
}

/**
 * Fed every event once, in seq order; `total` (the number of events that will be fed) fixes the bucket width up
 * front, so the pass allocates one bucket per width and never rebuckets.
 */
export class TimelineBuilder {
  readonly width: number;
  private readonly buckets: MutableBucket[] = [];
  private readonly kinds = new Map<string, number>();

  constructor(total: number, maxBuckets = MAX_BUCKETS) {
    this.width = Math.max(1, Math.ceil(total / Math.max(1, maxBuckets)));
  }

  add(e: RunEvent): void {
    const index = Math.floor(e.seq / this.width);
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

  series(): TimelineBucket[] {
    return this.buckets
      .filter((b) => b !== undefined)
      .map((b) => ({ ...b, seconds: Math.round(b.seconds * 1000) / 1000 }));
  }

  failureKinds(): { kind: string; count: number }[] {
    return [...this.kinds]
      .map(([kind, count]) => ({ kind, count }))
      .sort((a, b) => b.count - a.count || a.kind.localeCompare(b.kind));
  }
}
