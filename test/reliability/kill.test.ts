// Kill anywhere (a small run of test/helpers/kill-harness.ts), and the stop signals of the real bin: SIGTERM and SIGINT
// checkpoint and exit 130 without waiting for work in flight; every proposal lands in the log exactly once.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkRunLog, readRunState, runScenario, scenarios, spawnElites, summarise } from '../helpers/kill-harness.js';
import { SeededRng } from '../../core/rng.js';
import { fixturePlugin, useRunFiles } from '../helpers/files.js';
import { waitFor } from '../helpers/wait.js';

describe('kill -9 anywhere, then resume (real processes)', () => {
  it('one worker: the log holds every proposal exactly once and the archive equals an uninterrupted run', async () => {
    const dir = useRunFiles();
    const scenario = scenarios(0.3)[0];
    if (!scenario) throw new Error('no scenario');
    const rounds = await runScenario(scenario, {
      kills: 4,
      rng: SeededRng.fromSeed('kill-test').next,
      maxDelayMs: 900,
      work: dir,
    });
    const row = summarise(scenario.name, rounds);
    expect(row.problems).toEqual([]);
    expect(row.kills).toBeGreaterThanOrEqual(4);
    expect(rounds.every((r) => r.log.idsExactlyOnce && r.log.seqContiguous && r.archiveEqual === true)).toBe(true);
    // Readers started from a snapshot and replayed a tail of the log (a kill lands between checkpoints), and what they
    // showed equalled a full replay every time (a difference is among the problems above).
    const killed = rounds.flatMap((r) => r.attempts).filter((a) => a.killed && a.snapshot);
    expect(killed.some((a) => a.snapshot!.fromSeq >= 0 && a.snapshot!.fromSeq < a.snapshot!.lastSeq)).toBe(true);
  }, 300_000); // a bound, not a wait: a loaded 2-core machine runs these real processes several times slower

  it('two workers (completions out of order): ids are still exactly 0..N−1 after kills', async () => {
    const dir = useRunFiles();
    const scenario = scenarios(0.2)[3];
    if (!scenario) throw new Error('no scenario');
    const rounds = await runScenario(scenario, {
      kills: 3,
      rng: SeededRng.fromSeed('kill-test-2').next,
      maxDelayMs: 900,
      work: dir,
    });
    expect(summarise(scenario.name, rounds).problems).toEqual([]);
  }, 300_000);
});

const signalConfig = (dir: string, extra: Record<string, unknown> = {}): string => {
  const path = join(dir, 'c.json');
  writeFileSync(
    path,
    JSON.stringify({
      name: 'sig',
      seed: 3,
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
      budget: { seconds: 3600 },
      workers: 2,
      cache: { path: join(dir, 'cache.mdb') }, // only the signal ends it, however slow the machine
      ...extra,
    }),
  );
  return path;
};

describe('stop signals of the real bin', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)(
    '%s checkpoints, exits 130, and the run resumes to an exact log',
    async (signal) => {
      const dir = useRunFiles();
      const run = join(dir, 'run');
      const proc = spawnElites(['run', signalConfig(dir), '--out', run, '--json'], dir);
      let lastRead = '';
      const events = async (): Promise<number> =>
        (await readRunState(run).catch((e: unknown) => void (lastRead = String(e))))?.events ?? 0;
      let seen = -1;
      let exited = false;
      void proc.done.then(() => (exited = true));
      await waitFor(async () => exited || (seen = await events()) > 200, {
        what: `${signal}: the run to log 200 events`,
        timeoutMs: 180_000,
        detail: () => `events seen: ${seen}; stderr: ${proc.stderr() || '-'}; last read error: ${lastRead || '-'}`,
      });
      // A run that ended before the signal (e.g. a failed write) is reported with its stderr, not waited on.
      expect(exited, `the run exited before the signal, at ${seen} events: ${proc.stderr()}`).toBe(false);
      proc.kill(signal);
      const stopped = await proc.done;
      expect(stopped.code, stopped.stderr).toBe(130);
      expect(stopped.stderr).toMatch(new RegExp(`stopping \\(${signal}\\): checkpointing`));
      expect(stopped.stderr).toMatch(/interrupted: resume with\s+elites resume .*run/);
      const summary = JSON.parse(stopped.stdout) as { status: string; stopReason: string; proposals: number };
      expect(summary).toMatchObject({ status: 'interrupted', stopReason: 'signal' });
      // What was in flight is in the checkpoint, not in the log; nothing is in both, nothing twice.
      const state = await readRunState(run);
      expect(state.events).toBe(summary.proposals);
      expect(state.checkpointSeq).toBe(summary.proposals - 1);
      const resumed = await spawnElites(
        ['resume', run, '--evaluations', String(summary.proposals + 300), '--json'],
        dir,
      ).done;
      expect(resumed.code, resumed.stderr).toBe(0);
      expect(JSON.parse(resumed.stdout)).toMatchObject({ status: 'done', proposals: summary.proposals + 300 });
      const log = await checkRunLog(run);
      expect(log).toMatchObject({
        events: summary.proposals + 300,
        seqContiguous: true,
        idsExactlyOnce: true,
        pendingInCheckpoint: 0,
      });
    },
    400_000,
  ); // a bound for a loaded machine, not a wait: every step above waits for a state

  it('a stop signal does not wait for a long evaluation: it is checkpointed as pending (resume re-proposes it)', async () => {
    const dir = useRunFiles();
    const run = join(dir, 'run');
    mkdirSync(run, { recursive: true });
    const started = join(dir, 'started.txt');
    const config = signalConfig(dir, {
      space: { module: fixturePlugin('script-space.mjs'), options: { script: ['ok'] } },
      evaluator: {
        module: fixturePlugin('fault-zoo.mjs'),
        options: { okMs: 30_000, startedFile: started },
        timeoutSeconds: 120,
      },
      search: { strategy: 'random' },
      archive: { type: 'grid', dims: [{ name: 'a', min: 0, max: 1, bins: 4 }] },
      workers: 1,
    });
    const proc = spawnElites(['run', config, '--out', run, '--json'], dir);
    // The state to stop in: the first evaluation (30 s) is under way in the worker.
    await waitFor(() => existsSync(started), {
      what: 'the first evaluation to start',
      timeoutMs: 180_000,
      detail: () => proc.stderr(),
    });
    const sent = performance.now();
    proc.kill('SIGTERM');
    const stopped = await proc.done;
    expect(stopped.code, stopped.stderr).toBe(130);
    expect(performance.now() - sent).toBeLessThan(20_000); // well under the evaluation's 30 s: it was not waited for
    expect(await readRunState(run)).toMatchObject({ events: 0, pending: 1 });
  }, 300_000);
});
