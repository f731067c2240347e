// Early stopping through the engine (inline): evaluations report known learning curves, the config's pruner stops
// some of them; every decision equals the pure pruner's on the logged reports, pruned outcomes are logged with their
// reports, never reach the archive, count apart, and a resume continues with the pruner's state.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pruners } from '../../search/early-stopping/index.js';
import { parseRunConfig } from '../../search/config.js';
import { resumeRun, runSearch } from '../../search/run.js';
import type { RunEvent } from '../../store/events.js';
import { configIssues } from '../helpers/config-issues.js';
import { fixturePlugin, useRunFiles } from '../helpers/files.js';
import { elitesOf, eventsOf } from '../helpers/runs.js';

const asha = { type: 'asha', minResource: 1, reductionFactor: 3, maxResource: 9 };
const raw = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  name: 'early-stopping',
  seed: 11,
  space: { type: 'vector', dimensions: 1, min: 0, max: 1 },
  evaluator: { module: fixturePlugin('curves.mjs') },
  search: { strategy: 'random' },
  archive: { type: 'grid', dims: [{ name: 'x', min: 0, max: 1, bins: 10 }] },
  pruner: asha,
  budget: { evaluations: 120 },
  workers: 0,
  cache: { enabled: false },
  ...extra,
});
const config = (dir: string, extra: Record<string, unknown> = {}) => parseRunConfig(raw(extra), dir);

/** The decisions a fresh pruner takes on the logged reports, replayed in log order as the engine heard them. */
function replayDecisions(events: readonly RunEvent[], options: Record<string, unknown>): Map<number, string[]> {
  const { type, ...rest } = options;
  const pruner = pruners[type as keyof typeof pruners].create(rest, undefined);
  const decisions = new Map<number, string[]>();
  for (const e of events) {
    decisions.set(
      e.id,
      (e.rp ?? []).map(([step, value]) => pruner.report({ id: e.id, step, value })),
    );
    pruner.finish(e.id, e.ok ? 'complete' : e.kind === 'pruned' ? 'pruned' : 'failed');
  }
  return decisions;
}

describe('early stopping through the engine (inline)', () => {
  it('stops evaluations exactly where ASHA decides, logs them as pruned with their reports, and keeps them out of the archive', async () => {
    const dir = useRunFiles();
    const run = join(dir, 'run');
    const summary = await runSearch(config(dir), { out: run });
    expect(summary.status).toBe('done');
    const events = await eventsOf(run);
    const pruned = events.filter((e) => !e.ok && e.kind === 'pruned');
    expect(summary.pruned).toBe(pruned.length);
    expect(pruned.length).toBeGreaterThan(events.length / 3); // ASHA with η = 3 stops most at the first rungs
    expect(summary.proposals).toBe(summary.evaluations + summary.failures + summary.pruned); // no cache here
    const decisions = replayDecisions(events, asha);
    for (const e of events) {
      const said = decisions.get(e.id)!;
      expect(e.rp?.length, `event ${e.id} has its reports`).toBeGreaterThan(0);
      if (!e.ok) {
        expect(e.kind).toBe('pruned');
        expect(said.at(-1), `pruned ${e.id} at its last report`).toBe('prune');
        expect(said.slice(0, -1)).not.toContain('prune');
        const [step, value] = e.rp!.at(-1)!;
        expect(e.msg).toBe(`pruned at step ${step} (value ${value})`);
      } else {
        expect(said, `completed ${e.id} was never pruned`).not.toContain('prune');
        expect(e.rp).toHaveLength(9);
      }
    }
    const archived = (await elitesOf(run)) as { id: number }[];
    const prunedIds = new Set(pruned.map((e) => e.id));
    expect(archived.length).toBeGreaterThan(0);
    for (const e of archived) expect(prunedIds.has(e.id)).toBe(false);
  });

  it('never answers from the cache with a pruned score: what was stopped at step k is evaluated again, to the end', async () => {
    const dir = useRunFiles();
    const cache = { enabled: true, path: join(dir, 'cache.mdb') };
    await runSearch(config(dir, { cache, budget: { evaluations: 60 } }), { out: join(dir, 'asha') });
    // The same proposals (random search, same seed) on the same cache, without a pruner.
    const second = await runSearch(config(dir, { cache, pruner: { type: 'none' }, budget: { evaluations: 60 } }), {
      out: join(dir, 'full'),
    });
    const first = new Map((await eventsOf(join(dir, 'asha'))).map((e) => [e.id, e]));
    const stopped = [...first.values()].filter((e) => !e.ok && e.kind === 'pruned').length;
    expect(stopped).toBeGreaterThan(10);
    expect(second.cacheHits.key).toBe(60 - stopped);
    for (const e of await eventsOf(join(dir, 'full'))) {
      const before = first.get(e.id)!;
      expect(e.ok).toBe(true);
      if (!e.ok || !before) continue;
      if (before.ok)
        expect([e.src, e.f]).toEqual(['k', before.f]); // a completed evaluation: answered by its key
      else {
        expect(e.src, `proposal ${e.id}, pruned before, is evaluated`).toBe('e');
        expect(e.rp).toHaveLength(9);
      }
    }
  });

  it('gives the same log from the same seed, and after a stop and a resume (the pruner state in the checkpoint)', async () => {
    const dir = useRunFiles();
    await runSearch(config(dir), { out: join(dir, 'a') });
    const first = await runSearch(config(dir, { budget: { evaluations: 50 } }), { out: join(dir, 'b') });
    expect(first.proposals).toBe(50);
    const resumed = await resumeRun(join(dir, 'b'), { evaluations: 120 });
    expect(resumed.proposals).toBe(120);
    const shape = (events: RunEvent[]) => events.map((e) => [e.id, e.ok ? 'ok' : e.kind, e.rp?.length]);
    expect(shape(await eventsOf(join(dir, 'b')))).toEqual(shape(await eventsOf(join(dir, 'a'))));
    expect(await elitesOf(join(dir, 'b'))).toEqual(await elitesOf(join(dir, 'a')));
  });

  it('stops at budget.steps, the reports of all evaluations (training epochs), counted from the log', async () => {
    const dir = useRunFiles();
    const summary = await runSearch(config(dir, { budget: { steps: 100 } }), { out: join(dir, 'run') });
    expect(summary.stopReason).toBe('steps');
    const events = await eventsOf(join(dir, 'run'));
    expect(summary.steps).toBe(events.reduce((n, e) => n + (e.rp?.length ?? 0), 0));
    expect(summary.steps).toBeGreaterThanOrEqual(100);
    expect(summary.steps).toBeLessThan(100 + 9); // inline: at most the one evaluation running when it was reached
  });

  it('records an evaluator whose steps go backwards as a failure that says so', async () => {
    const dir = useRunFiles();
    const summary = await runSearch(
      config(dir, {
        evaluator: { module: fixturePlugin('curves.mjs'), options: { badStep: true } },
        budget: { evaluations: 3 },
        pruner: { type: 'none' }, // checked even without a pruner (and a pruner could stop it at the first report)
      }),
      { out: join(dir, 'run') },
    );
    const events = await eventsOf(join(dir, 'run'));
    expect(summary.failures).toBe(3);
    expect(events[0]).toMatchObject({ ok: false, kind: 'threw' });
    expect(events[0]!.ok ? '' : events[0]!.msg).toMatch(/ctx\.report: step 1 after step 2; steps must increase/);
  });

  it('stops evaluations in worker threads too: reports cross to the main thread, decisions come back', async () => {
    const dir = useRunFiles();
    const run = join(dir, 'run');
    const evaluator = { module: fixturePlugin('curves.mjs'), options: { msPerStep: 2 } };
    const summary = await runSearch(config(dir, { workers: 2, evaluator, budget: { evaluations: 90 } }), { out: run });
    expect(summary.status).toBe('done');
    const events = await eventsOf(run);
    const pruned = events.filter((e) => !e.ok && e.kind === 'pruned');
    expect(summary.pruned).toBe(pruned.length);
    expect(pruned.length).toBeGreaterThan(events.length / 3);
    for (const e of events) {
      if (e.ok) expect(e.rp).toHaveLength(9);
      else {
        const [step, value] = e.rp!.at(-1)!;
        expect(e.msg).toBe(`pruned at step ${step} (value ${value})`); // at the report it stopped after
      }
    }
    // The decision reaches the thread a little later than inline (a loaded machine: later still), but most of the
    // stopped evaluations stop before their last step; one that finished first is still recorded as pruned.
    expect(pruned.filter((e) => e.rp!.length < 9).length).toBeGreaterThan(pruned.length / 2);
    const prunedIds = new Set(pruned.map((e) => e.id));
    for (const e of (await elitesOf(run)) as { id: number }[]) expect(prunedIds.has(e.id)).toBe(false);
  });

  it('refuses an unknown pruner and bad options, naming the field; accepts one with threads or Redis workers', () => {
    const dir = useRunFiles();
    const issues = (extra: Record<string, unknown>): string[] => configIssues(() => config(dir, extra));
    expect(issues({ executor: { type: 'redis', url: 'redis://127.0.0.1:6379' } })).toEqual([]);
    expect(issues({ pruner: { type: 'sometimes' } }).join('\n')).toMatch(
      /pruner\.type: unknown pruner type "sometimes"/,
    );
    expect(issues({ pruner: { type: 'asha', reductionFactor: 1 } }).join('\n')).toMatch(/^pruner\.reductionFactor/m);
    expect(issues({ workers: 2 })).toEqual([]);
  });
});
