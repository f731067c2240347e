// docs/prompts.md is written from bench/results/prompts.json alone: a change to the generator's prose must come with
// the regenerated page (it once kept the token-mask key's old wording after the generator had changed).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { markdown, type Report } from '../../experiments/prompt/markdown.js';
import { repoRoot } from '../helpers/files.js';

describe('prompt report page', () => {
  it('regenerates the committed page from the stored report', () => {
    const report = JSON.parse(readFileSync(join(repoRoot, 'bench/results/prompts.json'), 'utf8')) as Report;
    expect(markdown(report)).toBe(readFileSync(join(repoRoot, 'docs/prompts.md'), 'utf8'));
  });
});
