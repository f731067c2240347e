// Prompt spaces: PromptQuine token masks and Plum phrase edits over plain prompt text.
export { createTokenMaskSpace, PLACEHOLDER_PATTERN, renderTokens, tokenMaskOptionsSchema } from './token-mask.js';
export type { TokenMaskGenome, TokenMaskOptions, TokenMaskOptionsInput, TokenMaskSpace } from './token-mask.js';
export {
  addPhrase,
  createPhraseEditSpace,
  deletePhrase,
  PHRASE_OPERATORS,
  phraseEditOptionsSchema,
  substitutePhrase,
  swapPhrases,
} from './phrase-edit.js';
export type {
  PhraseEditGenome,
  PhraseEditHooks,
  PhraseEditOptions,
  PhraseEditOptionsInput,
  PhraseEditSpace,
  PhraseOperator,
} from './phrase-edit.js';
export { joinPhrases, normalizeText, splitPhrases, wordTokens } from './text.js';
