// Command evaluator with real processes: genome values never pass through a shell, and timeouts, crashes, non-zero
// exits, aborts and bad stdout become errors that say what happened. Fixtures run on node (process.execPath): no shell.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createCommandEvaluator, type CommandOptionsInput } from '../../evaluators/command/index.js';
import { runStep, StepError } from '../../evaluators/command/process.js';
import { rngFromSeed } from '../../core/rng.js';
import type { EvalContext } from '../../core/types.js';
import { repoRoot, useRunFiles } from '../helpers/files.js';

const node = process.execPath;
const fixture = (name: string): string => join(repoRoot, 'test/fixtures/command', name);
const ctxOf = (signal = new AbortController().signal): EvalContext => ({
  rng: rngFromSeed('command'),
  signal,
  options: {},
  fidelity: 1,
  sample: 0,
});

/** An evaluator whose work directory is a fresh temp directory. */
function evaluatorIn(dir: string, options: CommandOptionsInput) {
  return createCommandEvaluator({ workDir: join(dir, 'work'), ...options });
}

/** True while `pid` is a live process (a zombie waiting to be reaped counts as dead). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}

async function waitFor(check: () => boolean, ms = 10_000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 25));
  }
  return check();
}

describe('command evaluator: no shell', () => {
  const payload = '$(touch PWNED); rm -rf x; `touch PWNED2` && echo "$HOME" > PWNED3 | cat; * ? ~ \\ \' "';

  it('passes a hostile genome value verbatim as one argv element (whole, or inside one) and as an env value; no file is created', async () => {
    const dir = useRunFiles({ 'x/keep': 'still here' });
    const record = join(dir, 'argv.json');
    const evaluator = evaluatorIn(dir, {
      run: {
        argv: [node, fixture('echo-argv.mjs'), record, '{payload}', '--name={payload}', '{payload}{payload}'],
        cwd: dir,
        env: { PAYLOAD: '{payload}' },
      },
    });
    const result = await evaluator.evaluate({ payload }, ctxOf());
    expect(result.fitness).toBe(3); // three arguments after the record path, whatever they hold
    const seen = JSON.parse(readFileSync(record, 'utf8')) as { argv: string[]; payload: string; cwd: string };
    expect(seen.argv).toEqual([payload, `--name=${payload}`, payload + payload]);
    expect(seen.payload).toBe(payload);
    expect(seen.cwd).toBe(dir);
    for (const f of ['PWNED', 'PWNED2', 'PWNED3']) expect(existsSync(join(dir, f)), f).toBe(false);
    expect(readFileSync(join(dir, 'x/keep'), 'utf8')).toBe('still here');
    expect(readdirSync(dir).sort()).toEqual(['argv.json', 'work', 'x']);
  });

  it('does the same in the build step', async () => {
    const dir = useRunFiles();
    const evaluator = evaluatorIn(dir, {
      build: { argv: [node, fixture('build.mjs'), join(dir, 'count'), '{builddir}/artefact', '{payload}'], cwd: dir },
      run: { argv: [node, fixture('score.mjs'), '{builddir}/artefact'], cwd: dir },
    });
    const r = await evaluator.evaluate({ payload }, ctxOf());
    expect(r.fitness).toBe(payload.length);
    expect(JSON.parse(readFileSync(join(dir, 'count'), 'utf8').trim())).toEqual([
      join(dir, 'count'),
      expect.stringMatching(/artefact$/),
      payload,
    ]);
    for (const f of ['PWNED', 'PWNED2', 'PWNED3']) expect(existsSync(join(dir, f)), f).toBe(false);
  });
});

describe('command evaluator: failures', () => {
  it('a run step that exits non-zero: the exit code and the last lines of stderr', async () => {
    const dir = useRunFiles();
    const evaluator = evaluatorIn(dir, { run: { argv: [node, fixture('fail.mjs'), '3'] } });
    const error = await Promise.resolve(evaluator.evaluate({}, ctxOf())).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(StepError);
    const message = (error as Error).message;
    expect(message).toMatch(/^run step exited with code 3: .*fail\.mjs 3\nlast lines of stderr:\n/);
    expect(message).toContain('error line 11\n');
    expect(message).toMatch(/error line 30$/);
    expect(message).not.toContain('error line 10\n'); // the last 20 lines only
    expect((error as StepError).details.exitCode).toBe(3);
  });

  it('a crash: names the signal', async () => {
    const dir = useRunFiles();
    const evaluator = evaluatorIn(dir, { run: { argv: [node, fixture('crash.mjs')] } });
    await expect(evaluator.evaluate({}, ctxOf())).rejects.toThrow(
      /^run step was killed by SIGSEGV \(crashed\): .*crash\.mjs\nlast lines of stderr:\nabout to crash$/,
    );
  });

  it('a build step that fails: the build error, and nothing left in the build directory', async () => {
    const dir = useRunFiles();
    const evaluator = evaluatorIn(dir, {
      build: { argv: [node, fixture('fail.mjs'), '1'] },
      run: { argv: [node, fixture('emit.mjs'), '{{"fitness": 1}}'] },
    });
    await expect(evaluator.evaluate({}, ctxOf())).rejects.toThrow(/^build step exited with code 1: /);
    expect(readdirSync(join(dir, 'work/builds'))).toEqual([]);
  });

  it('a program that does not exist', async () => {
    const dir = useRunFiles();
    const evaluator = evaluatorIn(dir, { run: { argv: ['elites-no-such-program-{n}'] } });
    await expect(evaluator.evaluate({ n: 1 }, ctxOf())).rejects.toThrow(
      /^run step: cannot start "elites-no-such-program-1" \(not found: give a path, or check PATH\)/,
    );
    await expect(
      Promise.resolve().then(() => evaluatorIn(dir, { run: { argv: ['elites-no-such-program'] } }).prepare!({})),
    ).rejects.toThrow('command evaluator: run.argv[0] "elites-no-such-program" not found on PATH');
  });

  it.each([
    ['no output', [], /stdout was empty/],
    ['text only', ['12.5 GFLOP/s'], /printed no JSON object line on stdout .*; its last line: "12\.5 GFLOP\/s"/],
    [
      'no fitness field',
      ['{{"gflops": 12.5}}'],
      /the last JSON line of stdout has no fitness field "fitness": "\{\\"gflops\\": 12\.5\}"/,
    ],
    ['a string fitness', ['{{"fitness": "12.5"}}'], /non-numeric \(string\) fitness field/],
  ])('bad stdout (%s): a clear error quoting it', async (_name, lines, pattern) => {
    const dir = useRunFiles();
    const evaluator = evaluatorIn(dir, { run: { argv: [node, fixture('emit.mjs'), ...lines] } });
    await expect(evaluator.evaluate({}, ctxOf())).rejects.toThrow(pattern);
  });

  it('a JSON argument needs {{ }}: unescaped, its braces are a placeholder, and the error says so', async () => {
    const dir = useRunFiles();
    const evaluator = evaluatorIn(dir, { run: { argv: [node, fixture('emit.mjs'), '{"fitness": 1}'] } });
    await expect(evaluator.evaluate({}, ctxOf())).rejects.toThrow(
      'run.argv[2] "{\\"fitness\\": 1}": no value for {"fitness": 1} (write {{ and }} for literal braces); available: {workdir}, {seed}, {fidelity}, {sample}',
    );
  });

  it('no run step: a clear error when used (the registry builds every evaluator from no options)', async () => {
    const evaluator = createCommandEvaluator({});
    expect(() => evaluator.prepare!({})).toThrow(/options\.run is required/);
    await expect(Promise.resolve().then(() => evaluator.evaluate({}, ctxOf()))).rejects.toThrow(
      /options\.run is required/,
    );
  });
});

/**
 * A step that starts a child sleeping 30 s (its pid written to `pidFile` at once), prints `started` and waits for it:
 * a timeout must kill both (same process group). A shell starts it in milliseconds, where node's start-up (that of
 * fixtures/command/sleep.mjs) took over 1.5 s on a loaded 2-core machine and the timeout fired before the child existed.
 */
const sleepingTree = (pidFile: string): string[] => [
  '/bin/sh',
  '-c',
  'sleep 30 & echo $! > "$0"; echo started; wait',
  pidFile,
];

describe('command evaluator: timeouts and aborts kill the process group', () => {
  it('a run step that times out: names the step and the seconds, and kills the program and its children', async () => {
    const dir = useRunFiles();
    const pidFile = join(dir, 'child.pid');
    // A shell, not node: it starts its child within milliseconds even on a loaded machine, far inside the 2 s.
    const evaluator = evaluatorIn(dir, { run: { argv: sleepingTree(pidFile), timeoutSeconds: 2 } });
    const started = Date.now();
    await expect(evaluator.evaluate({}, ctxOf())).rejects.toThrow(
      /^run step timed out after 2 s and was killed: .*sleep 30 .*\nlast lines of stdout:\nstarted$/,
    );
    expect(Date.now() - started).toBeLessThan(15_000); // killed at the timeout, not after the step's 30 s
    expect(existsSync(pidFile), 'the step never started its child').toBe(true);
    const child = Number(readFileSync(pidFile, 'utf8'));
    expect(await waitFor(() => !alive(child))).toBe(true);
  });

  it('a build step that times out', async () => {
    const dir = useRunFiles();
    const pidFile = join(dir, 'child.pid');
    const evaluator = evaluatorIn(dir, {
      build: { argv: sleepingTree(pidFile), timeoutSeconds: 1.5 },
      run: { argv: [node, fixture('emit.mjs'), '{{"fitness": 1}}'] },
    });
    await expect(evaluator.evaluate({}, ctxOf())).rejects.toThrow(/^build step timed out after 1\.5 s and was killed/);
    expect(existsSync(pidFile), 'the build step never started its child').toBe(true);
    expect(await waitFor(() => !alive(Number(readFileSync(pidFile, 'utf8'))))).toBe(true);
    expect(readdirSync(join(dir, 'work/builds'))).toEqual([]);
  });

  it('ctx.signal (evaluation timeout or stop) kills a running step', async () => {
    const dir = useRunFiles();
    const pidFile = join(dir, 'child.pid');
    const evaluator = evaluatorIn(dir, { run: { argv: [node, fixture('sleep.mjs'), '30', pidFile] } });
    const controller = new AbortController();
    const pending = evaluator.evaluate({}, ctxOf(controller.signal));
    expect(await waitFor(() => existsSync(pidFile) && readFileSync(pidFile, 'utf8') !== '')).toBe(true);
    controller.abort(new Error('evaluation exceeded 60 s'));
    await expect(pending).rejects.toThrow('run step stopped: evaluation exceeded 60 s');
    expect(await waitFor(() => !alive(Number(readFileSync(pidFile, 'utf8'))))).toBe(true);
    expect(readdirSync(join(dir, 'work/work'))).toEqual([]); // the evaluation's work directory is removed
  });

  it('an already aborted signal starts nothing', async () => {
    const dir = useRunFiles();
    await expect(
      runStep({
        label: 'run step',
        argv: [node, fixture('echo-argv.mjs'), join(dir, 'never')],
        cwd: dir,
        env: process.env,
        timeoutSeconds: 5,
        signal: AbortSignal.abort(new Error('run stopped')),
      }),
    ).rejects.toThrow('run step stopped: run stopped');
    expect(existsSync(join(dir, 'never'))).toBe(false);
  });

  it('a working directory that does not exist', async () => {
    const dir = useRunFiles();
    await expect(
      runStep({
        label: 'run step',
        argv: [node, '-e', ''],
        cwd: join(dir, 'nope'),
        env: process.env,
        timeoutSeconds: 5,
      }),
    ).rejects.toThrow(/working directory ".*nope" does not exist/);
  });

  it('keeps only the tail of a huge stdout, and still finds the result', async () => {
    const dir = useRunFiles();
    const script =
      'const line = "x".repeat(1023) + "\\n"; for (let i = 0; i < 4096; i++) process.stdout.write(line); console.log(JSON.stringify({ fitness: 4 }));';
    const out = await runStep({
      label: 'run step',
      argv: [node, '-e', script],
      cwd: dir,
      env: process.env,
      timeoutSeconds: 30,
    });
    expect(out.stdout.length).toBeLessThanOrEqual(1 << 20);
    expect(out.stdout.endsWith('{"fitness":4}\n')).toBe(true);
  });
});
