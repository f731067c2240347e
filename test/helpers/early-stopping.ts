// What a run under ASHA (η = 3, 9 steps) must show, wherever its evaluations ran: the only failures are pruned ones,
// more than a third of all, each named by its last report; completed ones carry every report; and most pruned ones
// stopped before their last step (the stop reached the evaluation, not only the log).
import { expect } from 'vitest';
import type { RunEvent } from '../../store/events.js';

/** Checks the above and returns the pruned events. `label` names the run in messages. */
export function expectAshaStops(events: readonly RunEvent[], steps = 9, label = ''): RunEvent[] {
  expect(
    events.filter((e) => !e.ok && e.kind !== 'pruned'),
    label,
  ).toEqual([]);
  const pruned = events.filter((e) => !e.ok && e.kind === 'pruned');
  expect(pruned.length, label).toBeGreaterThan(events.length / 3);
  for (const e of events) {
    if (e.ok) expect(e.rp, `${label} completed ${e.id} carries all its reports`).toHaveLength(steps);
    else expect(e.msg).toBe(`pruned at step ${e.rp!.at(-1)![0]} (value ${e.rp!.at(-1)![1]})`);
  }
  expect(pruned.filter((e) => (e.rp?.length ?? 0) < steps).length, label).toBeGreaterThan(pruned.length / 2);
  return pruned;
}
