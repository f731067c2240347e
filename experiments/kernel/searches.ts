// The kernel searches: one per shape, from the shape's config with the shape set, kept in runs/report-kernel-<shape>/
// (a finished run is reused, an interrupted one resumed); their best elites, and what the machine-code hash did in them.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { openLmdb, openTable } from '../../store/lmdb-env.js';
import type { KernelGenome, ShapePreset } from '../../evaluators/kernel/index.js';
import { loadRunConfig } from '../../search/config.js';
import { resumeRun, runSearch } from '../../search/run.js';
import { openRunView } from '../../search/run-view.js';
import type { RunSummary } from '../../search/summary.js';
import { repoRoot } from '../../tools/args.js';
import { buildDir } from './settings.js';

/** The shapes the report measures and the config that searches each. */
export const SHAPES: readonly { readonly preset: ShapePreset; readonly config: string }[] = [
  { preset: 'square-1024', config: 'configs/kernel-gemm.yaml' },
  { preset: 'decode-m1', config: 'configs/kernel-decode.yaml' }, // the small-M decode kernel's own space
  { preset: 'decode-m8', config: 'configs/kernel-gemm-flat.yaml' },
  { preset: 'decode-m32', config: 'configs/kernel-gemm-flat.yaml' },
];

/** The run directory name of a shape's search. */
export const searchName = (preset: ShapePreset): string => `report-kernel-${preset}`;

/** A finished search of `configFile` on `preset`; an existing run is reused (or resumed). */
export async function search(
  configFile: string,
  preset: ShapePreset,
  evaluations: number,
): Promise<{ summary: RunSummary; name: string }> {
  const name = searchName(preset);
  const out = join(repoRoot, 'runs', name);
  if (existsSync(join(out, 'config.json'))) {
    const view = await openRunView(out);
    const { summary, status } = view;
    await view.close();
    if (status === 'done') return { summary, name };
    console.log(`resuming ${name} (${status})`);
    return { summary: await resumeRun(out), name };
  }
  const base = loadRunConfig(join(repoRoot, configFile), { evaluations });
  const options = { ...(base.evaluator.options as object), shape: preset, buildDir };
  const config = {
    ...base,
    name,
    evaluator: { ...base.evaluator, options },
    cache: { ...base.cache, path: join(out, 'cache.mdb') },
  };
  console.log(`running ${name}: ${evaluations} proposals`);
  const summary = await runSearch(config, { out });
  console.log(
    `${name}: best ${summary.best?.fitness.toFixed(1)} GFLOP/s, ${summary.evaluations} evaluations, ${summary.cacheHits.fingerprint} fingerprint hits, ${summary.failures} failures, ${(summary.seconds / 60).toFixed(1)} min`,
  );
  return { summary, name };
}

/** The `n` best elites of a run (distinct configurations), best first. */
export async function topElites(name: string, n: number): Promise<{ genome: KernelGenome; searchFitness: number }[]> {
  const view = await openRunView(join(repoRoot, 'runs', name));
  try {
    const elites = [...view.archive.elites()].sort((a, b) => b.score - a.score);
    return elites.slice(0, n).map((e) => ({ genome: e.genome as KernelGenome, searchFitness: e.score }));
  } finally {
    await view.close();
  }
}

/**
 * What the machine-code hash did in a search, read from its result cache: distinct keys measured, distinct codes
 * (fingerprints), and the keys whose code had already been measured under another key (answered from it, or in
 * aggregate mode pooled with its samples).
 */
export function codeRepeats(cacheFile: string, proposals: number): Record<string, number> {
  const root = openLmdb(cacheFile, { maxDbs: 4, reader: true }); // a reader's: stays open, nothing to close
  const db = openTable<{ n: number }, string>(root, 'results', { reader: true });
  let keys = 0;
  let codes = 0;
  let codeSamples = 0;
  for (const { key, value } of db?.getRange() ?? []) {
    if (key.includes(':k:')) keys++;
    else if (key.includes(':f:')) {
      codes++;
      codeSamples += value.n;
    }
  }
  return {
    distinctKeys: keys,
    distinctCodes: codes,
    sharedCodeKeys: keys - codes,
    sharedCodeShare: (keys - codes) / proposals,
    samplesPerCode: codeSamples / Math.max(1, codes),
  };
}
