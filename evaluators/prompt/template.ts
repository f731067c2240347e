// Prompt text: genome → prompt text (tokens and phrases as the spaces in spaces/prompt make them), prompt length, prompts generated from a template,
// the query filled in, and the demonstrations that remain in a (possibly pruned) prompt.
import { createHash } from 'node:crypto';
import { joinPhrases, wordTokens } from '../../spaces/prompt/text.js';
import { renderTokens } from '../../spaces/prompt/token-mask.js';
import { LABEL_PLACEHOLDER, QUERY_PLACEHOLDER, type Example, type PromptTemplate } from './task.js';

/**
 * Prompt length in tokens of the token-mask space (spaces/prompt: words, punctuation marks and line breaks, each with
 * the spaces before it): the length descriptor, and PromptQuine's stop rule's unit.
 */
export function promptLength(text: string): number {
  return text.trim() === '' ? 0 : wordTokens(text).length;
}

/** The base prompt a genome edits, tokenized once (as the token-mask space tokenizes it). */
export interface BasePrompt {
  readonly text: string;
  readonly tokens: readonly string[];
}

export function basePrompt(text: string): BasePrompt {
  return { text, tokens: text.trim() === '' ? [] : wordTokens(text) };
}

/**
 * The prompt text of a genome (the adapter between the prompt spaces and this evaluator). Accepted genomes:
 * - a string: the prompt itself;
 * - an object with a string `text`: the token-mask and phrase-edit genomes carry their rendered prompt there;
 * - `{ keep }` without text: 0/1 flags over the genome's own `tokens`, or over `wordTokens(base)` (the token-mask
 *   space's tokenizer) where `base` is the evaluator's base prompt (options prompt / promptFile, else the task's);
 * - a bare array of 0/1 flags (e.g. a `bitstring` space as long as the token count): the same keep mask;
 * - `{ phrases }` without text: the phrases joined as the phrase-edit space joins them.
 * A prompt without the {text} placeholder (e.g. an instruction alone) gets the task's query appended when scored.
 * @throws {TypeError} for anything else, or a mask whose length is not the token count.
 */
export function promptText(genome: unknown, base: BasePrompt): string {
  if (typeof genome === 'string') return genome;
  if (isFlags(genome)) return renderMask(genome, base.tokens);
  if (genome !== null && typeof genome === 'object') {
    const g = genome as { text?: unknown; keep?: unknown; tokens?: unknown; phrases?: unknown };
    if (typeof g.text === 'string') return g.text;
    if (isFlags(g.keep)) {
      const tokens =
        Array.isArray(g.tokens) && g.tokens.every((t) => typeof t === 'string') ? (g.tokens as string[]) : base.tokens;
      return renderMask(g.keep, tokens);
    }
    if (Array.isArray(g.phrases) && g.phrases.every((p) => typeof p === 'string'))
      return joinPhrases(g.phrases as string[]);
  }
  throw new TypeError(
    'prompt genome must be a string, { text }, { keep: 0/1 flags }, an array of 0/1 flags, or { phrases: string[] }',
  );
}

function isFlags(x: unknown): x is ArrayLike<number> {
  return (
    (ArrayBuffer.isView(x) && !(x instanceof DataView)) || (Array.isArray(x) && x.every((v) => typeof v === 'number'))
  );
}

function renderMask(keep: ArrayLike<number>, tokens: readonly string[]): string {
  if (keep.length !== tokens.length) {
    throw new TypeError(
      `keep mask has ${keep.length} flags but the base prompt has ${tokens.length} tokens (wordTokens of spaces/prompt); build the mask over the same prompt as the evaluator's prompt/promptFile/task`,
    );
  }
  return renderTokens(tokens, keep);
}

/** A demonstration in the template's format. */
export function formatDemonstration(template: PromptTemplate, example: Example): string {
  const word = template.verbalizers[example.label];
  if (word === undefined) throw new Error(`label "${example.label}" has no verbalizer`);
  return template.demonstration.split(QUERY_PLACEHOLDER).join(example.text).split(LABEL_PLACEHOLDER).join(word);
}

/** instruction, demonstrations and the query (with its {text} placeholder), joined by the separator. */
export function renderPrompt(template: PromptTemplate, demonstrations: readonly Example[]): string {
  const blocks = [template.instruction, ...demonstrations.map((d) => formatDemonstration(template, d)), template.query];
  return blocks.filter((b) => b !== '').join(template.separator);
}

/**
 * `shots` demonstrations from `pool`, balanced over the labels (the first ones of each label in pool order, labels in
 * verbalizer order), then put in a fixed pseudo-random order (by a hash of their text) so labels do not cycle.
 */
export function pickDemonstrations(template: PromptTemplate, pool: readonly Example[], shots: number): Example[] {
  const labels = Object.keys(template.verbalizers);
  const byLabel = new Map(labels.map((l) => [l, pool.filter((e) => e.label === l)]));
  const picked: Example[] = [];
  for (let round = 0; picked.length < shots; round++) {
    let added = false;
    for (const label of labels) {
      const example = byLabel.get(label)?.[round];
      if (example && picked.length < shots) {
        picked.push(example);
        added = true;
      }
    }
    if (!added) break; // the pool has fewer than `shots` examples
  }
  const order = (e: Example): string => createHash('sha1').update(e.text).digest('hex');
  return picked.sort((a, b) => (order(a) < order(b) ? -1 : order(a) > order(b) ? 1 : 0));
}

/** The text sent for one example: the prompt with {text} replaced; a prompt that lost {text} gets the query appended. */
export function fillQuery(prompt: string, template: PromptTemplate, text: string): string {
  if (prompt.includes(QUERY_PLACEHOLDER)) return prompt.split(QUERY_PLACEHOLDER).join(text);
  return prompt + template.separator + template.query.split(QUERY_PLACEHOLDER).join(text);
}

/** A demonstration that remains in a prompt: the label word it ends with, and the rest of its block. */
export interface Demonstration {
  readonly label: string;
  readonly text: string;
}

/**
 * The demonstrations left in a prompt. The part before {text} (all of it if {text} is gone) is cut at the separator;
 * a block's label is the last verbalizer word in it (whole word, any case), and its text is the block without that
 * word. Blocks without a verbalizer word (the instruction, the query's prefix, demonstrations whose label was pruned)
 * are not demonstrations. A pruned separator merges two blocks into one demonstration (the later label wins).
 */
export function findDemonstrations(prompt: string, template: PromptTemplate): Demonstration[] {
  const cut = prompt.indexOf(QUERY_PLACEHOLDER);
  const head = cut >= 0 ? prompt.slice(0, cut) : prompt;
  const matcher = verbalizerMatcher(template.verbalizers);
  const found: Demonstration[] = [];
  for (const block of head.split(template.separator)) {
    const last = matcher.last(block);
    if (last)
      found.push({ label: last.label, text: block.slice(0, last.index) + block.slice(last.index + last.length) });
  }
  return found;
}

/** Finds verbalizer words in text: whole words, case-insensitive. */
export interface VerbalizerMatcher {
  /** The first verbalizer word in `text` (earliest position), or undefined. */
  first(text: string): { label: string; index: number; length: number } | undefined;
  /** The last verbalizer word in `text` (latest position), or undefined. */
  last(text: string): { label: string; index: number; length: number } | undefined;
}

export function verbalizerMatcher(verbalizers: Readonly<Record<string, string>>): VerbalizerMatcher {
  const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  // Longer words first, so that a verbalizer that contains another (e.g. "very good" / "good") wins where both match.
  const entries = Object.entries(verbalizers).sort((a, b) => b[1].length - a[1].length);
  const alternatives = entries.map(([, word]) => `(${word.trim().split(/\s+/u).map(escapeRegExp).join('\\s+')})`);
  const pattern = new RegExp(`(?<![\\p{L}\\p{N}])(?:${alternatives.join('|')})(?![\\p{L}\\p{N}])`, 'giu');
  const all = (text: string): { label: string; index: number; length: number }[] => {
    const out: { label: string; index: number; length: number }[] = [];
    for (const m of text.matchAll(pattern)) {
      const group = m.slice(1).findIndex((g) => g !== undefined);
      out.push({ label: entries[group]![0], index: m.index, length: m[0].length });
    }
    return out;
  };
  return {
    first: (text) => all(text)[0],
    last: (text) => all(text).at(-1),
  };
}
