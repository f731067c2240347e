// Token-mask space (PromptQuine: Wang, Hu & Bing, ICML 2025, arXiv:2506.17930; ALGORITHMS.md §5.1): a keep-mask over
// the tokens of a whole in-context prompt. Mutation only prunes (1–4 still-kept, unprotected tokens); template
// placeholders are protected. Different masks that render the same text are one candidate (one key).
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { lazySchema } from '../../core/lazy-schema.js';
import { ConfigError } from '../../core/errors.js';
import { randomInt } from '../../core/rng.js';
import type { Rng, Space } from '../../core/types.js';
import { hashString } from '../../core/hash.js';
import { compilePatterns, invalidPattern, protectedTokens, wordTokens } from './text.js';

/**
 * A pruned prompt: `keep[i]` is 1 when token i is kept. `text` is the rendered prompt (the kept tokens concatenated),
 * carried so an evaluator, which gets the genome without the space, can read the prompt; the space keeps it equal to
 * `renderTokens(tokens, keep)`.
 */
export interface TokenMaskGenome {
  readonly keep: Uint8Array;
  readonly text: string;
}

/** Template placeholders such as {text}, {sentence_1}, {mask_token}. */
export const PLACEHOLDER_PATTERN = String.raw`\{[A-Za-z_][\w.-]*\}`;

/** PromptQuine prunes at a rate from linspace(1/20, 1/5, 10) when it does not start from copies of the full prompt. */
const RATE_STEPS = 10;
/** PromptQuine draws k ∈ U{1..4} up to 10 times until k < the number of prunable tokens. */
const MAX_PRUNE = 4;
const K_TRIES = 10;

/** Options of the `token-mask` space (the config object minus `type`). */
export const tokenMaskOptionsSchema = lazySchema(() =>
  z
    .strictObject({
      prompt: z
        .string()
        .min(1)
        .optional()
        .describe(
          'the full prompt text (instruction, demonstrations and template); give this, `promptFile` or `tokens`',
        ),
      promptFile: z
        .string()
        .min(1)
        .optional()
        .describe('path of a file holding the prompt, relative to the working directory; read when the space is built'),
      tokens: z
        .array(z.string().min(1))
        .min(1)
        .optional()
        .describe(
          "the prompt already split into tokens (e.g. the task model's subword tokens, decoded one by one); their concatenation is the prompt",
        ),
      protect: z
        .array(z.string().min(1))
        .default([PLACEHOLDER_PATTERN])
        .describe(
          'regular expressions; a token overlapping a match is never pruned. Default: {placeholders} such as {text}',
        ),
      unit: z
        .enum(['word'])
        .default('word')
        .describe(
          'how `prompt` is split: word = words, punctuation marks and line breaks, each with the spaces before it',
        ),
      initialPruning: z
        .strictObject({
          min: z.number().gt(0).lt(1).default(0.05).describe('lowest pruning rate'),
          max: z.number().gt(0).lt(1).default(0.2).describe('highest pruning rate'),
        })
        .optional()
        .describe(
          'sample() prunes a rate drawn from linspace(min, max, 10) of the prunable tokens; default: sample() is the unpruned prompt (PromptQuine starts from copies of it)',
        ),
      minKept: z.int().min(1).default(1).describe('fewest tokens (protected ones included) a genome may keep'),
    })
    .superRefine((o, ctx) => {
      const given = [o.prompt, o.promptFile, o.tokens].filter((x) => x !== undefined).length;
      if (given !== 1) {
        ctx.addIssue({
          code: 'custom',
          path: ['prompt'],
          message: `give exactly one of \`prompt\`, \`promptFile\` or \`tokens\`, not ${given === 0 ? 'none' : given}`,
        });
      }
      const bad = invalidPattern(o.protect);
      if (bad) ctx.addIssue({ code: 'custom', path: ['protect', bad.index], message: bad.message });
      if (o.initialPruning && o.initialPruning.min > o.initialPruning.max) {
        ctx.addIssue({
          code: 'custom',
          path: ['initialPruning', 'min'],
          message: `min (${o.initialPruning.min}) must not exceed max (${o.initialPruning.max})`,
        });
      }
    }),
);
export type TokenMaskOptions = z.infer<typeof tokenMaskOptionsSchema>;
export type TokenMaskOptionsInput = z.input<typeof tokenMaskOptionsSchema>;

/** A token-mask space, with the capabilities the pruning strategies use (`length` for GGA, `removals` for TAPruning). */
export interface TokenMaskSpace extends Space<TokenMaskGenome> {
  /** The fixed token list; the unpruned prompt is their concatenation. */
  readonly tokens: readonly string[];
  /** Per token: true when a protect pattern covers it (never pruned). */
  readonly isProtected: readonly boolean[];
  /** Tokens that may be pruned. */
  readonly prunable: number;
  /**
   * Uniform crossover over the prunable positions: each takes its keep bit from either parent (PromptQuine has no
   * crossover; any mask is valid, so this one may restore tokens). Topped up to `minKept` from either parent's kept tokens.
   */
  crossover(a: TokenMaskGenome, b: TokenMaskGenome, rng: Rng): TokenMaskGenome;
  /** Capability: the prompt length in kept tokens (protected ones included), as PromptQuine's stop rule counts it. */
  length(g: TokenMaskGenome): number;
  /** Capability: the genomes that prune exactly one more prunable token each, in left→right order (TAPruning's scan). */
  removals(g: TokenMaskGenome): TokenMaskGenome[];
  /** `removals(g)[i]` without building the others. @throws {RangeError} when i is out of range. */
  removal(g: TokenMaskGenome, i: number): TokenMaskGenome;
  /** The genome keeping every token: the original prompt. */
  full(): TokenMaskGenome;
  /** The genome with this keep-mask. @throws {RangeError} when the mask has the wrong length or prunes a protected token. */
  fromMask(keep: ArrayLike<number>): TokenMaskGenome;
}

/** The kept tokens concatenated. */
export function renderTokens(tokens: readonly string[], keep: ArrayLike<number>): string {
  let text = '';
  for (let i = 0; i < tokens.length; i++) if (keep[i]) text += tokens[i] as string;
  return text;
}

/** Reads `promptFile` relative to the working directory. @throws {ConfigError} naming the file when it cannot be read. */
function readPrompt(file: string): string {
  const path = resolve(process.cwd(), file);
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    throw new ConfigError(
      `token-mask: cannot read promptFile '${path}': ${reason}`,
      [{ path: 'space.promptFile', message: `cannot read '${path}' (${reason})` }],
      'Paths are relative to the working directory; or give the prompt inline as `prompt`.',
    );
  }
}

/**
 * Builds a `token-mask` space; `options` are validated and defaults applied here.
 * @throws {ZodError} when the options do not validate.
 * @throws {ConfigError} when `promptFile` cannot be read, the prompt has no tokens, or nothing can be pruned.
 */
export function createTokenMaskSpace(input: TokenMaskOptionsInput): TokenMaskSpace {
  const options = tokenMaskOptionsSchema.parse(input);
  let tokens: readonly string[];
  try {
    tokens = options.tokens ?? wordTokens(options.prompt ?? readPrompt(options.promptFile as string));
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError(`token-mask: ${(error as Error).message}`, [
      { path: 'space.prompt', message: (error as Error).message },
    ]);
  }
  const n = tokens.length;
  const isProtected = protectedTokens(tokens, compilePatterns(options.protect));
  const prunableIndex: number[] = [];
  for (let i = 0; i < n; i++) if (!isProtected[i]) prunableIndex.push(i);
  if (prunableIndex.length === 0) {
    throw new ConfigError(
      `token-mask: every one of the ${n} tokens is protected; nothing can be pruned`,
      [{ path: 'space.protect', message: 'the protect patterns cover the whole prompt' }],
      'Narrow the `protect` patterns.',
    );
  }
  const { minKept, initialPruning } = options;

  const make = (keep: Uint8Array): TokenMaskGenome => ({ keep, text: renderTokens(tokens, keep) });
  const keptCount = (keep: ArrayLike<number>): number => {
    let c = 0;
    for (let i = 0; i < n; i++) c += keep[i] ? 1 : 0;
    return c;
  };
  /** Prunable positions still kept, in left→right order. */
  const keptPrunable = (keep: ArrayLike<number>): number[] => prunableIndex.filter((i) => keep[i]);
  /** Prunes `count` uniform positions of `candidates` (partial Fisher–Yates; edits `keep` and `candidates`). */
  const pruneSome = (keep: Uint8Array, candidates: number[], count: number, rng: Rng): void => {
    for (let j = 0; j < count; j++) {
      const r = j + randomInt(rng, candidates.length - j);
      const pick = candidates[r] as number;
      candidates[r] = candidates[j] as number;
      candidates[j] = pick;
      keep[pick] = 0;
    }
  };

  const fromMask = (mask: ArrayLike<number>): TokenMaskGenome => {
    if (mask.length !== n)
      throw new RangeError(`token-mask: a mask over ${mask.length} tokens, but the prompt has ${n}`);
    const keep = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const bit = mask[i];
      if (bit !== 0 && bit !== 1)
        throw new RangeError(`token-mask: mask entry ${i} is ${String(bit)}, expected 0 or 1`);
      if (!bit && isProtected[i])
        throw new RangeError(`token-mask: token ${i} (${JSON.stringify(tokens[i])}) is protected but pruned`);
      keep[i] = bit;
    }
    return make(keep);
  };

  const removal = (g: TokenMaskGenome, i: number): TokenMaskGenome => {
    const kept = keptPrunable(g.keep);
    if (keptCount(g.keep) - 1 < minKept || !Number.isInteger(i) || i < 0 || i >= kept.length) {
      throw new RangeError(
        `token-mask: removal ${i} out of range (this genome has ${keptCount(g.keep) - 1 < minKept ? 0 : kept.length})`,
      );
    }
    const keep = Uint8Array.from(g.keep);
    keep[kept[i] as number] = 0;
    return make(keep);
  };

  const space: TokenMaskSpace = {
    name: 'token-mask',
    tokens,
    isProtected,
    prunable: prunableIndex.length,

    sample(rng) {
      const keep = new Uint8Array(n).fill(1);
      if (initialPruning) {
        const step = randomInt(rng, RATE_STEPS);
        const rate = initialPruning.min + ((initialPruning.max - initialPruning.min) * step) / (RATE_STEPS - 1);
        // PromptQuine prunes each token with probability `rate`; pruning exactly round(rate·prunable) has the same mean.
        const count = Math.min(Math.round(rate * prunableIndex.length), n - minKept);
        pruneSome(keep, [...prunableIndex], Math.max(0, count), rng);
      }
      return make(keep);
    },

    mutate(parent, rng) {
      const candidates = keptPrunable(parent.keep);
      const limit = Math.min(candidates.length - 1, keptCount(parent.keep) - minKept); // k < prunable count, as PromptQuine
      for (let attempt = 0; attempt < K_TRIES; attempt++) {
        const k = 1 + randomInt(rng, MAX_PRUNE);
        if (k <= limit) {
          const keep = Uint8Array.from(parent.keep);
          pruneSome(keep, candidates, k, rng);
          return make(keep);
        }
      }
      return make(Uint8Array.from(parent.keep)); // nothing (more) can be pruned: a copy, which strategies see as a duplicate
    },

    crossover(a, b, rng) {
      const keep = Uint8Array.from(a.keep);
      for (const i of prunableIndex) keep[i] = rng() < 0.5 ? (a.keep[i] as number) : (b.keep[i] as number);
      const missing = minKept - keptCount(keep);
      if (missing > 0) {
        const restorable = prunableIndex.filter((i) => !keep[i] && (a.keep[i] || b.keep[i]));
        for (let j = 0; j < missing && j < restorable.length; j++) {
          const r = j + randomInt(rng, restorable.length - j);
          const pick = restorable[r] as number;
          restorable[r] = restorable[j] as number;
          keep[pick] = 1;
        }
      }
      return make(keep);
    },

    key(g) {
      // The text byte for byte, as the evaluator sees it: a whitespace change can change the score (one line break of
      // a blank-line separator joins two demonstrations).
      return hashString(renderTokens(tokens, g.keep));
    },

    describe(g) {
      return renderTokens(tokens, g.keep);
    },

    encode(g) {
      return { keep: Array.from(g.keep, (b) => (b ? '1' : '0')).join('') };
    },

    decode(x) {
      const keep = (x as { keep?: unknown } | null)?.keep;
      if (typeof keep === 'string' && /^[01]*$/.test(keep))
        return fromMask(Array.from(keep, (c) => (c === '1' ? 1 : 0)));
      if (Array.isArray(keep)) return fromMask(keep as number[]);
      throw new TypeError(
        `token-mask.decode: expected { keep: "0101…" } over ${n} tokens, got ${JSON.stringify(x)?.slice(0, 80)}`,
      );
    },

    length(g) {
      return keptCount(g.keep);
    },

    removals(g) {
      if (keptCount(g.keep) - 1 < minKept) return [];
      return keptPrunable(g.keep).map((i) => {
        const keep = Uint8Array.from(g.keep);
        keep[i] = 0;
        return make(keep);
      });
    },

    removal,

    full() {
      return make(new Uint8Array(n).fill(1));
    },

    fromMask,
  };
  return space;
}
