// Pieces shared by the sparsity spaces: model presets (tfjs-free shapes), EvoPress' biased step count, error text.
import { z } from 'zod';
import { lazySchema } from '../../core/lazy-schema.js';
import { MODEL_PRESET_NAMES, MODEL_PRESETS, prunableLayers, type LayerShape } from '../../lm/presets.js';
import { randomInt, type Rng } from '../../core/rng.js';

export type { LayerShape };

/** The language-model presets a sparsity space can take its layer list from. */
export const modelPresetSchema = lazySchema(() => z.enum(MODEL_PRESET_NAMES));
export type SparsityModel = z.infer<typeof modelPresetSchema>;

/** The prunable layers of a preset, in forward order (plain data: no backend is loaded). */
export function presetLayers(model: SparsityModel): LayerShape[] {
  return prunableLayers(MODEL_PRESETS[model]);
}

/**
 * min(U{1..k}, U{1..k}): EvoPress' step count, biased toward small steps (P(j) = (2(k−j)+1)/k²; for k = 3 that is
 * 5/9, 3/9, 1/9). Two uniforms, always, so the stream advances the same way whatever the outcome.
 */
export function minOfTwoUniform(rng: Rng, k: number): number {
  return 1 + Math.min(randomInt(rng, k), randomInt(rng, k));
}

/** "an array", "null", "a value of type string": for decode errors. */
export function typeName(x: unknown): string {
  if (x === null) return 'null';
  if (Array.isArray(x)) return 'an array';
  if (ArrayBuffer.isView(x)) return `a ${x.constructor.name}`;
  return `a value of type ${typeof x}`;
}
