// The tiny LM of the model-cache (trained once per machine) and its first calibration windows, for tests on wasm.
import { expect } from 'vitest';
import { initBackend } from '../../lm/backend.js';
import { loadBrownSplits } from '../../lm/corpus.js';
import { loadOrTrainModel } from '../../lm/model-cache.js';
import type { TransformerLm } from '../../lm/model.js';
import { TINY_LM } from '../../lm/presets.js';
import { sharedModelCache } from './files.js';

/** The tiny model on wasm (the caller disposes it) and the first `windows` windows of the calibration split. */
export async function loadTinyModel(windows: number): Promise<{ model: TransformerLm; calibration: Int32Array }> {
  expect(await initBackend('wasm')).toBe('wasm');
  const model = await loadOrTrainModel(TINY_LM, { cacheDir: sharedModelCache });
  const split = loadBrownSplits({ vocabSize: TINY_LM.vocabSize, maxFiles: TINY_LM.maxFiles! }).calibration;
  return { model, calibration: split.subarray(0, windows * TINY_LM.context) };
}
