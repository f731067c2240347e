// Same config + seed with one worker ⇒ same archive: run after run, after SIGINT + resume, and after kill -9 + resume.
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseRunConfig, type RunConfigInput } from '../../search/config.js';
import { exportRun } from '../../report/inspect.js';
import { resumeRun, runSearch } from '../../search/run.js';
import { readRunState } from '../helpers/kill-harness.js';
import { spawnCli } from '../helpers/cli.js';
import { useRunFiles } from '../helpers/files.js';
import { elitesOf } from '../helpers/runs.js';

const armConfig = (dir: string, workers: number, evaluations: number): RunConfigInput => ({
  name: 'det',
  seed: 13,
  space: { type: 'vector', dimensions: 6, min: 0, max: 1, mutation: { type: 'iso-line-dd', isoSigma: 0.02, lineSigma: 0.2 } },
  evaluator: { type: 'planar-arm' },
  search: { strategy: 'map-elites', initialRandom: 50, crossoverRate: 0.5 },
  archive: { type: 'grid', dims: [{ name: 'x', min: 0, max: 1, bins: 16 }, { name: 'y', min: 0, max: 1, bins: 16 }] },
  budget: { evaluations },
  workers,
  cache: { path: join(dir, 'cache.mdb') },
  log: { checkpointSeconds: 0.05 },
});


describe('determinism', () => {
  it('gives the same archive for the same seed, inline and with one worker thread', async () => {
    const dir = useRunFiles();
    const a = await runSearch(parseRunConfig(armConfig(dir, 0, 3000), dir), { out: join(dir, 'a') });
    const b = await runSearch(parseRunConfig({ ...armConfig(dir, 0, 3000), cache: { enabled: false } }, dir), { out: join(dir, 'b') });
    const c = await runSearch(parseRunConfig({ ...armConfig(dir, 1, 3000), cache: { path: join(dir, 'other.mdb') } }, dir), { out: join(dir, 'c') });
    expect(a.archive.size).toBeGreaterThan(50);
    expect(await elitesOf(join(dir, 'b'))).toEqual(await elitesOf(join(dir, 'a')));
    expect(await elitesOf(join(dir, 'c'))).toEqual(await elitesOf(join(dir, 'a')));
    const other = await runSearch(parseRunConfig({ ...armConfig(dir, 0, 3000), seed: 14 }, dir), { out: join(dir, 'd') });
    expect(await elitesOf(join(dir, 'd'))).not.toEqual(await elitesOf(join(dir, 'a')));
    expect(other.proposals).toBe(3000);
  });

  it('gives the same archive after a stop signal and resume', async () => {
    const dir = useRunFiles();
    await runSearch(parseRunConfig(armConfig(dir, 1, 4000), dir), { out: join(dir, 'whole') });
    const stop = new AbortController();
    const first = runSearch(parseRunConfig({ ...armConfig(dir, 1, 4000), cache: { enabled: false } }, dir), {
      out: join(dir, 'split'),
      stop: stop.signal,
      onProgress: (p) => p.counters.proposals > 1000 && stop.abort(),
    });
    const interrupted = await first;
    expect(interrupted.status).toBe('interrupted');
    expect(interrupted.proposals).toBeLessThan(4000);
    const resumed = await resumeRun(join(dir, 'split'));
    expect(resumed.status).toBe('done');
    expect(resumed.proposals).toBe(4000);
    expect(await elitesOf(join(dir, 'split'))).toEqual(await elitesOf(join(dir, 'whole')));
  });

  it('gives the same archive after kill -9 at random moments and resume (real processes)', async () => {
    const dir = useRunFiles();
    const config = { ...armConfig(dir, 1, 40000), log: { checkpointSeconds: 0.2 } };
    writeFileSync(join(dir, 'run.json'), JSON.stringify(config));
    const whole = spawnCli(['run', join(dir, 'run.json'), '--out', join(dir, 'whole')], dir);
    expect((await whole.done).code).toBe(0);

    const killedDir = join(dir, 'killed');
    let kills = 0;
    for (let attempt = 0; attempt < 12; attempt++) {
      // A kill before the run's config is saved leaves no run to resume: start it again (as `elites resume` advises).
      const started = (await readRunState(killedDir)).configSaved;
      const args = started ? ['resume', killedDir] : ['run', join(dir, 'run.json'), '--out', killedDir];
      const proc = spawnCli(args, dir);
      const delayMs = 500 + ((attempt * 7919) % 13) * 60; // spread over start-up, mid-run and checkpoints
      const result = await Promise.race([proc.done, sleep(delayMs).then(() => undefined)]);
      if (result) {
        expect(result.code, result.stderr).toBe(0);
        break;
      }
      proc.child.kill('SIGKILL');
      await proc.done;
      kills++;
    }
    expect(kills).toBeGreaterThanOrEqual(3);
    console.info(`kill -9 test: ${kills} kills; ${readFileSync(join(killedDir, "run.log"), "utf8").split("\n").filter((l) => l.includes("resume")).join(" / ")}`);
    const last = spawnCli(['resume', killedDir, '--json'], dir);
    const final = await last.done;
    expect(final.code, final.stderr).toBe(0);
    expect(JSON.parse(final.stdout)).toMatchObject({ status: 'done', proposals: 40000 });
    expect(await elitesOf(killedDir)).toEqual(await elitesOf(join(dir, 'whole')));
  }, 180_000);
});
