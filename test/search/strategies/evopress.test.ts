// Racing (multi-step selection) and the EvoPress strategy: survivors, shared samples, the incumbent's re-entry.
import { describe, expect, it } from 'vitest';
import { SeededRng } from '../../../core/rng.js';
import { Race, type RaceStage } from '../../../search/strategies/racing.js';
import { IdCounter } from '../../../search/strategies/select.js';
import { strategies, type EvopressState } from '../../../search/strategies/index.js';
import type { Proposal, Strategy } from '../../../search/strategies/strategy.js';
import { bitDeps, bitSpace, failed, ones, told, type Bits } from './fixtures.js';

const numbers = {
  ...bitSpace(1),
  name: 'numbers',
  key: (g: unknown) => String(g),
  encode: (g: unknown) => g,
  decode: (x: unknown) => x,
} as never;

/** A synthetic evaluation: the true value plus a sample-dependent error that shrinks with the fidelity. */
function stageScore(value: number, p: Proposal<number>): number {
  const f = p.fidelity;
  if (!f) throw new Error('race proposals carry a fidelity');
  const error = Math.sin(value * 12.9898 + f.sample * 78.233) * 4;
  return value + error / f.level;
}

function runRace(
  stages: RaceStage[],
  values: number[],
  incumbent?: number,
  fail: (p: Proposal<number>) => boolean = () => false,
) {
  const race = new Race<number>(stages, numbers, SeededRng.fromSeed('race'));
  const ids = new IdCounter();
  race.start(
    values.map((genome) => ({ genome, parents: [] })),
    incumbent === undefined ? undefined : { genome: incumbent, parents: [] },
  );
  const byStage: { proposal: Proposal<number>; score: number }[][] = [];
  let guard = 0;
  while (race.running && guard++ < 100) {
    const batch = race.ask(ids, 3); // in small batches, told in reverse order
    if (batch.length === 0) break;
    for (const p of [...batch].reverse()) {
      const score = stageScore(p.genome, p);
      const stage = stages.findIndex((s) => s.fidelity === p.fidelity?.level);
      (byStage[stage] ??= []).push({ proposal: p, score });
      expect(race.tell(fail(p) ? failed(p) : told(p, score))).toBe(true);
    }
  }
  return { race, byStage };
}

describe('racing', () => {
  const stages: RaceStage[] = [
    { fidelity: 1, survivors: 4, sample: 'fresh' },
    { fidelity: 4, survivors: 2, sample: 'fresh' },
    { fidelity: 64, survivors: 1, sample: 'fixed' },
  ];
  const values = [3, 9, 1, 7, 5, 8, 2, 6, 4, 0];

  it('keeps the best survivors of each stage, by that stage’s scores', () => {
    const { race, byStage } = runRace(stages, values);
    expect(byStage.map((s) => s.length)).toEqual([10, 4, 2]);
    for (let j = 1; j < stages.length; j++) {
      const previous = [...(byStage[j - 1] ?? [])].sort((a, b) => b.score - a.score);
      const expected = previous
        .slice(0, stages[j - 1]?.survivors)
        .map((r) => r.proposal.genome)
        .sort();
      expect((byStage[j] ?? []).map((r) => r.proposal.genome).sort()).toEqual(expected);
    }
    const ranking = race.ranking() ?? [];
    expect(ranking).toHaveLength(1);
    const last = byStage[2] ?? [];
    expect(ranking[0]?.genome).toBe([...last].sort((a, b) => b.score - a.score)[0]?.proposal.genome);
  });

  it('compares the candidates of a stage on one sample, a fresh one per stage, and marks screening stages', () => {
    const { byStage } = runRace(stages, values);
    const samples = byStage.map((s) => new Set(s.map((r) => r.proposal.fidelity?.sample)));
    expect(samples.map((s) => s.size)).toEqual([1, 1, 1]);
    const [first, second, last] = samples.map((s) => [...s][0]);
    expect(first).not.toBe(second);
    expect(last).toBe(0); // 'fixed'
    expect(byStage.map((s) => s.every((r) => r.proposal.fidelity?.screening))).toEqual([true, true, false]);
  });

  it('lets the incumbent join at the last stage only, where it can win', () => {
    const { race, byStage } = runRace(stages, values, 100);
    expect(byStage[0]?.some((r) => r.proposal.genome === 100)).toBe(false);
    expect(byStage[2]?.map((r) => r.proposal.genome)).toContain(100);
    expect(race.ranking()?.[0]?.genome).toBe(100);
  });

  it('never lets a failure survive, and ends with an empty ranking when everything fails', () => {
    const { byStage } = runRace(stages, values, undefined, (p) => p.genome === 9);
    expect(byStage[1]?.map((r) => r.proposal.genome)).not.toContain(9);
    const { race } = runRace(stages, values, undefined, () => true);
    expect(race.ranking()).toEqual([]);
  });

  it('rejects stages whose survivors grow', () => {
    const parsed = strategies.evopress.options.safeParse({
      stages: [
        { fidelity: 1, survivors: 2 },
        { fidelity: 2, survivors: 3 },
      ],
    });
    expect(parsed.success).toBe(false);
  });
});

describe('evopress', () => {
  const n = 30;
  const options = {
    offspring: 8,
    stages: [
      { fidelity: 0.25, survivors: 3 },
      { fidelity: 1, survivors: 1, sample: 'fixed' },
    ],
  };
  const make = (seed: string) => strategies.evopress.create(options, bitDeps(n, seed)) as Strategy<Bits>;
  /** OneMax with sample noise at screening fidelity, exact at fidelity 1 (the synthetic evaluator of the race). */
  const evaluate = (p: Proposal<Bits>): number => {
    const level = p.fidelity?.level ?? 1;
    const noise = level >= 1 ? 0 : Math.sin((p.fidelity?.sample ?? 0) + ones(p.genome) * 7.1) * 3;
    return ones(p.genome) + noise;
  };

  it('starts with one sample at the last stage, then races distinct offspring and the parent', () => {
    const s = make('start');
    const [first, ...rest] = s.ask(10);
    expect(rest).toEqual([]);
    expect(first?.fidelity).toEqual({ level: 1, sample: 0, screening: false });
    s.tell(told(first as Proposal<Bits>, evaluate(first as Proposal<Bits>)));
    const offspring = s.ask(100);
    expect(offspring).toHaveLength(8);
    expect(new Set(offspring.map((p) => p.genome.join(''))).size).toBe(8);
    expect(offspring.every((p) => p.fidelity?.screening && p.parents[0] === first?.id)).toBe(true);
    offspring.forEach((p) => s.tell(told(p, evaluate(p))));
    const finalists = s.ask(100);
    expect(finalists).toHaveLength(4); // 3 survivors + the parent
    expect(finalists.filter((p) => p.genome.join('') === first?.genome.join(''))).toHaveLength(1);
  });

  it('races the offspring over a successive-halving ladder given as ASHA parameters', () => {
    const halving = { offspring: 16, stages: { minFidelity: 0.25, reductionFactor: 4, stages: 2 } };
    const s = strategies.evopress.create(halving, bitDeps(n, 'halving')) as Strategy<Bits>;
    const [first] = s.ask(10);
    expect(first?.fidelity).toMatchObject({ level: 1, screening: false }); // the initial sample: last stage only
    s.tell(told(first as Proposal<Bits>, evaluate(first as Proposal<Bits>)));
    const offspring = s.ask(100);
    expect(offspring.map((p) => p.fidelity?.level)).toEqual(Array(16).fill(0.25));
    offspring.forEach((p) => s.tell(told(p, evaluate(p))));
    const finalists = s.ask(100);
    expect(finalists.map((p) => p.fidelity?.level)).toEqual(Array(5).fill(1)); // ⌊16/4⌋ survivors + the parent
    const best = [...offspring].sort((a, b) => evaluate(b) - evaluate(a)).slice(0, 4);
    expect(new Set(finalists.slice(0, 4).map((p) => p.genome.join('')))).toEqual(
      new Set(best.map((p) => p.genome.join(''))),
    );
  });

  it('never loses the parent: its exact score does not decrease, and it solves OneMax', () => {
    const s = make('climb');
    let best = -1;
    for (let i = 0; i < 4000; i++) {
      const batch = s.ask(4);
      for (const p of batch) s.tell(told(p, evaluate(p)));
      const parent = (s.state() as EvopressState).parent;
      if (parent) {
        expect(parent.score as number).toBeGreaterThanOrEqual(best);
        best = parent.score as number;
      }
      if (best === n) break;
    }
    expect(best).toBe(n);
  });
});
