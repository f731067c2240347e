// One writer per run, even when the lock left by a killed writer is taken over by several processes at once. Real
// processes only: (1) contenders held at a barrier take the same dead lock at the same instant, 10 rounds; (2) two
// `elites resume` of a run whose writer was SIGKILLed, started together, 20 trials: exactly one writes, the other is
// refused (exit 2, naming the winner), and the winner finishes the run.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { repoRoot, useRunFiles } from '../helpers/files.js';
import { checkRunLog, readRunState, spawnElites, type Exit } from '../helpers/kill-harness.js';
import { waitFor } from '../helpers/wait.js';
import { EvaluationGate, toyKernel } from '../report/helpers.js';

/** A process id that surely belongs to no process now: a child's, once it has exited. */
function deadPid(): string {
  return spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString();
}

/**
 * A contender: imports the built lock module, says `ready`, spins until `go` exists, takes the lock, prints what it
 * got, and (if it won) holds the lock until `release` exists.
 */
function contender(
  lock: string,
  go: string,
  release: string,
): { ready: Promise<void>; outcome: () => string; done: Promise<void> } {
  const script = `
    import { existsSync } from 'node:fs';
    import { acquireLock, sleepSync } from ${JSON.stringify(join(repoRoot, 'dist/store/lock-file.js'))};
    process.stdout.write('ready\\n');
    while (!existsSync(${JSON.stringify(go)})) sleepSync(0.1);
    const got = acquireLock(${JSON.stringify(lock)});
    process.stdout.write(JSON.stringify({ ...got, me: process.pid }) + '\\n');
    if (got.ok) while (!existsSync(${JSON.stringify(release)})) sleepSync(1);`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (b: Buffer) => (out += String(b)));
  child.stderr.on('data', (b: Buffer) => (err += String(b)));
  return {
    ready: waitFor(() => out.startsWith('ready\n'), { what: 'a contender to load', detail: () => err }).then(
      () => undefined,
    ),
    outcome: () => out.split('\n')[1] ?? '',
    done: new Promise<void>((resolve) => child.on('close', () => resolve())),
  };
}

/** The toy kernel search, inline, without a result cache (a resumed writer must evaluate, so the gate holds it). */
function gatedConfig(dir: string, gate: EvaluationGate): string {
  const path = join(dir, 'locked.json');
  writeFileSync(
    path,
    JSON.stringify({
      name: 'locked',
      seed: 5,
      space: {
        type: 'categorical',
        params: {
          mr: [1, 2, 4, 8],
          nr: [4, 8, 16, 32],
          kc: [32, 64, 128, 256],
          unroll: [1, 2, 4],
          pack: [true, false],
        },
      },
      evaluator: { module: toyKernel, options: { gate: gate.path } },
      search: { strategy: 'map-elites', initialRandom: 10 },
      archive: {
        type: 'grid',
        dims: [
          { name: 'registers', min: 0, max: 256, bins: 8 },
          { name: 'kc', min: 0, max: 512, bins: 4 },
        ],
      },
      budget: { evaluations: 400 },
      workers: 0,
      cache: { enabled: false },
    }),
  );
  return path;
}

describe('taking over the lock of a killed writer', () => {
  it('4 processes released at once onto the same dead lock: exactly one takes it, 10 rounds', async () => {
    const dir = useRunFiles();
    const lock = join(dir, 'run.lock');
    for (let round = 0; round < 10; round++) {
      writeFileSync(lock, deadPid()); // a lock as an older elites left it: the pid alone
      const go = join(dir, `go-${round}`);
      const release = join(dir, `release-${round}`);
      const contenders = Array.from({ length: 4 }, () => contender(lock, go, release));
      await Promise.all(contenders.map((c) => c.ready));
      writeFileSync(go, '');
      // Each says what it got at once (the winner then holds the lock until released).
      await waitFor(() => contenders.every((c) => c.outcome() !== ''), {
        what: `round ${round}: every contender to answer`,
        detail: () => contenders.map((c) => c.outcome()).join('\n'),
      });
      const outcomes = contenders.map((c) => JSON.parse(c.outcome()) as { ok: boolean; pid?: number; me: number });
      writeFileSync(release, '');
      await Promise.all(contenders.map((c) => c.done));
      const winners = outcomes.filter((o) => o.ok);
      expect(winners, `round ${round}: ${JSON.stringify(outcomes)}`).toHaveLength(1);
      for (const loser of outcomes.filter((o) => !o.ok)) expect(loser.pid).toBe(winners[0]!.me);
      expect(Number(readFileSync(lock, 'utf8').split(' ')[0])).toBe(winners[0]!.me); // the file names the winner
      rmSync(lock, { force: true });
    }
  }, 120_000);

  it('two `elites resume` of a SIGKILLed run started together: one writer, the other refused, 20 of 20 trials', async () => {
    const dir = useRunFiles();
    const run = join(dir, 'killed');
    // The run stands still at its 20th evaluation (the gate) until it is killed; so will each resumed writer.
    const gate = new EvaluationGate(join(dir, 'gate'));
    gate.allow(20);
    const config = gatedConfig(dir, gate);
    const writer = spawnElites(['run', config, '--out', run], dir);
    await waitFor(async () => ((await readRunState(run).catch(() => undefined))?.events ?? 0) >= 20, {
      what: 'the run to log 20 events',
      timeoutMs: 60_000,
      detail: writer.stderr,
    });
    writer.kill('SIGKILL');
    expect((await writer.done).signal).toBe('SIGKILL');
    expect(existsSync(join(run, 'run.lock'))).toBe(true); // left behind by the killed writer
    const logged = (await readRunState(run)).events;

    for (let trial = 0; trial < 20; trial++) {
      const copy = join(dir, `trial-${trial}`);
      cpSync(run, copy, { recursive: true });
      writeFileSync(join(copy, 'run.lock'), deadPid()); // the killed writer's pid may have been given to another process
      gate.allow(0); // a resumed writer waits at its first evaluation: it holds the lock while the other tries
      const target = String(logged + 10);
      const both = [0, 1].map(() => spawnElites(['resume', copy, '--evaluations', target], dir));
      onTestFinished(() => both.forEach((p) => p.kill('SIGKILL'))); // (a failed trial leaves none waiting at the gate)
      const exits: (Exit | undefined)[] = [undefined, undefined];
      both.forEach((p, i) => void p.done.then((e) => (exits[i] = e)));
      // The first to end is the refused one (the winner waits at the gate): its index, once there is one.
      const loser = await waitFor(
        () => {
          const first = exits.findIndex((e) => e !== undefined);
          return first >= 0 ? first : undefined;
        },
        {
          what: `trial ${trial}: one of the two resumes to be refused (none was: both became writers?)`,
          timeoutMs: 60_000,
          detail: () => both.map((p) => p.stderr()).join('\n---\n'),
        },
      );
      const winner = 1 - loser;
      const refused = exits[loser]!;
      expect(refused.code, `trial ${trial}: ${refused.stderr}`).toBe(2);
      expect(refused.stderr).toContain(`run ${copy} is in use by process ${both[winner]!.pid}`);
      expect(exits[winner], `trial ${trial}: both ended before the gate opened`).toBeUndefined();
      expect(readFileSync(join(copy, 'run.lock'), 'utf8').split(' ')[0]).toBe(String(both[winner]!.pid));
      gate.allow(Number.POSITIVE_INFINITY);
      const finished = await both[winner]!.done;
      expect(finished.code, `trial ${trial}: ${finished.stderr}`).toBe(0);
      expect(existsSync(join(copy, 'run.lock'))).toBe(false);
      const log = await checkRunLog(copy);
      expect(log).toMatchObject({ events: logged + 10, idsExactlyOnce: true, seqContiguous: true });
      rmSync(copy, { recursive: true, force: true });
    }
  }, 600_000);
});
