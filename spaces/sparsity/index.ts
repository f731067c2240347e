// Sparsity-allocation spaces: EvoPress layer-wise levels and N:M mask swaps relative to a base mask.
export { minOfTwoUniform, modelPresetSchema, presetLayers } from './common.js';
export type { LayerShape, SparsityModel } from './common.js';
export {
  createSparsityLevelsSpace,
  levelSwitchDistance,
  sparsityLevelsOptionsSchema,
  totalDeviation,
} from './levels.js';
export type { LevelGenome, SparsityLevelsOptions, SparsityLevelsOptionsInput, SparsityLevelsSpace } from './levels.js';
export { createSparsityNmSpace, forEachSwap, keptRanks, parseNmPattern, sparsityNmOptionsSchema } from './nm.js';
export type { NmGenome, NmLayerSwaps, SparsityNmOptions, SparsityNmOptionsInput, SparsityNmSpace } from './nm.js';
