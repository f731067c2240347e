// Ask/tell after kill -9: a child process asks and tells (printing each id once its tell resolved, i.e. is durable),
// is SIGKILLed mid-loop, and the run directory reopened here continues: no durable result lost, none logged twice,
// untold proposals handed out again, and the final archive equal to an uninterrupted ask/tell run's. Needs `npm run build`.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { rngFromSeed } from '../../core/rng.js';
import type { EvalContext, EvalResult } from '../../core/types.js';
import { createSphere } from '../../evaluators/benchmarks/sphere.js';
import { openAskTell, type AskTell } from '../../search/ask-tell.js';
import type { AskTellConfigInput } from '../../search/ask-tell-config.js';
import { checkRunLog, repoRoot } from '../helpers/kill-harness.js';
import { useRunFiles } from '../helpers/files.js';
import { elitesOf, eventsOf } from '../helpers/runs.js';
import { waitFor } from '../helpers/wait.js';

const config = (): AskTellConfigInput => ({
  name: 'kill',
  seed: 11,
  space: { type: 'vector', dimensions: 6, min: -5.12, max: 5.12 },
  evaluator: { name: 'sphere-in-my-loop', version: '1' },
  search: { strategy: 'map-elites', initialRandom: 40 },
  archive: {
    type: 'grid',
    dims: [
      { name: 'm1', min: -15.36, max: 15.36, bins: 12 },
      { name: 'm2', min: -15.36, max: 15.36, bins: 12 },
    ],
  },
  budget: { evaluations: 20_000 },
  batch: 8,
  cache: { enabled: false },
  log: { checkpointSeconds: 0.05 },
});

// The child: the built package, the built-in sphere's computation in its own loop, each batch's tells awaited.
const CHILD = `
const [index, sphereModule, configJson, dir] = process.argv.slice(2);
const { openAskTell } = await import(index);
const { createSphere } = await import(sphereModule);
const sphere = createSphere();
const ctx = { signal: new AbortController().signal, options: {}, fidelity: 1, sample: 0 };
const search = await openAskTell(JSON.parse(configJson), { dir });
for (let batch = await search.ask(); batch.length > 0; batch = await search.ask()) {
  process.stdout.write('out ' + batch.map((p) => p.id).join(' ') + '\\n');
  const told = batch.map((p) => search.tell(p.id, sphere.evaluate(p.genome, ctx)).then(() => p.id));
  process.stdout.write((await Promise.all(told)).join('\\n') + '\\n');
}
await search.close();
process.stdout.write('closed\\n');
`;

const sphere = createSphere();
const ctx: EvalContext = {
  rng: rngFromSeed('unused'),
  signal: new AbortController().signal,
  options: {},
  fidelity: 1,
  sample: 0,
};
const evaluate = (genome: unknown): EvalResult => sphere.evaluate(genome as Float64Array, ctx) as EvalResult;

async function drive(search: AskTell<unknown>): Promise<void> {
  for (let batch = await search.ask(); batch.length > 0; batch = await search.ask())
    for (const p of batch) void search.tell(p.id, evaluate(p.genome));
}

describe('ask/tell after kill -9', () => {
  it('reopens and continues: every durable tell is in the log once, and the archive is an uninterrupted run’s', async () => {
    const dir = useRunFiles({ 'child.mjs': CHILD });
    const runDir = join(dir, 'run');
    const child = spawn(
      process.execPath,
      [
        join(dir, 'child.mjs'),
        pathToFileURL(join(repoRoot, 'dist/index.js')).href,
        pathToFileURL(join(repoRoot, 'dist/evaluators/benchmarks/sphere.js')).href,
        JSON.stringify(config()),
        runDir,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += String(d)));
    child.stderr.on('data', (d: Buffer) => (stderr += String(d)));
    const exited = new Promise<NodeJS.Signals | null>((r) => child.on('close', (_code, signal) => r(signal)));
    const durable = (): number[] =>
      stdout
        .split('\n')
        .slice(0, -1) // the last line may be cut
        .filter((l) => /^\d+$/.test(l))
        .map(Number);
    await waitFor(() => durable().length >= 400 || child.exitCode !== null, {
      what: 'the child to tell 400 results durably',
      timeoutMs: 120_000,
      detail: () => stderr,
    });
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    expect(stdout).not.toContain('closed');
    const told = new Set(durable());
    expect(told.size).toBeGreaterThanOrEqual(400);

    // Every durable tell is in the log; what the child had out and not logged is handed out again, nothing logged is.
    const loggedBefore = new Set((await eventsOf(runDir)).map((e) => e.id));
    expect([...told].filter((id) => !loggedBefore.has(id))).toEqual([]);
    const untold = stdout
      .split('\n')
      .slice(0, -1) // the last line may be cut
      .filter((l) => l.startsWith('out '))
      .flatMap((l) => l.slice(4).split(' ').map(Number))
      .filter((id) => !loggedBefore.has(id));
    const reopened = await openAskTell(config(), { dir: runDir });
    const first = await reopened.ask();
    const ids = first.map((p) => p.id);
    expect(untold.filter((id) => !ids.includes(id))).toEqual([]);
    expect(ids.filter((id) => loggedBefore.has(id))).toEqual([]);
    for (const p of first) void reopened.tell(p.id, evaluate(p.genome));
    await drive(reopened);
    const summary = await reopened.close();
    expect(summary).toMatchObject({ status: 'done', proposals: 20_000 });

    const logged = new Set((await eventsOf(runDir)).map((e) => e.id));
    expect([...told].filter((id) => !logged.has(id))).toEqual([]);
    expect(await checkRunLog(runDir)).toMatchObject({ idsExactlyOnce: true, seqContiguous: true });

    const whole = await openAskTell(config(), { dir: join(dir, 'whole') });
    await drive(whole);
    await whole.close();
    expect(await elitesOf(runDir)).toEqual(await elitesOf(join(dir, 'whole')));
  }, 300_000); // a bound, not a wait: a loaded 2-core machine runs the child several times slower
});
