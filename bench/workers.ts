// Worker threads with micro-batched messages: the planar-arm quickstart on 2 threads against the same config inline,
// and the scaling of a ~1 ms CPU-bound evaluator from 1 thread to 2. Part of `npm run bench` (bench/run.ts).
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { loadRunConfig, parseRunConfig } from '../search/config.js';
import { runSearch } from '../search/run.js';
import { repoRoot } from '../tools/args.js';
import { inOwnProcess } from './own-process.js';
import type { PlanarRun } from './planar-run.js';
import type { BenchRow } from './row.js';

/** The quickstart's `batch` as shipped: tasks per message (two messages in flight per thread). */
const BATCH = loadRunConfig(join(repoRoot, 'configs/quickstart.yaml')).batch ?? 1;
/** Rounds of the quickstart rows (inline, then threads, each a process of its own). */
const ROUNDS = 3;

/**
 * Seconds of a random search of `evaluations` over a CPU-bound fixture plug-in (test/fixtures/plugins/`fixture`) on
 * `workers` threads, cache off: the scaling rows of the bench.
 */
export async function cpuBoundSeconds(
  dir: string,
  fixture: string,
  evaluations: number,
  workers: number,
  batch = 1,
): Promise<number> {
  const config = parseRunConfig(
    {
      name: `bench-${fixture.replace('.mjs', '')}`,
      seed: 1,
      space: { type: 'vector', dimensions: 10, min: -1, max: 1 },
      evaluator: { module: join(repoRoot, 'test/fixtures/plugins', fixture) },
      search: { strategy: 'random' },
      archive: {
        type: 'grid',
        dims: [
          { name: 'a', min: -1, max: 1, bins: 10 },
          { name: 'b', min: -1, max: 1, bins: 10 },
        ],
      },
      budget: { evaluations },
      workers,
      batch,
      cache: { enabled: false },
    },
    dir,
  );
  return (await runSearch(config, { out: join(dir, 'run') })).seconds;
}

export async function workerBench(record: (row: BenchRow) => void, scratch: string, quick: boolean): Promise<void> {
  let trial = 0;
  const fresh = (name: string): string => join(scratch, `workers-${name}-${trial++}`);
  const load = (): string => loadavg()[0]?.toFixed(2) ?? '?';

  // (1) The quickstart as shipped, each run in a process of its own (bench/planar-run.ts) with a cache of its own,
  // inline and on 2 threads in turn for ROUNDS rounds: met only if the threads keep up with inline in every round.
  const proposals = quick ? 40_000 : 200_000;
  const planar = (workers: number, batch: number): Promise<PlanarRun> =>
    inOwnProcess<PlanarRun>('planar-run.js', [workers, batch, proposals], fresh(`planar-${workers}`));
  const rate = (s: PlanarRun): number => s.proposals / s.seconds;
  const rounds: { inline: PlanarRun; threads: PlanarRun }[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const inline = await planar(0, BATCH);
    rounds.push({ inline, threads: await planar(2, BATCH) });
  }
  const threadsOne = await planar(2, 1);
  const loadAfter = load();
  const ratios = rounds.map((r) => rate(r.threads) / rate(r.inline));
  const worst = rounds[ratios.indexOf(Math.min(...ratios))] as { inline: PlanarRun; threads: PlanarRun };
  record({
    name: `planar-arm quickstart inline (workers 0, batch ${BATCH})`,
    value: Math.round(rate(worst.inline)),
    unit: 'proposals/s',
    target: '–',
    met: null,
    detail: `${worst.inline.proposals} proposals in ${worst.inline.seconds.toFixed(2)} s (the round of the row below), coverage ${(worst.inline.coverage * 100).toFixed(1)}%; every round: ${rounds.map((r) => Math.round(rate(r.inline))).join(', ')} proposals/s`,
  });
  record({
    name: `planar-arm quickstart on 2 worker threads (batch ${BATCH})`,
    value: Math.round(rate(worst.threads)),
    unit: 'proposals/s',
    target: '≥ inline, every round',
    met: ratios.every((r) => r >= 1),
    detail: `the round with the lowest ratio of ${ROUNDS} (each run a process of its own, inline then threads): ${worst.threads.proposals} proposals in ${worst.threads.seconds.toFixed(2)} s; per round ${ratios.map((r) => `${r.toFixed(2)}×`).join(', ')} inline; batch 1 (one task per message): ${Math.round(rate(threadsOne))} proposals/s; load average ${loadAfter} on ${cpus().length} cores`,
  });

  // (2) Scaling when the work is in the evaluator: the same batch, so messages carry ~20 tasks of 1 ms each. 16,000
  // evaluations (16 s on one thread): the pool's start (~0.2 s, the same for 1 and 2 threads) is then a small part of
  // the time, so the ratio is the evaluation throughput's (at 4,000 it alone capped the ratio near 1.91×).
  const evaluations = quick ? 1000 : 16_000;
  const cpuBound = (workers: number): Promise<number> =>
    cpuBoundSeconds(fresh(`cpu-${workers}`), 'cpu-1ms.mjs', evaluations, workers, BATCH);
  await cpuBound(1); // warm-up
  const one = await cpuBound(1);
  const two = await cpuBound(2);
  const speedup = one / two;
  record({
    name: `2 worker threads vs 1, ~1 ms CPU-bound evaluator (batch ${BATCH})`,
    value: Number(speedup.toFixed(3)),
    unit: '×',
    target: '≥ 1.9×',
    met: speedup >= 1.9,
    detail: `${evaluations} evaluations: 1 thread ${one.toFixed(2)} s, 2 threads ${two.toFixed(2)} s; load average ${load()} on ${cpus().length} cores`,
  });
}
