// phrase-edit space (Plum/GrIPS): the heuristic phrase split, each edit operator, numCompose, protection, keys.
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../core/errors.js';
import { rngFromSeed } from '../../core/rng.js';
import type { Space } from '../../core/types.js';
import {
  addPhrase,
  createPhraseEditSpace,
  deletePhrase,
  joinPhrases,
  phraseEditOptionsSchema,
  spaces,
  splitPhrases,
  substitutePhrase,
  swapPhrases,
  type PhraseEditGenome,
} from '../../spaces/index.js';
import { spaceContract } from '../../testing/space.js';

const INSTRUCTION =
  'Given a movie review, determine whether the sentiment is positive or negative. Answer with yes or no.';
const PHRASES = [
  'Given a movie review, ',
  'determine ',
  'whether the sentiment is positive ',
  'or negative. ',
  'Answer ',
  'with yes ',
  'or no.',
];

spaceContract(
  'phrase-edit (all operators, pool)',
  () => createPhraseEditSpace({ prompt: INSTRUCTION, substitutes: ['decide', 'tell me', 'output'] }) as Space<unknown>,
);
spaceContract(
  'phrase-edit (registry, initial edits, numCompose 2)',
  () =>
    spaces['phrase-edit'].create({ prompt: INSTRUCTION, initialEdits: 3, numCompose: 2 }, undefined) as Space<unknown>,
);

describe('phrase split (heuristic stand-in for a constituency parse)', () => {
  it('splits after sentence ends and , ; : and before conjunctions and prepositions', () => {
    expect(splitPhrases(INSTRUCTION)).toEqual(PHRASES);
    expect(splitPhrases('Summarize {text} in one sentence.\nBe brief.')).toEqual([
      'Summarize {text} ',
      'in one sentence.\n',
      'Be brief.',
    ]);
  });

  it('loses nothing: the phrases join back to the text exactly', () => {
    for (const text of [INSTRUCTION, '  Lead and trail  ', 'One.\n\nTwo; three: four, and five', 'single']) {
      expect(splitPhrases(text).join('')).toBe(text);
      expect(joinPhrases(splitPhrases(text))).toBe(text);
    }
  });

  it('joins a moved last phrase with a space', () => {
    expect(joinPhrases(['or no.', 'Answer '])).toBe('or no. Answer ');
  });
});

describe('edit operators', () => {
  const space = createPhraseEditSpace({
    prompt: INSTRUCTION,
    substitutes: { determine: ['decide', 'figure out'], 'with yes': ['using yes'] },
  });
  const start = space.sample(rngFromSeed('start'));

  it('sample() is the instruction itself by default', () => {
    expect(start.phrases).toEqual(PHRASES);
    expect(start.deleted).toEqual([]);
    expect(start.text).toBe(INSTRUCTION);
    expect(space.describe(start)).toBe(INSTRUCTION);
  });

  it('del removes a phrase and remembers it; add puts it back, and forgets it', () => {
    const deleted = deletePhrase(start, 1);
    expect(deleted.phrases).toEqual(PHRASES.toSpliced(1, 1));
    expect(deleted.deleted).toEqual(['determine ']);
    expect(deleted.text).toBe(
      'Given a movie review, whether the sentiment is positive or negative. Answer with yes or no.',
    );
    const restored = addPhrase(deleted, 0, 1);
    expect(restored.phrases).toEqual(PHRASES);
    expect(restored.deleted).toEqual([]);
    expect(space.key(restored)).toBe(space.key(start));
    expect(addPhrase(deleted, 0, 0).text).toBe(
      'determine Given a movie review, whether the sentiment is positive or negative. Answer with yes or no.',
    );
    expect(addPhrase(deleted, 0, deleted.phrases.length).text).toBe(
      'Given a movie review, whether the sentiment is positive or negative. Answer with yes or no. determine ',
    );
    expect(start.deleted).toEqual([]); // arguments are never edited
  });

  it('add re-inserts after a uniform phrase or first, as in Plum', () => {
    const rng = rngFromSeed('add');
    const deleted = deletePhrase(start, 4);
    const positions = new Set<number>();
    for (let t = 0; t < 300; t++) {
      const g = space.edit(deleted, 'add', rng);
      expect(g.deleted).toEqual([]);
      expect([...g.phrases].sort()).toEqual([...PHRASES].sort());
      positions.add(g.phrases.indexOf('Answer '));
    }
    expect([...positions].sort()).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });

  it('swap exchanges two phrases', () => {
    const swapped = swapPhrases(start, 0, 4);
    expect(swapped.phrases[0]).toBe('Answer ');
    expect(swapped.phrases[4]).toBe('Given a movie review, ');
    expect(swapped.text).toBe(
      'Answer determine whether the sentiment is positive or negative. Given a movie review, with yes or no.',
    );
    const rng = rngFromSeed('swap');
    for (let t = 0; t < 100; t++) {
      const g = space.edit(start, 'swap', rng);
      const moved = g.phrases.flatMap((p, i) => (p === PHRASES[i] ? [] : [i]));
      expect(moved).toHaveLength(2);
      expect(g.phrases[moved[0]!]).toBe(PHRASES[moved[1]!]);
    }
  });

  it('sub replaces a phrase body from the map, keeping its trailing punctuation and spaces', () => {
    expect(substitutePhrase(start, 1, 'decide').phrases[1]).toBe('decide ');
    expect(substitutePhrase(start, 3, 'or neutral.').phrases[3]).toBe('or neutral. ');
    const rng = rngFromSeed('sub');
    const seen = new Set<string>();
    for (let t = 0; t < 200; t++) {
      const g = space.edit(start, 'sub', rng);
      const changed = g.phrases.flatMap((p, i) => (p === PHRASES[i] ? [] : [p]));
      expect(changed).toHaveLength(1);
      seen.add(changed[0]!);
    }
    expect([...seen].sort()).toEqual(['decide ', 'figure out ', 'using yes ']);
  });

  it('sub draws from a flat pool for any phrase, and from a paraphrase hook', () => {
    const rng = rngFromSeed('pool');
    const pooled = createPhraseEditSpace({
      prompt: 'Be brief. Be kind.',
      substitutes: ['Be exact'],
      operators: ['sub'],
    });
    const g = pooled.mutate(pooled.sample(rng), rng);
    expect(['Be exact. Be kind.', 'Be brief. Be exact.']).toContain(g.text);
    const hooked = createPhraseEditSpace(
      { prompt: 'Be brief. Be kind.', operators: ['sub'] },
      { paraphrase: (p) => [`${p}, please`] },
    );
    expect(['Be brief, please. Be kind.', 'Be brief. Be kind, please.']).toContain(
      hooked.mutate(hooked.sample(rng), rng).text,
    );
  });

  it('applicable() lists only what can apply', () => {
    expect(space.applicable(start)).toEqual(['del', 'swap', 'sub']);
    expect(space.applicable(deletePhrase(start, 0))).toEqual(['del', 'add', 'swap', 'sub']);
    const lonely = createPhraseEditSpace({ prompt: 'Summarize.' });
    const one = lonely.sample(rngFromSeed('x'));
    expect(lonely.applicable(one)).toEqual([]);
    const copy = lonely.mutate(one, rngFromSeed('x'));
    expect(copy).not.toBe(one);
    expect(copy.text).toBe('Summarize.');
    expect(() => lonely.edit(one, 'del', rngFromSeed('x'))).toThrow(RangeError);
  });

  it('never deletes or substitutes a protected {placeholder} phrase, and never the last phrase', () => {
    const guarded = createPhraseEditSpace({
      prompt: 'Read {text} carefully, then answer.',
      substitutes: ['hmm'],
      numCompose: 3,
    });
    const rng = rngFromSeed('guard');
    let g = guarded.sample(rng);
    for (let t = 0; t < 500; t++) {
      g = guarded.mutate(g, rng);
      expect(g.text).toContain('{text}');
      expect(g.phrases.length).toBeGreaterThan(0);
      if (t % 25 === 0) g = guarded.sample(rng);
    }
  });
});

describe('mutation', () => {
  it('applies numCompose edits', () => {
    const rng = rngFromSeed('compose');
    const space = createPhraseEditSpace({ prompt: INSTRUCTION, operators: ['del'], numCompose: 3 });
    const g = space.mutate(space.sample(rng), rng);
    expect(g.phrases).toHaveLength(PHRASES.length - 3);
    expect(g.deleted).toHaveLength(3);
    expect([...g.phrases, ...g.deleted].sort()).toEqual([...PHRASES].sort());
  });

  it('picks uniformly among the applicable operators', () => {
    const rng = rngFromSeed('uniform');
    const space = createPhraseEditSpace({ prompt: INSTRUCTION, substitutes: ['decide'] });
    const g = deletePhrase(space.sample(rng), 1); // del, add, swap and sub all apply
    const counts: Record<string, number> = { del: 0, add: 0, swap: 0, sub: 0 };
    for (let t = 0; t < 2000; t++) {
      const c = space.mutate(g, rng);
      if (c.phrases.length < g.phrases.length) counts.del!++;
      else if (c.phrases.length > g.phrases.length) counts.add!++;
      else if ([...c.phrases].sort().join('|') === [...g.phrases].sort().join('|')) counts.swap!++;
      else counts.sub!++;
    }
    for (const op of ['del', 'add', 'swap', 'sub']) expect(counts[op]! / 2000).toBeGreaterThan(0.2);
  });
});

describe('keys, encoding and options', () => {
  const space = createPhraseEditSpace({ prompt: INSTRUCTION });

  it('keys follow the text byte for byte, not the deleted list', () => {
    const a = space.genome(['Answer ', 'with yes ', 'or no.'], []);
    expect(space.key(a)).toBe(space.key(space.genome(['Answer ', 'with yes ', 'or no.'], ['determine '])));
    expect(space.key(a)).not.toBe(space.key(space.genome(['Answer  ', 'with yes\t', 'or no.  '], [])));
    expect(space.key(a)).not.toBe(space.key(space.genome(['with yes ', 'Answer ', 'or no.'])));
  });

  it('encodes phrases and deleted phrases, and validates on decode', () => {
    const g = deletePhrase(space.genome(PHRASES), 2) as PhraseEditGenome;
    const encoded = JSON.parse(JSON.stringify(space.encode(g)));
    expect(encoded).toEqual({ phrases: g.phrases, deleted: g.deleted });
    expect(space.decode(encoded).text).toBe(g.text);
    expect(() => space.decode({ phrases: [] })).toThrow(RangeError);
    expect(() => space.decode({ phrases: [1] })).toThrow(TypeError);
  });

  it('rejects an empty instruction, unknown operators and keys', () => {
    expect(() => createPhraseEditSpace({ prompt: '   ' })).toThrow(ConfigError);
    expect(phraseEditOptionsSchema.safeParse({ prompt: 'a', operators: ['paraphrase'] }).success).toBe(false);
    expect(phraseEditOptionsSchema.safeParse({ prompt: 'a', numCompose: 0 }).success).toBe(false);
    expect(phraseEditOptionsSchema.safeParse({ prompt: 'a', nope: 1 }).success).toBe(false);
  });
});
