// What every pruning evaluation reads, built once per worker: the trained model, its layers' W, G, X, and the token splits.
import { tensor } from '../../spaces/expression/index.js';
import { initBackend, type BackendName } from '../../lm/backend.js';
import { loadBrownSplits } from '../../lm/corpus.js';
import { loadOrTrainModel } from '../../lm/model-cache.js';
import type { LanguageModel } from '../../lm/model.js';
import type { LayerStats } from './scoring.js';
import { MODEL_PRESETS, type ModelPreset } from '../../lm/presets.js';
import type { TrainProgress } from '../../lm/train.js';

export { MODEL_PRESETS, type ModelPreset } from '../../lm/presets.js';

export interface ContextOptions {
  readonly model: ModelPreset;
  readonly backend: BackendName;
  readonly cacheDir: string;
  readonly calibrationTokens: number;
  readonly validationTokens: number;
  /** First token of the validation slice (default 0). */
  readonly validationOffset?: number;
  readonly testTokens: number;
}

export interface PruningContext {
  readonly model: LanguageModel;
  /** W, G and the dense model's X of every prunable layer, in forward order. */
  readonly layers: readonly LayerStats[];
  /** The calibration tokens G and X come from (sequential calibration runs them again). */
  readonly calibration: Int32Array;
  readonly validation: Int32Array;
  readonly test: Int32Array;
}

/** Trains (once, cached on disk) the preset's model; prints progress every 10% of a first training. */
export async function ensureModel(
  options: Pick<ContextOptions, 'model' | 'backend' | 'cacheDir'>,
  log: (line: string) => void = () => undefined,
): Promise<LanguageModel> {
  const preset = MODEL_PRESETS[options.model];
  let next = 0;
  const onProgress = (p: TrainProgress): void => {
    if (p.step / p.steps < next) return;
    next += 0.1;
    log(
      `training the ${options.model} language model (once; cached in ${options.cacheDir}): step ${p.step}/${p.steps}, loss ${p.loss.toFixed(3)}, ${Math.round(p.tokensPerSecond)} tokens/s`,
    );
  };
  return loadOrTrainModel(preset, { cacheDir: options.cacheDir, backend: options.backend, onProgress });
}

/** Loads the model and computes W = |weight|, G and X on the calibration split (ALGORITHMS.md §3.1). */
export async function loadPruningContext(options: ContextOptions): Promise<PruningContext> {
  await initBackend(options.backend);
  const model = await ensureModel(options);
  const preset = MODEL_PRESETS[options.model];
  const splits = loadBrownSplits({
    vocabSize: preset.vocabSize,
    ...(preset.maxFiles !== undefined ? { maxFiles: preset.maxFiles } : {}),
  });
  const calibration = splits.calibration.subarray(0, options.calibrationTokens);
  const inputs = model.inputStats(calibration);
  const gradients = model.gradientStats(calibration);
  const layers = model.linearNames().map((name): LayerStats => {
    const w = model.weight(name);
    const x = inputs.get(name);
    const g = gradients.get(name);
    if (!x || !g) throw new Error(`no calibration statistics for layer ${name}`);
    return {
      name,
      dOut: w.dOut,
      dIn: w.dIn,
      W: tensor(w.dOut, w.dIn, w.data.map(Math.abs)),
      G: tensor(w.dOut, w.dIn, g),
      X: tensor(1, w.dIn, x),
    };
  });
  return {
    model,
    layers,
    calibration,
    validation: tokenSlice(splits.validation, 'validation', options.validationOffset ?? 0, options.validationTokens),
    test: splits.test.subarray(0, options.testTokens),
  };
}

/**
 * `tokens` tokens of a split from `offset`. @throws {RangeError} naming the options when the split is shorter: a
 * shorter slice would silently score on fewer tokens than the config says.
 */
export function tokenSlice(split: Int32Array, name: string, offset: number, tokens: number): Int32Array {
  if (offset + tokens > split.length)
    throw new RangeError(
      `${name}Offset + ${name}Tokens = ${offset} + ${tokens} exceeds the ${name} split's ${split.length} tokens; lower one of them`,
    );
  return split.subarray(offset, offset + tokens);
}
