// Bad run directories: refused with a message that says what is wrong and what to do. Exit 2 (bad input) for a
// directory that is missing, not a run, not LMDB, not yet a run, of another store schema, or locked by a live
// process; exit 1 only for a run store that is damaged. A stale lock (its process is dead) is taken over.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { open } from 'lmdb';
import { describe, expect, it } from 'vitest';
import { readRunState, spawnElites } from '../helpers/kill-harness.js';
import { openRunStore, readRunStatus } from '../../store/run-store.js';
import { parseRunConfig } from '../../search/config.js';
import { runCli } from '../helpers/cli.js';
import { repoRoot, useRunFiles } from '../helpers/files.js';
import { waitFor } from '../helpers/wait.js';

const config = (dir: string, extra: Record<string, unknown> = {}): string => {
  const path = join(dir, 'c.json');
  writeFileSync(
    path,
    JSON.stringify({
      name: 'dirs',
      seed: 2,
      space: { type: 'vector', dimensions: 4, min: 0, max: 1 },
      evaluator: { type: 'planar-arm' },
      search: { strategy: 'map-elites' },
      archive: {
        type: 'grid',
        dims: [
          { name: 'x', min: 0, max: 1, bins: 8 },
          { name: 'y', min: 0, max: 1, bins: 8 },
        ],
      },
      budget: { evaluations: 500 },
      workers: 0,
      cache: { enabled: false },
      ...extra,
    }),
  );
  return path;
};
const noStack = /\n\s+at .*\(.*:\d+:\d+\)/;

async function expectRefused(argv: string[], code: number, message: RegExp): Promise<string> {
  const r = await runCli(argv);
  expect(r.code, r.stderr).toBe(code);
  expect(r.stderr).toMatch(message);
  expect(r.stderr).not.toMatch(noStack);
  return r.stderr;
}

describe('bad run directories', () => {
  it('missing, or a directory that is not a run: exit 2', async () => {
    const dir = useRunFiles({ 'plain/notes.txt': 'hello' });
    for (const command of ['resume', 'inspect', 'export']) {
      await expectRefused([command, join(dir, 'nope')], 2, /nope is not a run directory \(no store\.mdb\)/);
      await expectRefused(
        [command, join(dir, 'plain')],
        2,
        /plain is not a run directory \(no store\.mdb\)[\s\S]*elites runs/,
      );
    }
  });

  it('a store.mdb that is not LMDB (or is truncated) is refused, not opened (lmdb-js would crash the process): exit 2', async () => {
    const dir = useRunFiles({ 'junk/store.mdb': 'this is not a database\n'.repeat(500), 'short/store.mdb': '' });
    writeFileSync(
      join(dir, 'short', 'store.mdb'),
      Buffer.concat([Buffer.alloc(24), Buffer.from([0xde, 0xc0, 0xef, 0xbe]), Buffer.alloc(100)]),
    );
    for (const command of ['resume', 'inspect', 'export']) {
      await expectRefused(
        [command, join(dir, 'junk')],
        2,
        /junk is not a run directory: .*store\.mdb is not an LMDB file/,
      );
      await expectRefused(
        [command, join(dir, 'short')],
        2,
        /short is not a run directory: .*store\.mdb is a truncated LMDB file/,
      );
    }
    // As --out of a new run, too (nothing is overwritten).
    await expectRefused(['run', config(dir), '--out', join(dir, 'junk')], 2, /not an LMDB file/);
    // `elites runs` lists what it can and marks the rest unreadable.
    expect((await runCli(['run', config(dir), '--out', join(dir, 'good')])).code).toBe(0);
    const runs = await runCli(['runs', dir]);
    expect(runs.code, runs.stderr).toBe(0);
    expect(runs.stdout).toMatch(/^done .*good$/m);
    expect(runs.stdout).toMatch(/^unreadable .*junk .*not an LMDB file/m);
  });

  it('a run killed before its config was saved is not resumable but can be started again: exit 2 with that advice', async () => {
    const dir = useRunFiles({ 'empty/store.mdb': '' });
    await expectRefused(['resume', join(dir, 'empty')], 2, /empty holds no run yet[\s\S]*elites run CONFIG --out/);
    await expectRefused(['inspect', join(dir, 'empty')], 2, /holds no run yet/);
    const store = openRunStore(join(dir, 'started'), { write: true }); // the store exists, the config never came
    await store.close();
    await expectRefused(
      ['resume', join(dir, 'started')],
      2,
      /started holds no run yet: it was stopped before its config was saved[\s\S]*elites run CONFIG --out/,
    );
    for (const name of ['empty', 'started']) {
      const again = await runCli(['run', config(dir), '--out', join(dir, name), '--json']);
      expect(again.code, again.stderr).toBe(0);
    }
  });

  it('written by a newer store schema: exit 2, naming both versions', async () => {
    const dir = useRunFiles();
    expect((await runCli(['run', config(dir), '--out', join(dir, 'run')])).code).toBe(0);
    const root = open({ path: join(dir, 'run', 'store.mdb'), noSubdir: true, maxDbs: 8 });
    await root.openDB({ name: 'meta' }).put('schema', 99);
    await root.close();
    for (const command of ['resume', 'inspect', 'export']) {
      await expectRefused(
        [command, join(dir, 'run')],
        2,
        /written with run store schema 99; this elites reads schemas 1 and 2\n.*newer elites/,
      );
    }
    expect(existsSync(join(dir, 'run', 'run.lock'))).toBe(false); // a refused resume leaves no lock behind
  });

  it('locked by a live process: resume and run --out refuse (exit 2), inspect still reads it', async () => {
    const dir = useRunFiles();
    const run = join(dir, 'run');
    const live = spawnElites(['run', config(dir, { budget: { seconds: 30 } }), '--out', run], dir);
    try {
      await waitFor(async () => ((await readRunState(run).catch(() => undefined))?.events ?? 0) > 0, {
        what: 'the live run to log an event',
        timeoutMs: 20_000,
        detail: live.stderr,
      });
      await expectRefused(['resume', run], 2, new RegExp(`run ${run} is in use by process ${live.pid}\\n.*Ctrl-C`));
      await expectRefused(['run', config(dir), '--out', run], 2, /already holds a run[\s\S]*elites resume/);
      const inspect = await runCli(['inspect', run, '--json']);
      expect(inspect.code, inspect.stderr).toBe(0);
      expect(JSON.parse(inspect.stdout)).toMatchObject({ status: 'running' });
    } finally {
      live.kill('SIGINT');
    }
    expect((await live.done).code).toBe(130);
  }, 60_000);

  it('a stale lock from a dead process is taken over: resume works, and the lock is released after', async () => {
    const dir = useRunFiles();
    const run = join(dir, 'run');
    const killed = spawnElites(['run', config(dir, { budget: { evaluations: 2_000_000 } }), '--out', run], dir);
    await waitFor(async () => ((await readRunState(run).catch(() => undefined))?.events ?? 0) > 0, {
      what: 'the run to log an event',
      timeoutMs: 20_000,
      detail: killed.stderr,
    });
    killed.kill('SIGKILL');
    await killed.done;
    expect(existsSync(join(run, 'run.lock'))).toBe(true);
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString();
    writeFileSync(join(run, 'run.lock'), dead); // a pid that surely is dead now
    const runs = await runCli(['runs', dir]);
    expect(runs.stdout).toMatch(/^killed \(resumable\) /m);
    const target = (await readRunState(run)).events + 500;
    const resumed = await runCli(['resume', run, '--evaluations', String(target), '--json']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(JSON.parse(resumed.stdout)).toMatchObject({ status: 'done', proposals: target });
    expect(existsSync(join(run, 'run.lock'))).toBe(false);
  }, 60_000);

  it('--out that cannot be created (its parent is a file): exit 2, nothing created', async () => {
    const dir = useRunFiles({ 'a-file': 'x' });
    await expectRefused(
      ['run', config(dir), '--out', join(dir, 'a-file', 'run')],
      2,
      /cannot create the run directory .*a-file\/run: .*(ENOTDIR|EEXIST)/,
    );
  });

  it('a damaged store (events but no checkpoint) is a failure, not bad input: exit 1', async () => {
    const dir = useRunFiles();
    const run = join(dir, 'run');
    const store = openRunStore(run, { write: true });
    await store.putMeta('config', parseRunConfig(JSON.parse(readFileSync(config(dir), 'utf8')), dir));
    await store.append({ seq: 0, id: 0, ok: false, kind: 'threw', msg: 'x', t: 0 });
    await store.close();
    await expectRefused(['resume', run], 1, /has events but no checkpoint[\s\S]*damaged/);
  });
});

describe('the status a reader shows', () => {
  /**
   * A run's writer in another process (a reader's snapshot is per process): it commits 'running', then, once the file
   * `go` appears, commits `final` (if any) and closes, which removes its lock.
   */
  function remoteWriter(dir: string, go: string, final: string | undefined): Promise<void> {
    const script = `
      import { existsSync } from 'node:fs';
      import { openRunStore } from ${JSON.stringify(join(repoRoot, 'dist/store/run-store.js'))};
      const store = openRunStore(${JSON.stringify(dir)}, { write: true });
      await store.putMeta('status', 'running');
      process.stdout.write('running\\n');
      while (!existsSync(${JSON.stringify(go)})) await new Promise((resolve) => setTimeout(resolve, 5));
      ${final ? `await store.putMeta('status', ${JSON.stringify(final)});` : ''}
      await store.close();`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    return new Promise((resolve, reject) => {
      child.stdout.once('data', () => resolve());
      child.on('exit', (code) => reject(new Error(`writer exited (${code}) before committing 'running'`)));
    });
  }

  /** Synchronously (the reader's snapshot must not be renewed meanwhile): lets the writer end, and waits until it has. */
  function endWriterNow(dir: string, go: string): void {
    writeFileSync(go, '');
    const deadline = Date.now() + 60_000;
    while (existsSync(join(dir, 'run.lock'))) if (Date.now() > deadline) throw new Error('the writer did not end');
  }

  it("a run that ends between a reader's snapshot and its lock check is running, then done; one that stops without a final status is killed", async () => {
    const dir = useRunFiles();
    const ended = join(dir, 'ended');
    await remoteWriter(ended, join(dir, 'go-ended'), 'done');
    const reader = openRunStore(ended, { write: false });
    expect(reader.getMeta('status')).toBe('running'); // the snapshot, held while this test stays synchronous
    endWriterNow(ended, join(dir, 'go-ended'));
    // Before: 'killed', a status the run never had (the dashboard stopped following the run there).
    expect(readRunStatus(reader, ended)).toBe('running');
    await reader.close();
    const again = openRunStore(ended, { write: false });
    expect(readRunStatus(again, ended)).toBe('done');
    await again.close();

    const stopped = join(dir, 'stopped');
    await remoteWriter(stopped, join(dir, 'go-stopped'), undefined);
    const look = openRunStore(stopped, { write: false });
    expect(look.getMeta('status')).toBe('running');
    endWriterNow(stopped, join(dir, 'go-stopped')); // no final status (a process that died writing it): resumable
    expect(readRunStatus(look, stopped)).toBe('killed');
    await look.close();
  });
});
