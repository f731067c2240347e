// Same config + seed with one worker ⇒ same archive: run after run, after SIGINT + resume, and after kill -9 + resume.
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseRunConfig, type RunConfigInput } from '../../search/config.js';
import { resumeRun, runSearch } from '../../search/run.js';
import { readRunState, type RunState } from '../helpers/kill-harness.js';
import { spawnCli } from '../helpers/cli.js';
import { useRunFiles } from '../helpers/files.js';
import { elitesOf } from '../helpers/runs.js';
import { waitFor } from '../helpers/wait.js';

/** Where a kill lands: `afterMs` past spawn (start-up), or past the observed state. */
type Aim =
  | { readonly kind: 'start-up'; readonly afterMs: number }
  | { readonly kind: 'config-saved'; readonly afterMs?: undefined }
  | { readonly kind: 'events'; readonly atLeast: number; readonly afterMs: number };

const armConfig = (dir: string, workers: number, evaluations: number): RunConfigInput => ({
  name: 'det',
  seed: 13,
  space: {
    type: 'vector',
    dimensions: 6,
    min: 0,
    max: 1,
    mutation: { type: 'iso-line-dd', isoSigma: 0.02, lineSigma: 0.2 },
  },
  evaluator: { type: 'planar-arm' },
  search: { strategy: 'map-elites', initialRandom: 50, crossoverRate: 0.5 },
  archive: {
    type: 'grid',
    dims: [
      { name: 'x', min: 0, max: 1, bins: 16 },
      { name: 'y', min: 0, max: 1, bins: 16 },
    ],
  },
  budget: { evaluations },
  workers,
  cache: { path: join(dir, 'cache.mdb') },
  log: { checkpointSeconds: 0.05 },
});

describe('determinism', () => {
  it('gives the same archive for the same seed, inline and with one worker thread', async () => {
    const dir = useRunFiles();
    const a = await runSearch(parseRunConfig(armConfig(dir, 0, 3000), dir), { out: join(dir, 'a') });
    await runSearch(parseRunConfig({ ...armConfig(dir, 0, 3000), cache: { enabled: false } }, dir), {
      out: join(dir, 'b'),
    });
    await runSearch(parseRunConfig({ ...armConfig(dir, 1, 3000), cache: { path: join(dir, 'other.mdb') } }, dir), {
      out: join(dir, 'c'),
    });
    expect(a.archive.size).toBeGreaterThan(50);
    expect(await elitesOf(join(dir, 'b'))).toEqual(await elitesOf(join(dir, 'a')));
    expect(await elitesOf(join(dir, 'c'))).toEqual(await elitesOf(join(dir, 'a')));
    const other = await runSearch(parseRunConfig({ ...armConfig(dir, 0, 3000), seed: 14 }, dir), {
      out: join(dir, 'd'),
    });
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

  it('cma-mae: gives the same archive after a stop signal and resume (emitters, thresholds and rng from the checkpoint)', async () => {
    const dir = useRunFiles();
    const config: RunConfigInput = {
      name: 'det-cma-mae',
      seed: 5,
      space: { type: 'vector', dimensions: 10, min: -5.12, max: 5.12, init: { x0: 0, sigma: 0.5 }, bounds: 'none' },
      evaluator: { type: 'sphere' },
      search: { strategy: 'cma-mae', emitters: 4, batchSize: 12, sigma0: 0.5 },
      archive: {
        type: 'grid',
        dims: [
          { name: 'm1', min: -25.6, max: 25.6, bins: 12 },
          { name: 'm2', min: -25.6, max: 25.6, bins: 12 },
        ],
      },
      // Far more than the first progress report (200 ms in) sees: the stop must land mid-run on a fast machine too.
      budget: { evaluations: 300_000 },
      batch: 24,
      workers: 0,
      cache: { enabled: false },
      log: { checkpointSeconds: 0.01 },
    };
    await runSearch(parseRunConfig(config, dir), { out: join(dir, 'whole') });
    const stop = new AbortController();
    const interrupted = await runSearch(parseRunConfig(config, dir), {
      out: join(dir, 'split'),
      stop: stop.signal,
      onProgress: (p) => p.counters.proposals > 3000 && stop.abort(), // progress comes every 200 ms
    });
    expect(interrupted.status).toBe('interrupted');
    expect(interrupted.proposals).toBeLessThan(300_000);
    const resumed = await resumeRun(join(dir, 'split'));
    expect(resumed.proposals).toBe(300_000);
    expect(await elitesOf(join(dir, 'split'))).toEqual(await elitesOf(join(dir, 'whole')));
  });

  it('cma-mae: gives the same archive after kill -9 mid-run and resume (replay from an older checkpoint)', async () => {
    const dir = useRunFiles();
    const config: RunConfigInput = {
      name: 'kill-cma-mae',
      seed: 8,
      space: { type: 'vector', dimensions: 20, min: -5.12, max: 5.12, init: { x0: 0, sigma: 0.5 }, bounds: 'none' },
      evaluator: { type: 'sphere' },
      search: { strategy: 'cma-mae', emitters: 5, batchSize: 16, covariance: 'cholesky' },
      archive: {
        type: 'grid',
        dims: [
          { name: 'm1', min: -51.2, max: 51.2, bins: 16 },
          { name: 'm2', min: -51.2, max: 51.2, bins: 16 },
        ],
      },
      budget: { evaluations: 60_000 },
      batch: 40,
      workers: 0,
      cache: { enabled: false },
      log: { checkpointSeconds: 0.3 },
    };
    writeFileSync(join(dir, 'run.json'), JSON.stringify(config));
    const whole = spawnCli(['run', join(dir, 'run.json'), '--out', join(dir, 'whole')], dir);
    expect((await whole.done).code).toBe(0);
    const killedDir = join(dir, 'killed');
    for (const atLeast of [8_000, 30_000]) {
      const started = (await readRunState(killedDir)).configSaved;
      const proc = spawnCli(started ? ['resume', killedDir] : ['run', join(dir, 'run.json'), '--out', killedDir], dir);
      let exited = false;
      void proc.done.then(() => (exited = true));
      await waitFor(
        async () => exited || ((await readRunState(killedDir).catch(() => undefined))?.events ?? 0) >= atLeast,
        {
          what: `${atLeast} logged events`,
          timeoutMs: 120_000,
        },
      );
      expect(exited, 'the run ended before the kill').toBe(false);
      proc.child.kill('SIGKILL');
      expect((await proc.done).code).toBe(137);
    }
    const last = await spawnCli(['resume', killedDir, '--json'], dir).done;
    expect(last.code, last.stderr).toBe(0);
    expect(JSON.parse(last.stdout)).toMatchObject({ status: 'done', proposals: 60_000 });
    expect(await elitesOf(killedDir)).toEqual(await elitesOf(join(dir, 'whole')));
  }, 300_000);

  it('gives the same archive after kill -9 at random moments and resume (real processes)', async () => {
    const dir = useRunFiles();
    // A budget far past the last aim: each kill lands some thousands of events past its aim, and the last must still be
    // mid-run however fast the engine gets (at 40,000 the last resume could finish within its 190 ms).
    const config = { ...armConfig(dir, 1, 70_000), log: { checkpointSeconds: 0.2 } };
    writeFileSync(join(dir, 'run.json'), JSON.stringify(config));
    const whole = spawnCli(['run', join(dir, 'run.json'), '--out', join(dir, 'whole')], dir);
    expect((await whole.done).code).toBe(0);

    const killedDir = join(dir, 'killed');
    // Each kill is aimed at an observed state, so a slow machine changes when it lands, not what it tests: the new
    // run right after its config is saved, the resume in its start-up (shortly after spawn: loading, replaying),
    // then at growing event counts (mid-run; the offsets land on and between 200 ms checkpoints).
    const aims: readonly Aim[] = [
      { kind: 'config-saved' },
      { kind: 'start-up', afterMs: 150 },
      { kind: 'events', atLeast: 3000, afterMs: 0 },
      { kind: 'events', atLeast: 11_000, afterMs: 70 },
      { kind: 'events', atLeast: 19_000, afterMs: 130 },
      { kind: 'events', atLeast: 27_000, afterMs: 190 },
    ];
    const landed: string[] = [];
    for (const aim of aims) {
      // A kill before the run's config is saved leaves no run to resume: start it again (as `elites resume` advises).
      const started = (await readRunState(killedDir)).configSaved;
      const args = started ? ['resume', killedDir] : ['run', join(dir, 'run.json'), '--out', killedDir];
      const proc = spawnCli(args, dir);
      let exited = false;
      void proc.done.then(() => (exited = true));
      if (aim.kind !== 'start-up') {
        const reached = (s: RunState | undefined): boolean =>
          s !== undefined && (aim.kind === 'config-saved' ? s.configSaved : s.events >= aim.atLeast);
        let seen = 'nothing read yet';
        const t0 = performance.now();
        const peek = async (): Promise<RunState | undefined> => {
          const t = performance.now();
          const state = await readRunState(killedDir).catch((e: unknown) => void (seen = `read error: ${String(e)}`));
          if (state)
            seen = `${JSON.stringify(state)} at ${Math.round(t - t0)} ms (read took ${Math.round(performance.now() - t)} ms)`;
          // A checkpoint is saved after the events it covers are committed: one past the log is a broken store (or view).
          if (state && state.checkpointSeq >= state.events)
            throw new Error(
              `the run store shows a checkpoint at seq ${state.checkpointSeq} past its log of ${state.events} events (aim ${JSON.stringify(aim)})`,
            );
          return state;
        };
        await waitFor(async () => exited || reached(await peek()), {
          what: aim.kind === 'config-saved' ? 'the run config to be saved' : `${aim.atLeast} logged events`,
          timeoutMs: 120_000,
          detail: () => `last read: ${seen}`,
        });
        if (exited) {
          const early = await proc.done;
          throw new Error(
            `\`elites ${args[0]}\` exited (${early.code}) before the kill aimed at ${JSON.stringify(aim)} (last read: ${seen}, ${Math.round(performance.now() - t0)} ms after spawn): ${early.stderr}`,
          );
        }
      } else await once(proc.child, 'spawn');
      if ((aim.afterMs ?? 0) > 0) await Promise.race([proc.done, sleep(aim.afterMs)]); // the offset past the state
      proc.child.kill('SIGKILL');
      const result = await proc.done;
      expect(result.code, `${JSON.stringify(aim)} should have been killed, not finished: ${result.stderr}`).toBe(137);
      const after = await readRunState(killedDir);
      landed.push(`${aim.kind}: ${after.configSaved ? `${after.events} events` : 'before the config was saved'}`);
      if (aim.kind !== 'start-up') expect(after.configSaved).toBe(true);
      if (aim.kind === 'events') expect(after.events).toBeGreaterThanOrEqual(aim.atLeast);
    }
    const runLog = join(killedDir, 'run.log');
    // The config is saved just before run.log's first line, so a kill between the two leaves no run.log yet.
    const resumes = existsSync(runLog)
      ? readFileSync(runLog, 'utf8')
          .split('\n')
          .filter((l) => l.includes('resume'))
      : ['(no run.log yet)'];
    console.info(`kill -9 test: ${landed.join('; ')}; ${resumes.join(' / ')}`);
    const last = spawnCli(['resume', killedDir, '--json'], dir);
    const final = await last.done;
    expect(final.code, final.stderr).toBe(0);
    expect(JSON.parse(final.stdout)).toMatchObject({ status: 'done', proposals: 70_000 });
    expect(await elitesOf(killedDir)).toEqual(await elitesOf(join(dir, 'whole')));
  }, 300_000); // a bound for a loaded machine (about 25 s on a quiet one)
});
