// What the log adds up to besides the archive: its counters, the outcome timeline and the learning curves. The engine
// and the readers fold every event into one, and the run's snapshots carry its state.
import type { ArchiveView } from '../archive/archive.js';
import { countEvent, emptyCounters, type Counters, type RunEvent } from '../store/events.js';
import { CurveTally, type CurveTallyState } from './curve-tally.js';
import { OutcomeTimeline, type TimelineState } from './timeline.js';

export interface RunTallyState {
  /** The counters of the log (collisions are not logged: 0). */
  readonly counters: Counters;
  readonly timeline: TimelineState;
  readonly curves: CurveTallyState;
  /** Seconds since the run started at the last event (0 before any). */
  readonly seconds: number;
}

export class RunTally {
  readonly counters: Counters;
  readonly timeline: OutcomeTimeline;
  readonly curves: CurveTally;
  private lastSeconds: number;

  /** `archive`: the one the same events are added to (the curves follow its members). */
  constructor(archive: ArchiveView<unknown> & { readonly keepsRejected?: boolean }, saved?: RunTallyState) {
    this.counters = { ...emptyCounters(), ...saved?.counters };
    this.timeline = new OutcomeTimeline(saved?.timeline);
    this.curves = new CurveTally(
      () => archive.members?.() ?? archive.elites(),
      archive.keepsRejected === true,
      saved?.curves,
    );
    this.lastSeconds = saved?.seconds ?? 0;
  }

  add(e: RunEvent): void {
    countEvent(this.counters, e);
    this.timeline.add(e);
    this.curves.add(e);
    this.lastSeconds = e.t;
  }

  get seconds(): number {
    return this.lastSeconds;
  }

  state(): RunTallyState {
    return {
      counters: { ...this.counters },
      timeline: this.timeline.state(),
      curves: this.curves.state(),
      seconds: this.lastSeconds,
    };
  }
}
