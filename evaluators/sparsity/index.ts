// Sparsity-allocation evaluator (EvoPress, Sieberling et al., ICML 2025, arXiv:2410.14649; ALGORITHMS.md §4): scores
// per-layer sparsity levels (from a level database of magnitude- or Wanda-pruned weights) or N:M masks (swaps from a
// base mask) on the small tfjs LM of the pruning evaluator. Fitness = mean KL(dense ‖ compressed) per calibration
// token (minimize), or calibration perplexity. ctx.fidelity picks how many calibration windows, ctx.sample which.
import type { EvalResult, Evaluator } from '../../core/types.js';
import type { LevelGenome, NmGenome } from '../../spaces/sparsity/index.js';
import { resolveSparsityOptions, type SparsityOptionsInput } from './options.js';
import type { SparsityRuntime } from './runtime.js';

/** A levels genome (mode 'levels') or an N:M swap genome (mode 'nm'). */
export type SparsityGenome = LevelGenome | NmGenome;

/** The evaluator, plus its per-worker state for reports and tests (undefined before setup()). */
export interface SparsityEvaluator extends Evaluator<SparsityGenome> {
  runtime(): SparsityRuntime | undefined;
}

/**
 * The evaluator. No fingerprint: both spaces' keys are already canonical (one level vector, or one sorted swap list,
 * per mask), so hashing the masks again would only repeat the key.
 *
 * Result: fitness = klDivergence (or calibrationPerplexity); metrics calibrationPerplexity, klDivergence (kl),
 * sparsity (pruned fraction of the prunable weights: exactly Σ round(s·n)/Σ n for levels, N/M for nm), tokens (calibration
 * tokens scored) and, at full fidelity only, validationPerplexity and testPerplexity. Descriptors (unless
 * `descriptors: false`): levels → [attention − MLP pruned fraction, late − early blocks pruned fraction] (each in
 * [−1, 1]); nm → [fraction of groups differing from the base mask, overlap with magnitude's N:M pruned set] (in [0, 1]).
 */
export function createSparsityEvaluator(
  input: SparsityOptionsInput = {},
  hooks: { log?: (line: string) => void } = {},
): SparsityEvaluator {
  const settings = resolveSparsityOptions(input);
  const log = hooks.log ?? ((line: string) => void process.stderr.write(`${line}\n`));
  let runtime: SparsityRuntime | undefined;
  return {
    name: 'sparsity',
    version: '1',
    // tfjs is imported only here, in the processes that evaluate: listing or validating configs stays light.
    async prepare() {
      const { prepareSparsity } = await import('./runtime.js');
      await prepareSparsity(settings, log);
    },
    async scoredBy() {
      const { backendScoredBy } = await import('../../lm/backend.js');
      return backendScoredBy(settings.backend, settings.model);
    },
    async setup() {
      if (runtime) return;
      const { SparsityRuntime } = await import('./runtime.js');
      runtime = await SparsityRuntime.load(settings, log);
    },
    evaluate(genome, ctx): EvalResult {
      if (!runtime) throw new Error('sparsity evaluator used before setup()');
      return runtime.evaluate(genome, ctx.fidelity, ctx.sample, ctx.signal);
    },
    runtime: () => runtime,
  };
}

export {
  sparsityOptionsSchema,
  resolveSparsityOptions,
  type SparsityOptions,
  type SparsityOptionsInput,
  type SparsitySettings,
} from './options.js';
export {
  allocationDescriptors,
  basePrunedCount,
  checkLevelGenome,
  checkLevelScheme,
  defaultWeightsPerLevel,
  layerSparsities,
  levelPrunedCount,
  prunedCounts,
  type LevelScheme,
} from './levels.js';
export {
  buildLevelDatabase,
  levelDatabaseKey,
  levelDatabasePath,
  loadOrBuildLevelDatabase,
  readLevelDatabase,
  type LevelDatabase,
  type LevelDatabaseSpec,
  type LevelMethod,
} from './database.js';
export {
  buildNmBase,
  checkNmGenome,
  groupRankOffsets,
  nmDescriptors,
  nmLayerWeights,
  nmMasks,
  type NmBase,
} from './nm.js';
export { selectWindows, windowCount } from './windows.js';
export type { SparsityRuntime } from './runtime.js';
export type { Teacher } from './teacher.js';
