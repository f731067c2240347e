// One MAP-Elites run on the 100-d sphere, in a process of its own (node dist/bench/sphere-run.js PROPOSALS BATCH DIR):
// the engine bench starts one per round, as pyribs' rounds are processes of their own and as `elites run` runs a
// search. (Several searches in one process run slower after the first: V8 optimises a space's closures less once a
// second instance of them exists.) Prints one line of JSON: proposals, seconds, QD score, coverage.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseRunConfig, type RunConfigInput } from '../search/config.js';
import { runSearch } from '../search/run.js';

export interface SphereRun {
  readonly proposals: number;
  readonly seconds: number;
  readonly qdScore: number;
  readonly coverage: number;
}

/** The bench's sphere config: pyribs' sphere example (100-d, 100×100 grid over ±256, σ 0.5), inline, cache off. */
export const sphereConfig = (proposals: number, dir: string, batch = 1): RunConfigInput => ({
  name: 'bench-sphere',
  seed: 1,
  space: { type: 'vector', dimensions: 100, min: -5.12, max: 5.12, mutation: { type: 'gaussian', sigma: 0.5 } },
  evaluator: { type: 'sphere' },
  search: { strategy: 'map-elites', initialRandom: 540 },
  archive: {
    type: 'grid',
    dims: [
      { name: 'm1', min: -256, max: 256, bins: 100 },
      { name: 'm2', min: -256, max: 256, bins: 100 },
    ],
    qdOffset: 0,
  },
  budget: { evaluations: proposals },
  workers: 0,
  batch,
  cache: { enabled: false, path: join(dir, 'cache.mdb') },
  log: { checkpointSeconds: 5 },
});

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [proposals, batch, dir] = process.argv.slice(2);
  if (!proposals || !batch || !dir) throw new Error('usage: sphere-run.js PROPOSALS BATCH DIR');
  const config = parseRunConfig(sphereConfig(Number(proposals), dir, Number(batch)), dir);
  const s = await runSearch(config, { out: join(dir, 'run') });
  const result: SphereRun = {
    proposals: s.proposals,
    seconds: s.seconds,
    qdScore: s.archive.qdScore,
    coverage: s.archive.coverage,
  };
  console.log(JSON.stringify(result));
}
