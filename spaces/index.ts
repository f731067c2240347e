// The space registry: built-in genome representations by config `type`, plus their public types and capabilities.
import { defineFactory, type Factory } from '../core/factory.js';
import type { Rng, Space } from '../core/types.js';
import {
  bitstringOptionsSchema,
  createBitstringSpace,
  type BitstringOptions,
  type BitstringSpace,
} from './bitstring.js';
import {
  categoricalOptionsSchema,
  createCategoricalSpace,
  type CategoricalOptions,
  type CategoricalSpace,
} from './categorical.js';
import { createVectorSpace, vectorOptionsSchema, type VectorOptions, type VectorSpace } from './vector.js';
import {
  createExpressionSpace,
  expressionOptionsSchema,
  type ExpressionOptions,
  type ExpressionSpace,
} from './expression/index.js';
import {
  createSparsityLevelsSpace,
  createSparsityNmSpace,
  sparsityLevelsOptionsSchema,
  sparsityNmOptionsSchema,
  type SparsityLevelsOptions,
  type SparsityLevelsSpace,
  type SparsityNmOptions,
  type SparsityNmSpace,
} from './sparsity/index.js';
import {
  createPhraseEditSpace,
  createTokenMaskSpace,
  phraseEditOptionsSchema,
  tokenMaskOptionsSchema,
  type PhraseEditOptions,
  type PhraseEditSpace,
  type TokenMaskOptions,
  type TokenMaskSpace,
} from './prompt/index.js';

export { bitstringOptionsSchema, createBitstringSpace } from './bitstring.js';
export type { BitstringOptions, BitstringSpace } from './bitstring.js';
export { createVectorSpace, vectorOptionsSchema } from './vector.js';
export type { ResolvedVectorVariation, VectorOptions, VectorOptionsInput, VectorSpace } from './vector.js';
export { categoricalOptionsSchema, createCategoricalSpace } from './categorical.js';
export type {
  CategoricalGenome,
  CategoricalOptions,
  CategoricalOptionsInput,
  CategoricalSpace,
  CategoricalValue,
} from './categorical.js';
export { createExpressionSpace, expressionOptionsSchema } from './expression/index.js';
export type { ExpressionOptions, ExpressionOptionsInput, ExpressionSpace, ExprGenome } from './expression/index.js';
export {
  createSparsityLevelsSpace,
  createSparsityNmSpace,
  forEachSwap,
  keptRanks,
  levelSwitchDistance,
  parseNmPattern,
  sparsityLevelsOptionsSchema,
  sparsityNmOptionsSchema,
  totalDeviation,
} from './sparsity/index.js';
export type {
  LevelGenome,
  NmGenome,
  NmLayerSwaps,
  SparsityLevelsOptions,
  SparsityLevelsOptionsInput,
  SparsityLevelsSpace,
  SparsityNmOptions,
  SparsityNmOptionsInput,
  SparsityNmSpace,
} from './sparsity/index.js';
export {
  addPhrase,
  createPhraseEditSpace,
  createTokenMaskSpace,
  deletePhrase,
  joinPhrases,
  normalizeText,
  PHRASE_OPERATORS,
  phraseEditOptionsSchema,
  PLACEHOLDER_PATTERN,
  renderTokens,
  splitPhrases,
  substitutePhrase,
  swapPhrases,
  tokenMaskOptionsSchema,
  wordTokens,
} from './prompt/index.js';
export type {
  PhraseEditGenome,
  PhraseEditHooks,
  PhraseEditOptions,
  PhraseEditOptionsInput,
  PhraseEditSpace,
  PhraseOperator,
  TokenMaskGenome,
  TokenMaskOptions,
  TokenMaskOptionsInput,
  TokenMaskSpace,
} from './prompt/index.js';

/** Built-in spaces by config `type`. Each schema is strict and excludes `type` (the config loader strips it). */
export const spaces = {
  bitstring: defineFactory<BitstringOptions, void, BitstringSpace>(
    'Fixed-length bit strings: standard bit mutation (rate 1/n), uniform crossover.',
    bitstringOptionsSchema,
    (options) => createBitstringSpace(options),
  ),
  vector: defineFactory<VectorOptions, void, VectorSpace>(
    'Bounded real vectors: Gaussian or Iso+LineDD variation, SBX crossover.',
    vectorOptionsSchema,
    (options) => createVectorSpace(options),
  ),
  categorical: defineFactory<CategoricalOptions, void, CategoricalSpace>(
    'Named discrete parameters with constraints (kernel configurations).',
    categoricalOptionsSchema,
    (options) => createCategoricalSpace(options),
  ),
  expression: defineFactory<ExpressionOptions, void, ExpressionSpace>(
    'Pruner-Zero symbolic metrics over W, G, X: prefix trees, subtree/point/hoist mutation, keys after simplification.',
    expressionOptionsSchema,
    (options) => createExpressionSpace(options),
  ),
  'sparsity-levels': defineFactory<SparsityLevelsOptions, void, SparsityLevelsSpace>(
    'EvoPress layer-wise sparsity: one integer level per layer, level-switch mutation keeping the global budget exact.',
    sparsityLevelsOptionsSchema,
    (options) => createSparsityLevelsSpace(options),
  ),
  'sparsity-nm': defineFactory<SparsityNmOptions, void, SparsityNmSpace>(
    'N:M masks as per-group kept-rank swaps from the base (magnitude/Wanda) mask; exactly K of M kept per group.',
    sparsityNmOptionsSchema,
    (options) => createSparsityNmSpace(options),
  ),
  'token-mask': defineFactory<TokenMaskOptions, void, TokenMaskSpace>(
    'PromptQuine token masks: prune 1–4 unprotected tokens of an ICL prompt; masks rendering the same text share a key.',
    tokenMaskOptionsSchema,
    (options) => createTokenMaskSpace(options),
  ),
  'phrase-edit': defineFactory<PhraseEditOptions, void, PhraseEditSpace>(
    'Plum/GrIPS phrase edits of an instruction: delete, add back, swap and substitute phrases.',
    phraseEditOptionsSchema,
    (options) => createPhraseEditSpace(options),
  ),
} satisfies Record<string, Factory<void, Space<unknown>>>;

export type SpaceType = keyof typeof spaces;

/** Capability: mutation at a caller-chosen per-gene rate (a strategy's `mutationRate`, e.g. the (1+λ)-EA's 1/n). */
export interface MutateWithRate<G> {
  /** A new genome with each gene changed independently with probability `rate`; never edits `parent`. */
  mutateWithRate(parent: G, rate: number, rng: Rng): G;
}

/** True when `space` offers `mutateWithRate`: the one check, used by the strategies' `mutationOperator` too. */
export function hasMutateWithRate<G>(space: Space<G>): space is Space<G> & MutateWithRate<G> {
  return 'mutateWithRate' in space && typeof space.mutateWithRate === 'function';
}
