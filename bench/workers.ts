// Worker threads with micro-batched messages: the planar-arm quickstart on 2 threads against the same config inline,
// and the scaling of a ~1 ms CPU-bound evaluator from 1 thread to 2. Part of `npm run bench` (bench/run.ts).
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { loadRunConfig, parseRunConfig } from '../search/config.js';
import { runSearch } from '../search/run.js';
import type { RunSummary } from '../search/summary.js';
import { repoRoot } from '../tools/args.js';
import type { BenchRow } from './row.js';

/** Proposals in flight per thread: a message carries up to 64 microsecond evaluations, one round trip for all. */
const BATCH = 64;

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

  // (1) The quickstart as shipped, each run on a cache of its own (a shared one would answer the later runs).
  const quickstart = loadRunConfig(join(repoRoot, 'configs/quickstart.yaml'));
  const proposals = quick ? 40_000 : 200_000;
  const planar = async (workers: number, batch: number): Promise<RunSummary> => {
    const dir = fresh(`planar-${workers}`);
    const config = parseRunConfig(
      {
        ...quickstart,
        workers,
        batch,
        budget: { evaluations: proposals, seconds: 120 },
        cache: { ...quickstart.cache, path: join(dir, 'cache.mdb') },
      },
      dir,
    );
    return runSearch(config, { out: join(dir, 'run') });
  };
  const rate = (s: RunSummary): number => s.proposals / s.seconds;
  await planar(2, BATCH); // warm-up: thread start, module compile
  const inline = await planar(0, BATCH);
  const threads = await planar(2, BATCH);
  const threadsOne = await planar(2, 1);
  const loadAfter = load();
  record({
    name: `planar-arm quickstart inline (workers 0, batch ${BATCH})`,
    value: Math.round(rate(inline)),
    unit: 'proposals/s',
    target: '–',
    met: null,
    detail: `${inline.proposals} proposals in ${inline.seconds.toFixed(2)} s, coverage ${(inline.archive.coverage * 100).toFixed(1)}%`,
  });
  record({
    name: `planar-arm quickstart on 2 worker threads (batch ${BATCH})`,
    value: Math.round(rate(threads)),
    unit: 'proposals/s',
    target: '≥ inline',
    met: rate(threads) >= rate(inline),
    detail: `${threads.proposals} proposals in ${threads.seconds.toFixed(2)} s; ${(rate(threads) / rate(inline)).toFixed(2)}× inline; batch 1 (one task per message): ${Math.round(rate(threadsOne))} proposals/s; load average ${loadAfter} on ${cpus().length} cores`,
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
