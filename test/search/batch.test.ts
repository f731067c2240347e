// Batched asks (config `batch`) and the inline fast path: a batch is asked, evaluated and told together, in one call
// of evaluateBatch when the evaluator has it; runs stay deterministic and resumable; ctx.rng keeps its seed.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { rngFromSeed } from '../../core/rng.js';
import { parseRunConfig, type RunConfigInput } from '../../search/config.js';
import { resumeRun, runSearch } from '../../search/run.js';
import { createBitstringSpace } from '../../spaces/bitstring.js';
import { openRunStore } from '../../store/run-store.js';
import { exportRun } from '../../report/inspect.js';
import { fixturePlugin, useRunFiles } from '../helpers/files.js';

const config = (extra: Partial<RunConfigInput> = {}): RunConfigInput => ({
  name: 'batched',
  seed: 9,
  space: { type: 'bitstring', length: 24 },
  evaluator: { type: 'onemax' },
  search: { strategy: 'map-elites', initialRandom: 30 },
  archive: { type: 'grid', dims: [{ name: 'ones', min: 0, max: 24, bins: 25 }] },
  budget: { evaluations: 600 },
  workers: 0,
  cache: { enabled: false },
  log: { genomes: 'all' },
  ...extra,
});

async function eventsOf(dir: string) {
  const store = openRunStore(dir, { write: false });
  try {
    return [...store.events()];
  } finally {
    await store.close();
  }
}

describe('batched asks', () => {
  it('a batch of B is asked before any of it is told: no parent comes from the same batch', async () => {
    const dir = useRunFiles();
    const B = 50;
    await runSearch(parseRunConfig(config({ batch: B }), dir), { out: join(dir, 'run') });
    const events = await eventsOf(join(dir, 'run'));
    expect(events).toHaveLength(600);
    const withParents = events.flatMap((e) => (e.ok && e.parents?.length ? [e] : []));
    expect(withParents.length).toBeGreaterThan(400);
    for (const e of withParents) {
      const batchStart = Math.floor(e.id / B) * B;
      expect(Math.max(...(e.parents ?? [])), `proposal ${e.id}`).toBeLessThan(batchStart);
    }
    // With batch 1 (the default) a child can have the proposal just before it as parent.
    const steady = join(dir, 'steady');
    await runSearch(parseRunConfig(config(), dir), { out: steady });
    const adjacent = (await eventsOf(steady)).filter((e) => e.ok && e.parents?.includes(e.id - 1));
    expect(adjacent.length).toBeGreaterThan(0);
  });

  it('is deterministic for a seed, and resumes to the same archive after a stop mid-batch', async () => {
    const dir = useRunFiles();
    const input = config({ batch: 64 });
    await runSearch(parseRunConfig(input, dir), { out: join(dir, 'a') });
    await runSearch(parseRunConfig(input, dir), { out: join(dir, 'b') });
    const elites = (run: string) => exportRun(join(dir, run), { format: 'jsonl' });
    expect(await elites('b')).toBe(await elites('a'));

    // A run of a slow (awaiting) evaluator stopped in its second batch, then resumed: the same archive as without the stop.
    const slow = config({
      batch: 16,
      budget: { evaluations: 120 },
      evaluator: { module: fixturePlugin('slow-onemax.mjs') },
    });
    await runSearch(parseRunConfig(slow, dir), { out: join(dir, 'whole') });
    const stop = new AbortController();
    const stopped = await runSearch(parseRunConfig(slow, dir), {
      out: join(dir, 'c'),
      stop: stop.signal,
      onProgress: (p) => void (p.counters.proposals >= 20 && stop.abort()),
    });
    expect(stopped.status).toBe('interrupted');
    expect(stopped.proposals).toBeLessThan(120);
    const resumed = await resumeRun(join(dir, 'c'));
    expect(resumed.proposals).toBe(120);
    expect(await elites('c')).toBe(await elites('whole'));
  });

  it('evaluates a batch in one call of evaluateBatch, with the same results as one by one', async () => {
    const dir = useRunFiles();
    const plugin = fixturePlugin('batch-onemax.mjs');
    const { calls } = (await import(plugin)) as { calls: number[] };
    calls.length = 0;
    const batched = await runSearch(parseRunConfig(config({ batch: 40, evaluator: { module: plugin } }), dir), {
      out: join(dir, 'batched'),
    });
    expect(calls.length).toBe(600 / 40);
    expect(calls.every((n) => n === 40)).toBe(true);
    const single = await runSearch(parseRunConfig(config({ batch: 40 }), dir), { out: join(dir, 'single') });
    expect(batched.archive).toEqual(single.archive);
    expect(await exportRun(join(dir, 'batched'), { format: 'jsonl' })).toBe(
      await exportRun(join(dir, 'single'), { format: 'jsonl' }),
    );
  });

  it('without evaluateBatch, a batch is evaluated one task at a time in ask order, sync or async alike', async () => {
    const dir = useRunFiles();
    const plugin = fixturePlugin('async-onemax.mjs');
    const { seen } = (await import(plugin)) as { seen: string[] };
    seen.length = 0;
    const input = config({ batch: 40, evaluator: { module: plugin } });
    const asynchronous = await runSearch(parseRunConfig(input, dir), { out: join(dir, 'async') });
    const sync = await runSearch(parseRunConfig(config({ batch: 40 }), dir), { out: join(dir, 'sync') });
    expect(asynchronous.archive).toEqual(sync.archive);
    // The evaluator saw the genomes in the order the log holds them: one at a time, in ask order.
    const logged = (await eventsOf(join(dir, 'async'))).map((e) => e.g as string); // bit text: the genome's bits in order
    expect(seen).toEqual(logged);
    expect(await exportRun(join(dir, 'async'), { format: 'jsonl' })).toBe(
      await exportRun(join(dir, 'sync'), { format: 'jsonl' }),
    );
  });

  it('an evaluateBatch that throws or returns too few results fails every task of the call, naming why', async () => {
    const dir = useRunFiles();
    for (const batchFault of ['throw', 'short'] as const) {
      const s = await runSearch(
        parseRunConfig(
          config({
            batch: 10,
            budget: { evaluations: 30 },
            evaluator: { module: fixturePlugin('batch-onemax.mjs'), options: { batchFault } },
            failures: { maxConsecutive: 1000 },
          }),
          dir,
        ),
        { out: join(dir, batchFault) },
      );
      expect(s).toMatchObject({ proposals: 30, failures: 30 });
      const events = await eventsOf(join(dir, batchFault));
      const messages = new Set(events.map((e) => (e.ok ? '' : e.msg)));
      expect([...messages]).toEqual([
        batchFault === 'throw'
          ? expect.stringMatching(/batch exploded/)
          : 'evaluateBatch() returned 9 results for 10 genomes; expected one result per genome, in order',
      ]);
    }
  });

  it('with the cache off, ctx.rng is still seeded from (run seed, key, repeat): the key is hashed when it is read', async () => {
    const dir = useRunFiles();
    await runSearch(
      parseRunConfig(
        config({ evaluator: { module: fixturePlugin('noisy.mjs') }, budget: { evaluations: 50 }, batch: 5 }),
        dir,
      ),
      { out: join(dir, 'run') },
    );
    const space = createBitstringSpace({ length: 24 });
    for (const e of await eventsOf(join(dir, 'run'))) {
      if (!e.ok) throw new Error(e.msg);
      const g = space.decode(e.g);
      const ones = g.reduce((a: number, b: number) => a + b, 0);
      expect(e.f).toBe(ones + (rngFromSeed(`9/${space.key(g)}/0`)() - 0.5) * 4);
    }
  });
});
