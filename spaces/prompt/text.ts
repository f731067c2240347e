// Prompt text helpers shared by the prompt spaces: a lossless word tokenizer, protected spans, normalisation, and a
// heuristic phrase splitter. Pure functions over plain strings; no model tokenizer and no parser are needed.

/** Letters, combining marks, digits and underscore: what a word is made of. */
const WORD = String.raw`[\p{L}\p{M}\p{N}_]+(?:['’][\p{L}\p{M}\p{N}_]+)*`;

/**
 * One token: the spaces and tabs before it, then a line break, a word (contractions like "don't" stay whole) or a
 * single other character (punctuation, symbols, braces).
 */
const TOKEN = new RegExp(String.raw`[^\S\r\n]*(?:\r?\n|\r|${WORD}|[^\s\p{L}\p{M}\p{N}_])`, 'gu');

/**
 * Word-level tokens whose concatenation is `text` exactly: each word, punctuation mark or line break carries the
 * spaces before it (as GPT-2's "Ġword" does), and trailing spaces at the very end stay on the last token.
 * @throws {RangeError} when `text` has no token (empty or only spaces).
 */
export function wordTokens(text: string): string[] {
  const tokens: string[] = [];
  let end = 0;
  for (const match of text.matchAll(TOKEN)) {
    if (match.index !== end) throw new Error(`wordTokens: internal error, a gap at offset ${end}`); // the pattern covers every character but trailing spaces
    tokens.push(match[0]);
    end += match[0].length;
  }
  if (tokens.length === 0) throw new RangeError('the prompt has no tokens: it is empty or only whitespace');
  if (end < text.length) tokens[tokens.length - 1] += text.slice(end);
  return tokens;
}

/**
 * The canonical form of a prompt for keys: each whitespace run becomes one space, or one line break when it holds a
 * line break (a model reads "a\nb" and "a b" differently), and the ends are trimmed.
 */
export function normalizeText(text: string): string {
  return text.replace(/\s+/g, (run) => (/[\r\n]/.test(run) ? '\n' : ' ')).trim();
}

/** Compiles protect patterns (regex sources) for global matching; Unicode mode, as the tokenizer. */
export function compilePatterns(sources: readonly string[]): RegExp[] {
  return sources.map((source) => new RegExp(source, 'gu'));
}

/** The first pattern that does not compile, with the reason; undefined when all compile. */
export function invalidPattern(sources: readonly string[]): { index: number; message: string } | undefined {
  for (let i = 0; i < sources.length; i++) {
    try {
      new RegExp(sources[i] as string, 'gu');
    } catch (error) {
      return { index: i, message: `not a valid regular expression: ${(error as Error).message}` };
    }
  }
  return undefined;
}

/** For each token, whether any match of any pattern overlaps it (in the text the tokens concatenate to). */
export function protectedTokens(tokens: readonly string[], patterns: readonly RegExp[]): boolean[] {
  const text = tokens.join('');
  const starts: number[] = [];
  let offset = 0;
  for (const t of tokens) {
    starts.push(offset);
    offset += t.length;
  }
  const marked = new Array<boolean>(tokens.length).fill(false);
  for (const pattern of patterns) {
    for (const match of text.matchAll(
      new RegExp(pattern.source, pattern.flags.includes('g') ? pattern.flags : `${pattern.flags}g`),
    )) {
      const from = match.index;
      const to = from + match[0].length;
      if (to === from) continue; // an empty match protects nothing
      for (let i = 0; i < tokens.length; i++) {
        const s = starts[i] as number;
        if (s < to && s + (tokens[i] as string).length > from) marked[i] = true;
      }
    }
  }
  return marked;
}

/** Words before which a new phrase starts: coordinating conjunctions, prepositions and a few subordinators. */
const PHRASE_STARTERS = new Set(
  (
    'and or but nor yet ' +
    'about above across after against along among around as at before behind below beneath beside besides between ' +
    'beyond by despite during except for from in inside into like near of off on onto out outside over per since than ' +
    'through throughout till to toward towards under underneath until unlike upon via with within without ' +
    'because if unless whether while whereas although though'
  ).split(' '),
);

/**
 * Splits an instruction into phrases without a parser: a heuristic stand-in for the constituency parse GrIPS and Plum
 * use (supar's CRF parser). A phrase ends after a sentence end (. ! ?), after , ; : and at line breaks, and a new
 * one starts before a conjunction or preposition. Each phrase keeps the whitespace after it, and the first keeps any
 * leading whitespace, so the phrases concatenate to `text` exactly.
 * @throws {RangeError} when `text` is empty or only whitespace.
 */
export function splitPhrases(text: string): string[] {
  const lead = /^\s*/.exec(text)?.[0] ?? '';
  const chunks = text.slice(lead.length).match(/\S+\s*/g) ?? [];
  if (chunks.length === 0) throw new RangeError('the instruction is empty or only whitespace');
  const phrases: string[] = [];
  let current = lead;
  let previous = '';
  for (const chunk of chunks) {
    const word = chunk
      .trim()
      .replace(/^[^\p{L}\p{N}]+/u, '')
      .toLowerCase();
    const boundary =
      previous !== '' &&
      (/[.!?;:,]["'’”)\]]*\s+$/u.test(previous) ||
        /[\r\n]/.test(previous.slice(previous.trimEnd().length)) ||
        PHRASE_STARTERS.has(word));
    if (boundary && current.trim() !== '') {
      phrases.push(current);
      current = '';
    }
    current += chunk;
    previous = chunk;
  }
  phrases.push(current);
  return phrases;
}

/**
 * Joins phrases into text: concatenation, with one space inserted where a phrase without trailing whitespace is
 * followed by another (a phrase moved from the end of the text). The unedited phrases of `splitPhrases(t)` give `t`.
 */
export function joinPhrases(phrases: readonly string[]): string {
  let text = '';
  for (let i = 0; i < phrases.length; i++) {
    const p = phrases[i] as string;
    if (i > 0 && text !== '' && !/\s$/.test(text) && !/^\s/.test(p)) text += ' ';
    text += p;
  }
  return text;
}
