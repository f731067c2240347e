// One planar-arm quickstart run (node dist/bench/planar-run.js WORKERS BATCH PROPOSALS DIR), as `elites run
// configs/quickstart.yaml` runs it; the worker rows of the bench (bench/workers.ts) start one per run, each in a process
// of its own (bench/own-process.ts). Prints one line of JSON: proposals, seconds, coverage.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadRunConfig, parseRunConfig } from '../search/config.js';
import { runSearch } from '../search/run.js';
import { repoRoot } from '../tools/args.js';

export interface PlanarRun {
  readonly proposals: number;
  readonly seconds: number;
  readonly coverage: number;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [workers, batch, proposals, dir] = process.argv.slice(2);
  if (!workers || !batch || !proposals || !dir) throw new Error('usage: planar-run.js WORKERS BATCH PROPOSALS DIR');
  const quickstart = loadRunConfig(join(repoRoot, 'configs/quickstart.yaml'));
  const config = parseRunConfig(
    {
      ...quickstart,
      workers: Number(workers),
      batch: Number(batch),
      budget: { evaluations: Number(proposals), seconds: 120 },
      cache: { ...quickstart.cache, path: join(dir, 'cache.mdb') }, // a cache of its own: a shared one would answer
    },
    dir,
  );
  const s = await runSearch(config, { out: join(dir, 'run') });
  const result: PlanarRun = { proposals: s.proposals, seconds: s.seconds, coverage: s.archive.coverage };
  console.log(JSON.stringify(result));
}
