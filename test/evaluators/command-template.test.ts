// Command evaluator, no processes: template parsing and filling (placeholders, built-ins, missing names), the options
// schema, and reading results from stdout.
import { describe, expect, it } from 'vitest';
import { commandOptionsSchema } from '../../evaluators/command/options.js';
import { lastJsonObject, parseResult, reduceResults } from '../../evaluators/command/output.js';
import { genomeParams, parseTemplate, TemplateError, TemplateValues } from '../../evaluators/command/template.js';

const values = (
  genome: unknown,
  builtins: Record<string, string | undefined> = {},
  where = 'run step',
): TemplateValues =>
  new TemplateValues(
    genomeParams(genome),
    { seed: '7', fidelity: '1', sample: '0', workdir: undefined, builddir: undefined, ...builtins },
    where,
  );

describe('command templates', () => {
  it('fills {name} placeholders from a record genome: strings as they are, numbers as JSON, booleans as true/false', () => {
    const v = values({ mc: 64, rate: 0.25, big: 1e21, name: 'x y', fast: true, slow: false });
    expect(v.fill('-DMC={mc}', 'a')).toBe('-DMC=64');
    expect(v.fill('{rate}', 'a')).toBe('0.25');
    expect(v.fill('{big}', 'a')).toBe('1e+21');
    expect(v.fill('--name={name}', 'a')).toBe('--name=x y');
    expect(v.fill('{fast},{slow}', 'a')).toBe('true,false');
    expect(v.fill('{mc}x{mc}', 'a')).toBe('64x64');
    expect(v.fill('plain', 'a')).toBe('plain');
    expect(v.fill('', 'a')).toBe('');
  });

  it('fills array genomes by index', () => {
    expect(values([3, 'b', false]).fill('{0}-{1}-{2}', 'a')).toBe('3-b-false');
    expect(values(Float64Array.of(0.5, 2)).fill('{1}/{0}', 'a')).toBe('2/0.5');
  });

  it('fills the built-ins {workdir} {builddir} {seed} {fidelity} {sample}', () => {
    const v = values({ mc: 1 }, { workdir: '/w', builddir: '/b', seed: '42', fidelity: '0.5', sample: '3' });
    expect(v.fill('{workdir}/out {builddir}/gemm {seed} {fidelity} {sample}', 'a')).toBe('/w/out /b/gemm 42 0.5 3');
    expect(v.with({ builddir: '/other' }).fill('{builddir}', 'a')).toBe('/other');
  });

  it('reads {{ and }} as literal braces, so JSON can be passed', () => {
    expect(values({ n: 5 }).fill('{{"n": {n}}}', 'a')).toBe('{"n": 5}');
    expect(parseTemplate('a{{b}}c')).toEqual([{ text: 'a{b}c' }]);
    expect(parseTemplate('x{a}y{b}')).toEqual([{ text: 'x' }, { name: 'a' }, { text: 'y' }, { name: 'b' }]);
  });

  it('rejects malformed templates with the position', () => {
    expect(() => parseTemplate('-DMC={mc')).toThrow(/unclosed "\{" at position 5/);
    expect(() => parseTemplate('{}')).toThrow(/empty placeholder/);
    expect(() => parseTemplate('a}b')).toThrow(/lone "\}" at position 1/);
    expect(() => parseTemplate('{a{b}')).toThrow(TemplateError);
  });

  it('names a placeholder without a value, and lists the names available', () => {
    const v = values({ mc: 64, kc: 128 }, { workdir: '/w' });
    expect(() => v.fill('-DNC={nc}', 'build.argv[3]')).toThrow(
      'build.argv[3] "-DNC={nc}": no value for {nc}; available: {mc}, {kc}, {workdir}, {seed}, {fidelity}, {sample}',
    );
    expect(() => v.fill('{MC}', 'a')).toThrow(/no value for \{MC\}/); // names are case-sensitive
  });

  it('says when a built-in exists but not in this step', () => {
    expect(() => values({ mc: 1 }, {}, 'build step').fill('{workdir}/x', 'build.argv[1]')).toThrow(
      /\{workdir\} is not available in the build step; available: \{mc\}/,
    );
  });

  it('refuses a placeholder that is both a genome parameter and a built-in, but only when it is used', () => {
    const v = values({ seed: 3, mc: 1 });
    expect(v.fill('{mc}', 'a')).toBe('1');
    expect(() => v.fill('{seed}', 'a')).toThrow(/both a genome parameter and a built-in/);
  });

  it('refuses genomes and values it cannot turn into text', () => {
    expect(() => genomeParams('a prompt')).toThrow(/genome is a string/);
    expect(() => genomeParams(null)).toThrow(/genome is null/);
    expect(() => genomeParams({ a: { b: 1 } })).toThrow(/parameter "a" is an object;/);
    expect(() => genomeParams({ a: Number.NaN })).toThrow(/parameter "a" is NaN/);
    expect(() => genomeParams([1, [2]])).toThrow(/parameter "1" is an array/);
  });
});

describe('command options', () => {
  const run = { argv: ['prog'] };

  it('builds from nothing (run is checked when the evaluator is used) and applies defaults', () => {
    const o = commandOptionsSchema.parse({ run });
    expect(o.run).toEqual({ argv: ['prog'], env: {}, timeoutSeconds: 60, repeat: 1, reduce: 'median' });
    expect(o).toMatchObject({ fitness: 'fitness', descriptors: [], noisy: false, workDir: '.elites/command' });
    expect(commandOptionsSchema.parse({ build: { argv: ['cc'] }, run }).build).toEqual({
      argv: ['cc'],
      env: {},
      timeoutSeconds: 120,
      inputs: [],
    });
  });

  const issues = (raw: unknown): string[] => {
    const r = commandOptionsSchema.safeParse(raw);
    return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  };

  it.each([
    [{ run: { argv: [] } }, /run.argv: argv needs at least the program/],
    [{ run: { argv: ['x', '-D{mc'] } }, /run.argv.1: unclosed "\{"/],
    [{ run: { argv: ['x'], env: { 'A=B': '1' } } }, /run.env.A=B/],
    [{ run: { argv: ['x'], env: { A: '}' } } }, /run.env.A: lone "\}"/],
    [
      { build: { argv: ['cc', '-o', '{workdir}/a'] }, run },
      /build.argv.2: \{workdir\} is not available in the build step/,
    ],
    [{ run: { argv: ['{builddir}/gemm'] } }, /run.argv.0: \{builddir\} needs a build step/],
    [{ run, fingerprintFile: 'out' }, /fingerprintFile: fingerprintFile names a file the build step writes/],
    [{ build: { argv: ['cc'] }, run, fingerprintFile: '{workdir}/a' }, /fingerprintFile: \{workdir\} is not available/],
    [{ run, descriptors: ['fitness'] }, /descriptors: "fitness" is the fitness field/],
    [{ run: { argv: ['x'], timeoutSeconds: 0 } }, /run.timeoutSeconds/],
    [{ run: { argv: ['x'], shell: true } }, /unrecognized|shell/],
    [{ run: 'x' }, /run/],
    [
      { build: { argv: ['cc'], cwd: 'src/{variant}', inputs: ['k.c'] }, run },
      /build.inputs: relative inputs are resolved against build.cwd/,
    ],
  ])('rejects %j', (raw, pattern) => {
    expect(issues(raw).join('\n')).toMatch(pattern);
  });
});

describe('command output', () => {
  const fields = { fitness: 'gflops', descriptors: ['kib'] };

  it('takes the last line of stdout that is a JSON object, skipping logs and trailing text', () => {
    const out =
      'compiling\n{"gflops": 1}\nwarming up\n{"gflops": 2.5, "kib": 48, "seconds": 0.1, "name": "x", "ok": true}\n\ndone\n';
    expect(lastJsonObject(out)?.value).toMatchObject({ gflops: 2.5 });
    expect(parseResult(out, fields, 'run step')).toEqual({
      fitness: 2.5,
      descriptors: [48],
      metrics: { seconds: 0.1 },
    });
    expect(
      parseResult('{"gflops": 2, "kib": 1, "a": 1, "b": 2}', { ...fields, metrics: ['b'] }, 'run step').metrics,
    ).toEqual({ b: 2 });
    expect(lastJsonObject('[1, 2]\n"x"\n{"a": 1} trailing\n')).toBeUndefined();
  });

  it('quotes the last line when there is no JSON object line, and the line when a field is missing', () => {
    expect(() => parseResult('', fields, 'run step')).toThrow(
      'run step printed no JSON object line on stdout (expected e.g. {"gflops": 1.5} on a line of its own); stdout was empty',
    );
    expect(() => parseResult('result: 12 GFLOP/s\n', fields, 'run step')).toThrow(
      /its last line: "result: 12 GFLOP\/s"/,
    );
    expect(() => parseResult(`${'x'.repeat(1000)}\n`, fields, 'run step')).toThrow(/"x{197}\.\.\."$/);
    expect(() => parseResult('{"fitness": 3, "kib": 1}', fields, 'run step')).toThrow(
      'run step: the last JSON line of stdout has no fitness field "gflops": "{\\"fitness\\": 3, \\"kib\\": 1}"',
    );
    expect(() => parseResult('{"gflops": "3", "kib": 1}', fields, 'run step')).toThrow(
      /has a non-numeric \(string\) fitness field "gflops"/,
    );
    expect(() => parseResult('{"gflops": 3}', fields, 'run step')).toThrow(/has no descriptor field "kib"/);
    expect(() => parseResult('{"gflops": 3, "kib": 1}', { ...fields, metrics: ['seconds'] }, 'run step')).toThrow(
      /has no metric field "seconds"/,
    );
  });

  it('reduces repeated runs field by field', () => {
    const runs = [4, 1, 10].map((v) => ({
      fitness: v,
      descriptors: [v * 2],
      metrics: { t: v, ...(v === 1 ? {} : { only: v }) },
    }));
    expect(reduceResults(runs, 'median')).toEqual({ fitness: 4, descriptors: [8], metrics: { t: 4 } });
    expect(reduceResults(runs, 'mean')).toEqual({ fitness: 5, descriptors: [10], metrics: { t: 5 } });
    expect(reduceResults(runs, 'min').fitness).toBe(1);
    expect(reduceResults(runs, 'max').fitness).toBe(10);
    expect(reduceResults(runs.slice(0, 2), 'median').fitness).toBe(2.5);
  });
});
