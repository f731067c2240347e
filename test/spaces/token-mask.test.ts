// token-mask space (PromptQuine): lossless tokens, protected placeholders, pruning mutation, text keys, capabilities.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../core/errors.js';
import { rngFromSeed } from '../../core/rng.js';
import type { Space } from '../../core/types.js';
import {
  createTokenMaskSpace,
  renderTokens,
  spaces,
  tokenMaskOptionsSchema,
  wordTokens,
  type TokenMaskGenome,
} from '../../spaces/index.js';
import { spaceContract } from '../../testing/space.js';

const ICL = 'Review: a gripping, well-acted film.\nSentiment: positive\n\nReview: {text}\nSentiment: {mask_token}';
const kept = (g: TokenMaskGenome): number => g.keep.reduce((s, b) => s + b, 0);

spaceContract('token-mask (ICL prompt)', () => createTokenMaskSpace({ prompt: ICL }) as Space<unknown>);
spaceContract(
  'token-mask (initial pruning)',
  () => createTokenMaskSpace({ prompt: ICL, initialPruning: {} }) as Space<unknown>,
);
spaceContract(
  'token-mask (registry, tokens)',
  () =>
    spaces['token-mask'].create(
      { tokens: ['Sum', 'mar', 'ize', ':', ' {text}'], minKept: 2 },
      undefined,
    ) as Space<unknown>,
);

describe('word tokens', () => {
  it.each([
    ICL,
    'plain words only',
    '  leading and trailing spaces  ',
    'tabs\tand\r\nwindows line breaks\r\n',
    "Don't split contractions; naïve café — ünïcode 日本語 テキスト!",
    'x',
    '{a}{b} {c}\n\n\n',
  ])('concatenate to the original text exactly: %j', (text) => {
    const tokens = wordTokens(text);
    expect(tokens.join('')).toBe(text);
    const space = createTokenMaskSpace({ prompt: text });
    expect(space.tokens.join('')).toBe(text);
    expect(space.describe(space.full())).toBe(text);
    expect(space.full().text).toBe(text);
    expect(renderTokens(space.tokens, space.full().keep)).toBe(text);
  });

  it('split words and punctuation, with the spaces before each token', () => {
    expect(wordTokens('Hello, world! {text}')).toEqual(['Hello', ',', ' world', '!', ' {', 'text', '}']);
    expect(wordTokens('a\n b')).toEqual(['a', '\n', ' b']);
  });

  it('reject an empty prompt with a ConfigError', () => {
    expect(() => createTokenMaskSpace({ prompt: '   ' })).toThrow(ConfigError);
  });
});

describe('protected tokens', () => {
  const space = createTokenMaskSpace({ prompt: ICL, initialPruning: { min: 0.5, max: 0.9 } });
  const placeholderTokens = space.tokens.flatMap((t, i) => (space.isProtected[i] ? [t] : []));

  it('cover the {placeholders} by default, and nothing else', () => {
    expect(placeholderTokens.join('')).toBe(' {text} {mask_token}');
    expect(space.prunable).toBe(space.tokens.length - placeholderTokens.length);
  });

  it('are never pruned by sample, mutate, crossover or removals', () => {
    const rng = rngFromSeed('protect');
    let g = space.sample(rng);
    for (let t = 0; t < 500; t++) {
      const other = space.sample(rng);
      const children = [space.mutate(g, rng), space.crossover(g, other, rng), ...space.removals(g)];
      for (const c of children) {
        space.isProtected.forEach((p, i) => p && expect(c.keep[i]).toBe(1));
        expect(c.text).toContain('{text}');
        expect(c.text).toContain('{mask_token}');
      }
      g = t % 50 === 0 ? space.sample(rng) : (children[0] as TokenMaskGenome);
    }
  });

  it('follow custom patterns, which replace the default', () => {
    const custom = createTokenMaskSpace({ prompt: 'Input: {x}\nOutput:', protect: ['Input', '\\nOutput:'] });
    expect(custom.tokens.filter((_, i) => custom.isProtected[i])).toEqual(['Input', '\n', 'Output', ':']);
  });

  it('reject a bad regular expression and a prompt left with nothing to prune', () => {
    expect(tokenMaskOptionsSchema.safeParse({ prompt: 'a', protect: ['('] }).success).toBe(false);
    expect(() => createTokenMaskSpace({ prompt: '{a} {b}' })).toThrow(/nothing can be pruned/);
  });
});

describe('mutation', () => {
  const space = createTokenMaskSpace({ prompt: ICL });

  it('prunes k ∈ {1, 2, 3, 4} still-kept tokens, each k about equally often, and never restores one', () => {
    const rng = rngFromSeed('mutate-k');
    const parent = space.mutate(space.full(), rng);
    const counts = [0, 0, 0, 0, 0];
    let restored = 0;
    for (let t = 0; t < 4000; t++) {
      const child = space.mutate(parent, rng);
      const k = kept(parent) - kept(child);
      counts[k] = (counts[k] ?? 0) + 1;
      for (let i = 0; i < child.keep.length; i++) if (child.keep[i] && !parent.keep[i]) restored++;
    }
    expect(restored).toBe(0);
    expect(counts[0]).toBe(0);
    for (const k of [1, 2, 3, 4]) expect(counts[k]! / 4000).toBeGreaterThan(0.2);
  });

  it('keeps k below the number of prunable kept tokens (PromptQuine), and copies when nothing can go', () => {
    const rng = rngFromSeed('mutate-limit');
    const small = createTokenMaskSpace({ prompt: 'one two three {text}' });
    const three = small.full(); // three prunable tokens: k ∈ {1, 2}
    const seen = new Set<number>();
    for (let t = 0; t < 300; t++) seen.add(kept(three) - kept(small.mutate(three, rng)));
    expect([...seen].sort()).toEqual([1, 2]);
    const one = small.fromMask([0, 0, 1, 1, 1, 1]); // one prunable token left: mutation is infeasible
    const copy = small.mutate(one, rng);
    expect(copy).not.toBe(one);
    expect(small.key(copy)).toBe(small.key(one));
  });

  it('respects minKept', () => {
    const rng = rngFromSeed('min-kept');
    const space5 = createTokenMaskSpace({ prompt: 'a b c d e f g h', minKept: 5 });
    let g = space5.full();
    for (let t = 0; t < 100; t++) g = space5.mutate(g, rng);
    expect(space5.length(g)).toBeGreaterThanOrEqual(5);
    expect(space5.removals(space5.fromMask([1, 1, 1, 1, 1, 0, 0, 0]))).toEqual([]);
  });
});

describe('keys', () => {
  it('are equal for different masks rendering the same text, byte for byte', () => {
    const space = createTokenMaskSpace({ prompt: 'a a a b' });
    const masks = [
      [1, 1, 0, 1],
      [1, 0, 1, 1],
    ].map((m) => space.fromMask(m));
    expect(new Set(masks.map((g) => JSON.stringify(space.encode(g)))).size).toBe(2);
    expect(new Set(masks.map((g) => space.key(g))).size).toBe(1);
    expect(space.key(space.fromMask([0, 1, 1, 1]))).not.toBe(space.key(masks[0]!)); // " a a b": the evaluator sees the space
    expect(space.key(space.fromMask([1, 1, 1, 0]))).not.toBe(space.key(masks[0]!));
  });

  it('keep one line break apart from a blank line (the separator of demonstrations)', () => {
    const space = createTokenMaskSpace({ prompt: 'a\n\nb c\n\nd e' });
    const whole = space.fromMask([1, 1, 1, 1, 1, 1, 1, 1, 1]);
    const joined = space.fromMask([1, 1, 1, 1, 1, 0, 1, 1, 1]); // "b c\nd e": two demonstrations read as one
    expect(space.key(joined)).not.toBe(space.key(whole));
  });

  it('keep a line break apart from a space', () => {
    const space = createTokenMaskSpace({ prompt: 'a\nb c' });
    expect(space.tokens).toEqual(['a', '\n', 'b', ' c']);
    expect(space.key(space.fromMask([1, 1, 0, 1]))).not.toBe(space.key(space.fromMask([1, 0, 1, 1])));
  });
});

describe('initial pruning', () => {
  it('is off by default: sample() is the full prompt', () => {
    const space = createTokenMaskSpace({ prompt: ICL });
    expect(space.sample(rngFromSeed('s')).text).toBe(ICL);
  });

  it('prunes a rate from linspace(0.05, 0.2, 10) of the prunable tokens', () => {
    const prompt = `${Array.from({ length: 200 }, (_, i) => `w${i}`).join(' ')} {text}`;
    const space = createTokenMaskSpace({ prompt, initialPruning: {} });
    expect(space.prunable).toBe(200);
    const grid = Array.from({ length: 10 }, (_, i) => Math.round((0.05 + (0.15 * i) / 9) * 200));
    const rng = rngFromSeed('initial');
    const seen = new Set<number>();
    for (let t = 0; t < 300; t++) {
      const pruned = 200 - (space.length(space.sample(rng)) - 3);
      expect(pruned / 200).toBeGreaterThanOrEqual(0.05);
      expect(pruned / 200).toBeLessThanOrEqual(0.2);
      expect(grid).toContain(pruned);
      seen.add(pruned);
    }
    expect(seen.size).toBe(10);
  });

  it('rejects min > max', () => {
    expect(tokenMaskOptionsSchema.safeParse({ prompt: 'a', initialPruning: { min: 0.3, max: 0.1 } }).success).toBe(
      false,
    );
  });
});

describe('capabilities', () => {
  const space = createTokenMaskSpace({ prompt: 'Classify {text} as good or bad .' });

  it('length counts kept tokens, protected ones included', () => {
    expect(space.length(space.full())).toBe(space.tokens.length);
    expect(space.length(space.fromMask([0, 1, 1, 1, 1, 1, 0, 1, 1]))).toBe(space.tokens.length - 2);
  });

  it('removals prune one more prunable token each, left to right, and removal(g, i) matches', () => {
    const g = space.fromMask([1, 1, 1, 1, 0, 1, 1, 1, 1]); // " as" pruned
    const r = space.removals(g);
    expect(r.map((x) => x.text)).toEqual([
      ' {text} good or bad .',
      'Classify {text} or bad .',
      'Classify {text} good bad .',
      'Classify {text} good or .',
      'Classify {text} good or bad',
    ]);
    r.forEach((x, i) => expect(space.encode(space.removal(g, i))).toEqual(space.encode(x)));
    expect(() => space.removal(g, 5)).toThrow(RangeError);
  });

  it('crossover takes each prunable bit from a parent and keeps protected tokens', () => {
    const rng = rngFromSeed('crossover');
    const a = space.fromMask([1, 1, 1, 1, 0, 0, 1, 1, 1]);
    const b = space.fromMask([0, 1, 1, 1, 1, 1, 0, 0, 1]);
    const children = new Set<string>();
    for (let t = 0; t < 200; t++) {
      const c = space.crossover(a, b, rng);
      for (let i = 0; i < c.keep.length; i++) expect([a.keep[i], b.keep[i]]).toContain(c.keep[i]);
      children.add(JSON.stringify(space.encode(c)));
    }
    expect(children.size).toBe(2 ** 5); // five positions differ
  });
});

describe('encoding and options', () => {
  const space = createTokenMaskSpace({ prompt: 'a b {text} c' });

  it('encodes the mask as a compact 0/1 string and validates on decode', () => {
    const g = space.fromMask([1, 0, 1, 1, 1, 1]);
    expect(space.encode(g)).toEqual({ keep: '101111' });
    expect(space.decode({ keep: '101111' }).text).toBe('a {text} c');
    expect(() => space.decode({ keep: '1011' })).toThrow(/6/);
    expect(() => space.decode({ keep: '110111' })).toThrow(/protected/);
    expect(() => space.decode('nope')).toThrow(TypeError);
  });

  it('needs exactly one of prompt, promptFile and tokens', () => {
    expect(tokenMaskOptionsSchema.safeParse({}).success).toBe(false);
    expect(tokenMaskOptionsSchema.safeParse({ prompt: 'a', tokens: ['a'] }).success).toBe(false);
    expect(tokenMaskOptionsSchema.safeParse({ prompt: 'a', bogus: 1 }).success).toBe(false);
  });

  it('reads promptFile relative to the working directory, and names a missing file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'token-mask-'));
    try {
      writeFileSync(join(dir, 'prompt.txt'), 'from a file {text}\n');
      const fromFile = createTokenMaskSpace({ promptFile: relative(process.cwd(), join(dir, 'prompt.txt')) });
      expect(fromFile.full().text).toBe('from a file {text}\n');
      expect(() => createTokenMaskSpace({ promptFile: join(dir, 'missing.txt') })).toThrow(
        /cannot read promptFile .*missing\.txt.*no such file/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
