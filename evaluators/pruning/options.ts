// The pruning evaluator's options, apart from the evaluator: the registry validates a config without loading tfjs.
import { z } from 'zod';
import { lazySchema } from '../../core/lazy-schema.js';
import { MODEL_PRESET_NAMES } from '../../lm/presets.js';

export const pruningOptionsSchema = lazySchema(() =>
  z.strictObject({
    model: z
      .enum(MODEL_PRESET_NAMES)
      .default('default')
      .describe('language-model preset; trained once and cached on disk'),
    sparsity: z.number().gt(0).lt(1).default(0.5).describe('unstructured target; N:M patterns prune N/M'),
    pattern: z
      .string()
      .regex(/^(unstructured|\d+:\d+)$/, 'use "unstructured" or N:M, e.g. "2:4"')
      .default('unstructured'),
    group: z
      .enum(['row', 'layer', 'free'])
      .default('row')
      .describe(
        'unstructured: compare weights per output row (Wanda) or per layer (magnitude); free: both, the lower validation perplexity counts',
      ),
    calibration: z
      .enum(['dense', 'sequential'])
      .default('dense')
      .describe(
        "dense: X from the dense model (one-shot); sequential: each layer's X from the calibration tokens run through the already pruned earlier layers (Wanda's and SparseGPT's reference code); G is the dense model's either way",
      ),
    reconstruct: z
      .enum(['none', 'sparsegpt'])
      .default('none')
      .describe(
        "none: the formula's masks on the dense weights; sparsegpt: the formula is SparseGPT's saliency, choosing each column block's masks from the weights as already updated, and the kept weights are reconstructed (needs a group or N:M as SparseGPT has them; leaf H is SparseGPT's curvature)",
      ),
    calibrationTokens: z.int().positive().default(8192),
    validationTokens: z.int().positive().default(8192),
    validationOffset: z
      .int()
      .nonnegative()
      .default(0)
      .describe(
        "first token of the validation slice: a search scored past a report's validation slice never saw the tokens its formula is chosen on",
      ),
    testTokens: z.int().positive().default(8192),
    cacheDir: z.string().min(1).default('.elites/models'),
    backend: z.enum(['wasm', 'cpu', 'tensorflow']).default('wasm'),
  }),
);
export type PruningOptions = z.infer<typeof pruningOptionsSchema>;
