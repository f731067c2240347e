// The real `elites` process: Ctrl-C (SIGINT) checkpoints, exits 130, and the run resumes to the end.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { eventsLogged } from '../helpers/kill-harness.js';
import { spawnCli } from '../helpers/cli.js';
import { useRunFiles } from '../helpers/files.js';
import { waitFor } from '../helpers/wait.js';

describe('signals', () => {
  it('SIGINT stops with exit 130 and a resumable run', async () => {
    const dir = useRunFiles();
    writeFileSync(
      join(dir, 'c.json'),
      JSON.stringify({
        name: 'sig',
        seed: 1,
        space: { type: 'vector', dimensions: 4, min: 0, max: 1 },
        evaluator: { type: 'planar-arm' },
        search: { strategy: 'map-elites' },
        archive: {
          type: 'grid',
          dims: [
            { name: 'x', min: 0, max: 1, bins: 10 },
            { name: 'y', min: 0, max: 1, bins: 10 },
          ],
        },
        budget: { seconds: 60 },
        workers: 1,
        cache: { path: join(dir, 'cache.mdb') },
      }),
    );
    const run = spawnCli(['run', join(dir, 'c.json'), '--out', join(dir, 'run'), '--json'], dir);
    // Signal a run that is under way (logging events), however slow the machine is to start it.
    await waitFor(async () => (await eventsLogged(join(dir, 'run'))) >= 50, {
      what: 'the run to log 50 events',
      timeoutMs: 40_000,
    });
    run.child.kill('SIGINT');
    const stopped = await run.done;
    expect(stopped.code).toBe(130);
    expect(stopped.stderr).toMatch(/elites resume .*run/);
    const summary = JSON.parse(stopped.stdout) as { status: string; stopReason: string; proposals: number };
    expect(summary).toMatchObject({ status: 'interrupted', stopReason: 'signal' });
    expect(summary.proposals).toBeGreaterThan(0);
    const resumed = await spawnCli(
      ['resume', join(dir, 'run'), '--evaluations', String(summary.proposals + 500), '--json'],
      dir,
    ).done;
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(JSON.parse(resumed.stdout)).toMatchObject({ status: 'done', proposals: summary.proposals + 500 });
  });
});
