// Re-measuring the final elites of a noisy run: interleaved rounds, medians and spreads, stored with the run.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseRunConfig, type RunConfigInput } from '../../search/config.js';
import { runSearch } from '../../search/run.js';
import { openRunView } from '../../search/run-view.js';
import { fixturePlugin, useRunFiles } from '../helpers/files.js';

const config = (dir: string, remeasure?: { elites: number; rounds: number }): RunConfigInput => ({
  name: 'noisy',
  seed: 3,
  space: { type: 'bitstring', length: 12 },
  evaluator: { module: fixturePlugin('noisy.mjs') },
  search: { strategy: 'map-elites', initialRandom: 20 },
  archive: { type: 'grid', dims: [{ name: 'ones', min: 0, max: 13, bins: 13 }] },
  budget: { evaluations: 200 },
  workers: 0,
  cache: { path: join(dir, 'cache.mdb'), mode: 'aggregate', maxRepeats: 2 },
  ...(remeasure ? { remeasure } : {}),
});

describe('remeasure', () => {
  it('evaluates the best elites again, round-robin, and reports medians and spreads best first', async () => {
    const dir = useRunFiles();
    const s = await runSearch(parseRunConfig(config(dir, { elites: 4, rounds: 5 }), dir), { out: join(dir, 'run') });
    expect(s.status).toBe('done');
    const rows = s.remeasured ?? [];
    expect(rows).toHaveLength(4);
    for (const r of rows) {
      expect(r.samples).toHaveLength(5);
      // The fixture is ones + uniform noise in [−2, 2): fresh samples scatter around the elite's true value.
      const ones = (r.genome as number[] | string)
        .toString()
        .split('')
        .filter((c) => c === '1').length;
      for (const x of r.samples) expect(Math.abs(x - ones)).toBeLessThanOrEqual(2);
      expect(new Set(r.samples).size).toBeGreaterThan(1); // fresh noise per round, not a cached answer
      expect(r.median).toBe([...r.samples].sort((a, b) => a - b)[2]);
      expect(r.spread).toBeCloseTo((Math.max(...r.samples) - Math.min(...r.samples)) / Math.abs(r.median as number));
    }
    const medians = rows.map((r) => r.median as number);
    expect([...medians].sort((a, b) => b - a)).toEqual(medians);
    // Not proposals: the budget and the log are untouched, and a reader sees the same table.
    expect(s.proposals).toBe(200);
    const view = await openRunView(join(dir, 'run'));
    try {
      expect(view.summary.remeasured).toEqual(rows);
      expect(view.counters.proposals).toBe(200);
    } finally {
      await view.close();
    }
  });

  it('measures again even when the evaluator has a fingerprint (aggregate mode would answer from it)', async () => {
    const dir = useRunFiles();
    const input = {
      ...config(dir, { elites: 3, rounds: 5 }),
      evaluator: { module: fixturePlugin('noisy-fingerprint.mjs') },
    };
    const s = await runSearch(parseRunConfig(input, dir), { out: join(dir, 'run') });
    const rows = s.remeasured ?? [];
    expect(rows).toHaveLength(3);
    // Five fresh samples of ones + uniform noise: never five identical numbers, so the spread is above 0.
    for (const r of rows)
      expect({ distinct: new Set(r.samples).size > 1, spread: (r.spread ?? 0) > 0 }).toEqual({
        distinct: true,
        spread: true,
      });
  });

  it('is off by default', async () => {
    const dir = useRunFiles();
    const s = await runSearch(parseRunConfig(config(dir), dir), { out: join(dir, 'run') });
    expect(s.remeasured).toBeUndefined();
  });
});
