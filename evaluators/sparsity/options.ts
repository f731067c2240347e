// Options of the `sparsity` evaluator and their resolution per mode. tfjs-free, so configs validate without a backend.
import { z } from 'zod';
import { lazySchema } from '../../core/lazy-schema.js';
import { parseNmPattern } from '../../spaces/sparsity/index.js';
import { MODEL_PRESET_NAMES, MODEL_PRESETS, prunableLayers, type ModelPreset } from '../../lm/presets.js';
import type { Calibration } from '../../lm/model.js';
import type { LevelDatabaseSpec } from './database.js';
import { checkLevelScheme, defaultWeightsPerLevel } from './levels.js';

const LEVELS_ONLY = ['sparsity', 'maxLevel', 'weightsPerLevel', 'method', 'reconstruct'] as const;
const NM_ONLY = ['pattern', 'init'] as const;
const DEFAULT_SPARSITY = 0.5;
const DEFAULT_MAX_LEVEL = 8;
const DEFAULT_PATTERN = '2:4';

export const sparsityOptionsSchema = lazySchema(() =>
  z
    .strictObject({
      model: z
        .enum(MODEL_PRESET_NAMES)
        .default('default')
        .describe('language-model preset; trained once and cached on disk'),
      mode: z
        .enum(['levels', 'nm'])
        .default('levels')
        .describe(
          'levels: EvoPress per-layer sparsity levels (sparsity-levels space); nm: N:M masks as swaps from a base mask (sparsity-nm space)',
        ),
      sparsity: z
        .number()
        .gt(0)
        .lt(1)
        .optional()
        .describe('levels: target average sparsity s over the prunable layers (default 0.5)'),
      maxLevel: z
        .int()
        .min(1)
        .optional()
        .describe("levels: levels −maxLevel…maxLevel per layer (default 8; match the space's maxLevel)"),
      weightsPerLevel: z
        .int()
        .min(1)
        .optional()
        .describe(
          'levels: Δ, weights pruned per level step in every layer (default round(0.5·min(s, 1 − s)/maxLevel·dModel²))',
        ),
      method: z
        .enum(['magnitude', 'wanda'])
        .optional()
        .describe(
          'levels: base pruner of each layer, magnitude (one threshold per layer) or Wanda (|W|·sqrt(X) per output row); default wanda',
        ),
      reconstruct: z
        .enum(['none', 'sparsegpt'])
        .optional()
        .describe(
          "levels: sparsegpt = every level is SparseGPT's pruning of the layer (its own masks, the kept weights reconstructed from the calibration inputs), instead of `method`'s masks (default none)",
        ),
      calibration: z
        .enum(['dense', 'sequential'])
        .default('dense')
        .describe(
          "where Wanda's X and SparseGPT's Hessian come from: the dense model, or sequential: each layer's inputs with the earlier layers already pruned (levels: at level 0; nm: by the base mask)",
        ),
      pattern: z
        .string()
        .optional()
        .describe('nm: "N:M", N of every M consecutive inputs of a row pruned (default "2:4")'),
      init: z
        .enum(['magnitude', 'wanda'])
        .optional()
        .describe('nm: base metric ranking the weights inside each group (default wanda)'),
      fitness: z
        .enum(['kl', 'perplexity'])
        .default('kl')
        .describe('kl: mean KL(dense ‖ compressed) per calibration token; perplexity: calibration perplexity'),
      teacherTopK: z
        .int()
        .positive()
        .default(256)
        .describe("teacher's log-probs kept per token; the rest is one bucket (≥ vocab: exact KL)"),
      calibrationTokens: z
        .int()
        .positive()
        .default(16384)
        .describe('first tokens of the calibration split (whole windows; at most the split) for the fitness and Wanda'),
      validationTokens: z.int().positive().default(8192).describe('held-out perplexity at full fidelity'),
      testTokens: z.int().positive().default(8192).describe('held-out perplexity at full fidelity'),
      descriptors: z
        .boolean()
        .default(true)
        .describe('return the two descriptors (false: none, for an archive without dims)'),
      cacheDir: z.string().min(1).default('.elites/models'),
      backend: z.enum(['wasm', 'cpu', 'tensorflow']).default('wasm'),
    })
    .superRefine((o, ctx) => {
      const foreign = o.mode === 'levels' ? NM_ONLY : LEVELS_ONLY;
      for (const key of foreign) {
        if (o[key] !== undefined)
          ctx.addIssue({
            code: 'custom',
            path: [key],
            message: `\`${key}\` applies to mode ${o.mode === 'levels' ? 'nm' : 'levels'}, not ${o.mode}`,
          });
      }
      if (o.reconstruct === 'sparsegpt' && o.method !== undefined)
        ctx.addIssue({
          code: 'custom',
          path: ['method'],
          message: '`reconstruct: sparsegpt` prunes with SparseGPT’s own masks: drop `method`',
        });
      if (o.pattern !== undefined) {
        try {
          parseNmPattern(o.pattern);
        } catch (error) {
          ctx.addIssue({ code: 'custom', path: ['pattern'], message: (error as Error).message });
        }
      }
      if (o.mode === 'levels') {
        // Every level of every layer must prune a valid count: caught here, at config time, not in a worker.
        const sparsity = o.sparsity ?? DEFAULT_SPARSITY;
        const maxLevel = o.maxLevel ?? DEFAULT_MAX_LEVEL;
        const weightsPerLevel =
          o.weightsPerLevel ?? defaultWeightsPerLevel(MODEL_PRESETS[o.model].dModel, sparsity, maxLevel);
        try {
          checkLevelScheme(prunableLayers(MODEL_PRESETS[o.model]), { sparsity, maxLevel, weightsPerLevel });
        } catch (error) {
          ctx.addIssue({
            code: 'custom',
            path: [o.weightsPerLevel === undefined ? 'maxLevel' : 'weightsPerLevel'],
            message: (error as Error).message,
          });
        }
      }
    }),
);
export type SparsityOptions = z.infer<typeof sparsityOptionsSchema>;
export type SparsityOptionsInput = z.input<typeof sparsityOptionsSchema>;

/** The options with every mode-specific default filled in. */
export interface SparsitySettings {
  readonly model: ModelPreset;
  readonly mode: 'levels' | 'nm';
  /** Target global sparsity: s for levels, N/M for nm. */
  readonly sparsity: number;
  /** levels mode only. */
  readonly levels: LevelDatabaseSpec | undefined;
  /** nm mode only. */
  readonly nm: { readonly n: number; readonly m: number; readonly init: 'magnitude' | 'wanda' } | undefined;
  /** Where Wanda's X and SparseGPT's Hessian come from. */
  readonly calibration: Calibration;
  readonly fitness: 'kl' | 'perplexity';
  readonly teacherTopK: number;
  readonly calibrationTokens: number;
  readonly validationTokens: number;
  readonly testTokens: number;
  readonly descriptors: boolean;
  readonly cacheDir: string;
  readonly backend: 'wasm' | 'cpu' | 'tensorflow';
}

/** Parses and resolves options. @throws {ZodError} for invalid options. */
export function resolveSparsityOptions(input: unknown): SparsitySettings {
  const o = sparsityOptionsSchema.parse(input ?? {});
  const common = {
    model: o.model,
    mode: o.mode,
    fitness: o.fitness,
    calibration: o.calibration,
    teacherTopK: o.teacherTopK,
    calibrationTokens: o.calibrationTokens,
    validationTokens: o.validationTokens,
    testTokens: o.testTokens,
    descriptors: o.descriptors,
    cacheDir: o.cacheDir,
    backend: o.backend,
  };
  if (o.mode === 'nm') {
    const { n, m } = parseNmPattern(o.pattern ?? DEFAULT_PATTERN);
    return { ...common, sparsity: n / m, levels: undefined, nm: { n, m, init: o.init ?? 'wanda' } };
  }
  const sparsity = o.sparsity ?? DEFAULT_SPARSITY;
  const maxLevel = o.maxLevel ?? DEFAULT_MAX_LEVEL;
  const weightsPerLevel =
    o.weightsPerLevel ?? defaultWeightsPerLevel(MODEL_PRESETS[o.model].dModel, sparsity, maxLevel);
  return {
    ...common,
    sparsity,
    levels: {
      method: o.reconstruct === 'sparsegpt' ? 'sparsegpt' : (o.method ?? 'wanda'),
      calibration: o.calibration,
      sparsity,
      maxLevel,
      weightsPerLevel,
    },
    nm: undefined,
  };
}
