// MOME through the engine: a MAP-Elites loop over a mome archive (a Pareto front per cell), its statistics against
// the exported members, the same archive from the same seed and after a stop and resume, a hypervolume target, and
// the config errors of several objectives.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hypervolume } from '../../core/hypervolume.js';
import { paretoFront } from '../../core/pareto.js';
import { exportRun, inspectRun } from '../../report/inspect.js';
import { parseRunConfig } from '../../search/config.js';
import { resumeRun, runSearch } from '../../search/run.js';
import { configIssues } from '../helpers/config-issues.js';
import { fixturePlugin, useRunFiles } from '../helpers/files.js';
import { elitesOf } from '../helpers/runs.js';

const raw = (dir: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  name: 'mome',
  seed: 5,
  space: { type: 'vector', dimensions: 2, min: 0, max: 1 },
  evaluator: { module: fixturePlugin('two-objectives.mjs') },
  search: { strategy: 'map-elites', initialRandom: 40 },
  archive: {
    type: 'mome',
    frontCapacity: 8,
    dims: [
      { name: 'a', min: 0, max: 1, bins: 3 },
      { name: 'b', min: 0, max: 1, bins: 3 },
    ],
  },
  // f1 = x0 ∈ [0, 1], f2 = 1 − sqrt(x0) + x1 ∈ [0, 2]; both minimized.
  objectives: { directions: ['minimize', 'minimize'], names: ['f1', 'f2'], reference: [1.1, 2.1] },
  budget: { evaluations: 1500 },
  workers: 0,
  cache: { path: join(dir, 'cache.mdb') },
  ...extra,
});
const config = (dir: string, extra: Record<string, unknown> = {}) => parseRunConfig(raw(dir, extra), dir);

type Member = { id: number; cell: number; f1: number; f2: number };
const membersOf = async (run: string): Promise<Member[]> =>
  (JSON.parse(await exportRun(run, { format: 'json' })) as { elites: Member[] }).elites;

describe('MOME through the engine', () => {
  it('keeps a Pareto front per cell; the summary’s hypervolume and MOQD score are those of the exported members', async () => {
    const dir = useRunFiles();
    const run = join(dir, 'run');
    const summary = await runSearch(config(dir), { out: run });
    expect(summary.status).toBe('done');
    const members = await membersOf(run);
    expect(summary.archive.members).toBe(members.length);
    expect(members.length).toBeGreaterThan(summary.archive.size); // fronts, not one elite per cell
    const reference = [-1.1, -2.1]; // maximized: both objectives negated
    const points = (ms: readonly Member[]) => ms.map((m) => [-m.f1, -m.f2]);
    expect(summary.archive.hypervolume).toBeCloseTo(hypervolume(points(members), reference), 12);
    const cells = new Map<number, Member[]>();
    for (const m of members) cells.set(m.cell, [...(cells.get(m.cell) ?? []), m]);
    let moqd = 0;
    for (const front of cells.values()) {
      expect(paretoFront(points(front))).toHaveLength(front.length); // no member of a cell dominates another
      expect(front.length).toBeLessThanOrEqual(8);
      moqd += hypervolume(points(front), reference);
    }
    expect(summary.archive.qdScore).toBeCloseTo(moqd, 9);
    // The analytic front f2 = 1 − sqrt(f1) dominates 2.31 − 1/3 against (1.1, 2.1); the search gets close to it.
    expect(summary.archive.hypervolume!).toBeGreaterThan(0.97 * (2.31 - 1 / 3));
    expect(summary.archive.hypervolume!).toBeLessThanOrEqual(2.31 - 1 / 3 + 1e-12);

    const inspection = await inspectRun(run);
    expect(inspection.pareto?.front.length).toBe(paretoFront(points(members)).length);
    expect(inspection.pareto?.cells.reduce((n, c) => n + c.size, 0)).toBe(members.length);
    expect(inspection.pareto?.reference).toEqual([1.1, 2.1]);
  });

  it('gives the same archive from the same seed, and after a stop and a resume', async () => {
    const dir = useRunFiles();
    await runSearch(config(dir, { cache: { enabled: false } }), { out: join(dir, 'a') });
    await runSearch(config(dir, { cache: { enabled: false } }), { out: join(dir, 'b') });
    expect(await elitesOf(join(dir, 'b'))).toEqual(await elitesOf(join(dir, 'a')));

    // Stopped after 300 proposals, then resumed with the whole budget: the same archive as one run of 1500.
    const first = await runSearch(config(dir, { cache: { enabled: false }, budget: { evaluations: 300 } }), {
      out: join(dir, 'c'),
    });
    expect(first.proposals).toBe(300);
    const resumed = await resumeRun(join(dir, 'c'), { evaluations: 1500 });
    expect(resumed.proposals).toBe(1500);
    expect(await elitesOf(join(dir, 'c'))).toEqual(await elitesOf(join(dir, 'a')));
  });

  it('stops at budget.targetHypervolume', async () => {
    const dir = useRunFiles();
    const summary = await runSearch(config(dir, { budget: { evaluations: 50_000, targetHypervolume: 1.8 } }), {
      out: join(dir, 'run'),
    });
    expect(summary.stopReason).toBe('target');
    expect(summary.archive.hypervolume!).toBeGreaterThanOrEqual(1.8);
    expect(summary.proposals).toBeLessThan(50_000);
  });

  it('refuses configs that cannot measure or keep several objectives, naming the field', () => {
    const dir = useRunFiles();
    const refused = (extra: Record<string, unknown>): string[] => configIssues(() => config(dir, extra));
    expect(refused({ objectives: { directions: ['minimize', 'minimize'] } })).toEqual([
      expect.stringMatching(/^objectives\.reference: a mome archive compares several objectives/),
    ]);
    expect(refused({ objectives: undefined })).toEqual([expect.stringMatching(/^objectives: a mome archive/)]);
    expect(refused({ cache: { mode: 'aggregate' } })).toEqual([expect.stringMatching(/^cache\.mode: aggregate/)]);
    expect(refused({ objectives: { directions: ['minimize', 'minimize'], reference: [1] } }).join('\n')).toMatch(
      /objectives\.reference: objectives\.reference must have one value per objective/,
    );
    const grid = {
      type: 'grid',
      dims: [{ name: 'a', min: 0, max: 1, bins: 3 }],
    };
    expect(refused({ archive: grid, budget: { evaluations: 10, targetHypervolume: 1 } })).toEqual([
      expect.stringMatching(/^budget\.targetHypervolume: the grid archive keeps one elite per cell/),
    ]);
  });
});
