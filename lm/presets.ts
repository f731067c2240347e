// The language model's configuration types, its presets and the shapes of its prunable layers: plain data, no tfjs,
// so spaces and config checks can use them without loading a backend.

/** Shape and seed of the language model. */
export interface LmConfig {
  /** Token ids are 0 … vocabSize − 1. */
  readonly vocabSize: number;
  readonly dModel: number;
  /** Attention heads; must divide dModel. */
  readonly heads: number;
  /** Transformer blocks. */
  readonly layers: number;
  /** Hidden width of each block's MLP. */
  readonly dFF: number;
  /** Window length in tokens: the longest input the model sees (learned positions 0 … context − 1). */
  readonly context: number;
  /** Seed of the initial weights (and, in training, of the batches). */
  readonly seed: number;
}

/** How to train, and on how much of the corpus. */
export interface TrainOptions {
  /** Optimiser steps (each one batch). */
  readonly steps: number;
  /** Windows per batch. */
  readonly batchSize: number;
  /** Peak Adam learning rate, reached after warm-up, then cosine-decayed to a tenth of it. */
  readonly learningRate: number;
  /** Steps of linear warm-up from 0. */
  readonly warmupSteps: number;
  /** Brown files to read (the first `maxFiles` of the sorted list); all when absent. */
  readonly maxFiles?: number;
}

/** A model shape together with its training recipe: everything that determines the trained weights. */
export type LmTrainingConfig = LmConfig & TrainOptions;

/** Small default: 0.91M parameters (0.39M in the 12 prunable layers), trained on the full Brown train split in a few minutes on 2 cores (wasm). */
export const DEFAULT_LM: LmTrainingConfig = {
  vocabSize: 2000,
  dModel: 128,
  heads: 4,
  layers: 2,
  dFF: 512,
  context: 64,
  seed: 0,
  // Measured on the Brown validation split (unigram ppl 121): at a fixed token budget batch 8 beat 16 and 32, and a
  // 3e-3 peak matched 2e-3 and beat 5e-3. 1600 steps (0.8M tokens, ~5 min) reach ppl 44.7, 2000 (~6 min) 43.2;
  // the searches in docs/pruning.md ran on this 2000-step model.
  steps: 2000,
  batchSize: 8,
  learningRate: 3e-3,
  warmupSteps: 100,
};

/** For tests: trains in a few seconds on a few files. */
export const TINY_LM: LmTrainingConfig = {
  vocabSize: 300,
  dModel: 32,
  heads: 2,
  layers: 2,
  dFF: 64,
  context: 32,
  seed: 0,
  steps: 300,
  batchSize: 16,
  learningRate: 1e-2,
  warmupSteps: 30,
  maxFiles: 40,
};

/**
 * A second model of about the default's size for transfer checks (does a metric found on `default` carry over?):
 * another seed and a 25% wider residual stream and MLP (1.26M parameters), the same data and recipe.
 */
export const WIDE_LM: LmTrainingConfig = { ...DEFAULT_LM, dModel: 160, dFF: 640, seed: 1 };

export const MODEL_PRESETS = { default: DEFAULT_LM, tiny: TINY_LM, wide: WIDE_LM } as const satisfies Record<
  string,
  LmTrainingConfig
>;
export type ModelPreset = keyof typeof MODEL_PRESETS;
/** The preset names, for option schemas. */
export const MODEL_PRESET_NAMES = ['default', 'tiny', 'wide'] as const satisfies readonly ModelPreset[];

/** The prunable linear layers of one block, in forward order. */
export const BLOCK_LINEARS = ['q', 'k', 'v', 'o', 'up', 'down'] as const;

/** A prunable layer's name and weight shape [dOut][dIn]. */
export interface LayerShape {
  readonly name: string;
  readonly dOut: number;
  readonly dIn: number;
}

/** Names of the prunable linear layers, in forward order. */
export function linearLayerNames(config: Pick<LmConfig, 'layers'>): string[] {
  const names: string[] = [];
  for (let l = 0; l < config.layers; l++) for (const part of BLOCK_LINEARS) names.push(`block${l}.${part}`);
  return names;
}

/** Every prunable layer with its shape, in forward order (q, k, v, o: d→d; up: d→dFF; down: dFF→d). */
export function prunableLayers(config: Pick<LmConfig, 'layers' | 'dModel' | 'dFF'>): LayerShape[] {
  return linearLayerNames(config).map((name) => {
    const part = name.slice(name.indexOf('.') + 1);
    const dOut = part === 'up' ? config.dFF : config.dModel;
    const dIn = part === 'down' ? config.dFF : config.dModel;
    return { name, dOut, dIn };
  });
}
