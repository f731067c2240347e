// (1+λ)-EA and (1,λ)-EA: classic (1+1)-EA runtime on OneMax, selection rules, the (1:s+1) rule, lazy generations.
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../core/errors.js';
import { SeededRng } from '../../../core/rng.js';
import { strategies, type OnePlusLambdaState } from '../../../search/strategies/index.js';
import type { Proposal, Strategy } from '../../../search/strategies/strategy.js';
import { bitDeps, failed, ones, plainBitSpace, told, type Bits } from './fixtures.js';

const plus = (options: unknown, seed = 'seed', n = 10) =>
  strategies['one-plus-lambda'].create(options, bitDeps(n, seed)) as Strategy<Bits>;
const comma = (options: unknown, seed = 'seed', n = 10) =>
  strategies['one-comma-lambda'].create(options, bitDeps(n, seed)) as Strategy<Bits>;
const stateOf = (s: Strategy<Bits>) => s.state() as OnePlusLambdaState;

/** Asks exactly one proposal. */
function one(s: Strategy<Bits>): Proposal<Bits> {
  const got = s.ask(1);
  expect(got).toHaveLength(1);
  return got[0] as Proposal<Bits>;
}

/** A strategy whose parent (the initial sample, id 0) was told with `score`. */
function started(make: () => Strategy<Bits>, score: number): Strategy<Bits> {
  const s = make();
  s.tell(told(one(s), score));
  return s;
}

function binomial(n: number, k: number): number {
  let c = 1;
  for (let i = 1; i <= k; i++) c = (c * (n - k + i)) / i;
  return c;
}

/**
 * Exact expected number of proposals (the initial one included) for the (1+1)-EA with p = 1/n on OneMax from a
 * uniform start: the Markov chain on the number of ones, where i → j > i needs a ones gained and b lost, j = i + a − b.
 */
function expectedOneMaxProposals(n: number): number {
  const p = 1 / n;
  const fromOnes = new Array<number>(n + 1).fill(0);
  for (let i = n - 1; i >= 0; i--) {
    let up = 0;
    let weighted = 0;
    for (let j = i + 1; j <= n; j++) {
      let pij = 0;
      for (let b = 0; b <= i; b++) {
        const a = j - i + b;
        if (a > n - i) break;
        pij += binomial(n - i, a) * binomial(i, b) * p ** (a + b) * (1 - p) ** (n - a - b);
      }
      up += pij;
      weighted += pij * (fromOnes[j] as number);
    }
    fromOnes[i] = (1 + weighted) / up;
  }
  let mean = 0;
  for (let k = 0; k <= n; k++) mean += (binomial(n, k) / 2 ** n) * (fromOnes[k] as number);
  return 1 + mean;
}

describe('(1+1)-EA on OneMax', () => {
  it('the exact Markov chain matches the published table (T counts generations after the initial point)', () => {
    expect(expectedOneMaxProposals(10) - 1).toBeCloseTo(47.987, 2);
    expect(expectedOneMaxProposals(20) - 1).toBeCloseTo(130.065, 2);
  });

  it('takes the exact expected number of proposals to the optimum (n = 30, p = 1/n, 300 seeded runs)', () => {
    const n = 30;
    const runs = 300;
    const counts: number[] = [];
    for (let r = 0; r < runs; r++) {
      const s = strategies['one-plus-lambda'].create(
        { lambda: 1, mutationRate: 1 / n },
        bitDeps(n, `onemax-${r}`),
      ) as Strategy<Bits>;
      for (let asked = 0; ; asked++) {
        const p = one(s);
        expect(p.id).toBe(asked); // classic counting: one proposal per generation, ids 0, 1, 2, …
        const f = ones(p.genome);
        s.tell(told(p, f));
        if (f === n) {
          counts.push(p.id + 1);
          break;
        }
      }
    }
    const mean = counts.reduce((a, b) => a + b, 0) / runs;
    const sd = Math.sqrt(counts.reduce((a, c) => a + (c - mean) ** 2, 0) / (runs - 1));
    const expected = expectedOneMaxProposals(n);
    expect(Math.abs(mean - expected)).toBeLessThan((4 * sd) / Math.sqrt(runs));
  });
});

describe('one-plus-lambda', () => {
  it('asks one initial sample and waits for it; a failed one is replaced by a new sample', () => {
    const s = plus({ lambda: 4 });
    const first = s.ask(5);
    expect(first.map((p) => [p.id, p.parents])).toEqual([[0, []]]);
    expect(s.ask(5)).toEqual([]);
    s.tell(failed(first[0] as Proposal<Bits>));
    const second = one(s);
    expect([second.id, second.parents]).toEqual([1, []]);
    s.tell(told(second, 3));
    expect(stateOf(s).parent?.id).toBe(1);
    expect(s.ask(10).map((p) => [p.id, p.parents])).toEqual([
      [2, [1]],
      [3, [1]],
      [4, [1]],
      [5, [1]],
    ]);
  });

  it('hands a generation out lazily: ask(1) repeatedly gives the same offspring as one ask(λ), then [] until told', () => {
    const a = started(() => plus({ lambda: 5 }, 'lazy'), 1);
    const b = started(() => plus({ lambda: 5 }, 'lazy'), 1);
    const all = a.ask(5);
    const oneByOne = [one(b), one(b), ...b.ask(2), one(b)];
    expect(b.ask(3)).toEqual([]);
    expect(oneByOne.map((p) => [p.id, p.genome.join('')])).toEqual(all.map((p) => [p.id, p.genome.join('')]));
    for (const p of oneByOne.slice(0, 4)) b.tell(told(p, 0));
    expect(b.ask(3)).toEqual([]);
    b.tell(told(oneByOne[4] as Proposal<Bits>, 0));
    expect(b.ask(10)).toHaveLength(5);
  });

  it('accepts an offspring that ties with the parent (plateau moves)', () => {
    const s = started(() => plus({}), 5);
    const child = one(s);
    s.tell(told(child, 5));
    expect(stateOf(s).parent?.id).toBe(child.id);
  });

  it('keeps the parent when the best offspring is worse, failed, or loses on the tie-break', () => {
    const s = started(() => plus({ lambda: 3 }), 5);
    const [a, b, c] = s.ask(3) as [Proposal<Bits>, Proposal<Bits>, Proposal<Bits>];
    s.tell(told(c, 4));
    s.tell(failed(a));
    s.tell(told(b, 4.5));
    expect(stateOf(s).parent?.id).toBe(0);

    const t = plus({});
    t.tell(told(one(t), 5, [2]));
    t.tell(told(one(t), 5, [1]));
    expect(stateOf(t).parent?.id).toBe(0);
  });

  it('breaks ties between equally good offspring by the lowest id, whatever the order of tells', () => {
    const s = started(() => plus({ lambda: 4 }), 1);
    const kids = s.ask(4);
    for (const p of [...kids].reverse()) s.tell(told(p, p.id === (kids[0] as Proposal<Bits>).id ? 0 : 7));
    expect(stateOf(s).parent?.id).toBe((kids[1] as Proposal<Bits>).id);
  });

  it('rejects tells for proposals that are not outstanding', () => {
    const s = started(() => plus({ lambda: 2 }), 1);
    const [p] = s.ask(1) as [Proposal<Bits>];
    s.tell(told(p, 0));
    expect(() => s.tell(told(p, 0))).toThrow(/not outstanding/);
    expect(() => s.tell(told({ ...p, id: 99 }, 0))).toThrow(/not outstanding/);
  });

  it('needs a space with mutateWithRate for mutationRate', () => {
    const deps = bitDeps(10, 'x', plainBitSpace(10));
    expect(() => strategies['one-plus-lambda'].create({ mutationRate: 0.1 }, deps)).toThrow(ConfigError);
    expect(() => strategies['one-comma-lambda'].create({ mutationRate: 0.1 }, deps)).toThrow(
      /space 'plain-bits10'.*mutateWithRate|mutateWithRate.*plain-bits10/,
    );
    expect(() => strategies['one-plus-lambda'].create({}, deps)).not.toThrow();
    expect(() => strategies['one-plus-lambda'].create({ lambda: 0 }, deps)).toThrow();
  });
});

describe('one-comma-lambda', () => {
  it('always moves to the best offspring, even a worse one', () => {
    const s = started(() => comma({ lambda: 2 }), 10);
    const [a, b] = s.ask(2) as [Proposal<Bits>, Proposal<Bits>];
    s.tell(told(b, 1));
    s.tell(told(a, 2));
    expect(stateOf(s).parent).toMatchObject({ id: a.id, score: 2 });
  });

  it('never moves to a failed offspring: with every offspring failed the parent stays', () => {
    const s = started(() => comma({ lambda: 2 }), 10);
    for (const p of s.ask(2)) s.tell(failed(p));
    expect(stateOf(s).parent?.id).toBe(0);
  });

  it('breaks ties between the best offspring uniformly at random', () => {
    const wins = [0, 0, 0, 0];
    for (let seed = 0; seed < 200; seed++) {
      const s = started(() => comma({ lambda: 4 }, `ties-${seed}`), 0);
      const kids = s.ask(4);
      for (const p of kids) s.tell(told(p, 3));
      const winner = kids.findIndex((p) => p.id === stateOf(s).parent?.id);
      wins[winner] = (wins[winner] as number) + 1;
    }
    for (const w of wins) expect(w).toBeGreaterThan(25); // 50 expected each; P(≤ 25) < 1e-4
  });
});

describe('self-adjusting λ, the (1:s+1) success rule', () => {
  /** Runs one generation where offspring get `score` (the first one `best`), returns λ afterwards. */
  function generation(s: Strategy<Bits>, best: number, score: number): number {
    const kids = s.ask(10_000);
    kids.forEach((p, i) => s.tell(told(p, i === 0 ? best : score)));
    return stateOf(s).lambda;
  }

  it('shrinks λ by F after a strict improvement and grows it by F^(1/s) otherwise', () => {
    const s = started(() => plus({ lambda: 4, selfAdjusting: { F: 2, s: 1 } }), 0);
    expect(stateOf(s).lambda).toBe(4);
    expect(generation(s, 1, 0)).toBe(2); // success: 4 / 2
    expect(generation(s, 1, 0)).toBe(4); // a tie is not a success: 2 · 2
    expect(s.ask(10_000)).toHaveLength(4);
  });

  it('uses F^(1/s), rounds λ when used, and stays within [1, maxLambda]', () => {
    const s = started(() => comma({ lambda: 1, selfAdjusting: { F: 1.5, s: 2, maxLambda: 3 } }), 0);
    expect(generation(s, 5, 0)).toBe(1); // success at λ = 1 stays at 1
    expect(generation(s, -1, -1)).toBeCloseTo(Math.sqrt(1.5), 12); // 1.2247…: 1 offspring next
    const [only] = s.ask(10);
    expect(s.ask(10)).toEqual([]);
    s.tell(told(only as Proposal<Bits>, -1));
    let lambda = 0;
    for (let i = 0; i < 10; i++) lambda = generation(s, -100, -100);
    expect(lambda).toBe(3);
  });

  it('rounds a real λ to the nearest integer for the generation size', () => {
    const s = started(() => plus({ lambda: 2, selfAdjusting: { F: 1.5, s: 1 } }), 0);
    expect(generation(s, 0, 0)).toBe(3); // 2 · 1.5
    expect(generation(s, 0, 0)).toBe(4.5);
    expect(s.ask(100)).toHaveLength(5); // Math.round(4.5)
  });

  it('keeps λ fixed without selfAdjusting', () => {
    const s = started(() => plus({ lambda: 3 }), 0);
    expect(generation(s, 1, 0)).toBe(3);
    expect(generation(s, 0, 0)).toBe(3);
  });
});

describe('one-plus-lambda state', () => {
  it('exposes the parent (encoded genome) and λ, and resumes mid-generation', () => {
    const deps = bitDeps(10, 'mid');
    const s = strategies['one-plus-lambda'].create({ lambda: 3, selfAdjusting: {} }, deps) as Strategy<Bits>;
    const p0 = one(s);
    s.tell(told(p0, 2));
    const [a, b] = s.ask(2) as [Proposal<Bits>, Proposal<Bits>];
    s.tell(told(b, 9));
    const saved = JSON.parse(JSON.stringify(s.state())) as OnePlusLambdaState;
    expect(saved).toMatchObject({
      lambda: 3,
      parent: { id: 0, genome: Array.from(p0.genome), score: 2 },
      pending: [a.id],
    });

    const rngState = deps.rng.state();
    const r = strategies['one-plus-lambda'].create(
      { lambda: 3, selfAdjusting: {} },
      { ...bitDeps(10, 'other'), rng: SeededRng.restore(rngState) },
    ) as Strategy<Bits>;
    r.restore(saved);
    for (const x of [s, r]) {
      const [c] = x.ask(5) as [Proposal<Bits>];
      expect(x.ask(5)).toEqual([]);
      x.tell(told(c, 1));
      x.tell(told(a, 1));
    }
    expect(r.state()).toEqual(s.state());
    expect(stateOf(r)).toMatchObject({ parent: { id: b.id, score: 9 }, lambda: 2 });
  });

  it('refuses state from another strategy', () => {
    expect(() => plus({}).restore({ nextId: 3 })).toThrow(/cannot restore/);
  });
});
