// Saying what scored a run (issue: results you can trust): a stand-in scorer or a fallback backend is named, with its
// caveat, in the summary, run.log, the CLI's summary, inspect, the report snapshot and (browser.test.ts) the page.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatSummary } from '../../cli/format.js';
import { createPromptEvaluator } from '../../evaluators/prompt/index.js';
import { inspectRun } from '../../report/inspect.js';
import { readSnapshot } from '../../report/snapshot.js';
import { parseRunConfig, type RunConfigInput } from '../../search/config.js';
import { runSearch, resumeRun } from '../../search/run.js';
import { openRunView } from '../../search/run-view.js';
import { useRunFiles } from '../helpers/files.js';

const promptRun = (dir: string, evaluations: number): RunConfigInput => ({
  name: 'offline-prompt',
  seed: 2,
  space: { type: 'token-mask', promptFile: join(import.meta.dirname, '../../tasks/brown-genre/prompt.txt') },
  evaluator: { type: 'prompt', options: { scorer: 'offline', devExamples: 20, testExamples: 0 } },
  search: { strategy: 'map-elites', initialRandom: 5 },
  archive: {
    type: 'grid',
    dims: [
      { name: 'tokens', min: 0, max: 500, bins: 5 },
      { name: 'demonstrations', min: 0, max: 16, bins: 4 },
    ],
  },
  budget: { evaluations },
  workers: 0,
  cache: { path: join(dir, 'cache.mdb') },
});

describe('what scored a run', () => {
  it('an offline prompt run says it was scored by the stand-in, everywhere a user reads the run', async () => {
    const dir = useRunFiles();
    const out = join(dir, 'run');
    const warnings: string[] = [];
    const summary = await runSearch(parseRunConfig(promptRun(dir, 12), dir), {
      out,
      onWarning: (w) => warnings.push(w),
    });
    expect(summary.scoredBy).toEqual({
      scorer: 'offline nearest-neighbour stand-in (k = 3)',
      caveat: expect.stringMatching(/^not an LLM: .*set scorer: http/),
    });
    expect(warnings).toContainEqual(
      expect.stringMatching(/^scored by offline nearest-neighbour stand-in .*not an LLM/),
    );
    expect(readFileSync(join(out, 'run.log'), 'utf8')).toMatch(/warning: scored by offline nearest-neighbour/);
    expect(JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')).scoredBy).toEqual(summary.scoredBy);
    expect(formatSummary(summary)).toMatch(
      /\n {2}scored by offline nearest-neighbour stand-in \(k = 3\)\n {2}caveat: not an LLM/,
    );

    expect((await inspectRun(out)).summary.scoredBy).toEqual(summary.scoredBy);
    expect((await readSnapshot(out)).summary.scoredBy).toEqual(summary.scoredBy);
    const view = await openRunView(out);
    try {
      expect(view.summary.scoredBy).toEqual(summary.scoredBy);
    } finally {
      await view.close();
    }

    // A resumed run keeps saying it.
    const resumed = await resumeRun(out, { evaluations: 20 });
    expect(resumed.proposals).toBe(20);
    expect(resumed.scoredBy).toEqual(summary.scoredBy);
  });

  it('a real scorer is named without a caveat; runs whose evaluator says nothing carry no field', async () => {
    const http = createPromptEvaluator({ scorer: 'http', baseUrl: 'http://127.0.0.1:9/v1', model: 'm-7b' });
    expect(await http.scoredBy?.({})).toEqual({ scorer: 'm-7b at http://127.0.0.1:9/v1, logprobs' });

    const dir = useRunFiles();
    const summary = await runSearch(
      parseRunConfig(
        {
          name: 'binval',
          space: { type: 'bitstring', length: 6 },
          evaluator: { type: 'binval' },
          search: { strategy: 'random' },
          archive: { type: 'grid', dims: [{ name: 'x', min: 0, max: 6, bins: 7 }] },
          budget: { evaluations: 10 },
          workers: 0,
          cache: { enabled: false },
        },
        dir,
      ),
      { out: join(dir, 'run') },
    );
    expect(summary.scoredBy).toBeUndefined();
    expect(formatSummary(summary)).not.toMatch(/scored by/);
  });

  it('a plug-in whose scoredBy returns no scorer is refused with what to return', async () => {
    const dir = useRunFiles();
    writeFileSync(
      join(dir, 'says.mjs'),
      "export default { name: 'says', scoredBy: () => ({ caveat: 'x' }), evaluate: (g) => ({ fitness: 1, descriptors: [0] }) };\n",
    );
    const config = parseRunConfig(
      {
        name: 'says',
        space: { type: 'bitstring', length: 4 },
        evaluator: { module: './says.mjs' },
        search: { strategy: 'random' },
        archive: { type: 'grid', dims: [{ name: 'x', min: 0, max: 1, bins: 2 }] },
        budget: { evaluations: 2 },
        workers: 0,
      },
      dir,
    );
    await expect(runSearch(config, { out: join(dir, 'run') })).rejects.toThrow(
      /evaluator scoredBy returned \{"caveat":"x"\}/,
    );
  });
});
