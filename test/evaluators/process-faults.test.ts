// The fault zoo of a Python evaluator process, run by the real `elites` bin (dist/: `npm run build` first): an
// exception, a hang, os._exit, garbage on the protocol stream and a memory blow-up are each a recorded failure naming
// its cause; print() from user code lands on stderr and corrupts nothing; every killed process is replaced (setup
// again, once per replacement), the run finishes and leaves no process behind.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { spawnCli } from '../helpers/cli.js';
import { fixturePlugin, repoRoot, useRunFiles } from '../helpers/files.js';
import { eventsOf } from '../helpers/runs.js';
import { isAlive } from '../helpers/processes.js';
import { waitFor } from '../helpers/wait.js';

const FAULTS: [fault: string, kind: string, message: RegExp][] = [
  ['raise', 'threw', /^ValueError: deliberate: the evaluator raised\n.*fault_zoo\.py", line \d+, in deliberate/s],
  ['hang', 'timeout', /^evaluation exceeded 3 s: evaluator process .*fault_zoo\.py \(pid \d+\) was killed/],
  ['exit', 'crashed', /fault_zoo\.py \(pid \d+\) exited with code 7 during evaluate/],
  [
    'garbage',
    'crashed',
    /wrote a line that is not JSON: "garbage, not a frame" on stdout, which is reserved for protocol frames/,
  ],
  ['memory', 'crashed', /used \d+ MB of resident memory, over its limit of 200 MB \(process\.memoryMb\)/],
  ['nan', 'threw', /evaluate\(\) returned a value JSON cannot carry \(ValueError: Out of range float values/],
];
/** Faults that end the process: each costs one more setup. */
const KILLING = ['hang', 'exit', 'garbage', 'memory'];

describe('faults of a Python evaluator process', () => {
  it('records each with its cause, keeps print() off the protocol, replaces killed processes and finishes', async () => {
    expect(existsSync(join(repoRoot, 'dist/cli/bin.js')), 'run `npm run build` first').toBe(true);
    const dir = useRunFiles();
    const setupsFile = join(dir, 'setups.txt');
    const tail = Array.from({ length: 16 }, () => 'ok');
    const script = ['ok', ...FAULTS.map(([fault]) => fault), 'print', ...tail];
    const config = {
      name: 'process-faults',
      seed: 1,
      space: { module: fixturePlugin('script-space.mjs'), options: { script } },
      evaluator: {
        process: { argv: ['python3', join(repoRoot, 'test/fixtures/process/fault_zoo.py')], memoryMb: 200 },
        timeoutSeconds: 3,
        options: { setupsFile, okMs: 20 },
      },
      search: { strategy: 'random' },
      archive: { type: 'grid', dims: [{ name: 'a', min: 0, max: 1, bins: 4 }] },
      budget: { evaluations: script.length },
      workers: 2,
      cache: { path: join(dir, 'cache.mdb') },
      failures: { maxConsecutive: 100 },
    };
    writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
    const { done } = spawnCli(['run', 'config.json', '--out', 'run', '--json'], dir);
    const exit = await done;
    expect(exit.code, exit.stderr).toBe(0);
    expect(JSON.parse(exit.stdout)).toMatchObject({
      status: 'done',
      proposals: script.length,
      failures: FAULTS.length,
    });

    const events = await eventsOf(join(dir, 'run'));
    const byId = new Map(events.map((e) => [e.id, e]));
    for (const [index, [fault, kind, message]] of FAULTS.entries()) {
      const e = byId.get(index + 1);
      expect(e?.ok, fault).toBe(false);
      if (e && !e.ok) {
        expect(e.kind, `${fault}: ${e.msg}`).toBe(kind);
        expect(e.msg, fault).toMatch(message);
      }
    }
    // print() and a raw write to fd 1 went to stderr, and the evaluation that made them succeeded.
    expect(byId.get(FAULTS.length + 1)?.ok).toBe(true);
    expect(exit.stderr).toContain('a print() from user code');
    expect(exit.stderr).toContain('a raw write to file descriptor 1');

    // One setup per process: the first two and one per killed process, never one per evaluation. The replacement of
    // the process killed last may still be starting when the run ends (the hang is slow): it is then stopped first.
    // (test/executors/process-pool.test.ts waits for the pool to be whole again and counts exactly.)
    const setups = readFileSync(setupsFile, 'utf8').trim().split('\n').map(Number);
    expect(setups.length).toBeGreaterThanOrEqual(2 + KILLING.length - 1);
    expect(setups.length).toBeLessThanOrEqual(2 + KILLING.length);
    // The healthy tail ran on the processes started last (test/executors/process-pool.test.ts: both run at once).
    const last = events.filter((e) => e.id > FAULTS.length + 1);
    expect(last).toHaveLength(tail.length);
    const tailPids = new Set(last.map((e) => (e.ok ? Number(e.m?.pid) : -1)));
    expect(tailPids.size).toBeLessThanOrEqual(2);
    for (const pid of tailPids) expect(setups).toContain(pid);
    // Nothing outlives the run.
    await waitFor(() => setups.every((pid) => !isAlive(pid)), { what: 'every evaluator process to be gone' });
  }, 120_000);
});
