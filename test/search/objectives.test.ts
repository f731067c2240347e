// Several objectives through the engine: validated against the config's objectives.directions, logged, exported,
// cached across runs, and a cached result without them never answers a run that asks for them.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../core/errors.js';
import { parseRunConfig } from '../../search/config.js';
import { exportRun } from '../../report/inspect.js';
import { runSearch } from '../../search/run.js';
import { fixturePlugin, useRunFiles } from '../helpers/files.js';
import { eventsOf } from '../helpers/runs.js';

const config = (dir: string, extra: Record<string, unknown> = {}, options: Record<string, unknown> = {}) =>
  parseRunConfig(
    {
      name: 'objectives',
      seed: 3,
      space: { type: 'vector', dimensions: 2, min: 0, max: 1 },
      evaluator: { module: fixturePlugin('two-objectives.mjs'), options },
      search: { strategy: 'random' },
      archive: {
        type: 'grid',
        dims: [
          { name: 'a', min: 0, max: 1, bins: 5 },
          { name: 'b', min: 0, max: 1, bins: 5 },
        ],
      },
      objectives: { directions: ['minimize', 'minimize'], names: ['f1', 'f2'] },
      budget: { evaluations: 30 },
      workers: 0,
      cache: { path: join(dir, 'cache.mdb') },
      ...extra,
    },
    dir,
  );

describe('several objectives', () => {
  it('are logged with every result and exported as named columns', async () => {
    const dir = useRunFiles();
    const s = await runSearch(config(dir), { out: join(dir, 'run') });
    expect(s.status).toBe('done');
    expect(s.failures).toBe(0);
    const events = await eventsOf(join(dir, 'run'));
    for (const e of events) {
      if (!e.ok) throw new Error('unexpected failure');
      expect(e.ob).toHaveLength(2);
      expect(e.ob![0]!).toBeCloseTo(-(e.f + e.ob![1]!), 12); // fitness = −(f1 + f2) in the fixture
    }
    const rows = JSON.parse(await exportRun(join(dir, 'run'), { format: 'json', all: true })) as Record<
      string,
      number
    >[];
    expect(rows[0]).toHaveProperty('f1');
    expect(rows[0]).toHaveProperty('f2');
  });

  it('records a result of the wrong length as invalid, naming the field', async () => {
    const dir = useRunFiles();
    const s = await runSearch(config(dir, { budget: { evaluations: 5 } }, { wrongLength: true }), {
      out: join(dir, 'run'),
    });
    expect(s.failures).toBe(5);
    const events = await eventsOf(join(dir, 'run'));
    const first = events[0]!;
    expect(first.ok).toBe(false);
    if (!first.ok) expect(first.msg).toMatch(/objectives has length 1; the config's objectives.directions lists 2/);
  });

  it('answers from the cache with the objectives, and never with a result that lacks them', async () => {
    const dir = useRunFiles();
    // A first run whose results carry no objectives (its config asks for none), in the same cache namespace.
    const { objectives: _none, ...withoutObjectives } = config(dir);
    process.env.ELITES_TEST_NO_OBJECTIVES = '1';
    try {
      const first = await runSearch(withoutObjectives, { out: join(dir, 'plain') });
      expect(first.cacheHits.key).toBe(0);
    } finally {
      delete process.env.ELITES_TEST_NO_OBJECTIVES;
    }
    // The same proposals again, now asking for objectives: none of those cached results may answer.
    const second = await runSearch(config(dir), { out: join(dir, 'again') });
    expect(second.cacheHits.key).toBe(0);
    expect(second.failures).toBe(0);
    for (const e of await eventsOf(join(dir, 'again'))) if (e.ok) expect(e.ob).toHaveLength(2);
    const third = await runSearch(config(dir), { out: join(dir, 'third') });
    expect(third.cacheHits.key).toBe(30); // same seed, same proposals: all answered, objectives included
    for (const e of await eventsOf(join(dir, 'third'))) if (e.ok) expect(e.ob).toHaveLength(2);
  });

  it('refuses a config whose names do not cover its directions, and a single objective', () => {
    const dir = useRunFiles();
    expect(() => config(dir, { objectives: { directions: ['minimize', 'maximize'], names: ['f1'] } })).toThrow(
      ConfigError,
    );
    expect(() => config(dir, { objectives: { directions: ['minimize'] } })).toThrow(ConfigError);
  });
});
