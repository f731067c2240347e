// Every proposal is in the log exactly once, by construction: the engine checks the ids it is given, answers each
// pending proposal once, and drains the work in flight when a run ends on its own (time, target, failures).
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkRunLog } from '../helpers/kill-harness.js';
import { archives } from '../../archive/index.js';
import { openRunStore } from '../../store/run-store.js';
import { createCachePolicy } from '../../search/cache-policy.js';
import { parseRunConfig } from '../../search/config.js';
import { RunTally } from '../../search/tally.js';
import { runEngine } from '../../search/engine.js';
import { createInlineExecutor } from '../../search/executors/inline.js';
import { SeededRng } from '../../core/rng.js';
import { resumeRun, runSearch } from '../../search/run.js';
import type { Strategy } from '../../search/strategies/strategy.js';
import { spaces } from '../../spaces/index.js';
import { fixturePlugin, useRunFiles } from '../helpers/files.js';
import { createSampleMeans } from '../../search/sample-means.js';

describe('proposal ids', () => {
  it('a strategy that skips an id stops the run with a clear error, before anything inconsistent is logged', async () => {
    const dir = useRunFiles();
    const space = spaces.bitstring.create({ length: 8 }, undefined);
    const rng = SeededRng.fromSeed(1);
    let next = 0;
    const skipping: Strategy<unknown> = {
      ask: (n) =>
        Array.from({ length: n }, () => {
          const id = next === 5 ? ++next : next; // skips 5
          next++;
          return { id, genome: space.sample(rng.next), parents: [] };
        }),
      tell: () => undefined,
      state: () => ({ next }),
      restore: () => undefined,
    };
    const store = openRunStore(join(dir, 'run'), { write: true });
    const executor = createInlineExecutor({
      type: 'onemax',
      options: {},
      seed: 1,
      fidelity: 1,
      timeoutMs: 1000,
      descriptorCount: 1,
    });
    await executor.start();
    try {
      const archive = archives.grid.create({ dims: [{ name: 'ones', min: 0, max: 8, bins: 9 }] }, { rng });
      const run = runEngine({
        space,
        strategy: skipping,
        archive,
        tally: new RunTally(archive),
        executor,
        store,
        rng,
        cache: createCachePolicy(undefined, { mode: 'cache', maxRepeats: 1, epsilon: 0, descriptorCount: 1 }),
        means: createSampleMeans(),
        direction: 'maximize',
        budget: { evaluations: 20 },
        maxConsecutiveFailures: 5,
        logAllGenomes: false,
        checkpointSeconds: 5,
      });
      await expect(run).rejects.toThrow(/the strategy proposed id 6 where 5 was due/);
    } finally {
      await executor.close();
      await store.close();
    }
    const log = await checkRunLog(join(dir, 'run'));
    expect(log.idsExactlyOnce).toBe(true);
    expect(log.events).toBe(5);
  });

  it('a run that ends on time with two workers drains what is in flight: its log is exactly 0..N−1, nothing pending', async () => {
    const dir = useRunFiles();
    const config = parseRunConfig(
      {
        name: 'drain',
        seed: 1,
        space: { module: fixturePlugin('script-space.mjs'), options: { script: ['ok'] } },
        evaluator: { module: fixturePlugin('fault-zoo.mjs'), options: { okMs: 70 } },
        search: { strategy: 'random' },
        archive: { type: 'grid', dims: [{ name: 'a', min: 0, max: 1, bins: 4 }] },
        budget: { seconds: 0.6 },
        workers: 2,
        cache: { enabled: false },
      },
      dir,
    );
    const s = await runSearch(config, { out: join(dir, 'run') });
    expect(s).toMatchObject({ status: 'done', stopReason: 'seconds' });
    const log = await checkRunLog(join(dir, 'run'));
    expect(log).toMatchObject({
      events: s.proposals,
      seqContiguous: true,
      idsExactlyOnce: true,
      pendingInCheckpoint: 0,
    });
  });

  it('a stop signal leaves what is in flight to the checkpoint; log and checkpoint never share an id; resume completes exactly', async () => {
    const dir = useRunFiles();
    const config = parseRunConfig(
      {
        name: 'stop',
        seed: 2,
        space: { type: 'vector', dimensions: 3, min: 0, max: 1 },
        evaluator: { module: fixturePlugin('cpu-5ms.mjs') },
        search: { strategy: 'map-elites', initialRandom: 10 },
        archive: {
          type: 'grid',
          dims: [
            { name: 'a', min: -1, max: 1, bins: 5 },
            { name: 'b', min: -1, max: 1, bins: 5 },
          ],
        },
        budget: { evaluations: 400 },
        workers: 2,
        cache: { enabled: false },
      },
      dir,
    );
    const stop = new AbortController();
    const first = await runSearch(config, {
      out: join(dir, 'run'),
      stop: stop.signal,
      onProgress: (p) => p.counters.proposals > 50 && stop.abort(),
    });
    expect(first.status).toBe('interrupted');
    const store = openRunStore(join(dir, 'run'), { write: false });
    const logged = new Set([...store.events()].map((e) => e.id));
    const pending = store.loadCheckpoint()?.pending.map((p) => p.id) ?? [];
    await store.close();
    expect(logged.size).toBe(first.proposals);
    for (const id of pending) expect(logged.has(id)).toBe(false);
    expect(new Set([...logged, ...pending])).toEqual(
      new Set(Array.from({ length: logged.size + pending.length }, (_, i) => i)),
    );
    const done = await resumeRun(join(dir, 'run'));
    expect(done).toMatchObject({ status: 'done', proposals: 400 });
    expect(await checkRunLog(join(dir, 'run'))).toMatchObject({
      events: 400,
      seqContiguous: true,
      idsExactlyOnce: true,
      pendingInCheckpoint: 0,
    });
  });
});
