// kill -9 a real `elites run` with ASHA stopping evaluations early (inline, each step 1 ms) at seeded random moments
// and resume it: the archive equals an uninterrupted run's, every proposal is logged exactly once, and the log's
// pruned outcomes (with their reports) are those of the uninterrupted run, in order.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SeededRng } from '../../core/rng.js';
import { runScenario, summarise, type Scenario } from '../helpers/kill-harness.js';
import { fixturePlugin, useRunFiles } from '../helpers/files.js';
import { eventsOf } from '../helpers/runs.js';

const scenario: Scenario = {
  name: 'asha, inline',
  compare: true,
  config: (cachePath) => ({
    name: 'kill-asha',
    seed: 23,
    space: { type: 'vector', dimensions: 1, min: 0, max: 1 },
    evaluator: { module: fixturePlugin('curves.mjs'), options: { msPerStep: 1 } },
    search: { strategy: 'regularized-evolution', populationSize: 20, sampleSize: 5 },
    archive: { type: 'grid', dims: [{ name: 'x', min: 0, max: 1, bins: 20 }] },
    pruner: { type: 'asha', minResource: 1, reductionFactor: 3, maxResource: 9 },
    budget: { evaluations: 800 }, // about 2 s of 1 ms steps whatever the CPU: kills land inside the run
    workers: 0,
    cache: { path: cachePath },
    log: { checkpointSeconds: 0.05 },
  }),
};

describe('kill -9 a run with early stopping, then resume (real processes)', () => {
  it('the archive and the pruned outcomes equal an uninterrupted run, every proposal logged once', async () => {
    const work = useRunFiles();
    const rounds = await runScenario(scenario, {
      kills: 3,
      rng: SeededRng.fromSeed('kill-asha').next,
      maxDelayMs: 900,
      work,
    });
    const row = summarise(scenario.name, rounds);
    expect(row.problems).toEqual([]);
    expect(row.kills).toBeGreaterThanOrEqual(3);
    expect(rounds.every((r) => r.log.idsExactlyOnce && r.archiveEqual === true)).toBe(true);
    const outcomes = async (dir: string) =>
      (await eventsOf(dir)).map((e) => [e.id, e.ok ? 'ok' : e.kind, e.rp?.map(([s]) => s).join(',')]);
    const reference = await outcomes(join(work, 'reference'));
    expect(reference.filter(([, kind]) => kind === 'pruned').length).toBeGreaterThan(200);
    for (const r of rounds) expect(await outcomes(join(work, `round-${r.round}`))).toEqual(reference);
  }, 400_000); // a bound, not a wait: a loaded 2-core machine runs these real processes several times slower
});
