// LMDB files shared between processes: two runs writing one result cache while this process watches both runs
// (as `elites status` and the dashboard do). Readers must never disturb a writer: every look shows a log with no
// checkpoint past it, and each run ends with a gap-free log of all its proposals.
import { writeFileSync } from 'node:fs';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cacheNamespace, openResultCache } from '../../store/result-cache.js';
import { checkRunLog, readRunState } from '../helpers/kill-harness.js';
import { spawnCli } from '../helpers/cli.js';
import { useRunFiles } from '../helpers/files.js';

const EVALUATIONS = 20_000;

const config = (dir: string, seed: number) => ({
  name: `shared-${seed}`,
  seed,
  space: { type: 'vector', dimensions: 6, min: 0, max: 1 },
  evaluator: { type: 'planar-arm' },
  search: { strategy: 'map-elites', initialRandom: 50 },
  archive: {
    type: 'grid',
    dims: [
      { name: 'x', min: 0, max: 1, bins: 16 },
      { name: 'y', min: 0, max: 1, bins: 16 },
    ],
  },
  budget: { evaluations: EVALUATIONS },
  workers: 0,
  cache: { path: join(dir, 'shared-cache.mdb') },
  log: { checkpointSeconds: 0.05 },
});

describe('LMDB files shared between processes', () => {
  it('keeps both writers whole while another process reads their run stores and their shared cache', async () => {
    const dir = useRunFiles();
    const runs = [1, 2].map((seed) => {
      writeFileSync(join(dir, `run-${seed}.json`), JSON.stringify(config(dir, seed)));
      const out = join(dir, `run-${seed}`);
      const proc = spawnCli(['run', join(dir, `run-${seed}.json`), '--out', out], dir);
      const state = { exited: false };
      void proc.done.then(() => (state.exited = true));
      return { out, proc, state };
    });
    const torn: string[] = [];
    let looks = 0;
    while (runs.some((r) => !r.state.exited)) {
      for (const run of runs) {
        const seen = await readRunState(run.out).catch(() => undefined); // not created yet
        if (seen && seen.checkpointSeq >= seen.events)
          torn.push(`${run.out}: checkpoint ${seen.checkpointSeq}, log ${seen.events}`);
        if (seen) looks++;
      }
      try {
        const cache = openResultCache({
          path: join(dir, 'shared-cache.mdb'),
          namespace: cacheNamespace({ evaluator: 'planar-arm', version: '0', options: {}, fidelity: 1 }),
          readOnly: true,
        });
        cache.byKey('0');
        await cache.close();
      } catch {
        // the cache file is not made yet
      }
      await nextTurn(); // a look can finish without I/O (no store yet): let the exits be seen
    }
    expect(torn).toEqual([]);
    expect(looks).toBeGreaterThan(2);
    for (const run of runs) {
      const exit = await run.proc.done;
      expect(exit.code, exit.stderr).toBe(0);
      const log = await checkRunLog(run.out);
      expect({ events: log.events, contiguous: log.seqContiguous, once: log.idsExactlyOnce }).toEqual({
        events: EVALUATIONS,
        contiguous: true,
        once: true,
      });
    }
  });
});
