// Word-level vocabulary (top train words + <unk> + <eos>) and the encoding of sentences into token ids.

/** Id of the token that stands for every word outside the vocabulary. */
export const UNK_ID = 0;
/** Id of the token that ends every sentence. */
export const EOS_ID = 1;
/** The two special tokens, at ids 0 and 1. */
export const SPECIAL_TOKENS: readonly string[] = ['<unk>', '<eos>'];

/**
 * Vocabulary of `size` entries: <unk>, <eos>, then the `size − 2` most frequent words of `sentences` (most frequent
 * first; ties broken by the word's code-unit order so the result does not depend on input order).
 * @throws {RangeError} when size < 3.
 */
export function buildVocabulary(sentences: Iterable<readonly string[]>, size: number): string[] {
  if (!Number.isInteger(size) || size < 3)
    throw new RangeError(`vocabulary size must be an integer ≥ 3 (two specials + a word), got ${size}`);
  const counts = new Map<string, number>();
  for (const sentence of sentences) for (const word of sentence) counts.set(word, (counts.get(word) ?? 0) + 1);
  const words = [...counts.entries()]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .slice(0, size - SPECIAL_TOKENS.length)
    .map(([word]) => word);
  return [...SPECIAL_TOKENS, ...words];
}

/** Token ids of `sentences`, each sentence followed by <eos>; words outside `vocab` become <unk>. */
export function encodeSentences(sentences: readonly (readonly string[])[], vocab: readonly string[]): Int32Array {
  const index = new Map<string, number>();
  vocab.forEach((word, id) => {
    if (id >= SPECIAL_TOKENS.length) index.set(word, id);
  });
  let length = 0;
  for (const sentence of sentences) length += sentence.length + 1;
  const ids = new Int32Array(length);
  let at = 0;
  for (const sentence of sentences) {
    for (const word of sentence) ids[at++] = index.get(word) ?? UNK_ID;
    ids[at++] = EOS_ID;
  }
  return ids;
}

/** Words of `ids` joined by spaces (for debugging and samples). */
export function decodeTokens(ids: ArrayLike<number>, vocab: readonly string[]): string {
  return Array.from({ length: ids.length }, (_, i) => vocab[ids[i] as number] ?? '<?>').join(' ');
}

/**
 * Perplexity of an add-one-smoothed unigram model fitted on `train`, measured on `tokens`: the baseline a language
 * model must clearly beat.
 */
export function unigramPerplexity(train: Int32Array, tokens: Int32Array, vocabSize: number): number {
  const counts = new Float64Array(vocabSize).fill(1);
  for (const id of train) counts[id] = (counts[id] as number) + 1;
  const total = train.length + vocabSize;
  let nll = 0;
  for (const id of tokens) nll -= Math.log((counts[id] as number) / total);
  return Math.exp(nll / tokens.length);
}
