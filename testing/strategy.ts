// The strategy contract suite: ids, asking when idle, tells in any order, failures, JSON state that resumes exactly.
import { describe, expect, it } from 'vitest';
import type { Archive, Candidate } from '../archive/archive.js';
import { SeededRng, type RngState } from '../core/rng.js';
import type { Outcome, Proposal, Strategy, StrategyDeps } from '../search/strategies/strategy.js';
import type { EvalResult, Space } from '../core/types.js';

/** What the suite needs besides the strategy: a space, a fresh empty archive and a deterministic evaluation. */
export interface StrategyHarness {
  readonly space: Space<unknown>;
  readonly archive: Archive<unknown>;
  /** Fitness (maximised) and descriptors for the archive, and `objectives` (maximised) with `objectiveCount`; deterministic. */
  evaluate(genome: unknown): EvalResult;
  /** For multi-objective strategies: every result carries this many objectives, passed on as the engine does. */
  readonly objectiveCount?: number;
}

export type MakeStrategy = (deps: StrategyDeps<unknown>) => Strategy<unknown>;

/** Which proposals the driver reports as failed evaluations. */
export type FailurePlan = (proposal: Proposal<unknown>) => boolean;

const never: FailurePlan = () => false;

/**
 * Plays the engine's part: asks, evaluates, adds to the archive before telling, and tells a deterministic
 * pseudo-shuffle of what is outstanding, so completions arrive out of order. Checks the protocol as it goes.
 */
export class StrategyDriver {
  readonly asked: Proposal<unknown>[] = [];
  pending: Proposal<unknown>[] = [];
  readonly added: Candidate<unknown>[] = [];
  /** id → JSON of the encoded genome when it was asked: the strategy must never edit it. */
  private readonly snapshots = new Map<number, string>();
  private steps = 0;
  private lastId = -1;

  constructor(
    readonly strategy: Strategy<unknown>,
    readonly harness: StrategyHarness,
    readonly fails: FailurePlan = never,
  ) {}

  private snapshot(genome: unknown): string {
    return JSON.stringify(this.harness.space.encode(genome));
  }

  ask(n: number): Proposal<unknown>[] {
    const idle = this.pending.length === 0;
    const got = this.strategy.ask(n);
    expect(got.length, `ask(${n}) returned ${got.length} proposals`).toBeLessThanOrEqual(Math.max(0, n));
    if (idle && n >= 1)
      expect(got.length, `ask(${n}) returned nothing while nothing was outstanding`).toBeGreaterThan(0);
    for (const p of got) {
      expect(Number.isInteger(p.id), `proposal id ${p.id} is not an integer`).toBe(true);
      if (this.lastId < 0) expect(p.id, 'the first proposal id').toBe(0);
      else expect(p.id, `proposal id after ${this.lastId}`).toBeGreaterThan(this.lastId);
      this.lastId = p.id;
      this.snapshots.set(p.id, this.snapshot(p.genome));
      this.asked.push(p);
      this.pending.push(p);
    }
    return got;
  }

  /** Evaluates `p`, adds it to the archive (as the engine does, before telling) and tells the strategy. */
  tell(p: Proposal<unknown>): void {
    const at = this.pending.indexOf(p);
    if (at >= 0) this.pending.splice(at, 1);
    if (this.fails(p)) {
      this.strategy.tell({ proposal: p, ok: false, failure: { kind: 'threw', message: 'planned failure (contract)' } });
      return;
    }
    const result = this.harness.evaluate(p.genome);
    const candidate: Candidate<unknown> = {
      id: p.id,
      genome: p.genome,
      score: result.fitness,
      descriptors: result.descriptors ?? [],
      ...(result.tiebreak ? { tiebreak: result.tiebreak } : {}),
      ...(result.objectives ? { objectives: result.objectives } : {}),
    };
    const { status } = this.harness.archive.add(candidate);
    this.added.push(candidate);
    const outcome: Outcome<unknown> = {
      proposal: p,
      ok: true,
      score: result.fitness,
      ...(result.tiebreak ? { tiebreak: result.tiebreak } : {}),
      ...(result.objectives ? { objectives: result.objectives } : {}),
      result,
      status,
      source: 'evaluated',
    };
    this.strategy.tell(outcome);
  }

  /** Until `total` proposals were asked: ask up to `batch`, then tell about half of what is outstanding, out of order. */
  run(total: number, batch: number): void {
    while (this.asked.length < total) {
      const got = this.ask(batch);
      if (got.length === 0 && this.pending.length === 0)
        throw new Error('the strategy stalled: nothing asked, nothing outstanding');
      const k = Math.ceil(this.pending.length / 2);
      for (let i = 0; i < k; i++) {
        const p = this.pending[(this.steps * 7 + i * 3) % this.pending.length] as Proposal<unknown>;
        this.tell(p);
      }
      this.steps++;
    }
  }

  /** Tells everything outstanding, newest first. */
  drain(): void {
    while (this.pending.length > 0) this.tell(this.pending[this.pending.length - 1] as Proposal<unknown>);
  }

  /** Fails the test if any proposal's genome changed since it was asked. */
  expectGenomesUnedited(): void {
    for (const p of this.asked)
      expect(this.snapshot(p.genome), `genome of proposal ${p.id} was edited`).toBe(this.snapshots.get(p.id));
  }

  /** A driver for a restored strategy that continues exactly where this one stands (outstanding proposals copied). */
  continueWith(strategy: Strategy<unknown>, harness: StrategyHarness): StrategyDriver {
    const next = new StrategyDriver(strategy, harness, this.fails);
    const copy = (g: unknown): unknown => harness.space.decode(JSON.parse(JSON.stringify(harness.space.encode(g))));
    next.pending = this.pending.map((p) => ({ ...p, genome: copy(p.genome) }));
    next.steps = this.steps;
    next.lastId = this.lastId;
    for (const c of this.added) harness.archive.add({ ...c, genome: copy(c.genome) });
    return next;
  }
}

const objectiveCountOf = (h: StrategyHarness): { objectiveCount?: number } =>
  h.objectiveCount ? { objectiveCount: h.objectiveCount } : {};

const summary = (d: StrategyDriver, from = 0) =>
  d.asked.slice(from).map((p) => ({ id: p.id, key: d.harness.space.key(p.genome), parents: [...p.parents] }));

/**
 * Registers a `describe` block checking the `Strategy` contract (as documented on `Strategy` in elites) for one strategy.
 * `make` builds a fresh strategy from deps; `harness` returns a fresh space, empty archive and evaluation each call.
 */
export function strategyContract(name: string, make: MakeStrategy, harness: () => StrategyHarness): void {
  const fresh = (seed: string, fails: FailurePlan = never) => {
    const h = harness();
    const rng = SeededRng.fromSeed(seed);
    return {
      driver: new StrategyDriver(make({ space: h.space, archive: h.archive, rng, ...objectiveCountOf(h) }), h, fails),
      rng,
    };
  };
  const someFail: FailurePlan = (p) => p.id % 7 === 3;

  describe(`strategy contract: ${name}`, () => {
    it('hands out unique, increasing ids starting at 0', () => {
      const { driver } = fresh('ids', someFail);
      driver.run(200, 3);
      const ids = driver.asked.map((p) => p.id);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids[0]).toBe(0);
    });

    it('returns at least one proposal whenever nothing is outstanding, and never more than asked', () => {
      const { driver } = fresh('idle', someFail);
      expect(driver.strategy.ask(0)).toEqual([]);
      for (let i = 0; i < 100; i++) {
        const [p] = driver.ask(1);
        driver.tell(p as Proposal<unknown>);
      }
      for (let i = 0; i < 20; i++) {
        driver.ask(5);
        driver.drain();
      }
    });

    it('accepts tells in any order', () => {
      const { driver } = fresh('order', someFail);
      driver.run(300, 4);
      driver.drain();
      expect(driver.ask(2).length).toBeGreaterThan(0);
    });

    it('keeps asking when every evaluation fails', () => {
      const { driver } = fresh('failures', () => true);
      for (let i = 0; i < 50; i++) {
        const [p] = driver.ask(1);
        driver.tell(p as Proposal<unknown>);
      }
      driver.run(150, 3);
      driver.drain();
      expect(driver.ask(1).length).toBe(1);
    });

    it('is deterministic: the same seed and the same calls give the same proposals', () => {
      const a = fresh('same', someFail).driver;
      const b = fresh('same', someFail).driver;
      a.run(150, 3);
      b.run(150, 3);
      expect(summary(b)).toEqual(summary(a));
    });

    it('never edits the genomes it is told', () => {
      const { driver } = fresh('values', someFail);
      driver.run(200, 3);
      driver.drain();
      driver.expectGenomesUnedited();
    });

    it.each([0, 1, 9, 60])(
      'state() round-trips through JSON and continues identically (saved after %i asks)',
      (split) => {
        const { driver: original, rng } = fresh(`resume-${split}`, someFail);
        original.run(split, 3);
        const saved = JSON.parse(JSON.stringify({ strategy: original.strategy.state(), rng: rng.state() })) as {
          strategy: unknown;
          rng: RngState;
        };
        expect(saved.strategy).toEqual(original.strategy.state());

        const h = harness();
        const restored = make({
          space: h.space,
          archive: h.archive,
          rng: SeededRng.restore(saved.rng),
          ...objectiveCountOf(h),
        });
        restored.restore(saved.strategy);
        const resumed = original.continueWith(restored, h);

        const from = original.asked.length;
        original.run(from + 50, 3);
        resumed.run(50, 3);
        expect(summary(resumed)).toEqual(summary(original, from));
        expect(JSON.parse(JSON.stringify(resumed.strategy.state()))).toEqual(
          JSON.parse(JSON.stringify(original.strategy.state())),
        );
      },
    );
  });
}
