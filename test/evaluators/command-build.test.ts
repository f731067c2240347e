// Command evaluator with real processes: builds are reused by their filled command (in memory and on disk), the
// fingerprint hashes the build's artefact and the run command, inputs invalidate builds, repeats reduce, built-ins arrive.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createCommandEvaluator, type CommandOptionsInput } from '../../evaluators/command/index.js';
import { rngFromSeed } from '../../core/rng.js';
import type { EvalContext } from '../../core/types.js';
import { repoRoot, useRunFiles } from '../helpers/files.js';

const node = process.execPath;
const fixture = (name: string): string => join(repoRoot, 'test/fixtures/command', name);
const ctxOf = (seed = 'command', fidelity = 1, sample = 0): EvalContext => ({
  rng: rngFromSeed(seed),
  signal: new AbortController().signal,
  options: {},
  fidelity,
  sample,
});
const builds = (counter: string): string[][] =>
  readFileSync(counter, 'utf8')
    .trim()
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as string[]);

/** The fixture "compiler" writes {content} lower-cased to {builddir}/artefact; the "kernel" scores its length + {offset}. */
function options(dir: string, extra: Partial<CommandOptionsInput> = {}): CommandOptionsInput {
  return {
    workDir: join(dir, 'work'),
    build: { argv: [node, fixture('build.mjs'), join(dir, 'count'), '{builddir}/artefact', '{content}'] },
    run: { argv: [node, fixture('score.mjs'), '{builddir}/artefact', '{offset}'] },
    ...extra,
  };
}

describe('command evaluator: builds', () => {
  it('builds a filled command once: again in the same evaluator, in another one (another worker or run), not for run-only changes', async () => {
    const dir = useRunFiles();
    const counter = join(dir, 'count');
    const a = createCommandEvaluator(options(dir));
    expect(await a.evaluate({ content: 'abc', offset: 0 }, ctxOf())).toEqual({
      fitness: 3,
      descriptors: [],
      metrics: { size: 3, offset: 0 },
    });
    expect(await a.evaluate({ content: 'abc', offset: 0 }, ctxOf())).toMatchObject({ fitness: 3 });
    expect(await a.evaluate({ content: 'abc', offset: 10 }, ctxOf())).toMatchObject({ fitness: 13 }); // offset is a run argument only
    expect(builds(counter)).toHaveLength(1);

    const b = createCommandEvaluator(options(dir)); // a fresh worker: the build directory on disk is reused
    expect(await b.evaluate({ content: 'abc', offset: 1 }, ctxOf())).toMatchObject({ fitness: 4 });
    expect(builds(counter)).toHaveLength(1);

    expect(await b.evaluate({ content: 'abcd', offset: 0 }, ctxOf())).toMatchObject({ fitness: 4 });
    expect(builds(counter)).toHaveLength(2);
    const dirs = readdirSync(join(dir, 'work/builds')).sort();
    expect(dirs).toHaveLength(2);
    for (const d of dirs) {
      expect(d).toMatch(/^[0-9a-f]{32}$/);
      expect(readdirSync(join(dir, 'work/builds', d)).sort()).toEqual(['.elites-build.json', 'artefact', 'build.log']);
    }
    expect(readdirSync(join(dir, 'work/work'))).toEqual([]); // per-evaluation work directories are removed
  });

  it('two workers building the same command at once both succeed and leave one build directory', async () => {
    const dir = useRunFiles();
    const [a, b] = [createCommandEvaluator(options(dir)), createCommandEvaluator(options(dir))];
    const results = await Promise.all([
      a.evaluate({ content: 'xy', offset: 0 }, ctxOf()),
      b.evaluate({ content: 'xy', offset: 0 }, ctxOf()),
    ]);
    expect(results.map((r) => r.fitness)).toEqual([2, 2]);
    expect(readdirSync(join(dir, 'work/builds'))).toHaveLength(1);
  });

  it('build.inputs: editing an input rebuilds and changes the evaluator version (so cached results are not reused)', async () => {
    const dir = useRunFiles({ 'src/kernel.c': 'int main(void) { return 0; }\n' });
    const input = join(dir, 'src/kernel.c');
    const withInputs = (): CommandOptionsInput => {
      const o = options(dir);
      return { ...o, build: { ...o.build!, inputs: [input] } };
    };
    const first = createCommandEvaluator(withInputs());
    expect(createCommandEvaluator(options(dir)).version).toBe('1');
    expect(first.version).toMatch(/^1\+[0-9a-f]{12}$/);
    await first.evaluate({ content: 'abc', offset: 0 }, ctxOf());
    await createCommandEvaluator(withInputs()).evaluate({ content: 'abc', offset: 0 }, ctxOf());
    expect(builds(join(dir, 'count'))).toHaveLength(1);

    writeFileSync(input, 'int main(void) { return 1; }\n');
    const edited = createCommandEvaluator(withInputs());
    expect(edited.version).not.toBe(first.version);
    await edited.evaluate({ content: 'abc', offset: 0 }, ctxOf());
    expect(builds(join(dir, 'count'))).toHaveLength(2);
    expect(() =>
      createCommandEvaluator({ ...withInputs(), build: { argv: ['cc'], inputs: [join(dir, 'missing.c')] } }),
    ).toThrow(/build\.inputs: cannot read ".*missing\.c".*ENOENT/);
  });
});

describe('command evaluator: fingerprint', () => {
  it('hashes the file the build wrote: identical artefacts share a fingerprint, different ones do not', async () => {
    const dir = useRunFiles();
    const evaluator = createCommandEvaluator(options(dir, { fingerprintFile: '{builddir}/artefact' }));
    const fp = (genome: Record<string, unknown>) => evaluator.fingerprint!(genome, ctxOf());
    const upper = await fp({ content: 'ABC', offset: 0 });
    const lower = await fp({ content: 'abc', offset: 0 });
    expect(upper).toMatch(/^command:[0-9a-f]{64}$/);
    expect(lower).toBe(upper); // two builds (different commands), byte-identical artefacts
    expect(builds(join(dir, 'count'))).toHaveLength(2);
    expect(await fp({ content: 'abd', offset: 0 })).not.toBe(upper);
    // the same artefact run with other arguments is another candidate
    expect(await fp({ content: 'abc', offset: 1 })).not.toBe(upper);
    // evaluate reuses the build the fingerprint made
    expect(await evaluator.evaluate({ content: 'ABC', offset: 0 }, ctxOf())).toMatchObject({ fitness: 3 });
    expect(builds(join(dir, 'count'))).toHaveLength(3);
  });

  it('is absent without fingerprintFile, and an artefact the build did not write is an error', async () => {
    const dir = useRunFiles();
    expect(createCommandEvaluator(options(dir)).fingerprint).toBeUndefined();
    const evaluator = createCommandEvaluator(options(dir, { fingerprintFile: '{builddir}/missing' }));
    await expect(evaluator.fingerprint!({ content: 'a', offset: 0 }, ctxOf())).rejects.toThrow(
      /fingerprintFile .*missing was not written by the build step \(ENOENT\)/,
    );
  });
});

describe('command evaluator: results', () => {
  it('fitness, descriptors and metrics by field name; implicit metrics are the other numeric fields', async () => {
    const dir = useRunFiles();
    const explicit = createCommandEvaluator(options(dir, { descriptors: ['size'], metrics: ['offset'] }));
    expect(await explicit.evaluate({ content: 'abcd', offset: 2 }, ctxOf())).toEqual({
      fitness: 6,
      descriptors: [4],
      metrics: { offset: 2 },
    });
    const renamed = createCommandEvaluator(options(dir, { fitness: 'size' }));
    expect(await renamed.evaluate({ content: 'abcd', offset: 2 }, ctxOf())).toEqual({
      fitness: 4,
      descriptors: [],
      metrics: { fitness: 6, offset: 2 },
    });
  });

  it('repeat runs the program n times in one work directory and reduces every field', async () => {
    const dir = useRunFiles();
    const make = (reduce: 'median' | 'mean' | 'min' | 'max') =>
      createCommandEvaluator({
        workDir: join(dir, 'work'),
        run: { argv: [node, fixture('sequence.mjs'), '{workdir}/state', '4', '1', '10'], repeat: 3, reduce },
      });
    expect(await make('median').evaluate({}, ctxOf())).toEqual({ fitness: 4, descriptors: [], metrics: { speed: 8 } });
    expect(await make('mean').evaluate({}, ctxOf())).toEqual({ fitness: 5, descriptors: [], metrics: { speed: 10 } });
    expect((await make('max').evaluate({}, ctxOf())).fitness).toBe(10);
  });

  it('{seed} {fidelity} {sample} reach the program; the seed follows ctx.rng and is the same for fingerprint and evaluate', async () => {
    const dir = useRunFiles();
    const record = join(dir, 'argv.json');
    const evaluator = createCommandEvaluator({
      workDir: join(dir, 'work'),
      build: { argv: [node, fixture('build.mjs'), join(dir, 'count'), '{builddir}/artefact', 'seed {seed}'] },
      run: {
        argv: [node, fixture('echo-argv.mjs'), record, '{seed}', '{fidelity}', '{sample}', '{workdir}', '{builddir}'],
      },
      fingerprintFile: '{builddir}/artefact',
    });
    const ctx = ctxOf('candidate-1', 0.25, 3);
    await evaluator.fingerprint!({}, ctx);
    await evaluator.evaluate({}, ctx);
    const [seed, fidelity, sample, workdir, builddir] = (JSON.parse(readFileSync(record, 'utf8')) as { argv: string[] })
      .argv;
    expect(seed).toMatch(/^\d+$/);
    expect(String(Math.floor(rngFromSeed('candidate-1')() * 2 ** 32))).toBe(seed);
    expect([fidelity, sample]).toEqual(['0.25', '3']);
    expect(workdir).toMatch(/work[/\\]work[/\\]eval-/);
    expect(readFileSync(join(builddir!, 'artefact'), 'utf8')).toBe(`seed ${seed}`);
    expect(builds(join(dir, 'count'))).toHaveLength(1); // fingerprint and evaluate drew the same seed: one build
  });

  it('passes `noisy` through and is named command, version 1', () => {
    const dir = useRunFiles();
    expect(createCommandEvaluator(options(dir))).toMatchObject({ name: 'command', version: '1', noisy: false });
    expect(createCommandEvaluator(options(dir, { noisy: true })).noisy).toBe(true);
  });
});
