// The report snapshot of an early-stopping run (test/fixtures/plugins/curves.mjs with ASHA): pruned proposals are
// counted apart from failures, every proposal is bucketed once, each listed elite carries its own logged reports, and
// the pruned candidates' curves are a bounded sample (the last ones in log order).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_PRUNED_CURVES } from '../../report/curves.js';
import { readSnapshot } from '../../report/snapshot.js';
import type { RunEvent } from '../../store/events.js';
import { eventsOf } from '../helpers/runs.js';
import { curvesConfig, runConfig } from './helpers.js';

const root = mkdtempSync(join(tmpdir(), 'elites-report-curves-'));
const run = join(root, 'curves');
let events: RunEvent[];
beforeAll(async () => {
  await runConfig(curvesConfig(root, { evaluations: 400 }), run);
  events = await eventsOf(run);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const isPruned = (e: RunEvent): boolean => !e.ok && e.kind === 'pruned';

describe('report snapshot of an early-stopping run', () => {
  it('counts pruned proposals apart: the summary and the buckets agree with the log', async () => {
    const s = await readSnapshot(run);
    const summary = JSON.parse(readFileSync(join(run, 'summary.json'), 'utf8')) as {
      proposals: number;
      pruned: number;
      failures: number;
    };
    expect(summary.pruned).toBeGreaterThan(0);
    expect(s.summary.pruned).toBe(summary.pruned);
    expect(s.summary.pruned).toBe(events.filter(isPruned).length);
    expect(s.summary.failures).toBe(summary.failures);
    const sum = (k: 'evaluated' | 'keyHits' | 'fingerprintHits' | 'failures' | 'pruned'): number =>
      s.timeline.reduce((n, b) => n + b[k], 0);
    expect(sum('pruned')).toBe(s.summary.pruned);
    expect(sum('failures')).toBe(s.summary.failures); // pruned ones are not failures
    expect(sum('evaluated')).toBe(s.summary.evaluations);
    for (const b of s.timeline)
      expect(b.evaluated + b.keyHits + b.fingerprintHits + b.failures + b.pruned, `bucket ${b.from}–${b.to}`).toBe(
        b.to - b.from + 1,
      );
    expect(sum('evaluated') + sum('keyHits') + sum('fingerprintHits') + sum('failures') + sum('pruned')).toBe(
      summary.proposals,
    );
    expect(s.failureKinds.map((f) => f.kind)).not.toContain('pruned');
  });

  it('gives each listed elite its own logged reports as its curve', async () => {
    const s = await readSnapshot(run);
    expect(s.elites.length).toBeGreaterThan(1);
    const byId = new Map(events.filter((e) => e.ok).map((e) => [e.id, e]));
    for (const elite of s.elites) {
      const rp = byId.get(elite.id)?.rp;
      expect(rp, `elite ${elite.id} reported`).toBeDefined();
      expect(elite.curve, `elite ${elite.id}`).toEqual(rp);
      expect(elite.curve).toHaveLength(9); // completed evaluations ran every step
    }
    expect(s.curves?.elites).toBe(s.elites.length);
    // Thinned when a curve is longer than the bound: an even stride that keeps the first and last reports.
    const thin = await readSnapshot(run, { maxCurvePoints: 4 });
    for (const elite of thin.elites) {
      const rp = byId.get(elite.id)!.rp!;
      expect(elite.curve).toHaveLength(4);
      expect(elite.curve![0]).toEqual(rp[0]);
      expect(elite.curve!.at(-1)).toEqual(rp.at(-1));
    }
  });

  it('samples the last pruned candidates, bounded, each with its logged reports', async () => {
    const s = await readSnapshot(run);
    const pruned = events.filter(isPruned);
    const c = s.curves!;
    expect(c.prunedTotal).toBe(pruned.length);
    expect(c.prunedLimit).toBe(MAX_PRUNED_CURVES);
    expect(pruned.length).toBeGreaterThan(MAX_PRUNED_CURVES); // the bound is exercised by this run
    expect(c.pruned.map((p) => p.id)).toEqual(pruned.slice(-MAX_PRUNED_CURVES).map((e) => e.id));
    for (const p of c.pruned) expect(p.curve).toEqual(pruned.find((e) => e.id === p.id)!.rp);
    const small = await readSnapshot(run, { maxPrunedCurves: 7 });
    expect(small.curves!.pruned.map((p) => p.id)).toEqual(pruned.slice(-7).map((e) => e.id));
    expect(small.curves!.prunedTotal).toBe(pruned.length);
    // The sample's size is set by the bound, not by the run's length: 7 curves of at most 9 reports.
    expect(JSON.stringify(small.curves!.pruned).length).toBeLessThan(7 * 9 * 2 * 24);
  });
});
