// The report snapshot of multi-objective runs (mome and pareto archives): every member with its raw objectives, the
// dominated flags as core/pareto.ts decides them over all cells, the hypervolumes of the summary, the bound on members.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dominates, paretoFront } from '../../core/pareto.js';
import { toScores } from '../../core/types.js';
import { reportHtml } from '../../report/html.js';
import { startDashboard } from '../../report/server.js';
import { dominatedFlags, readSnapshot } from '../../report/snapshot.js';
import type { ReportSnapshot, SnapshotParetoMember } from '../../report/snapshot-types.js';
import { kernelConfig, runConfig, twoObjectivesConfig } from './helpers.js';

interface MoSummary {
  archive: { size: number; qdScore: number; hypervolume: number; members: number };
  proposals: number;
}

const root = mkdtempSync(join(tmpdir(), 'elites-report-pareto-'));
const runs = join(root, 'runs');
const momeRun = join(runs, 'mome');
const paretoRun = join(runs, 'pareto');
beforeAll(async () => {
  await runConfig(twoObjectivesConfig(root), momeRun);
  await runConfig(twoObjectivesConfig(root, { archive: 'pareto', evaluations: 1000 }), paretoRun);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const summaryOf = (dir: string): MoSummary => JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as MoSummary;
/** The members' objectives as core/pareto.ts takes them: each higher-is-better (both objectives are minimized). */
const scoresOf = (members: readonly SnapshotParetoMember[]): number[][] =>
  members.map((m) => toScores(m.objectives, ['minimize', 'minimize']));

describe('report snapshot of a mome run', () => {
  it('lists every member with its raw objectives, flagged dominated exactly when core/pareto.ts says so', async () => {
    const s = await readSnapshot(momeRun);
    const summary = summaryOf(momeRun);
    const p = s.pareto!;
    expect(p).toBeDefined();
    expect(p.names).toEqual(['f1', 'f2']);
    expect(p.directions).toEqual(['minimize', 'minimize']);
    expect(p.reference).toEqual([1.1, 2.1]); // raw units, as the config wrote it
    expect(p.membersTotal).toBe(summary.archive.members);
    expect(p.members).toHaveLength(summary.archive.members);
    expect(p.members.length).toBeGreaterThan(summary.archive.size); // fronts, not one per cell
    expect(new Set(p.members.map((m) => m.id)).size).toBe(p.members.length);
    // Raw objectives (directions undone): the fixture's f1 = x0 and f2 = 1 − √x0 + x1 of the member's descriptors.
    for (const m of p.members) {
      expect(m.objectives[0]).toBeCloseTo(m.descriptors[0]!, 12);
      expect(m.objectives[1]).toBeCloseTo(1 - Math.sqrt(m.descriptors[0]!) + m.descriptors[1]!, 12);
      expect(m.text).toMatch(/^\[[\d.e-]+, [\d.e-]+\]$/);
      expect(m.fitness).toBeCloseTo(-(m.objectives[0]! + m.objectives[1]!), 12);
    }
    // Dominated within the global set: members of different cells dominate each other.
    const front = new Set(paretoFront(scoresOf(p.members)));
    expect(p.members.map((m) => m.dominated)).toEqual(p.members.map((_, i) => !front.has(i)));
    expect(p.dominatedTotal).toBe(p.members.length - front.size);
    expect(p.dominatedTotal).toBeGreaterThan(0);
    expect(front.size).toBeGreaterThan(0);
    // A cell's own front never dominates itself: every dominated member is beaten by a member of another cell.
    const scores = scoresOf(p.members);
    for (const [i, m] of p.members.entries()) {
      if (!m.dominated) continue;
      const by = p.members.filter((_, j) => dominates(scores[j]!, scores[i]!));
      expect(by.length).toBeGreaterThan(0);
      expect(by.every((o) => o.cell !== m.cell)).toBe(true);
    }
  });

  it('carries the summary’s hypervolume and MOQD score, and the hypervolume over proposals', async () => {
    const s = await readSnapshot(momeRun);
    const summary = summaryOf(momeRun);
    expect(s.pareto!.hypervolume).toBe(summary.archive.hypervolume);
    expect(s.pareto!.hypervolume).toBeGreaterThan(0);
    expect(s.pareto!.moqdScore).toBe(summary.archive.qdScore);
    expect(s.summary.qdScore).toBe(summary.archive.qdScore);
    expect(s.history.length).toBeGreaterThan(2);
    expect(s.history.every((h) => typeof h.hypervolume === 'number')).toBe(true);
    expect(s.history.at(-1)).toMatchObject({ proposals: 2000, hypervolume: summary.archive.hypervolume });
    // The search improved the global front between the first point and the last.
    const hv = s.history.map((h) => h.hypervolume!);
    expect(hv[0]).toBeLessThan(hv.at(-1)!);
    // The map still shows one cell per filled cell (the best-scored member), and the elites are members.
    expect(s.map.type).toBe('grid');
    expect(s.map.filled).toHaveLength(summary.archive.size);
    const ids = new Set(s.pareto!.members.map((m) => m.id));
    expect(s.elites.every((e) => ids.has(e.id))).toBe(true);
  });

  it('bounds the members listed: the global front first, spread along f1, then dominated members', async () => {
    const all = (await readSnapshot(momeRun)).pareto!;
    const frontIds = all.members.filter((m) => !m.dominated).map((m) => m.id);
    expect(frontIds.length).toBeGreaterThan(10);

    const few = (await readSnapshot(momeRun, { maxMembers: 10 })).pareto!;
    expect(few.members).toHaveLength(10);
    expect(few).toMatchObject({ membersTotal: all.membersTotal, membersLimit: 10, dominatedTotal: all.dominatedTotal });
    expect(few.members.every((m) => !m.dominated && frontIds.includes(m.id))).toBe(true);
    const f1 = (ms: readonly SnapshotParetoMember[]): number[] => ms.map((m) => m.objectives[0]!);
    const frontF1 = f1(all.members.filter((m) => !m.dominated));
    expect(Math.min(...f1(few.members))).toBe(Math.min(...frontF1)); // both ends of the front are kept
    expect(Math.max(...f1(few.members))).toBe(Math.max(...frontF1));

    const more = (await readSnapshot(momeRun, { maxMembers: frontIds.length + 5 })).pareto!;
    expect(more.members.filter((m) => !m.dominated).map((m) => m.id)).toEqual(frontIds);
    expect(more.members.filter((m) => m.dominated)).toHaveLength(5);
    for (const m of more.members) expect(m).toEqual(all.members.find((x) => x.id === m.id)); // same flags either way
  });

  it('keeps single-objective snapshots as they were: no pareto section, no hypervolume in the history', async () => {
    const dir = join(root, 'kernel');
    await runConfig(kernelConfig(root, { evaluations: 200 }), dir);
    const s: ReportSnapshot = await readSnapshot(dir);
    expect(s.pareto).toBeUndefined();
    expect('pareto' in s).toBe(false);
    expect(s.history.some((h) => 'hypervolume' in h)).toBe(false);
  });
});

describe('report snapshot of a pareto archive (one front, no descriptors)', () => {
  it('has no map to draw, and every member is on the front', async () => {
    const s = await readSnapshot(paretoRun);
    const summary = summaryOf(paretoRun);
    expect(s.map).toMatchObject({ type: 'none', dims: [], cells: 1 });
    expect(s.map.filled).toHaveLength(1);
    expect(s.pareto!.members).toHaveLength(summary.archive.members);
    expect(s.pareto!.members.length).toBeGreaterThan(10);
    expect(s.pareto!.dominatedTotal).toBe(0);
    expect(s.pareto!.hypervolume).toBe(summary.archive.hypervolume);
    expect(reportHtml(s)).toMatch(/"type":"none"/); // the report is written
  });
});

describe('dominatedFlags', () => {
  /** mulberry32: a small seeded generator, so the cases are the same on every run. */
  const rng = (seed: number): (() => number) => {
    let a = seed >>> 0;
    return () => {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  };

  it('agrees with core/pareto.ts paretoFront on random points with ties, in 2, 3 and 4 objectives', () => {
    for (const m of [2, 3, 4]) {
      for (let seed = 1; seed <= 20; seed++) {
        const r = rng(seed * 10 + m);
        const n = 1 + Math.floor(r() * 120);
        // Few distinct values per objective: many ties and equal vectors, where the sweeps are easiest to get wrong.
        const points = Array.from({ length: n }, () => Array.from({ length: m }, () => Math.floor(r() * 6) - 3));
        const front = new Set(paretoFront(points));
        expect(dominatedFlags(points), `m=${m} seed=${seed}`).toEqual(points.map((_, i) => !front.has(i)));
      }
    }
    expect(dominatedFlags([])).toEqual([]);
    expect(
      dominatedFlags([
        [1, 1],
        [1, 1],
      ]),
    ).toEqual([false, false]); // equal vectors do not dominate each other
  });
});

describe('elites serve, a mome run', () => {
  it('serves the snapshot with its pareto section', async () => {
    const d = await startDashboard({ runsDir: runs, port: 0, pollMs: 1000 });
    try {
      const response = await fetch(`${d.url}api/runs/mome`);
      expect(response.status).toBe(200);
      const s = (await response.json()) as ReportSnapshot;
      const direct = await readSnapshot(momeRun);
      expect(s.pareto).toEqual({ ...direct.pareto });
      expect(s.pareto!.hypervolume).toBe(summaryOf(momeRun).archive.hypervolume);
    } finally {
      await d.close();
    }
  });
});
