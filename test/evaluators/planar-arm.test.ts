// Planar arm: forward kinematics, fitness and descriptors of both variants on hand-computed poses.
import { describe, expect, it } from 'vitest';
import { createPlanarArm, evaluators } from '../../evaluators/index.js';
import { ConfigError } from '../../core/errors.js';
import { rngFromSeed } from '../../core/rng.js';
import type { EvalContext, EvalResult } from '../../core/types.js';

const ctx: EvalContext = {
  rng: rngFromSeed('arm'),
  signal: new AbortController().signal,
  options: {},
  fidelity: 1,
  sample: 0,
};
const run = (ev: { evaluate: (g: Float64Array, c: EvalContext) => unknown }, x: number[]): EvalResult =>
  ev.evaluate(Float64Array.from(x), ctx) as EvalResult;
const close = (values: number[]): unknown[] => values.map((v) => expect.closeTo(v, 12));

describe('planar-arm (pymap-elites)', () => {
  const arm = createPlanarArm();

  it('maps x = 0.5 everywhere to θ = 0: fitness 0 and a straight arm at (1, 0) → descriptors (1, 0.5)', () => {
    const r = run(arm, [0.5, 0.5, 0.5, 0.5]);
    expect(r.fitness === 0).toBe(true);
    expect(r.descriptors).toEqual([1, 0.5]);
    expect(r.metrics).toEqual({ x: 1, y: 0 });
    const five = run(arm, [0.5, 0.5, 0.5, 0.5, 0.5]);
    expect(five.descriptors).toEqual(close([1, 0.5]));
  });

  it('sums angles along the chain: θ = (π/2, π/2) ends at (−0.5, 0.5)', () => {
    const r = run(arm, [0.75, 0.75]);
    expect(r.fitness === 0).toBe(true);
    expect(r.metrics).toEqual({ x: expect.closeTo(-0.5, 12), y: expect.closeTo(0.5, 12) });
    expect(r.descriptors).toEqual(close([0.25, 0.75]));
  });

  it('has fitness −std(θ) with ddof 0', () => {
    const r = run(arm, [0.5, 0.75]); // θ = (0, π/2): std = π/4, end effector (0.5, 0.5)
    expect(r.fitness).toBeCloseTo(-Math.PI / 4, 12);
    expect(r.descriptors).toEqual(close([0.75, 0.75]));
  });

  it('scales descriptors by the total length for other link lengths', () => {
    expect(run(createPlanarArm({ linkLengths: 2 }), [0.5, 0.5, 0.5]).descriptors).toEqual([1, 0.5]);
    expect(run(createPlanarArm({ linkLengths: [1, 3] }), [0.5, 1]).descriptors).toEqual(close([0.25, 0.5])); // p = (1 − 3, 0), L = 4: −2/8 + 0.5
  });

  it('keeps descriptors in [0, 1]² for x ∈ [0, 1]^n', () => {
    const rng = rngFromSeed('arm-range');
    for (let t = 0; t < 300; t++) {
      const r = run(arm, Array.from({ length: 5 }, rng));
      for (const d of r.descriptors!) {
        expect(d).toBeGreaterThanOrEqual(0);
        expect(d).toBeLessThanOrEqual(1);
      }
      expect(r.fitness).toBeLessThanOrEqual(0);
    }
  });
});

describe('planar-arm (pyribs)', () => {
  const arm = createPlanarArm({ variant: 'pyribs' });

  it('puts a straight 12-joint arm with θ = 0 at (12, 0)', () => {
    const r = run(arm, new Array<number>(12).fill(0));
    expect(r.fitness === 0).toBe(true);
    expect(r.descriptors).toEqual([12, 0]);
    expect(r.metrics).toEqual({ x: 12, y: 0 });
  });

  it('has fitness −Var(θ) and raw end-effector descriptors', () => {
    const r = run(arm, [0, Math.PI / 2, -Math.PI / 2]); // cumulative (0, π/2, 0): (1,0)+(0,1)+(1,0)
    expect(r.fitness).toBeCloseTo(-(Math.PI ** 2) / 6, 12);
    expect(r.descriptors).toEqual(close([2, 1]));
    expect(run(createPlanarArm({ variant: 'pyribs', linkLengths: [1, 2, 3] }), [0, 0, 0]).descriptors).toEqual([6, 0]);
  });

  it("with objective 'cma-mae' scores (1 − Var θ)·100, descriptors unchanged (the CMA-MAE paper's arm)", () => {
    const paper = createPlanarArm({ variant: 'pyribs', objective: 'cma-mae' });
    const pose = [0, Math.PI / 2, -Math.PI / 2];
    const r = run(paper, pose);
    expect(r.fitness).toBeCloseTo((1 - Math.PI ** 2 / 6) * 100, 10); // Var = π²/6 > 1: below 0
    expect(r.descriptors).toEqual(run(arm, pose).descriptors);
    expect(run(paper, new Array<number>(100).fill(0))).toMatchObject({ fitness: 100, descriptors: [100, 0] });
    expect(run(paper, [1, -1]).fitness).toBeCloseTo(0, 12); // Var 1
    expect(run(createPlanarArm({ variant: 'pyribs', objective: 'negative-variance' }), pose).fitness).toBe(
      run(arm, pose).fitness,
    );
  });
});

describe('planar-arm options', () => {
  it('says which lengths do not match the genome', () => {
    const arm = createPlanarArm({ linkLengths: [1, 1, 1] });
    expect(() => run(arm, [0.5, 0.5, 0.5, 0.5, 0.5])).toThrow(ConfigError);
    expect(() => run(arm, [0.5, 0.5, 0.5, 0.5, 0.5])).toThrow(/linkLengths has 3 entries but the genome has 5 joints/);
  });

  it('rejects non-positive or empty link lengths and unknown variants', () => {
    const schema = evaluators['planar-arm'].options;
    expect(schema.safeParse({ linkLengths: [] }).success).toBe(false);
    expect(schema.safeParse({ linkLengths: [1, -1] }).success).toBe(false);
    expect(schema.safeParse({ linkLengths: 0 }).success).toBe(false);
    expect(schema.safeParse({ variant: 'qdax' }).success).toBe(false);
    expect(schema.safeParse({ variant: 'pyribs', linkLengths: 1 }).success).toBe(true);
    expect(schema.safeParse({ variant: 'pyribs', objective: 'cma-mae' }).success).toBe(true);
    expect(schema.safeParse({ objective: 'cma-mae' }).success).toBe(false); // pymap-elites has its own −std
    expect(schema.safeParse({ variant: 'pyribs', objective: 'std' }).success).toBe(false);
  });
});
