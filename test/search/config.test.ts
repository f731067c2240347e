import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRunConfig, parseRunConfig } from '../../search/config.js';
import { ConfigError } from '../../core/errors.js';
import { useRunFiles } from '../helpers/files.js';

const valid = {
  name: 'demo',
  seed: 3,
  space: { type: 'bitstring', length: 20 },
  evaluator: { type: 'onemax' },
  search: { strategy: 'one-plus-lambda', lambda: 1 },
  archive: { type: 'grid', dims: [{ name: 'ones', min: 0, max: 20, bins: 21 }] },
  budget: { evaluations: 100 },
};

function issuesOf(raw: unknown): { path: string; message: string }[] {
  try {
    parseRunConfig(raw, '.');
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return [...(error as ConfigError).issues];
  }
  throw new Error('expected a ConfigError');
}

describe('run config', () => {
  it('applies defaults to a minimal config', () => {
    const config = parseRunConfig(valid, '.');
    expect(config.direction).toBe('maximize');
    expect(config.workers).toBe(1);
    expect(config.cache).toMatchObject({ enabled: true, mode: 'cache' });
    expect(config.evaluator.timeoutSeconds).toBe(60);
  });

  it("takes an evaluator process: its cwd is the config file's directory by default, or relative to it", () => {
    const dir = useRunFiles();
    const config = parseRunConfig(
      { ...valid, evaluator: { process: { argv: ['python3', 'my_eval.py'] }, options: { k: 1 } } },
      dir,
    );
    expect(config.evaluator.process).toMatchObject({
      argv: ['python3', 'my_eval.py'],
      cwd: dir,
      setupTimeoutSeconds: 600,
    });
    const sub = parseRunConfig({ ...valid, evaluator: { process: { argv: ['./eval'], cwd: 'sub' } } }, dir);
    expect(sub.evaluator.process?.cwd).toBe(join(dir, 'sub'));
  });

  it('an evaluator is exactly one of type, module and process; a process section names its typos', () => {
    const both = issuesOf({ ...valid, evaluator: { type: 'onemax', process: { argv: ['python3', 'e.py'] } } });
    expect(both).toContainEqual({
      path: 'evaluator',
      message: expect.stringMatching(/exactly one of `type`.*`module`.*`process`/),
    });
    expect(issuesOf({ ...valid, evaluator: { process: { argv: [] } } })).toContainEqual({
      path: 'evaluator.process.argv',
      message: expect.stringMatching(/argv needs at least the program/),
    });
    expect(issuesOf({ ...valid, evaluator: { process: { argv: ['x'], memoryMB: 10 } } })).toContainEqual({
      path: 'evaluator.process',
      message: expect.stringMatching(/unknown key "memoryMB"/),
    });
  });

  it('names a typo in a top-level key', () => {
    const issues = issuesOf({ ...valid, budgett: {} });
    expect(issues).toContainEqual({ path: '', message: expect.stringMatching(/unknown key "budgett"/) });
  });

  it('names a bad strategy option with its path', () => {
    const issues = issuesOf({ ...valid, search: { strategy: 'one-plus-lambda', lambda: -2 } });
    expect(issues.map((i) => i.path)).toContain('search.lambda');
  });

  it('names an unknown strategy and lists the known ones', () => {
    const issues = issuesOf({ ...valid, search: { strategy: 'cma-es' } });
    expect(issues[0]).toMatchObject({
      path: 'search.strategy',
      message: expect.stringMatching(/unknown search strategy "cma-es".*map-elites/),
    });
  });

  it('rejects unknown keys inside a registered entry (typos are never ignored)', () => {
    const issues = issuesOf({ ...valid, space: { type: 'bitstring', lenght: 20 } });
    expect(issues).toContainEqual({ path: 'space', message: expect.stringMatching(/unknown key "lenght"/) });
    expect(issues).toContainEqual({ path: 'space.length', message: expect.any(String) });
  });

  it('requires a budget that can end', () => {
    const issues = issuesOf({ ...valid, budget: { targetFitness: 20 } });
    expect(issues[0]?.message).toMatch(/budget.evaluations, budget.seconds or budget.steps/);
  });

  it('requires exactly one of evaluator type or module', () => {
    const issues = issuesOf({ ...valid, evaluator: { type: 'onemax', module: './x.mjs' } });
    expect(issues[0]?.message).toMatch(/exactly one of `type`/);
  });

  it('resolves plug-in paths relative to the config file and applies flag overrides', () => {
    const dir = useRunFiles({
      'sub/run.yaml': `${JSON.stringify({ ...valid, evaluator: { module: './eval.mjs' } })}\n`,
    });
    const config = loadRunConfig(`${dir}/sub/run.yaml`, { seed: 11, evaluations: 5, workers: 0 });
    expect(config.evaluator.module).toBe(`${dir}/sub/eval.mjs`);
    expect(config).toMatchObject({ seed: 11, workers: 0, budget: { evaluations: 5 } });
  });

  it('reports a missing file and a YAML syntax error as config errors', () => {
    expect(() => loadRunConfig('/nonexistent/elites.yaml')).toThrow(/config file not found/);
    const dir = useRunFiles({ 'bad.yaml': 'name: x\nspace: { type: bitstring\n' });
    expect(() => loadRunConfig(`${dir}/bad.yaml`)).toThrow(ConfigError);
  });
});
