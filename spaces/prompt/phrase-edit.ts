// Phrase-edit space (Plum: Pan, Xing, Diao et al., arXiv:2311.08364, after GrIPS: Prasad et al., EACL 2023;
// ALGORITHMS.md §5.2): an instruction as a list of phrases, edited by del (remove a phrase), add (re-insert a deleted
// one), swap (exchange two) and sub (replace one by an alternative). Phrases come from a heuristic splitter, not from
// the constituency parser the papers use (see splitPhrases in ./text.ts).
import { z } from 'zod';
import { lazySchema } from '../../core/lazy-schema.js';
import { ConfigError } from '../../core/errors.js';
import { randomInt } from '../../core/rng.js';
import type { Rng, Space } from '../../core/types.js';
import { hashString } from '../../core/hash.js';
import { compilePatterns, invalidPattern, joinPhrases, normalizeText, splitPhrases } from './text.js';
import { PLACEHOLDER_PATTERN } from './token-mask.js';

/**
 * An edited instruction: its phrases in order, and the phrases deleted so far (which `add` may put back). `text` is the
 * rendered instruction, carried so an evaluator, which gets the genome without the space, can read it.
 */
export interface PhraseEditGenome {
  readonly phrases: readonly string[];
  readonly deleted: readonly string[];
  readonly text: string;
}

export const PHRASE_OPERATORS = ['del', 'add', 'swap', 'sub'] as const;
export type PhraseOperator = (typeof PHRASE_OPERATORS)[number];

/**
 * Where `sub` finds alternatives for a phrase, besides the `substitutes` option. Spaces are synchronous, so a paraphrase
 * model or LLM cannot be called from `mutate`: a hook must answer from phrases prepared before the run (a cache). The
 * LLM call itself is left out of this space.
 */
export interface PhraseEditHooks {
  /** Alternatives for a phrase (given without its trailing punctuation and whitespace); may return []. */
  paraphrase?(phrase: string): readonly string[];
}

/** Options of the `phrase-edit` space (the config object minus `type`). */
export const phraseEditOptionsSchema = lazySchema(() =>
  z
    .strictObject({
      prompt: z
        .string()
        .min(1)
        .describe('the instruction to edit; it is split into phrases once, when the space is built'),
      operators: z
        .array(z.enum(PHRASE_OPERATORS))
        .min(1)
        .default([...PHRASE_OPERATORS])
        .describe(
          'edit operators to use (Plum/GrIPS: del, add, swap, sub); each edit picks uniformly among those applicable',
        ),
      numCompose: z.int().min(1).default(1).describe('edits applied by one mutation (Plum num_compose)'),
      substitutes: z
        .union([z.record(z.string().min(1), z.array(z.string().min(1))), z.array(z.string().min(1))])
        .optional()
        .describe(
          'alternatives for `sub`: a map phrase → its alternatives, or a flat pool of phrases any phrase may become',
        ),
      protect: z
        .array(z.string().min(1))
        .default([PLACEHOLDER_PATTERN])
        .describe(
          'regular expressions; a phrase containing a match is never deleted or substituted. Default: {placeholders}',
        ),
      initialEdits: z
        .int()
        .min(0)
        .default(0)
        .describe(
          'random edits sample() applies to the instruction; 0 = sample() is the instruction itself (as Plum starts)',
        ),
    })
    .superRefine((o, ctx) => {
      const bad = invalidPattern(o.protect);
      if (bad) ctx.addIssue({ code: 'custom', path: ['protect', bad.index], message: bad.message });
    }),
);
export type PhraseEditOptions = z.infer<typeof phraseEditOptionsSchema>;
export type PhraseEditOptionsInput = z.input<typeof phraseEditOptionsSchema>;

/** A phrase-edit space: its phrase split of the instruction, and each operator on its own. */
export interface PhraseEditSpace extends Space<PhraseEditGenome> {
  /** The instruction's phrases, as split when the space was built. */
  readonly phrases: readonly string[];
  /** The operators applicable to `g` among the configured ones, in PHRASE_OPERATORS order. */
  applicable(g: PhraseEditGenome): PhraseOperator[];
  /** Applies one operator. @throws {RangeError} when it is not applicable to `g`. */
  edit(g: PhraseEditGenome, operator: PhraseOperator, rng: Rng): PhraseEditGenome;
  /** The genome with these phrases and deleted phrases. */
  genome(phrases: readonly string[], deleted?: readonly string[]): PhraseEditGenome;
}

/** A phrase split into its body and its tail (trailing punctuation and whitespace), which `sub` keeps. */
function splitTail(phrase: string): { body: string; tail: string } {
  const tail = /[\s.,;:!?]*$/u.exec(phrase)?.[0] ?? '';
  return { body: phrase.slice(0, phrase.length - tail.length), tail };
}

/** Canonical form of a phrase for looking up its substitutes: normalised, without trailing punctuation. */
const lookupKey = (phrase: string): string => normalizeText(splitTail(phrase).body).trim();

const make = (phrases: readonly string[], deleted: readonly string[]): PhraseEditGenome => ({
  phrases: [...phrases],
  deleted: [...deleted],
  text: joinPhrases(phrases),
});

/** `del`: removes `phrases[index]` and remembers it in `deleted`. */
export function deletePhrase(g: PhraseEditGenome, index: number): PhraseEditGenome {
  if (g.phrases.length < 2) throw new RangeError('del: the last phrase cannot be deleted');
  const phrase = g.phrases[index];
  if (phrase === undefined) throw new RangeError(`del: no phrase ${index} (of ${g.phrases.length})`);
  return make(g.phrases.toSpliced(index, 1), [...g.deleted, phrase]);
}

/** `add`: re-inserts `deleted[which]` at `position` (0 = first, phrases.length = last) and forgets it as deleted. */
export function addPhrase(g: PhraseEditGenome, which: number, position: number): PhraseEditGenome {
  const phrase = g.deleted[which];
  if (phrase === undefined) throw new RangeError(`add: no deleted phrase ${which} (of ${g.deleted.length})`);
  if (!Number.isInteger(position) || position < 0 || position > g.phrases.length)
    throw new RangeError(`add: position ${position} out of 0..${g.phrases.length}`);
  return make(g.phrases.toSpliced(position, 0, phrase), g.deleted.toSpliced(which, 1));
}

/** `swap`: exchanges `phrases[i]` and `phrases[j]`. */
export function swapPhrases(g: PhraseEditGenome, i: number, j: number): PhraseEditGenome {
  const a = g.phrases[i];
  const b = g.phrases[j];
  if (a === undefined || b === undefined)
    throw new RangeError(`swap: no phrases ${i} and ${j} (of ${g.phrases.length})`);
  const phrases = [...g.phrases];
  phrases[i] = b;
  phrases[j] = a;
  return make(phrases, g.deleted);
}

/** `sub`: replaces the body of `phrases[index]` by `alternative`, keeping the phrase's trailing punctuation and whitespace. */
export function substitutePhrase(g: PhraseEditGenome, index: number, alternative: string): PhraseEditGenome {
  const phrase = g.phrases[index];
  if (phrase === undefined) throw new RangeError(`sub: no phrase ${index} (of ${g.phrases.length})`);
  const { tail } = splitTail(phrase);
  // Plum strips the paraphrase's final '.'; here any final punctuation goes when the phrase brings its own.
  const body = /[.,;:!?]/.test(tail) ? alternative.trim().replace(/[.,;:!?]+$/u, '') : alternative.trim();
  const phrases = [...g.phrases];
  phrases[index] = body + tail;
  return make(phrases, g.deleted);
}

/**
 * Builds a `phrase-edit` space; `options` are validated and defaults applied here.
 * @throws {ZodError} when the options do not validate.
 * @throws {ConfigError} when the instruction is empty.
 */
export function createPhraseEditSpace(input: PhraseEditOptionsInput, hooks: PhraseEditHooks = {}): PhraseEditSpace {
  const options = phraseEditOptionsSchema.parse(input);
  let original: string[];
  try {
    original = splitPhrases(options.prompt);
  } catch (error) {
    throw new ConfigError(`phrase-edit: ${(error as Error).message}`, [
      { path: 'space.prompt', message: (error as Error).message },
    ]);
  }
  const patterns = compilePatterns(options.protect);
  const isProtected = (phrase: string): boolean => patterns.some((p) => new RegExp(p.source, 'u').test(phrase));
  const substitutes = options.substitutes;
  const pool = Array.isArray(substitutes) ? substitutes : [];
  const byPhrase = new Map<string, string[]>();
  if (substitutes && !Array.isArray(substitutes)) {
    for (const [phrase, alternatives] of Object.entries(substitutes)) byPhrase.set(lookupKey(phrase), alternatives);
  }
  const enabled = new Set(options.operators);

  /** Distinct alternatives for a phrase, none equal to it. */
  const alternativesOf = (phrase: string): string[] => {
    if (isProtected(phrase)) return [];
    const key = lookupKey(phrase);
    const found = [...(byPhrase.get(key) ?? []), ...pool, ...(hooks.paraphrase?.(splitTail(phrase).body.trim()) ?? [])];
    return [...new Set(found)].filter((a) => lookupKey(a) !== key && a.trim() !== '');
  };
  const deletable = (g: PhraseEditGenome): number[] => {
    if (g.phrases.length < 2) return [];
    const out: number[] = [];
    g.phrases.forEach((p, i) => !isProtected(p) && out.push(i));
    return out;
  };
  const substitutable = (g: PhraseEditGenome): number[] => {
    const out: number[] = [];
    g.phrases.forEach((p, i) => alternativesOf(p).length > 0 && out.push(i));
    return out;
  };

  const applicable = (g: PhraseEditGenome): PhraseOperator[] =>
    PHRASE_OPERATORS.filter((op) => {
      if (!enabled.has(op)) return false;
      if (op === 'del') return deletable(g).length > 0;
      if (op === 'add') return g.deleted.length > 0;
      if (op === 'swap') return g.phrases.length >= 2;
      return substitutable(g).length > 0;
    });

  const edit = (g: PhraseEditGenome, op: PhraseOperator, rng: Rng): PhraseEditGenome => {
    if (!applicable(g).includes(op)) throw new RangeError(`phrase-edit: '${op}' is not applicable to this genome`);
    switch (op) {
      case 'del': {
        const options = deletable(g);
        return deletePhrase(g, options[randomInt(rng, options.length)] as number);
      }
      case 'add': // after a uniform phrase, or first (Plum's key −1), as in Plum
        return addPhrase(g, randomInt(rng, g.deleted.length), randomInt(rng, g.phrases.length + 1));
      case 'swap': {
        const i = randomInt(rng, g.phrases.length);
        let j = randomInt(rng, g.phrases.length - 1);
        if (j >= i) j++;
        return swapPhrases(g, i, j);
      }
      case 'sub': {
        const options = substitutable(g);
        const index = options[randomInt(rng, options.length)] as number;
        const alternatives = alternativesOf(g.phrases[index] as string);
        return substitutePhrase(g, index, alternatives[randomInt(rng, alternatives.length)] as string);
      }
    }
  };

  const mutate = (parent: PhraseEditGenome, rng: Rng, edits: number): PhraseEditGenome => {
    let g = make(parent.phrases, parent.deleted);
    for (let e = 0; e < edits; e++) {
      const ops = applicable(g);
      if (ops.length === 0) break;
      g = edit(g, ops[randomInt(rng, ops.length)] as PhraseOperator, rng);
    }
    return g;
  };

  const stringArray = (x: unknown, field: string): string[] => {
    if (!Array.isArray(x) || !x.every((s) => typeof s === 'string'))
      throw new TypeError(`phrase-edit.decode: \`${field}\` must be an array of strings`);
    return x as string[];
  };

  return {
    name: 'phrase-edit',
    phrases: original,
    applicable,
    edit,
    genome: (phrases, deleted = []) => make(phrases, deleted),

    sample(rng) {
      return mutate(make(original, []), rng, options.initialEdits);
    },

    mutate(parent, rng) {
      return mutate(parent, rng, options.numCompose);
    },

    key(g) {
      return hashString(joinPhrases(g.phrases)); // the text byte for byte, as the evaluator sees it
    },

    describe(g) {
      return joinPhrases(g.phrases);
    },

    encode(g) {
      return { phrases: [...g.phrases], deleted: [...g.deleted] };
    },

    decode(x) {
      if (x === null || typeof x !== 'object')
        throw new TypeError(`phrase-edit.decode: expected { phrases, deleted }, got ${JSON.stringify(x)}`);
      const { phrases, deleted } = x as { phrases?: unknown; deleted?: unknown };
      const p = stringArray(phrases, 'phrases');
      if (p.length === 0) throw new RangeError('phrase-edit.decode: a genome has at least one phrase');
      return make(p, stringArray(deleted ?? [], 'deleted'));
    },
  };
}
