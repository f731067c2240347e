// One process opening an LMDB file several times: searches run side by side on one result cache, and a reader of a
// file the process writes. lmdb-js coordinates the writes of one environment object only: with one per open, a
// synchronous transaction on one (each open runs one) waited on LMDB's write lock held by the other's write thread,
// which waited for this thread to end the turn's batch, and the process hung (store/lmdb-env.ts shares one per file).
// A hang blocks the thread that would time it out, so each case runs in a child process, watched from here.
// Needs `npm run build`.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/kill-harness.js';
import { useRunFiles } from '../helpers/files.js';

/** A child that makes no progress for this long is hung (each step takes milliseconds to a second when loaded). */
const STALL_MS = 15_000;

const dist = (module: string): string => pathToFileURL(join(repoRoot, 'dist', module)).href;

/**
 * Runs `script` (an ES module; argv: the dist URLs given, then `dir`) until it exits, killing it once it has printed
 * nothing for STALL_MS. Resolves with its exit code, or 'hung' and the lines it printed.
 */
async function watch(
  script: string,
  args: readonly string[],
): Promise<{ readonly code: number | 'hung'; readonly lines: string[]; readonly stderr: string }> {
  const dir = useRunFiles({ 'child.mjs': script });
  const child = spawn(process.execPath, [join(dir, 'child.mjs'), ...args, dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let stderr = '';
  let hung = false;
  let stall: NodeJS.Timeout | undefined;
  const rearm = (): void => {
    clearTimeout(stall);
    stall = setTimeout(() => {
      hung = true;
      child.kill('SIGKILL');
    }, STALL_MS);
  };
  rearm();
  child.stdout.on('data', (d: Buffer) => {
    lines.push(...String(d).split('\n').filter(Boolean));
    rearm();
  });
  child.stderr.on('data', (d: Buffer) => (stderr += String(d)));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  clearTimeout(stall);
  return { code: hung ? 'hung' : (code ?? -1), lines, stderr };
}

// A writer's turn of more than 1,000 puts: lmdb-js starts its write thread on the batch before the turn ends, and that
// thread holds the write lock until the turn's end. In the same turn the file is opened again, to write and to read.
const REOPEN_IN_TURN = `
const [envModule, dir] = process.argv.slice(2);
const { closeLmdb, openLmdb, openTable } = await import(envModule);
const file = dir + '/cache.mdb';
const first = openLmdb(file, { maxDbs: 4 });
const results = openTable(first, 'results', { cache: true });
await results.put('warm', 0);
const puts = [];
for (let i = 0; i < 1500; i++) puts.push(results.put('a' + i, { i }));
console.log('batch started');
const second = openLmdb(file, { maxDbs: 4 });
const more = openTable(second, 'results', { cache: true });
puts.push(more.put('b', 1));
console.log('opened again to write');
for (let i = 0; i < 1500; i++) puts.push(results.put('c' + i, { i }));
const reader = openTable(openLmdb(file, { maxDbs: 4, reader: true }), 'results', { reader: true });
console.log('opened to read');
await Promise.all(puts);
await closeLmdb(second);
await closeLmdb(first);
reader.get('b') === 1 && reader.get('a1499')?.i === 1499 ? console.log('ok') : console.log('wrong values');
`;

// Searches side by side on one cache file, as a program (or a test) running several at once does.
const RUNS = 160;
const CONCURRENT = 8;
const SEARCHES = `
const [configModule, runModule, dir] = process.argv.slice(2);
const { parseRunConfig } = await import(configModule);
const { runSearch } = await import(runModule);
const runOne = async (seed) => {
  const config = parseRunConfig(
    {
      name: 'onemax',
      seed,
      space: { type: 'bitstring', length: 100 },
      evaluator: { type: 'onemax', version: 'seed-' + seed },
      search: { strategy: 'one-plus-lambda', lambda: 1, mutationRate: 0.01 },
      archive: { type: 'grid', dims: [{ name: 'ones', min: 0, max: 100, bins: 101 }] },
      budget: { evaluations: 100000, targetFitness: 100 },
      workers: 0,
      cache: { path: dir + '/cache.mdb' },
    },
    dir,
  );
  const s = await runSearch(config, { out: dir + '/run-' + seed });
  console.log(JSON.stringify({ seed, stop: s.stopReason, best: s.best?.fitness, proposals: s.proposals }));
};
let next = 0;
const lane = async () => {
  while (next < ${RUNS}) await runOne(next++);
};
await Promise.all(Array.from({ length: ${CONCURRENT} }, lane));
`;

describe('one process opening an LMDB file several times', () => {
  it('opens it again, to write and to read, while a writer thread holds its write lock in the same turn', async () => {
    const { code, lines, stderr } = await watch(REOPEN_IN_TURN, [dist('store/lmdb-env.js')]);
    expect({ code, lines }, stderr).toEqual({
      code: 0,
      lines: ['batch started', 'opened again to write', 'opened to read', 'ok'],
    });
  });

  it(`runs ${RUNS} searches ${CONCURRENT} at a time on one cache file, each to its target`, async () => {
    const { code, lines, stderr } = await watch(SEARCHES, [dist('search/config.js'), dist('search/run.js')]);
    expect(code, `${code === 'hung' ? `hung after ${lines.length} runs` : 'exit'}\n${stderr}`).toBe(0);
    const runs = lines.map(
      (line) => JSON.parse(line) as { seed: number; stop: string; best: number; proposals: number },
    );
    expect(runs.map((r) => r.seed).sort((a, b) => a - b)).toEqual(Array.from({ length: RUNS }, (_, i) => i));
    expect(runs.filter((r) => r.stop !== 'target' || r.best !== 100)).toEqual([]);
    // (1+1)-EA on OneMax, n = 100: 1,070.5 proposals on average, SD ≈ 336 (test/search/onemax-runtime.test.ts)
    const mean = runs.reduce((a, r) => a + r.proposals, 0) / RUNS;
    expect(Math.abs(mean - 1070.54)).toBeLessThan((5 * 336) / Math.sqrt(RUNS));
  });
});
