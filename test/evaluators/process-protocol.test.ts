// The process evaluator's protocol, spoken by two implementations: the Python helper (elites_worker.py) and a Node
// script that speaks it by hand (test/fixtures/process/node-evaluator.mjs, nothing of elites imported). Real
// processes and real runs: fingerprints answer from the cache, reports reach the pruner and its stops reach the
// process, numpy is used when asked for and never needed, and a setup that raises refuses the run with its traceback.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseReply } from '../../evaluators/process/protocol.js';
import { parseRunConfig, type RunConfigInput } from '../../search/config.js';
import { runSearch } from '../../search/run.js';
import { repoRoot, useRunFiles } from '../helpers/files.js';
import { expectAshaStops } from '../helpers/early-stopping.js';
import { eventsOf } from '../helpers/runs.js';

const fixture = (name: string): string => join(repoRoot, 'test/fixtures/process', name);
const hasNumpy = spawnSync('python3', ['-c', 'import numpy'], { stdio: 'ignore' }).status === 0;

const base = (dir: string, extra: Partial<RunConfigInput>): RunConfigInput => ({
  name: 'process-protocol',
  seed: 3,
  space: { type: 'bitstring', length: 12 },
  evaluator: { process: { argv: [process.execPath, fixture('node-evaluator.mjs')] } },
  search: { strategy: 'random' },
  archive: { type: 'grid', dims: [{ name: 'ones', min: 0, max: 1, bins: 13 }] },
  budget: { evaluations: 120 },
  workers: 2,
  cache: { path: join(dir, 'cache.mdb') },
  ...extra,
});

/** numpy_eval.py over a 3-d vector, one worker; `process` adds to its process section. */
const numpyRun = (dir: string, process: Record<string, unknown> = {}): RunConfigInput =>
  base(dir, {
    space: { type: 'vector', dimensions: 3, min: 0, max: 1 },
    archive: {
      type: 'grid',
      dims: [
        { name: 'a', min: 0, max: 1, bins: 4 },
        { name: 'b', min: 0, max: 1, bins: 4 },
      ],
    },
    evaluator: { process: { argv: ['python3', fixture('numpy_eval.py')], ...process } },
    budget: { evaluations: 20 },
    workers: 1,
  });

describe('the process protocol', () => {
  it('tells apart frames and the lines that are not', () => {
    expect(parseReply('{"type":"done","id":3,"value":{"fitness":1}}')).toEqual({
      type: 'done',
      id: 3,
      value: { fitness: 1 },
    });
    expect(parseReply('{"type":"report","id":3,"step":2,"value":0.5}')).toEqual({
      type: 'report',
      id: 3,
      step: 2,
      value: 0.5,
    });
    expect(parseReply('hello')).toEqual({ problem: 'a line that is not JSON: "hello"' });
    expect(parseReply('[1]')).toEqual({ problem: 'a line that is not a JSON object: "[1]"' });
    expect(parseReply('{"type":"done"}')).toMatchObject({ problem: expect.stringMatching(/without an integer id/) });
    expect(parseReply('{"type":"shout","id":1}')).toMatchObject({
      problem: expect.stringMatching(/unknown type "shout"/),
    });
    expect(parseReply('{"type":"report","id":1,"step":"2","value":1}')).toMatchObject({
      problem: expect.stringMatching(/step or value is not a number/),
    });
  });

  it('a hand-written Node implementation: one set-up process per worker, fingerprints answered from the cache', async () => {
    const dir = useRunFiles();
    const setupsFile = join(dir, 'setups.txt');
    const config = base(dir, {
      evaluator: {
        process: {
          argv: [process.execPath, fixture('node-evaluator.mjs')],
          fingerprint: true,
          fingerprintDeterminesResult: true,
        },
        options: { setupsFile },
      },
    });
    const s = await runSearch(parseRunConfig(config, dir), { out: join(dir, 'run') });
    expect(s).toMatchObject({ status: 'done', proposals: 120, failures: 0 });
    // 13 behaviours (0–12 ones) among 120 proposals: most are answered by a fingerprint.
    expect(s.evaluations).toBeLessThanOrEqual(13 + 2); // two workers may measure one behaviour at once
    expect(s.cacheHits.fingerprint).toBeGreaterThan(60);
    const pids = readFileSync(setupsFile, 'utf8').trim().split('\n');
    expect(pids).toHaveLength(2);
    const evaluated = (await eventsOf(join(dir, 'run'))).filter((e) => e.ok && e.src === 'e');
    expect(evaluated.length).toBe(s.evaluations);
    for (const e of evaluated) expect(pids).toContain(String(e.ok && e.m?.pid));
  });

  it('reports reach the pruner and its stops reach the process (Python helper and Node, under ASHA)', async () => {
    for (const argv of [
      ['python3', fixture('curves.py')],
      [process.execPath, fixture('node-evaluator.mjs')],
    ]) {
      const dir = useRunFiles();
      const python = argv[0] === 'python3';
      const config: RunConfigInput = {
        ...base(dir, {}),
        ...(python ? { space: { type: 'vector', dimensions: 1, min: 0, max: 1 } } : {}),
        archive: { type: 'grid', dims: [{ name: 'x', min: 0, max: 1, bins: 10 }] },
        evaluator: { process: { argv }, options: { steps: 9, msPerStep: 3 } },
        pruner: { type: 'asha', minResource: 1, reductionFactor: 3, maxResource: 9 },
        budget: { evaluations: 60 },
        cache: { enabled: false },
      };
      const s = await runSearch(parseRunConfig(config, dir), { out: join(dir, 'run') });
      expect(s.status, argv.join(' ')).toBe('done');
      // The stop frame ends an evaluation early: most pruned ones report fewer than all 9 steps.
      expectAshaStops(await eventsOf(join(dir, 'run')), 9, argv.join(' '));
    }
  });

  it('a shell implementation that closes its stdin after setup: each evaluation is a broken-pipe failure, the run goes on', async () => {
    // The protocol in sh: read the setup request, close stdin (before answering: the next request must find it
    // closed), answer with the request's own id, and idle.
    const script = [
      'read -r line',
      'exec 0<&-',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell parameter expansion, not a JS template
      'id=${line#*\\"id\\":}; id=${id%%[,\\}]*}',
      'printf \'{"type":"done","id":%s,"value":null}\\n\' "$id"',
      'sleep 60',
    ].join('\n');
    const dir = useRunFiles({ 'closes-stdin.sh': script });
    const config = base(dir, {
      evaluator: { process: { argv: ['sh', 'closes-stdin.sh'] }, timeoutSeconds: 20 },
      budget: { evaluations: 3 },
      workers: 1,
    });
    const s = await runSearch(parseRunConfig(config, dir), { out: join(dir, 'run') });
    expect(s).toMatchObject({ status: 'done', proposals: 3, failures: 3 });
    for (const e of await eventsOf(join(dir, 'run')))
      expect(e).toMatchObject({
        ok: false,
        kind: 'crashed',
        msg: expect.stringMatching(
          /sh closes-stdin\.sh \(pid \d+\) closed its stdin \(EPIPE: broken pipe\) during evaluate/,
        ),
      });
  });

  it('a program that is not there, or a cwd that is not a directory, refuses the run before anything starts', async () => {
    const dir = useRunFiles();
    for (const [process, message] of [
      [
        { argv: ['elites-no-such-python', 'e.py'] },
        /evaluator\.process\.argv\[0\] "elites-no-such-python" not found on PATH/,
      ],
      [{ argv: ['./run.sh'] }, /evaluator\.process\.argv\[0\] "\.\/run\.sh": .*run\.sh is not an executable file/],
      [{ argv: ['python3', 'e.py'], cwd: 'nowhere' }, /evaluator\.process\.cwd: .*nowhere is not a directory/],
    ] as const) {
      const config = base(dir, { evaluator: { process: { ...process, argv: [...process.argv] } } });
      await expect(runSearch(parseRunConfig(config, dir), { out: join(dir, 'run') })).rejects.toThrow(message);
    }
  });

  it('a setup that raises refuses the run, quoting the exception and its traceback', async () => {
    const dir = useRunFiles({
      'broken.py': [
        'import elites_worker',
        'def setup(options):',
        '    raise RuntimeError("no model at " + options["path"])',
        'def evaluate(genome, ctx):',
        '    return {"fitness": 0}',
        'elites_worker.serve()',
      ].join('\n'),
    });
    const config = base(dir, {
      evaluator: { process: { argv: ['python3', 'broken.py'] }, options: { path: 'model.pt' } },
    });
    await expect(runSearch(parseRunConfig(config, dir), { out: join(dir, 'run') })).rejects.toThrow(
      /evaluator setup failed: RuntimeError: no model at model\.pt\n.*broken\.py", line 3, in setup/s,
    );
  });

  it('numpy is never needed: serve(numpy=True) without it says so at setup', async () => {
    const dir = useRunFiles({ 'fake/numpy.py': 'raise ImportError("numpy is not installed here")\n' });
    const config = numpyRun(dir, { env: { PYTHONPATH: join(dir, 'fake') } });
    await expect(runSearch(parseRunConfig(config, dir), { out: join(dir, 'run') })).rejects.toThrow(
      /serve\(numpy=True\) but numpy cannot be imported: numpy is not installed here/,
    );
  });

  it.skipIf(!hasNumpy)(
    'with numpy installed, serve(numpy=True) passes arrays in and takes numpy values back',
    async () => {
      const dir = useRunFiles();
      const config = numpyRun(dir);
      const s = await runSearch(parseRunConfig(config, dir), { out: join(dir, 'run') });
      expect(s).toMatchObject({ status: 'done', failures: 0 });
      const best = s.best as unknown as {
        fitness: number;
        genome: number[];
        descriptors: number[];
        metrics: { size: number };
      };
      expect(best.fitness).toBeCloseTo(
        best.genome.reduce((a, b) => a + b, 0),
        5,
      ); // float32
      expect(best.descriptors).toEqual(best.genome.slice(0, 2));
      expect(best.metrics.size).toBe(3);
    },
  );
});
