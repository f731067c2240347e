// Setup runs once per evaluator process, never per evaluation: 1,000 evaluations on 2 workers set up exactly twice,
// and a run killed with SIGKILL and resumed sets up only its new processes (the killed run's die with it). Real
// processes: the built `elites` bin (dist/: `npm run build` first) and python3.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkRunLog, eventsLogged, spawnElites } from '../helpers/kill-harness.js';
import { repoRoot, useRunFiles } from '../helpers/files.js';
import { isAlive } from '../helpers/processes.js';
import { waitFor } from '../helpers/wait.js';

/** A run of 1,000 evaluations of slow_setup.py on 2 workers; its setups are logged to `setupsFile`, one pid a line. */
function writeConfig(dir: string, setupsFile: string): string {
  const path = join(dir, 'config.json');
  writeFileSync(
    path,
    JSON.stringify({
      name: 'process-setup',
      seed: 5,
      space: { type: 'vector', dimensions: 4, min: 0, max: 1 },
      evaluator: {
        process: { argv: ['python3', join(repoRoot, 'test/fixtures/process/slow_setup.py')] },
        options: { setupSeconds: 0.5, setupsFile, evalMs: 1 },
      },
      search: { strategy: 'map-elites' },
      archive: {
        type: 'grid',
        dims: [
          { name: 'x', min: 0, max: 1, bins: 10 },
          { name: 'y', min: 0, max: 1, bins: 10 },
        ],
      },
      budget: { evaluations: 1000 },
      workers: 2,
      cache: { enabled: false },
    }),
  );
  return path;
}

const setupsIn = (file: string): number[] => readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map(Number);

describe('evaluator process setup', () => {
  it('runs once per process: twice for 1,000 evaluations on 2 workers, and again only for the processes of a resume after SIGKILL', async () => {
    const dir = useRunFiles();

    const whole = join(dir, 'whole.txt');
    const done = await spawnElites(['run', writeConfig(dir, whole), '--out', 'whole', '--json'], dir).done;
    expect(done.code, done.stderr).toBe(0);
    expect(JSON.parse(done.stdout)).toMatchObject({ status: 'done', evaluations: 1000, failures: 0 });
    expect(setupsIn(whole)).toHaveLength(2);

    const killed = join(dir, 'killed.txt');
    const run = join(dir, 'killed');
    const first = spawnElites(['run', writeConfig(dir, killed), '--out', 'killed', '--json'], dir);
    await waitFor(async () => (await eventsLogged(run)) >= 300, {
      what: 'the run to log 300 events',
      timeoutMs: 60_000,
      detail: first.stderr,
    });
    first.kill('SIGKILL');
    await first.done;
    const before = setupsIn(killed);
    expect(before).toHaveLength(2);
    // The killed run's processes die with it (stdin closed; Linux: PR_SET_PDEATHSIG).
    await waitFor(() => before.every((pid) => !isAlive(pid)), { what: "the killed run's processes to be gone" });

    const resumed = await spawnElites(['resume', run, '--json'], dir).done;
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(JSON.parse(resumed.stdout)).toMatchObject({ status: 'done', proposals: 1000 });
    const after = setupsIn(killed);
    expect(after).toHaveLength(4);
    expect(new Set(after).size).toBe(4);
    expect((await checkRunLog(run)).idsExactlyOnce).toBe(true);
  }, 120_000);
});
