// Seconds per sparsity evaluation (EvoPress levels and N:M) on a model preset, at several calibration-token fidelities,
// and the per-worker setup time split into its parts (model, corpus, level database, weight tensors, teacher).
// Not part of `npm run bench` (which times the sparsity searches as a whole): a closer look when they are slow.
// Usage: node dist/bench/sparsity.js [--model default|tiny] [--repeats N] [--cache-dir DIR]   (wasm; prints, writes
// nothing but the level database, into the model cache: default .elites/models under the working directory)
import { resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../lm/backend.js';
import { ensureModel } from '../evaluators/pruning/context.js';
import { loadBrownSplits } from '../lm/corpus.js';
import { MODEL_PRESETS } from '../lm/presets.js';
import { levelDatabaseKey, levelDatabasePath, loadOrBuildLevelDatabase } from '../evaluators/sparsity/database.js';
import { resolveSparsityOptions, type SparsityOptionsInput } from '../evaluators/sparsity/options.js';
import { SparsityRuntime } from '../evaluators/sparsity/runtime.js';
import { computeTeacher } from '../evaluators/sparsity/teacher.js';
import { rngFromSeed } from '../core/rng.js';
import { flag } from '../tools/args.js';
import {
  createSparsityLevelsSpace,
  createSparsityNmSpace,
  type LevelGenome,
  type NmGenome,
} from '../spaces/sparsity/index.js';

const model = (flag('--model') ?? 'default') as 'default' | 'tiny';
const repeats = Number(flag('--repeats') ?? 3);
const cacheDir = resolve(flag('--cache-dir') ?? '.elites/models');
const fidelities = [1024, 4096, 16384];

const seconds = (start: number): number => (performance.now() - start) / 1000;
const fmt = (s: number): string => s.toFixed(3);

async function setupParts(options: SparsityOptionsInput): Promise<void> {
  const settings = resolveSparsityOptions(options);
  let start = performance.now();
  await initBackend('wasm');
  const lm = await ensureModel(settings);
  console.log(`load model (cached): ${fmt(seconds(start))} s`);
  start = performance.now();
  const preset = MODEL_PRESETS[model];
  const splits = loadBrownSplits({
    vocabSize: preset.vocabSize,
    ...(preset.maxFiles !== undefined ? { maxFiles: preset.maxFiles } : {}),
  });
  console.log(`read and tokenize the corpus: ${fmt(seconds(start))} s`);
  const calibration = splits.calibration.subarray(
    0,
    Math.floor(Math.min(settings.calibrationTokens, splits.calibration.length) / preset.context) * preset.context,
  );
  const spec = settings.levels!;
  const path = levelDatabasePath(levelDatabaseKey(lm, spec, calibration), cacheDir);
  start = performance.now();
  const { built } = loadOrBuildLevelDatabase(lm, spec, { cacheDir, calibration, log: console.log });
  console.log(
    `level database (${spec.method}, s ${spec.sparsity}, L ${spec.maxLevel}, Δ ${spec.weightsPerLevel}) ${built ? 'built and written' : 'read'}: ${fmt(seconds(start))} s (${path})`,
  );
  if (built) {
    start = performance.now();
    loadOrBuildLevelDatabase(lm, spec, { cacheDir, calibration });
    console.log(`level database read back: ${fmt(seconds(start))} s`);
  }
  for (const k of [settings.teacherTopK, preset.vocabSize]) {
    start = performance.now();
    const teacher = computeTeacher(lm, calibration, k);
    console.log(
      `teacher, top-${k}${teacher.exact ? ' (exact)' : ''}, ${calibration.length} tokens: ${fmt(seconds(start))} s, ${((teacher.logProbs.byteLength + (teacher.indices?.byteLength ?? 0)) / 2 ** 20).toFixed(1)} MiB`,
    );
  }
  lm.dispose();
}

async function perEvaluation(label: string, options: SparsityOptionsInput, genomes: readonly unknown[]): Promise<void> {
  let start = performance.now();
  const runtime = await SparsityRuntime.load(resolveSparsityOptions(options), console.log);
  console.log(`${label}: setup ${fmt(seconds(start))} s, ${runtime.windows} calibration windows`);
  for (const fidelity of fidelities) {
    runtime.evaluate(genomes[0], fidelity, 0); // warm-up (wasm kernels, shapes)
    start = performance.now();
    let count = 0;
    for (let r = 0; r < repeats; r++) {
      for (const g of genomes) {
        runtime.evaluate(g, fidelity, r);
        count++;
      }
    }
    const full = fidelity >= runtime.windows * MODEL_PRESETS[model].context;
    console.log(
      `  ${fidelity} tokens${full ? ' (full fidelity: + validation and test perplexity)' : ''}: ${fmt(seconds(start) / count)} s per evaluation`,
    );
  }
  console.log(`  tensors alive: ${tf.memory().numTensors}`);
  runtime.dispose();
  runtime.data.model.dispose();
}

const levelSpace = createSparsityLevelsSpace({ model });
const levelGenomes: LevelGenome[] = [];
let lg: LevelGenome = new Array<number>(levelSpace.layers).fill(0);
for (let i = 0; i < 4; i++) levelGenomes.push((lg = levelSpace.mutate(lg, rngFromSeed(`bench-l${i}`))));
const nmSpace = createSparsityNmSpace({ model, pattern: '2:4' });
const nmGenomes: NmGenome[] = [];
let ng: NmGenome = nmSpace.sample(rngFromSeed('bench'));
for (let i = 0; i < 40; i++) {
  ng = nmSpace.mutate(ng, rngFromSeed(`bench-n${i}`));
  if (i % 10 === 9) nmGenomes.push(ng);
}

const base: SparsityOptionsInput = { model, cacheDir, calibrationTokens: 16384 };
await setupParts(base);
await perEvaluation('levels, kl (teacher top-256)', base, levelGenomes);
await perEvaluation('levels, perplexity fitness (no teacher)', { ...base, fitness: 'perplexity' }, levelGenomes);
await perEvaluation(
  `nm 2:4, kl (${nmGenomes.map((g) => nmSpace.swapCount(g)).join(', ')} swapped groups)`,
  { ...base, mode: 'nm' },
  nmGenomes,
);
