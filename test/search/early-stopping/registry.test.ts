// Every registered pruner: options schemas, state through JSON mid-sequence continuing identically, bad state refused.
import { describe, expect, it } from 'vitest';
import { SeededRng } from '../../../core/rng.js';
import { type Decision, type Pruner, pruners, type PrunerType } from '../../../search/early-stopping/index.js';

const OPTIONS: Record<PrunerType, unknown> = {
  none: {},
  median: { nStartupTrials: 1, nWarmupSteps: 1 },
  asha: { reductionFactor: 2 },
  hyperband: { maxResource: 27, reductionFactor: 3 },
};
const make = (type: PrunerType) => pruners[type].create(OPTIONS[type], undefined);

type Event = { report: { id: number; step: number; value: number } } | { finish: number; end: 'complete' | 'failed' };

/** An asynchronous sequence of reports and ends driven by `p`'s own decisions (a pruned evaluation ends there). */
function drive(p: Pruner, seed: string): { events: Event[]; decisions: Decision[] } {
  const rng = SeededRng.fromSeed(seed);
  const events: Event[] = [];
  const decisions: Decision[] = [];
  const steps = new Map<number, number>();
  const live = Array.from({ length: 24 }, (_, id) => id);
  const specials = [Number.NaN, Infinity, -Infinity];
  while (live.length > 0) {
    const id = live[Math.floor(rng.next() * live.length)]!;
    const step = steps.get(id) ?? 0;
    if (step >= 12 || rng.next() < 0.03) {
      const end = rng.next() < 0.2 ? 'failed' : 'complete';
      p.finish(id, end);
      events.push({ finish: id, end });
      live.splice(live.indexOf(id), 1);
      continue;
    }
    steps.set(id, step + 1);
    const value = rng.next() < 0.04 ? specials[Math.floor(rng.next() * 3)]! : Math.floor(rng.next() * 16) / 16;
    const report = { id, step, value };
    const decision = p.report(report);
    events.push({ report });
    decisions.push(decision);
    if (decision === 'prune') {
      p.finish(id, 'pruned');
      live.splice(live.indexOf(id), 1);
    }
  }
  return { events, decisions };
}

/** Replays `events`, finishing pruned evaluations as drive() did. */
function replay(p: Pruner, events: readonly Event[]): Decision[] {
  return events.flatMap((e) => {
    if ('finish' in e) {
      p.finish(e.finish, e.end);
      return [];
    }
    const d = p.report(e.report);
    if (d === 'prune') p.finish(e.report.id, 'pruned');
    return [d];
  });
}

describe.each(Object.keys(pruners) as PrunerType[])('%s pruner', (type) => {
  it('has a one-line summary and a strict options schema', () => {
    expect(pruners[type].summary).toMatch(/^[^\n]+\.$/);
    expect(() => pruners[type].create({ ...(OPTIONS[type] as object), unknownKey: 1 }, undefined)).toThrow(
      /unknownKey/,
    );
  });

  it('continues identically after its state went through JSON mid-sequence', () => {
    const reference = make(type);
    const { events, decisions } = drive(reference, `round-trip-${type}`);
    if (type !== 'none') expect(decisions.filter((d) => d === 'prune').length).toBeGreaterThan(3);
    else expect(decisions.every((d) => d === 'continue')).toBe(true);
    for (const cut of [1, Math.floor(events.length / 3), Math.floor(events.length / 2), events.length - 1]) {
      const first = make(type);
      const before = replay(first, events.slice(0, cut));
      const state = first.state();
      const json = JSON.parse(JSON.stringify(state));
      expect(json).toEqual(state); // JSON-safe: NaN and ±Infinity survive as strings
      const second = make(type);
      second.restore(json);
      expect([...before, ...replay(second, events.slice(cut))]).toEqual(decisions);
      expect(second.state()).toEqual(reference.state());
    }
  });

  it('refuses a state that is not its own', () => {
    const p = make(type);
    for (const other of Object.keys(pruners) as PrunerType[]) {
      if (other === type || (type === 'none' && other !== 'none')) continue;
      expect(() => p.restore(make(other).state())).toThrow(expect.objectContaining({ code: 'E_PRUNER_STATE' }));
    }
    expect(() => p.restore({ garbage: true })).toThrow(/cannot restore pruner state/);
    expect(() => p.restore(null)).toThrow(expect.objectContaining({ code: 'E_PRUNER_STATE' }));
  });
});

describe('hyperband state', () => {
  it('refuses the state of a hyperband with another number of brackets', () => {
    const small = pruners.hyperband.create({ maxResource: 9 }, undefined);
    const large = pruners.hyperband.create({ maxResource: 81 }, undefined);
    expect(() => large.restore(small.state())).toThrow(expect.objectContaining({ code: 'E_PRUNER_STATE' }));
  });
});
