// docs/multi-objective.md's verdicts come from the numbers: a goal is met only when every seed reaches it, a goal no
// population of 100 can reach says so, and MOME's comparison counts the seeds where it is above on both measures.
import { describe, expect, it } from 'vitest';
import { markdown } from '../../experiments/mo/markdown.js';
import type { MoResults, MoRunRecord } from '../../experiments/mo/rows.js';

const run = (row: string, seed: number, fields: Partial<MoRunRecord>): MoRunRecord => ({
  row,
  seed,
  proposals: 25_000,
  seconds: 1,
  cells: 1,
  filled: 1,
  points: 100,
  hypervolume: 0,
  moqdScore: 0,
  front: [],
  best: { id: 0, objectives: [0, 0], text: '' },
  load: [0, 0],
  date: '2026-01-01T00:00:00.000Z',
  commit: 'abcdef0123',
  ...fields,
});
/** The page with its wrapped bullets joined again (a bullet's continuation lines start with two spaces). */
const page = (runs: MoRunRecord[]): string =>
  markdown({ cores: 2, cpu: 'test CPU', runs } satisfies MoResults, { nsga2: 2, mome: 2, prompt: 1 }).replace(
    /\n {2}/g,
    ' ',
  );
const zdt1Row = (text: string): string => text.split('\n').find((l) => l.startsWith('| ZDT1 |'))!;

describe('docs/multi-objective.md verdicts', () => {
  it('meets the ZDT1 goal only when every seed reaches 98% of 2/3', () => {
    const good = [run('zdt1', 1, { populationHypervolume: 0.66 }), run('zdt1', 2, { populationHypervolume: 0.659 })];
    expect(zdt1Row(page(good))).toMatch(/\*\*met\*\*/);
    const oneShort = [good[0]!, run('zdt1', 2, { populationHypervolume: 0.65 })];
    expect(zdt1Row(page(oneShort))).toMatch(/\*\*missed\*\* \(worst 97\.5%\)/);
    expect(zdt1Row(page([good[0]!]))).toMatch(/open \(1 of 2 seeds\)/);
  });

  it('says when a population of 100 cannot reach the DTLZ2 goal', () => {
    expect(page([run('dtlz2', 1, { populationHypervolume: 0.4 })])).toMatch(
      /DTLZ2 \(3 objectives\) goal cannot be met by a population of 100: 91 evenly spread points of the true front reach only 86\.9%/,
    );
  });

  it('counts MOME above MAP-Elites per seed, on both measures', () => {
    const mome = [1, 2].map((seed) => run('mome', seed, { moqdScore: 10, hypervolume: 5 }));
    const above = [1, 2].map((seed) => run('map-elites-sum', seed, { moqdScore: 8, hypervolume: 4 }));
    expect(page([...mome, ...above])).toMatch(/MOQD score in two of two seeds \(1\.25×\).*goal .* is \*\*not met\*\*/s);
    const mixed = [run('map-elites-sum', 1, { moqdScore: 8, hypervolume: 6 }), above[1]!];
    expect(page([...mome, ...mixed])).toMatch(/global hypervolume in one of two/);
  });
});
