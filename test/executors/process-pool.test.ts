// The process executor with real Python processes: after faults that kill processes it is back at full size (two
// set-up processes evaluating side by side), a replacement's setup is not part of any evaluation's timeout, a prune
// decided elsewhere (an `elites worker`'s run) reaches a running evaluation, and close() leaves no process behind.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { EvalTask, EvaluatorSpec, StepReport, TaskResult } from '../../search/executors/executor.js';
import { createProcessPool } from '../../search/executors/process-pool.js';
import { repoRoot, useRunFiles } from '../helpers/files.js';
import { isAlive } from '../helpers/processes.js';
import { waitFor } from '../helpers/wait.js';

const fixture = (name: string): string => join(repoRoot, 'test/fixtures/process', name);

const spec = (script: string, options: Record<string, unknown>, timeoutMs: number): EvaluatorSpec => ({
  process: {
    argv: ['python3', fixture(script)],
    cwd: repoRoot,
    env: {},
    setupTimeoutSeconds: 60,
    memoryMb: 200,
    fingerprint: false,
    fingerprintDeterminesResult: false,
    noisy: false,
    inputs: [],
    forwardStderr: false,
  },
  options,
  seed: 1,
  fidelity: 1,
  timeoutMs,
  descriptorCount: 1,
});

let nextId = 0;
const task = (genome: unknown): EvalTask => ({ id: nextId++, genome, key: `k${nextId}`, repeat: 0 });
const zoo = (fault: string): EvalTask => task({ i: nextId, fault });
const pidOf = (r: TaskResult): number | undefined => (r.ok ? r.result.metrics?.pid : undefined);

describe('the process executor', () => {
  it('is back at full size after faults that kill processes: two new set-up processes evaluate side by side', async () => {
    const dir = useRunFiles();
    const setupsFile = join(dir, 'setups.txt');
    const pool = createProcessPool(spec('fault_zoo.py', { setupsFile, okMs: 300 }, 1500), 2);
    try {
      await pool.start();
      const first = pool.readyPids();
      expect(first).toHaveLength(2);
      const faults = await Promise.all(['hang', 'exit', 'garbage', 'memory'].map((f) => pool.submit(zoo(f))));
      expect(faults.map((r) => (r.ok ? 'ok' : r.failure.kind))).toEqual(['timeout', 'crashed', 'crashed', 'crashed']);
      await waitFor(() => pool.readyPids().length === 2, { what: 'two set-up processes again' });
      const now = pool.readyPids();
      for (const pid of first) expect(now).not.toContain(pid);
      // Two tasks at once on two free slots: one each, at the same time.
      const [a, b] = await Promise.all([pool.submit(zoo('ok')), pool.submit(zoo('ok'))]);
      expect(new Set([pidOf(a!), pidOf(b!)])).toEqual(new Set(now));
      expect(readFileSync(setupsFile, 'utf8').trim().split('\n')).toHaveLength(2 + 4);
    } finally {
      await pool.close();
    }
  }, 60_000);

  it("a replacement's setup is not part of any timeout: a setup of 1.5 s under a 1 s timeout, after a hang and after a death while idle", async () => {
    const dir = useRunFiles();
    const setupsFile = join(dir, 'setups.txt');
    const pool = createProcessPool(spec('fault_zoo.py', { setupsFile, setupSeconds: 1.5 }, 1000), 1);
    try {
      await pool.start();
      const hang = pool.submit(zoo('hang'));
      const next = pool.submit(zoo('ok')); // queued behind the hang, then waits for the new process's setup
      expect(await hang).toMatchObject({ ok: false, failure: { kind: 'timeout' } });
      const ok = await next;
      expect(ok.ok, JSON.stringify(ok)).toBe(true);
      // Killed from outside between tasks: the slot starts a new process before it takes the next task.
      const [idle] = pool.readyPids();
      process.kill(idle!, 'SIGKILL');
      await waitFor(() => !pool.readyPids().includes(idle!), { what: 'the pool to see its process gone' });
      const after = await pool.submit(zoo('ok'));
      expect(after.ok, JSON.stringify(after)).toBe(true);
      expect(pidOf(after)).not.toBe(idle);
      expect(readFileSync(setupsFile, 'utf8').trim().split('\n')).toHaveLength(3);
    } finally {
      await pool.close();
    }
  }, 60_000);

  it('a timeout kills the whole process group: a child the evaluator started dies with it', async () => {
    const dir = useRunFiles();
    const childFile = join(dir, 'child.txt');
    const pool = createProcessPool(spec('fault_zoo.py', { setupsFile: join(dir, 's.txt') }, 1000), 1);
    try {
      await pool.start();
      const result = await pool.submit(task({ i: 0, fault: 'hang-with-child', childFile }));
      expect(result).toMatchObject({ ok: false, failure: { kind: 'timeout' } });
      const child = Number(readFileSync(childFile, 'utf8'));
      await waitFor(() => !isAlive(child), { what: `the evaluator's child ${child} to be gone` });
    } finally {
      await pool.close();
    }
  }, 60_000);

  it('a prune decided elsewhere stops the running evaluation, which the process sees through should_stop()', async () => {
    const heard: StepReport[] = [];
    const pool = createProcessPool(spec('curves.py', { steps: 9, msPerStep: 50 }, 20_000), 1, {
      progress: {
        report: (_id, step, value) => {
          heard.push([step, value]);
          return 'continue'; // as an `elites worker` forwards: the decision comes back later
        },
      },
    });
    try {
      await pool.start();
      const t = task([0.8]);
      const running = pool.submit(t);
      await waitFor(() => heard.length >= 2, { what: 'two reports' });
      pool.prune(t.id);
      const result = await running;
      expect(result).toMatchObject({ ok: false, failure: { kind: 'pruned' } });
      expect(result.reports!.length).toBeLessThan(9);
    } finally {
      await pool.close();
    }
  }, 60_000);

  it('close() ends every process, a running one included', async () => {
    const dir = useRunFiles();
    const pool = createProcessPool(spec('fault_zoo.py', { setupsFile: join(dir, 's.txt') }, 60_000), 2);
    await pool.start();
    const pids = pool.readyPids();
    const hanging = pool.submit(zoo('hang'));
    await pool.close();
    expect(await hanging).toMatchObject({ ok: false, failure: { kind: 'crashed', message: /run stopped/ } });
    await waitFor(() => pids.every((pid) => !isAlive(pid)), { what: 'both processes to be gone' });
  }, 60_000);
});
