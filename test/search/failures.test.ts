// Evaluators that throw, hang, return NaN or malformed results, or exit their thread: recorded failures, and the run completes.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseRunConfig } from '../../search/config.js';
import { exportRun } from '../../report/inspect.js';
import { resumeRun, runSearch } from '../../search/run.js';
import { fixturePlugin, useRunFiles } from '../helpers/files.js';

const arena = (dir: string, evaluator: string, extra: Record<string, unknown> = {}) =>
  parseRunConfig(
    {
      name: 'faults',
      seed: 2,
      space: { type: 'vector', dimensions: 2, min: 0, max: 1 },
      evaluator: { module: fixturePlugin(evaluator), timeoutSeconds: 0.5 },
      search: { strategy: 'random' },
      archive: {
        type: 'grid',
        dims: [
          { name: 'a', min: 0, max: 1, bins: 10 },
          { name: 'b', min: 0, max: 1, bins: 10 },
        ],
      },
      budget: { evaluations: 120 },
      workers: 2,
      cache: { path: join(dir, 'cache.mdb') },
      ...extra,
    },
    dir,
  );

describe('faulty evaluators', () => {
  it('records throw, timeout, NaN, thread exit and malformed results as failures, and completes', async () => {
    const dir = useRunFiles();
    const s = await runSearch(arena(dir, 'faulty.mjs'), { out: join(dir, 'run') });
    expect(s.status).toBe('done');
    expect(s.proposals).toBe(120);
    const events = JSON.parse(await exportRun(join(dir, 'run'), { format: 'json', all: true })) as {
      ok: boolean;
      failure?: string;
      message?: string;
    }[];
    const kinds = new Set(events.filter((e) => !e.ok).map((e) => e.failure));
    expect(kinds).toEqual(new Set(['threw', 'timeout', 'invalid', 'crashed']));
    expect(events.find((e) => e.failure === 'invalid' && /fitness is NaN/.test(e.message ?? ''))).toBeDefined();
    expect(events.find((e) => e.failure === 'invalid' && /returned string/.test(e.message ?? ''))).toBeDefined();
    expect(events.find((e) => e.failure === 'threw')?.message).toMatch(/deliberate failure/);
    // Uniform first gene: about a quarter of 120 proposals misbehave.
    expect(s.failures).toBeGreaterThan(12);
    expect(s.failures).toBeLessThan(60);
    expect(s.archive.size).toBeGreaterThan(10);
  });

  it('stops after the cap on consecutive failures with a clear message and a resumable log', async () => {
    const dir = useRunFiles();
    const config = arena(dir, 'throws.mjs', { failures: { maxConsecutive: 5 }, workers: 0 });
    const s = await runSearch(config, { out: join(dir, 'run') });
    expect(s.status).toBe('failed');
    expect(s.stopReason).toBe('failures');
    expect(s.error).toMatch(/5 evaluations in a row failed.*always broken/);
    expect(s.proposals).toBe(5);
    const again = await resumeRun(join(dir, 'run'));
    expect(again.proposals).toBe(10); // the five logged failures are kept, five more are made
  });
});

describe('evaluator setup', () => {
  it('runs before the clock: a setup slower than the evaluation timeout causes no timeouts', async () => {
    const dir = useRunFiles();
    const config = arena(dir, 'slow-setup.mjs', { budget: { evaluations: 40 } });
    const s = await runSearch(
      { ...config, evaluator: { ...config.evaluator, options: { setupMs: 1200 } } },
      { out: join(dir, 'run') },
    );
    expect(s).toMatchObject({ status: 'done', failures: 0, proposals: 40 });
  });

  it('a setup that throws stops the run before any evaluation, naming the error', async () => {
    const dir = useRunFiles();
    const config = arena(dir, 'slow-setup.mjs');
    const run = runSearch(
      { ...config, evaluator: { ...config.evaluator, options: { setupMs: 10, fail: true } } },
      { out: join(dir, 'run') },
    );
    await expect(run).rejects.toThrow(/evaluator setup failed in a worker: model file missing/);
  });
});
