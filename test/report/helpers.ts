// Small runs for the report and dashboard tests: configs written into a temp dir, run in-process or as the built bin.
import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from '../helpers/cli.js';

export const toyKernel = fileURLToPath(new URL('./fixtures/toy-kernel.mjs', import.meta.url));
export const twoObjectives = fileURLToPath(new URL('../fixtures/plugins/two-objectives.mjs', import.meta.url));
export const curvesPlugin = fileURLToPath(new URL('../fixtures/plugins/curves.mjs', import.meta.url));

/**
 * Paces a live toy-kernel run from the test (workers 0: one counter): the evaluator waits until the gate allows its
 * next evaluation, so a test sees the run stand still at a point it chose instead of racing a run that may finish first.
 */
export class EvaluationGate {
  constructor(readonly path: string) {
    this.allow(0);
  }

  /** Let the run go on until `evaluations` evaluations in all (Infinity: to its end). */
  allow(evaluations: number): void {
    writeFileSync(`${this.path}.tmp`, String(evaluations)); // renamed into place: the reader never sees half a number
    renameSync(`${this.path}.tmp`, this.path);
  }
}

/** A categorical "kernel" search over a 2-D grid: cache hits of both levels and failures, deterministic (workers 0). */
export function kernelConfig(
  dir: string,
  options: { evaluations?: number; ms?: number; seed?: number; name?: string; gate?: EvaluationGate } = {},
): string {
  const path = join(dir, `${options.name ?? 'toy'}.json`);
  writeFileSync(
    path,
    JSON.stringify({
      name: options.name ?? 'toy-kernel',
      seed: options.seed ?? 3,
      space: {
        type: 'categorical',
        params: {
          mr: [1, 2, 4, 6, 8],
          nr: [4, 8, 12, 16, 24, 32],
          kc: [32, 64, 128, 256, 512],
          unroll: [1, 2, 4, 8],
          pack: [true, false],
        },
      },
      evaluator: { module: toyKernel, options: { ms: options.ms ?? 0, gate: options.gate?.path } },
      search: { strategy: 'map-elites', initialRandom: 40 },
      archive: {
        type: 'grid',
        dims: [
          { name: 'registers', min: 0, max: 256, bins: 16 },
          { name: 'kc', min: 0, max: 512, bins: 8 },
        ],
      },
      budget: { evaluations: options.evaluations ?? 600 },
      workers: 0,
      cache: { path: join(dir, `${options.name ?? 'toy'}-cache.mdb`) },
    }),
  );
  return path;
}

/** The planar arm on a CVT archive (built-in evaluator, fast). */
export function armCvtConfig(dir: string, cells = 40): string {
  const path = join(dir, 'arm-cvt.json');
  writeFileSync(
    path,
    JSON.stringify({
      name: 'arm-cvt',
      seed: 2,
      space: { type: 'vector', dimensions: 5, min: 0, max: 1, mutation: { type: 'iso-line-dd' } },
      evaluator: { type: 'planar-arm' },
      search: { strategy: 'map-elites', initialRandom: 50, crossoverRate: 1 },
      archive: {
        type: 'cvt',
        cells,
        samples: 2000,
        dims: [
          { name: 'x', min: 0, max: 1 },
          { name: 'y', min: 0, max: 1 },
        ],
      },
      budget: { evaluations: 1500 },
      workers: 0,
      cache: { enabled: false },
    }),
  );
  return path;
}

/**
 * Two objectives, both minimized (test/fixtures/plugins/two-objectives.mjs: f1 = x0, f2 = 1 − √x0 + x1, descriptors
 * [x0, x1]) on a `mome` archive (a 4 × 4 grid of fronts of up to 10 members; fronts of different cells dominate each
 * other, so the global front is a part of the members) or a `pareto` archive (one front, no descriptors).
 */
export function twoObjectivesConfig(
  dir: string,
  options: { archive?: 'mome' | 'pareto'; evaluations?: number; name?: string } = {},
): string {
  const name = options.name ?? `two-objectives-${options.archive ?? 'mome'}`;
  const path = join(dir, `${name}.json`);
  writeFileSync(
    path,
    JSON.stringify({
      name,
      seed: 1,
      objectives: { directions: ['minimize', 'minimize'], names: ['f1', 'f2'], reference: [1.1, 2.1] },
      space: { type: 'vector', dimensions: 2, min: 0, max: 1 },
      evaluator: { module: twoObjectives },
      search: { strategy: 'map-elites', initialRandom: 50 },
      archive:
        options.archive === 'pareto'
          ? { type: 'pareto', capacity: 40 }
          : {
              type: 'mome',
              frontCapacity: 10,
              dims: [
                { name: 'a', min: 0, max: 1, bins: 4 },
                { name: 'b', min: 0, max: 1, bins: 4 },
              ],
            },
      budget: { evaluations: options.evaluations ?? 2000 },
      workers: 0,
      cache: { enabled: false },
    }),
  );
  return path;
}

/**
 * Early stopping (test/fixtures/plugins/curves.mjs: genome x ∈ [0, 1] reports x·(1 − e^(−s/3)) for steps 1 … 9) with
 * ASHA (rungs 1, 3, 9; η 3), inline, on a 10-bin grid over x: most candidates are pruned, elites ran all 9 steps.
 */
export function curvesConfig(dir: string, options: { evaluations?: number; name?: string } = {}): string {
  const name = options.name ?? 'curves';
  const path = join(dir, `${name}.json`);
  writeFileSync(
    path,
    JSON.stringify({
      name,
      seed: 11,
      space: { type: 'vector', dimensions: 1, min: 0, max: 1 },
      evaluator: { module: curvesPlugin },
      search: { strategy: 'random' },
      archive: { type: 'grid', dims: [{ name: 'x', min: 0, max: 1, bins: 10 }] },
      pruner: { type: 'asha', minResource: 1, reductionFactor: 3, maxResource: 9 },
      budget: { evaluations: options.evaluations ?? 300 },
      workers: 0,
      cache: { enabled: false },
    }),
  );
  return path;
}

/** Runs a config in-process; throws with the CLI's stderr when it does not finish. */
export async function runConfig(config: string, out: string): Promise<void> {
  const r = await runCli(['run', config, '--out', out]);
  if (r.code !== 0) throw new Error(`run failed (${r.code}): ${r.stderr}`);
}
