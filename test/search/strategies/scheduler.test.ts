// The scheduler of emitters: Gaussian and iso-line emitters, round-robin turns, the bandit's UCB1 selection (pyribs'
// BanditScheduler), asynchronous tells, option errors, and state() / restore() at random points.
import { describe, expect, it } from 'vitest';
import { createGridArchive } from '../../../archive/grid.js';
import { SeededRng } from '../../../core/rng.js';
import type { EvalResult } from '../../../core/types.js';
import { createCmaMae } from '../../../search/strategies/cma-mae.js';
import { Bandit } from '../../../search/strategies/emitters/bandit.js';
import { createSchedulerStrategy, schedulerOptions } from '../../../search/strategies/scheduler.js';
import type { Proposal, Strategy } from '../../../search/strategies/strategy.js';
import { createVectorSpace } from '../../../spaces/vector.js';

type Grid = ReturnType<typeof createGridArchive<unknown>>;

const grid = (): Grid =>
  createGridArchive<unknown>({
    dims: [
      { name: 'a', min: -3, max: 3, bins: 8 },
      { name: 'b', min: -3, max: 3, bins: 8 },
    ],
  });

const sphere = (x: Float64Array): EvalResult => ({
  fitness: -x.reduce((s, v) => s + (v - 0.3) ** 2, 0),
  descriptors: [x[0]! + x[1]!, x[2]! - x[3]!],
});

function make(options: Options, rng: SeededRng, archive: Grid): Strategy<unknown> {
  const space = createVectorSpace({ dimensions: 6, min: -5, max: 5, bounds: 'none', init: { x0: 0, sigma: 0.5 } });
  return createSchedulerStrategy(options, { space: space as never, archive, rng });
}

function tell(s: Strategy<unknown>, a: Grid, p: Proposal<unknown>): void {
  const result = sphere(p.genome as Float64Array);
  const { status } = a.add({ id: p.id, genome: p.genome, score: result.fitness, descriptors: result.descriptors! });
  s.tell({ proposal: p, ok: true, score: result.fitness, result, status, source: 'evaluated' });
}

type Options = Parameters<typeof createSchedulerStrategy>[0];

const mixed: Options = {
  emitters: [
    { type: 'gaussian', count: 2, batchSize: 5, sigma: 0.3 },
    { type: 'iso-line', count: 1, batchSize: 4, isoSigma: 0.1, lineSigma: 0.3 },
    { type: 'es', count: 2, batchSize: 6, sigma0: 0.4, ranker: 'imp', selection: 'mu', restartRule: 3 },
  ],
  learningRate: 0.5,
  thresholdMin: -50,
};

const bandit: Options = { ...mixed, scheduler: 'bandit', numActive: 2, zeta: 0.1 };

describe('scheduler options', () => {
  const issues = (o: unknown): string[] => {
    const r = schedulerOptions.safeParse(o);
    return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  };
  const gaussian = [{ type: 'gaussian', sigma: 0.5 }];

  it('name the field: numActive for a bandit, bandit keys on round-robin, thresholdMin for CMA-MAE', () => {
    expect(issues({ scheduler: 'bandit', emitters: gaussian })).toEqual([
      'numActive: scheduler bandit needs numActive (1..1)',
    ]);
    expect(issues({ scheduler: 'bandit', numActive: 3, emitters: [{ type: 'gaussian', count: 2 }] })).toEqual([
      'numActive: numActive 3 is more than the 2 emitters of the pool',
    ]);
    expect(issues({ emitters: gaussian, zeta: 0.1 })).toEqual(['zeta: zeta applies to scheduler: bandit only']);
    expect(issues({ emitters: gaussian, learningRate: 0.01 })).toEqual([
      'thresholdMin: learningRate below 1 (CMA-MAE) needs a finite thresholdMin, e.g. 0',
    ]);
    expect(issues({ emitters: [{ type: 'es', sigma: 0.5 }] })[0]).toMatch(/^emitters\.0: .*sigma/);
    expect(issues({ emitters: [{ type: 'cma' }] })[0]).toMatch(/^emitters\.0\.type: /);
    expect(issues({ emitters: [] })[0]).toMatch(/^emitters: /);
    expect(issues(bandit)).toEqual([]);
  });
});

describe('gaussian and iso-line emitters', () => {
  it('step from an elite (its id the parent) by σ·N(0, I); an empty archive samples around x0', () => {
    const archive = grid();
    const s = make(
      { emitters: [{ type: 'gaussian', batchSize: 400, sigma: 0.2, x0: 2 }] },
      SeededRng.fromSeed('g'),
      archive,
    );
    const first = s.ask(400);
    const mean = first.reduce((m, p) => m + (p.genome as Float64Array)[0]!, 0) / first.length;
    expect(mean).toBeGreaterThan(1.95);
    expect(mean).toBeLessThan(2.05);
    expect(first.every((p) => p.parents.length === 0)).toBe(true);
    for (const p of first) tell(s, archive, p);
    const elites = new Map([...archive.elites()].map((e) => [e.id, e.genome as Float64Array]));
    const next = s.ask(400);
    const steps: number[] = [];
    for (const p of next) {
      expect(p.parents).toHaveLength(1);
      const parent = elites.get(p.parents[0]!)!;
      (p.genome as Float64Array).forEach((v, i) => steps.push(v - parent[i]!));
    }
    const sd = Math.sqrt(steps.reduce((a, v) => a + v * v, 0) / steps.length);
    expect(sd).toBeGreaterThan(0.18);
    expect(sd).toBeLessThan(0.22);
  });

  it('iso-line: x + σ_iso·N + σ_line·N·(y − x), with both elites as parents', () => {
    const archive = grid();
    const s = make(
      { emitters: [{ type: 'iso-line', batchSize: 50, isoSigma: 0, lineSigma: 0.5 }] },
      SeededRng.fromSeed('iso'),
      archive,
    );
    for (let round = 0; round < 4; round++) for (const p of s.ask(50)) tell(s, archive, p);
    const elites = new Map([...archive.elites()].map((e) => [e.id, e.genome as Float64Array]));
    const two = s.ask(50).filter((p) => p.parents.length === 2);
    expect(two.length).toBeGreaterThan(40);
    for (const p of two) {
      // σ_iso = 0: the child lies on the line through its two parents.
      const [x, y] = p.parents.map((id) => elites.get(id)!);
      const g = p.genome as Float64Array;
      const t = (g[0]! - x![0]!) / (y![0]! - x![0]!);
      g.forEach((v, i) => expect(v).toBeCloseTo(x![i]! + t * (y![i]! - x![i]!), 9));
    }
  });
});

describe('round-robin scheduler', () => {
  it('hands out one batch per emitter in turn; a CMA-ES waits for its own batch only', () => {
    const archive = grid();
    const s = make(mixed, SeededRng.fromSeed('rr'), archive);
    const first = s.ask(26); // 5 + 5 + 4 + 6 + 6
    expect(first.map((p) => p.parents.length === 0).filter(Boolean)).toHaveLength(26); // empty archive: no parents
    // Nothing told: the CMA-ES emitters wait, the Gaussian and iso-line ones go on.
    const more = s.ask(30);
    expect(more).toHaveLength(30);
    const state = s.state() as { owners: [number, number][] };
    const owned = (lo: number, hi: number) => state.owners.filter(([id]) => id >= lo && id < hi).map(([, e]) => e);
    expect(owned(0, 26)).toEqual([0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 2, 2, 2, 2, ...Array(6).fill(3), ...Array(6).fill(4)]);
    expect(new Set(owned(26, 56))).toEqual(new Set([0, 1, 2]));
    // Once emitter 3's batch is told, it hands out its next batch.
    for (const p of first.slice(14, 20)) tell(s, archive, p);
    const after = s.ask(100);
    const owners = new Map((s.state() as { owners: [number, number][] }).owners);
    expect(after.filter((p) => owners.get(p.id) === 3)).toHaveLength(6);
    expect(after.filter((p) => owners.get(p.id) === 4)).toHaveLength(0);
  });

  it('with es emitters only is cma-mae: the same proposals for the same seed', () => {
    const space = createVectorSpace({ dimensions: 6, min: -5, max: 5, bounds: 'none' });
    const run = (s: Strategy<unknown>, archive: Grid) => {
      const out: string[] = [];
      for (let i = 0; i < 60; i++)
        for (const p of s.ask(7)) {
          out.push(`${p.id}:${[...(p.genome as Float64Array)].join(',')}`);
          tell(s, archive, p);
        }
      return out;
    };
    const a = grid();
    const mae = createCmaMae(
      { emitters: 3, batchSize: 8 },
      { space: space as never, archive: a, rng: SeededRng.fromSeed('same') },
    );
    const b = grid();
    const sched = createSchedulerStrategy(
      {
        emitters: [{ type: 'es', count: 3, batchSize: 8, ranker: 'imp', selection: 'mu', restartRule: 'basic' }],
        learningRate: 0.01,
        thresholdMin: 0,
      },
      { space: space as never, archive: b, rng: SeededRng.fromSeed('same') },
    );
    expect(run(sched, b)).toEqual(run(mae, a));
  });

  it('cma-mae restores a checkpoint written before the scheduler (no turns) and continues identically', () => {
    const space = createVectorSpace({ dimensions: 6, min: -5, max: 5, bounds: 'none' });
    const run = (cut: boolean) => {
      const archive = grid();
      const rng = SeededRng.fromSeed('old');
      let s = createCmaMae({ emitters: 3, batchSize: 8 }, { space: space as never, archive, rng });
      const out: string[] = [];
      const held: Proposal<unknown>[] = [];
      for (let i = 0; i < 30; i++) {
        const got = s.ask(5);
        held.push(...got);
        while (held.length > 7) tell(s, archive, held.shift()!);
        if (i === 17 && cut) {
          const { turns: _, ...old } = s.state() as Record<string, unknown>;
          s = createCmaMae({ emitters: 3, batchSize: 8 }, { space: space as never, archive, rng });
          s.restore(JSON.parse(JSON.stringify(old)));
        }
        out.push(...got.map((p) => `${p.id}:${(p.genome as Float64Array)[0]}`));
      }
      return out;
    };
    expect(run(true)).toEqual(run(false));
  });
});

describe('bandit (pyribs BanditScheduler)', () => {
  it('fills the first numActive, reselects emitters without restarts after each batch, keeps a CMA-ES until it restarts, then picks by UCB1', () => {
    const b = new Bandit({ numActive: 2, zeta: 0.05, reselect: 'terminated' }, 4);
    const restarts: (number | undefined)[] = [undefined, undefined, 0, 0];
    const all = () => true;
    expect(b.reselect(all, (i) => restarts[i])).toEqual([0, 1]);
    const play = (i: number, told: number, added: number) => {
      for (let k = 0; k < told; k++) b.record(i, k < added);
    };
    play(0, 10, 5);
    play(1, 10, 1);
    // 0 and 1 have no restarts: reselected; 2 and 3 were never selected (UCB +∞) and win.
    expect(b.reselect(all, (i) => restarts[i])).toEqual([2, 3]);
    play(2, 10, 8);
    play(3, 10, 0);
    expect(b.reselect(all, (i) => restarts[i])).toEqual([2, 3]); // neither restarted: both kept
    restarts[3] = 1;
    // UCB1 = s/n + ζ·√(ln 14 / n): 0.826 (2, active), 0.526 (0), 0.126 (1), 0.026 (3): 3 makes way for 0.
    expect(b.reselect(all, (i) => restarts[i])).toEqual([2, 0]);
    expect([0, 1, 2, 3].map((i) => b.isActive(i))).toEqual([true, false, true, false]);
    // An emitter mid-batch is not looked at; 'all' reselects every emitter whose batch is over.
    const c = new Bandit({ numActive: 1, zeta: 0, reselect: 'all' }, 2);
    expect(c.reselect(all, () => 0)).toEqual([0]);
    c.record(0, true);
    expect(
      c.reselect(
        () => false,
        () => 0,
      ),
    ).toEqual([]);
    expect(c.reselect(all, () => 0)).toEqual([1]); // never selected: +∞
    c.record(1, false);
    expect(c.reselect(all, () => 0)).toEqual([0]);
    const copy = new Bandit({ numActive: 1, zeta: 0, reselect: 'all' }, 2);
    copy.restore(JSON.parse(JSON.stringify(c.state())));
    expect(copy.state()).toEqual(c.state());
  });

  it('moves to the emitters that add (every batch told before the next ask, as pyribs); emitters that never wait fill any ask', () => {
    const archive = grid();
    const s = make(
      {
        scheduler: 'bandit',
        numActive: 2,
        zeta: 0.05,
        emitters: [
          { type: 'iso-line', count: 2, batchSize: 10, isoSigma: 0, lineSigma: 0 }, // copies of elites: never added
          { type: 'gaussian', count: 2, batchSize: 10, sigma: 0.3 },
        ],
      },
      SeededRng.fromSeed('b'),
      archive,
    );
    const activeCounts: number[] = [];
    for (let round = 0; round < 40; round++) {
      const got = s.ask(20); // numActive batches: one pyribs iteration
      expect(got).toHaveLength(20);
      for (const p of got) tell(s, archive, p);
      activeCounts.push((s.state() as { bandit: { active: boolean[] } }).bandit.active.filter(Boolean).length);
    }
    expect(activeCounts.every((c) => c === 2)).toBe(true);
    const { selection } = (s.state() as { bandit: { selection: number[] } }).bandit;
    expect(selection[2]! + selection[3]!).toBeGreaterThan(2 * (selection[0]! + selection[1]!));
    expect(s.ask(1000)).toHaveLength(1000); // Gaussian emitters never wait: turns follow one another, reselected
  });
});

describe('scheduler: resume at random points', () => {
  const cases: [string, Options][] = [
    ['round-robin', mixed],
    ['bandit', bandit],
    ['bandit, reselect all', { ...bandit, reselect: 'all', numActive: 3 }],
  ];
  it.each(cases)(
    '%s: state() at a random point, restored into a fresh strategy, continues identically',
    (name, options) => {
      const pick = SeededRng.fromSeed(`splits-${name}`).next;
      for (let trial = 0; trial < 5; trial++) {
        const rng = SeededRng.fromSeed(`run-${name}`);
        const archive = grid();
        const strategy = make(options, rng, archive);
        const split = 1 + Math.floor(pick() * 400);
        // Up to the split: asks of 5 (across batches), tells in a shuffled order, some left outstanding.
        const outstanding: Proposal<unknown>[] = [];
        const added: Parameters<typeof archive.add>[0][] = [];
        const tellAt = (s: Strategy<unknown>, a: Grid, p: Proposal<unknown>) => {
          if (a === archive) {
            const r = sphere(p.genome as Float64Array);
            added.push({ id: p.id, genome: p.genome, score: r.fitness, descriptors: r.descriptors! });
          }
          tell(s, a, p);
        };
        let asked = 0;
        while (asked < split) {
          const got = strategy.ask(Math.min(5, split - asked));
          asked += got.length;
          outstanding.push(...got);
          while (outstanding.length > 6 || (got.length === 0 && outstanding.length > 0))
            tellAt(strategy, archive, outstanding.splice(Math.floor(pick() * outstanding.length), 1)[0]!);
        }
        const saved = JSON.parse(JSON.stringify({ s: strategy.state(), rng: rng.state() }));
        const archive2 = grid();
        for (const c of added) archive2.add(c); // the same adds in the same order: the same archive (a resume's rebuild)
        const restored = make(options, SeededRng.restore(saved.rng), archive2);
        restored.restore(saved.s);
        const continueRun = (s: Strategy<unknown>, a: Grid) => {
          const keys: string[] = [];
          for (const p of outstanding) tellAt(s, a, { ...p, genome: Float64Array.from(p.genome as Float64Array) });
          for (let i = 0; i < 60; i++)
            for (const p of s.ask(5)) {
              keys.push(`${p.id}:${p.parents.join('/')}:${[...(p.genome as Float64Array)].join(',')}`);
              tellAt(s, a, p);
            }
          return { keys, state: JSON.stringify(s.state()) };
        };
        const a = continueRun(strategy, archive);
        const b = continueRun(restored, archive2);
        expect(b.keys).toHaveLength(300);
        expect(b.keys).toEqual(a.keys);
        expect(b.state).toEqual(a.state);
      }
    },
  );
});
