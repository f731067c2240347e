// Storage faults: a log that outgrows LMDB's initial map, a full disk (a file-size limit), a cache path that cannot
// be written, a cache written by another evaluator version, and two processes sharing one cache at once.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { open } from 'lmdb';
import { describe, expect, it } from 'vitest';
import { binPath, checkRunLog, spawnElites, type Exit } from '../helpers/kill-harness.js';
import { archives } from '../../archive/index.js';
import { openRunStore } from '../../store/run-store.js';
import { createCachePolicy } from '../../search/cache-policy.js';
import { parseRunConfig, type RunConfigInput } from '../../search/config.js';
import { RunTally } from '../../search/tally.js';
import { runEngine } from '../../search/engine.js';
import { createInlineExecutor } from '../../search/executors/inline.js';
import { SeededRng } from '../../core/rng.js';
import { runSearch } from '../../search/run.js';
import { strategies } from '../../search/strategies/index.js';
import { spaces } from '../../spaces/index.js';
import { runCli } from '../helpers/cli.js';
import { fixturePlugin, useRunFiles } from '../helpers/files.js';
import { elitesOf } from '../helpers/runs.js';
import { createSampleMeans } from '../../search/sample-means.js';

const noStack = /\n\s+at .*\(.*:\d+:\d+\)/;

const armConfig = (_dir: string, extra: Partial<RunConfigInput> = {}): RunConfigInput => ({
  name: 'storage',
  seed: 8,
  space: { type: 'vector', dimensions: 20, min: 0, max: 1 },
  evaluator: { type: 'planar-arm' },
  search: { strategy: 'map-elites', initialRandom: 100 },
  archive: {
    type: 'grid',
    dims: [
      { name: 'x', min: 0, max: 1, bins: 20 },
      { name: 'y', min: 0, max: 1, bins: 20 },
    ],
  },
  budget: { evaluations: 20_000 },
  workers: 0,
  cache: { enabled: false },
  log: { genomes: 'all' }, // ~400 bytes an event: the log grows fast
  ...extra,
});

describe('LMDB growth and a full disk', () => {
  it('a run whose log passes the initial map size keeps working (lmdb-js grows the map)', async () => {
    const dir = useRunFiles();
    const mapSize = 256 * 1024; // the log below is ~30× larger
    const config = parseRunConfig(armConfig(dir), dir);
    const rng = SeededRng.fromSeed(config.seed);
    const space = spaces.vector.create({ dimensions: 20, min: 0, max: 1 }, undefined);
    const archive = archives.grid.create(
      {
        dims: [
          { name: 'x', min: 0, max: 1, bins: 20 },
          { name: 'y', min: 0, max: 1, bins: 20 },
        ],
      },
      { rng: rng.fork('archive') },
    );
    const store = openRunStore(join(dir, 'run'), { write: true, mapSize });
    const executor = createInlineExecutor({
      type: 'planar-arm',
      options: {},
      seed: 8,
      fidelity: 1,
      timeoutMs: 60_000,
      descriptorCount: 2,
    });
    await executor.start();
    const result = await runEngine({
      space,
      archive,
      executor,
      store,
      rng,
      strategy: strategies['map-elites'].create({}, { space, archive, rng: rng.fork('strategy') }),
      cache: createCachePolicy(undefined, { mode: 'cache', maxRepeats: 1, epsilon: 0, descriptorCount: 2 }),
      means: createSampleMeans(),
      tally: new RunTally(archive),
      direction: 'maximize',
      budget: { evaluations: 20_000 },
      maxConsecutiveFailures: 20,
      logAllGenomes: true,
      checkpointSeconds: 0.05,
    });
    await executor.close();
    await store.close();
    expect(result.counters.proposals).toBe(20_000);
    const size = readFileSync(join(dir, 'run', 'store.mdb')).length;
    expect(size).toBeGreaterThan(10 * mapSize);
    expect(await checkRunLog(join(dir, 'run'))).toMatchObject({
      events: 20_000,
      seqContiguous: true,
      idsExactlyOnce: true,
    });
  });

  it('a full disk ends the run as failed with a clean message; the log stays intact and resumes to the same archive', async () => {
    const dir = useRunFiles();
    writeFileSync(join(dir, 'c.json'), JSON.stringify(armConfig(dir)));
    const whole = await spawnElites(['run', join(dir, 'c.json'), '--out', join(dir, 'whole')], dir).done;
    expect(whole.code, whole.stderr).toBe(0);
    // RLIMIT_FSIZE stands in for a full disk (it binds root too): writes past 2 MiB fail with an I/O error.
    const limited = await new Promise<Exit>((resolve) => {
      const child = spawn(
        'sh',
        [
          '-c',
          'ulimit -f 2048 && exec "$0" "$@"',
          process.execPath,
          binPath,
          'run',
          join(dir, 'c.json'),
          '--out',
          join(dir, 'full'),
        ],
        { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += String(d)));
      child.stderr.on('data', (d: Buffer) => (stderr += String(d)));
      child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
    });
    expect(limited.code, limited.stderr).toBe(1);
    // (lmdb's native layer may print its own "Write error: File too large …" first; then comes ours.)
    expect(limited.stderr).toMatch(
      /error: cannot write (the run log|a checkpoint|run metadata \(\w+\)) in .*full: .*\(is the disk full, or the file at a size limit\?\)\nEvents committed before this are intact\. Free some space, then `elites resume .*full`\.\n$/,
    );
    expect(limited.stderr).not.toMatch(noStack);
    const log = await checkRunLog(join(dir, 'full'));
    expect(log.events).toBeGreaterThan(1000);
    expect(log.events).toBeLessThan(20_000);
    expect(log).toMatchObject({ seqContiguous: true, idsExactlyOnce: true });
    const inspect = await runCli(['inspect', join(dir, 'full'), '--json']);
    expect(inspect.code, inspect.stderr).toBe(0);
    const seen = JSON.parse(inspect.stdout) as { status: string; proposals: number };
    expect(seen.proposals).toBe(log.events);
    // 'failed' when the full disk still took that one small write, else it reads as killed (resumable): both resume.
    expect(['failed', 'interrupted']).toContain(seen.status);
    const resumed = await spawnElites(['resume', join(dir, 'full'), '--json'], dir).done;
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(JSON.parse(resumed.stdout)).toMatchObject({ status: 'done', proposals: 20_000 });
    expect(await elitesOf(join(dir, 'full'))).toEqual(await elitesOf(join(dir, 'whole')));
  }, 60_000);

  it('events after a gap (commits that succeeded after a failed one) are not part of the log: readers stop there, the next writer deletes them', async () => {
    const dir = useRunFiles();
    const run = join(dir, 'run');
    const event = (seq: number) => ({ seq, id: seq, ok: false as const, kind: 'threw', msg: 'x', t: 0 });
    const store = openRunStore(run, { write: true });
    for (let seq = 0; seq < 10; seq++) await store.append(event(seq));
    await store.close();
    const raw = open({ path: join(run, 'store.mdb'), noSubdir: true, maxDbs: 8 });
    const rawEvents = raw.openDB({ name: 'events', keyEncoding: 'uint32' });
    for (const seq of [12, 13, 14]) await rawEvents.put(seq, event(seq)); // 10 and 11 were lost in the failed commit
    await raw.close();
    const reader = openRunStore(run, { write: false });
    expect(reader.lastSeq()).toBe(9);
    expect([...reader.events()].map((e) => e.seq)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect([...reader.events(12)]).toEqual([]);
    await reader.close();
    const writer = openRunStore(run, { write: true });
    expect(writer.lastSeq()).toBe(9);
    await writer.append(event(10));
    await writer.close();
    const check = open({ path: join(run, 'store.mdb'), noSubdir: true, maxDbs: 8, readOnly: true });
    expect([...check.openDB({ name: 'events', keyEncoding: 'uint32' }).getKeys()]).toEqual([
      0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
    ]);
    await check.close();
  });

  it('a log holding only its first event reads back as one event (lmdb-js misses key 0 in a reverse range)', async () => {
    const dir = useRunFiles();
    const store = openRunStore(join(dir, 'run'), { write: true });
    await store.append({ seq: 0, id: 0, ok: false, kind: 'threw', msg: 'x', t: 0 });
    await store.close();
    const again = openRunStore(join(dir, 'run'), { write: true });
    expect(again.lastSeq()).toBe(0);
    expect(() => again.append({ seq: 0, id: 0, ok: false, kind: 'threw', msg: 'y', t: 0 })).toThrow(
      /does not follow 0/,
    );
    await again.close();
  });
});

describe('the result cache', () => {
  const onemax = (dir: string, extra: Partial<RunConfigInput> = {}): RunConfigInput => ({
    name: 'cache',
    seed: 4,
    space: { type: 'bitstring', length: 10 },
    evaluator: { module: fixturePlugin('onemax.mjs'), options: { scale: 1 } },
    search: { strategy: 'random' },
    archive: { type: 'grid', dims: [{ name: 'ones', min: 0, max: 10, bins: 11 }] },
    budget: { evaluations: 1500 },
    workers: 0,
    cache: { path: join(dir, 'cache.mdb') },
    ...extra,
  });

  it.each([
    [
      'whose parent is a regular file',
      (dir: string) => join(dir, 'a-file', 'cache.mdb'),
      /ENOTDIR|EEXIST|not a directory|file already exists/,
    ],
    ['that is a directory', (dir: string) => join(dir, 'a-dir'), /is a directory/],
    ['that is some other file', (dir: string) => join(dir, 'a-file'), /is not an LMDB file/],
  ])('a cache path %s is refused up front: exit 2, naming cache.path, no run directory', async (_name, path, cause) => {
    const dir = useRunFiles({ 'a-file': 'not a cache\n' });
    mkdirSync(join(dir, 'a-dir'));
    writeFileSync(join(dir, 'c.json'), JSON.stringify(onemax(dir, { cache: { path: path(dir) } })));
    const r = await runCli(['run', join(dir, 'c.json'), '--out', join(dir, 'run')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cannot open the result cache/);
    expect(r.stderr).toMatch(cause);
    expect(r.stderr).toMatch(/→ at cache\.path/);
    expect(r.stderr).toMatch(/cache\.enabled: false/);
    expect(r.stderr).not.toMatch(noStack);
    expect(existsSync(join(dir, 'run'))).toBe(false);
    expect(readFileSync(join(dir, 'a-file'), 'utf8')).toBe('not a cache\n');
  });

  it('results of another evaluator version are not reused (bumping evaluator.version)', async () => {
    const dir = useRunFiles();
    const v1 = await runSearch(
      parseRunConfig(onemax(dir, { evaluator: { module: fixturePlugin('onemax.mjs'), version: '1' } }), dir),
      { out: join(dir, 'v1') },
    );
    const v2 = await runSearch(
      parseRunConfig(onemax(dir, { evaluator: { module: fixturePlugin('onemax.mjs'), version: '2' } }), dir),
      { out: join(dir, 'v2') },
    );
    const again = await runSearch(
      parseRunConfig(onemax(dir, { evaluator: { module: fixturePlugin('onemax.mjs'), version: '1' } }), dir),
      { out: join(dir, 'v1-again') },
    );
    expect(v1.evaluations).toBeGreaterThan(0);
    // v2 sees an empty cache: it evaluates exactly what v1 did (its only hits are its own repeats), and the same archive.
    expect(v2.evaluations).toBe(v1.evaluations);
    expect(v2.cacheHits).toEqual(v1.cacheHits);
    expect(await elitesOf(join(dir, 'v2'))).toEqual(await elitesOf(join(dir, 'v1')));
    // Version 1's results are still there for version 1.
    expect(again.evaluations).toBe(0);
    expect(again.cacheHits.key).toBe(1500);
  });

  it('two processes share one cache at the same time: both finish, both archives are right', async () => {
    const dir = useRunFiles();
    // 30 ms evaluations, one worker: each run lasts ~2 s, so the two overlap; 64 genomes, so they share results.
    const shared = (seed: number, cachePath: string): string => {
      const path = join(dir, `c-${seed}-${cachePath.length}.json`);
      writeFileSync(
        path,
        JSON.stringify(
          onemax(dir, {
            seed,
            space: { type: 'bitstring', length: 6 },
            evaluator: { module: fixturePlugin('slow-onemax.mjs') },
            archive: { type: 'grid', dims: [{ name: 'ones', min: 0, max: 6, bins: 7 }] },
            budget: { evaluations: 60 },
            workers: 1,
            cache: { path: cachePath },
          }),
        ),
      );
      return path;
    };
    const reference = await Promise.all(
      [1, 2].map(
        (seed) =>
          spawnElites(
            ['run', shared(seed, join(dir, `own-${seed}.mdb`)), '--out', join(dir, `alone-${seed}`), '--json'],
            dir,
          ).done,
      ),
    );
    const together = await Promise.all(
      [1, 2].map(
        (seed) =>
          spawnElites(
            ['run', shared(seed, join(dir, 'shared.mdb')), '--out', join(dir, `shared-${seed}`), '--json'],
            dir,
          ).done,
      ),
    );
    for (const r of [...reference, ...together]) expect(r.code, r.stderr).toBe(0);
    for (const seed of [1, 2])
      expect(await elitesOf(join(dir, `shared-${seed}`))).toEqual(await elitesOf(join(dir, `alone-${seed}`)));
    // They really ran at the same time.
    const span = (seed: number): number[] =>
      readFileSync(join(dir, `shared-${seed}`, 'run.log'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => Date.parse(l.slice(0, 24)));
    const [a, b] = [span(1), span(2)];
    expect(Math.max(a[0] ?? 0, b[0] ?? 0)).toBeLessThan(Math.min(a.at(-1) ?? 0, b.at(-1) ?? 0));
    const evaluations = (runs: Exit[]): number =>
      runs.reduce((n, r) => n + (JSON.parse(r.stdout) as { evaluations: number }).evaluations, 0);
    expect(evaluations(together)).toBeLessThanOrEqual(evaluations(reference));
    // The shared file holds both runs' results: a third run of either seed evaluates nothing.
    const third = await spawnElites(
      ['run', shared(1, join(dir, 'shared.mdb')), '--out', join(dir, 'third'), '--json'],
      dir,
    ).done;
    expect(JSON.parse(third.stdout)).toMatchObject({ evaluations: 0, cacheHits: { key: 60 } });
  }, 60_000);
});
