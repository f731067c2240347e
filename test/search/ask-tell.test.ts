// Ask/tell: a loop that asks and tells gives runSearch's archive; cache hits are never handed out; misuse throws clear
// errors; close + reopen continues the run; inspect, runs and report read it like any run.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { rngFromSeed } from '../../core/rng.js';
import type { EvalContext, EvalResult } from '../../core/types.js';
import { createSphere } from '../../evaluators/benchmarks/sphere.js';
import { openAskTell, type AskTell, type AskedProposal } from '../../search/ask-tell.js';
import type { AskTellConfigInput } from '../../search/ask-tell-config.js';
import { parseRunConfig } from '../../search/config.js';
import { runSearch } from '../../search/run.js';
import { checkRunLog } from '../helpers/kill-harness.js';
import { runCli } from '../helpers/cli.js';
import { repoRoot, useRunFiles } from '../helpers/files.js';
import { elitesOf, eventsOf } from '../helpers/runs.js';

const sphere = createSphere();
const ctx: EvalContext = {
  rng: rngFromSeed('unused'),
  signal: new AbortController().signal,
  options: {},
  fidelity: 1,
  sample: 0,
};
/** The built-in sphere's computation, run by the test's own loop (it answers synchronously). */
const evaluate = (genome: unknown): EvalResult => sphere.evaluate(genome as Float64Array, ctx) as EvalResult;

/** A small MAP-Elites search on the 6-d sphere; `evaluator` is an ask/tell name or a built-in for runSearch. */
const sphereSearch = (dir: string, evaluations: number, batch: number) => ({
  name: 'at',
  seed: 5,
  space: { type: 'vector', dimensions: 6, min: -5.12, max: 5.12 },
  search: { strategy: 'map-elites', initialRandom: 40 },
  archive: {
    type: 'grid',
    dims: [
      { name: 'm1', min: -15.36, max: 15.36, bins: 12 },
      { name: 'm2', min: -15.36, max: 15.36, bins: 12 },
    ],
  },
  budget: { evaluations },
  batch,
  cache: { path: join(dir, 'cache.mdb') },
  log: { checkpointSeconds: 0.05 },
});

const askTellConfig = (dir: string, evaluations: number, batch: number): AskTellConfigInput => ({
  ...sphereSearch(dir, evaluations, batch),
  evaluator: { name: 'my-sphere', version: '1' },
});

/** Asks and tells until the search has nothing more to ask; `order` permutes each batch before telling it. */
async function drive<G>(
  search: AskTell<G>,
  order: (batch: AskedProposal<G>[]) => AskedProposal<G>[] = (b) => b,
): Promise<number> {
  let handed = 0;
  for (let batch = await search.ask(); batch.length > 0; batch = await search.ask()) {
    handed += batch.length;
    for (const p of order(batch)) void search.tell(p.id, evaluate(p.genome));
  }
  return handed;
}

describe('ask/tell', () => {
  it('gives the same archive as runSearch (inline, same batch) with the same config and seed', async () => {
    const dir = useRunFiles();
    const run = await runSearch(
      parseRunConfig({ ...sphereSearch(dir, 1500, 8), evaluator: { type: 'sphere' }, workers: 0 }, dir),
      { out: join(dir, 'run') },
    );
    const search = await openAskTell(
      { ...askTellConfig(dir, 1500, 8), cache: { path: join(dir, 'other-cache.mdb') } },
      { dir: join(dir, 'ask') },
    );
    const handed = await drive(search);
    expect(search.done).toBe(true);
    const summary = await search.close();
    expect(summary.status).toBe('done');
    expect(summary.proposals).toBe(1500);
    expect(summary.evaluations).toBe(handed);
    expect(summary.archive).toEqual(run.archive);
    expect(await elitesOf(join(dir, 'ask'))).toEqual(await elitesOf(join(dir, 'run')));
    expect((await checkRunLog(join(dir, 'ask'))).idsExactlyOnce).toBe(true);
    expect(existsSync(join(dir, 'ask', 'summary.json'))).toBe(true);
  });

  it('runs the evolution-strategy emitters as runSearch does: CMA-MAE, a whole iteration per ask', async () => {
    const dir = useRunFiles();
    const search = (evaluator: object) => ({
      name: 'cma',
      seed: 3,
      space: { type: 'vector', dimensions: 10, min: -5.12, max: 5.12, init: { x0: 0, sigma: 0.5 }, bounds: 'none' },
      evaluator,
      search: {
        strategy: 'cma-mae',
        emitters: 3,
        batchSize: 12,
        sigma0: 0.5,
        x0: 0,
        learningRate: 0.01,
        thresholdMin: 0,
      },
      archive: {
        type: 'grid',
        dims: [
          { name: 'm1', min: -25.6, max: 25.6, bins: 20 },
          { name: 'm2', min: -25.6, max: 25.6, bins: 20 },
        ],
        qdOffset: 0,
      },
      budget: { evaluations: 1440 },
      batch: 36,
      cache: { enabled: false },
    });
    const run = await runSearch(parseRunConfig({ ...search({ type: 'sphere' }), workers: 0 }, dir), {
      out: join(dir, 'run'),
    });
    const asked = await openAskTell(search({ name: 'my-sphere' }) as AskTellConfigInput, { dir: join(dir, 'ask') });
    const sizes = new Set<number>();
    for (let batch = await asked.ask(); batch.length > 0; batch = await asked.ask()) {
      sizes.add(batch.length);
      for (const p of batch) void asked.tell(p.id, evaluate(p.genome));
    }
    const summary = await asked.close();
    expect([...sizes]).toEqual([36]);
    expect(summary.archive.size).toBeGreaterThan(20);
    expect(summary.archive).toEqual(run.archive);
    expect(await elitesOf(join(dir, 'ask'))).toEqual(await elitesOf(join(dir, 'run')));
  });

  it('tell order within a batch matters through the archive: the same elites after one batch, not after many', async () => {
    // The engine adds results in the order they are told, and the grid samples parents by the order its cells were
    // filled: one batch told in reverse fills the same cells, later parents differ (so tell in ask order to match runSearch).
    const dir = useRunFiles();
    const elites = async (name: string, evaluations: number, reverse: boolean): Promise<unknown> => {
      const config = { ...askTellConfig(dir, evaluations, 16), cache: { enabled: false } };
      const search = await openAskTell(config, { dir: join(dir, name) });
      await drive(search, reverse ? (b) => [...b].reverse() : undefined);
      await search.close();
      return elitesOf(join(dir, name));
    };
    expect(await elites('one-reversed', 16, true)).toEqual(await elites('one', 16, false));
    const ids = (await eventsOf(join(dir, 'one-reversed'))).map((e) => e.id);
    expect(ids).toEqual([...Array(16).keys()].reverse());
    expect(await elites('many-reversed', 1200, true)).not.toEqual(await elites('many', 1200, false));
  });

  it('answers cache hits itself and hands each key out once (a 16-genome space)', async () => {
    const dir = useRunFiles();
    const search = await openAskTell<Uint8Array>(
      {
        name: 'bits',
        seed: 2,
        space: { type: 'bitstring', length: 4 },
        evaluator: { name: 'ones', version: '1' },
        search: { strategy: 'map-elites', initialRandom: 8 },
        archive: { type: 'grid', dims: [{ name: 'ones', min: 0, max: 4, bins: 5 }] },
        budget: { evaluations: 300 },
        batch: 4,
        cache: { path: join(dir, 'cache.mdb') },
      },
      { dir: join(dir, 'run') },
    );
    const keys = new Set<string>();
    let handed = 0;
    for (let batch = await search.ask(); batch.length > 0; batch = await search.ask()) {
      for (const p of batch) {
        expect(keys.has(p.key)).toBe(false);
        keys.add(p.key);
        handed++;
        const ones = p.genome.reduce((a, b) => a + b, 0);
        void search.tell(p.id, { fitness: ones, descriptors: [ones] });
      }
    }
    const summary = await search.close();
    expect(handed).toBeLessThanOrEqual(16);
    expect(summary.proposals).toBe(300);
    expect(summary.evaluations).toBe(handed);
    expect(summary.cacheHits.key).toBe(300 - handed);
  });

  it('noisy results in aggregate mode: a key is handed out once per sample (repeat 0, 1, 2), then answered by its mean', async () => {
    const dir = useRunFiles();
    const search = await openAskTell<Uint8Array>(
      {
        name: 'noisy',
        seed: 4,
        space: { type: 'bitstring', length: 3 },
        evaluator: { name: 'noisy-ones', version: '1', noisy: true },
        search: { strategy: 'random' },
        archive: { type: 'grid', dims: [{ name: 'ones', min: 0, max: 3, bins: 4 }] },
        budget: { evaluations: 120 },
        batch: 1,
        cache: { path: join(dir, 'cache.mdb'), mode: 'aggregate', maxRepeats: 3 },
      },
      { dir: join(dir, 'run') },
    );
    const repeats = new Map<string, number[]>();
    for (let batch = await search.ask(); batch.length > 0; batch = await search.ask()) {
      for (const p of batch) {
        repeats.set(p.key, [...(repeats.get(p.key) ?? []), p.repeat]);
        const ones = p.genome.reduce((a, b) => a + b, 0);
        void search.tell(p.id, { fitness: ones + (p.repeat - 1) * 0.1, descriptors: [ones] });
      }
    }
    const summary = await search.close();
    expect(repeats.size).toBe(8);
    for (const seen of repeats.values()) expect(seen).toEqual([0, 1, 2]);
    expect(summary.evaluations).toBe(24);
    expect(summary.best?.fitness).toBeCloseTo(3); // the mean of 2.9, 3.0 and 3.1
  });

  it('keeps inFlight proposals out: a freed batch is asked again while the others are still out', async () => {
    const dir = useRunFiles();
    const search = await openAskTell(askTellConfig(dir, 200, 8), { dir: join(dir, 'run'), inFlight: 24 });
    const out = await search.ask();
    expect(out.map((p) => p.id)).toEqual([...Array(24).keys()]);
    expect(await search.ask()).toEqual([]); // every slot is out: ask does not wait for tells
    for (const p of out.slice(8, 16)) await search.tell(p.id, evaluate(p.genome));
    expect((await search.ask()).map((p) => p.id)).toEqual([24, 25, 26, 27, 28, 29, 30, 31]);
    expect(search.outstanding).toBe(24);
    expect(search.done).toBe(false);
    expect((await search.close()).proposals).toBe(8);
  });

  it('types: the genome type given to openAskTell is the one asked', () => {
    expectTypeOf(openAskTell<Float64Array>).returns.resolves.toEqualTypeOf<AskTell<Float64Array>>();
    expectTypeOf<AskTell<Float64Array>['ask']>().returns.resolves.toEqualTypeOf<AskedProposal<Float64Array>[]>();
    expectTypeOf<AskTell<Float64Array>['tell']>().parameter(1).toEqualTypeOf<EvalResult>();
  });

  it('logs every genome for an archive that may revive a rejected candidate (sliding boundaries), as runSearch does', async () => {
    const dir = useRunFiles();
    const sliding = {
      type: 'sliding-boundaries',
      dims: [
        { name: 'm1', bins: 6 },
        { name: 'm2', bins: 6 },
      ],
      remapFrequency: 50,
      bufferCapacity: 200,
    };
    const search = await openAskTell({ ...askTellConfig(dir, 400, 8), archive: sliding }, { dir: join(dir, 'ask') });
    await drive(search);
    await search.close();
    const events = await eventsOf(join(dir, 'ask'));
    expect(events).toHaveLength(400);
    expect(events.filter((e) => e.ok && e.st === 'r').length).toBeGreaterThan(0); // rejected ones are in the log…
    expect(events.every((e) => e.g !== undefined)).toBe(true); // …with their genomes
  });

  it('refuses misuse with clear errors', async () => {
    const dir = useRunFiles();
    const search = await openAskTell(askTellConfig(dir, 100, 4), { dir: join(dir, 'run') });
    const [first, second, third] = await search.ask(3);
    if (!first || !second || !third) throw new Error('expected 3 proposals');
    expect(search.outstanding).toBe(3);
    expect(() => search.tell(3, evaluate(first.genome))).toThrow(/was not handed out yet/);
    expect(() => search.tell(99, evaluate(first.genome))).toThrow(/no proposal 99 was handed out/);
    expect(() => search.tell(-1, evaluate(first.genome))).toThrow(/non-negative integers/);
    expect(() => search.tell(first.id, { fitness: 1 })).toThrow(/descriptors is missing; expected an array of 2/);
    expect(() => search.tell(first.id, { fitness: 1, descriptors: [0] })).toThrow(/length 1; the archive has 2/);
    expect(() => search.tell(first.id, { fitness: Number.NaN, descriptors: [0, 0] })).toThrow(/fitness is NaN/);
    await search.tell(first.id, evaluate(first.genome)); // resolves once logged
    expect(() => search.tell(first.id, evaluate(first.genome))).toThrow(
      expect.objectContaining({ code: 'E_TOLD_TWICE' }),
    );
    expect(() => search.fail(second.id, 'x', 'lost' as 'crashed')).toThrow(/kind lost; expected one of threw/);
    await search.fail(second.id, 'simulator crashed on node 7', 'crashed');
    expect(() => search.fail(second.id, 'again')).toThrow(/was told already/);
    const summary = await search.close();
    expect(summary.status).toBe('interrupted');
    expect(summary.failures).toBe(1);
    await expect(search.ask()).rejects.toMatchObject({ code: 'E_CLOSED' });
    await expect(search.close()).resolves.toBe(summary); // close is idempotent
    expect(() => search.tell(third.id, evaluate(third.genome))).toThrow(/tell\(\) after close\(\)/);
    const failed = (await eventsOf(join(dir, 'run'))).find((e) => e.id === second.id);
    expect(failed).toMatchObject({ ok: false, kind: 'crashed', msg: 'simulator crashed on node 7' });
  });

  it('refuses config keys that only say how elites would evaluate', async () => {
    const dir = useRunFiles();
    await expect(
      openAskTell({ ...askTellConfig(dir, 10, 1), workers: 2 } as AskTellConfigInput, { dir: join(dir, 'r') }),
    ).rejects.toMatchObject({ issues: [{ path: 'workers' }] });
    await expect(
      openAskTell({ ...askTellConfig(dir, 10, 1), evaluator: { type: 'sphere' } } as unknown as AskTellConfigInput, {
        dir: join(dir, 'r'),
      }),
    ).rejects.toMatchObject({ issues: expect.arrayContaining([expect.objectContaining({ path: 'evaluator.name' })]) });
    expect(existsSync(join(dir, 'r'))).toBe(false);
  });

  it('close mid-run, reopen: proposals not told are handed out again, and the run ends as an uninterrupted one', async () => {
    const dir = useRunFiles();
    const whole = await openAskTell(askTellConfig(dir, 800, 8), { dir: join(dir, 'whole') });
    await drive(whole);
    await whole.close();

    const runDir = join(dir, 'split');
    const config = { ...askTellConfig(dir, 800, 8), cache: { enabled: false } };
    const first = await openAskTell(config, { dir: runDir });
    for (let i = 0; i < 30; i++) for (const p of await first.ask()) await first.tell(p.id, evaluate(p.genome));
    const untold = await first.ask();
    expect(untold.length).toBe(8);
    for (const p of untold.slice(0, 3)) await first.tell(p.id, evaluate(p.genome));
    expect((await first.close()).status).toBe('interrupted');

    await expect(openAskTell({ ...config, seed: 6 }, { dir: runDir })).rejects.toThrow(/another seed/);
    const second = await openAskTell(config, { dir: runDir });
    const again = await second.ask();
    expect(again.map((p) => p.id)).toEqual(untold.slice(3).map((p) => p.id));
    expect(again.map((p) => [...(p.genome as Float64Array)])).toEqual(
      untold.slice(3).map((p) => [...(p.genome as Float64Array)]),
    );
    for (const p of again) void second.tell(p.id, evaluate(p.genome));
    await drive(second);
    const summary = await second.close();
    expect(summary.status).toBe('done');
    expect(summary.proposals).toBe(800);
    expect(await elitesOf(runDir)).toEqual(await elitesOf(join(dir, 'whole')));
    expect((await checkRunLog(runDir)).idsExactlyOnce).toBe(true);
  });

  it('reopens a finished run: nothing more to ask with the same budget, a larger budget continues it', async () => {
    const dir = useRunFiles();
    const runDir = join(dir, 'run');
    const first = await openAskTell(askTellConfig(dir, 200, 8), { dir: runDir });
    await drive(first);
    expect((await first.close()).status).toBe('done');
    const same = await openAskTell(askTellConfig(dir, 200, 8), { dir: runDir });
    expect(await same.ask()).toEqual([]);
    expect(same.done).toBe(true);
    expect((await same.close()).proposals).toBe(200);
    const more = await openAskTell(askTellConfig(dir, 500, 8), { dir: runDir });
    expect((await more.ask()).map((p) => p.id)).toEqual([200, 201, 202, 203, 204, 205, 206, 207]);
    await expect(openAskTell(askTellConfig(dir, 500, 8), { dir: runDir })).rejects.toThrow(
      /is already open in this process/,
    );
    await more.close();
    expect((await checkRunLog(runDir)).idsExactlyOnce).toBe(true);
  });

  it('is read by inspect, runs and report like any run', async () => {
    const dir = useRunFiles();
    const runs = join(dir, 'runs');
    const search = await openAskTell(askTellConfig(dir, 300, 8), { dir: join(runs, 'at-1') });
    await drive(search);
    const summary = await search.close();
    const inspect = await runCli(['inspect', join(runs, 'at-1'), '--json']);
    expect(inspect.code).toBe(0);
    expect(JSON.parse(inspect.stdout)).toMatchObject({ status: 'done', proposals: 300, archive: summary.archive });
    const listed = await runCli(['runs', runs, '--json']);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain('at-1');
    const report = await runCli(['report', join(runs, 'at-1'), '--out', join(dir, 'report.html')]);
    expect(report.code).toBe(0);
    expect(readFileSync(join(dir, 'report.html'), 'utf8')).toContain('<html');
    const resumed = await runCli(['resume', join(runs, 'at-1')]);
    expect(resumed.code).toBe(2);
    expect(resumed.stderr).toMatch(/is an ask\/tell search.*\n.*openAskTell\(config, \{ dir/);
  });

  it('runs the README example (against the built package)', () => {
    const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Ask/tell: evaluate in your own loop'));
    const example = /```js\n([\s\S]*?)```/.exec(section)?.[1];
    if (!example) throw new Error('no js example under the ask/tell heading');
    const dir = useRunFiles({
      'ask-tell.mjs': example.replace("from 'elites'", `from '${pathToFileURL(join(repoRoot, 'dist/index.js')).href}'`),
    });
    const out = execFileSync(process.execPath, ['ask-tell.mjs'], { cwd: dir, encoding: 'utf8' });
    expect(out).toMatch(/^done \{/);
    const summary = JSON.parse(readFileSync(join(dir, 'runs/my-loop/summary.json'), 'utf8'));
    expect(summary).toMatchObject({ status: 'done', proposals: 5000 });
    expect(summary.archive.size).toBeGreaterThan(100);
  });
});
