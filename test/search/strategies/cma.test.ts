// CMA-ES, its eigendecomposition, the CMA-MAE thresholds, and the emitter strategies on small problems.
import { describe, expect, it } from 'vitest';
import { createGridArchive } from '../../../archive/grid.js';
import { SeededRng } from '../../../core/rng.js';
import type { EvalResult } from '../../../core/types.js';
import { CmaEs, cmaParameters } from '../../../search/strategies/cma/cma-es.js';
import { decodeFloats } from '../../../search/strategies/cma/codec.js';
import { symmetricEigen } from '../../../search/strategies/cma/eigen.js';
import { rankOrder } from '../../../search/strategies/cma/rankers.js';
import { CellThresholds } from '../../../search/strategies/cma/thresholds.js';
import { createCmaMae } from '../../../search/strategies/cma-mae.js';
import { createCmaMe } from '../../../search/strategies/cma-me.js';
import type { Proposal, Strategy } from '../../../search/strategies/strategy.js';
import { createVectorSpace } from '../../../spaces/vector.js';

function randomSymmetric(n: number, rng: () => number): Float64Array {
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j <= i; j++) {
      const v = rng() - 0.5;
      a[i * n + j] = v;
      a[j * n + i] = v;
    }
  return a;
}

/** max |V·diag(d)·Vᵀ − A| and max |VᵀV − I|. */
function reconstructionErrors(a: Float64Array, n: number): { matrix: number; orthogonality: number } {
  const { values, vectors: v } = symmetricEigen(a, n);
  let matrix = 0;
  let orthogonality = 0;
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      let o = 0;
      for (let k = 0; k < n; k++) {
        s += v[i * n + k]! * values[k]! * v[j * n + k]!;
        o += v[k * n + i]! * v[k * n + j]!;
      }
      matrix = Math.max(matrix, Math.abs(s - a[i * n + j]!));
      orthogonality = Math.max(orthogonality, Math.abs(o - (i === j ? 1 : 0)));
    }
  return { matrix, orthogonality };
}

describe('symmetricEigen', () => {
  it.each([1, 2, 3, 17, 100])('reconstructs a random symmetric n×n matrix (n = %i) with orthonormal vectors', (n) => {
    const rng = SeededRng.fromSeed(`eig-${n}`).next;
    const { matrix, orthogonality } = reconstructionErrors(randomSymmetric(n, rng), n);
    expect(matrix).toBeLessThan(1e-12);
    expect(orthogonality).toBeLessThan(1e-12);
  });

  it('sorts eigenvalues ascending and finds repeated ones (diag(3, 1, 1) rotated)', () => {
    const { values } = symmetricEigen(Float64Array.from([2, 1, 0, 1, 2, 0, 0, 0, 1]), 3);
    expect([...values].map((v) => Number(v.toFixed(12)))).toEqual([1, 1, 3]);
  });
});

describe('CMA-ES parameters', () => {
  it("are Hansen's defaults for µ = 18 of λ = 36 in 100-d", () => {
    const p = cmaParameters(100, 18);
    expect(p.weights.reduce((s, w) => s + w, 0)).toBeCloseTo(1, 12);
    expect(p.weights[0]!).toBeGreaterThan(p.weights[17]!);
    const mueff = 1 / p.weights.reduce((s, w) => s + w * w, 0);
    expect(p.mueff).toBeCloseTo(mueff, 12);
    expect(p.c1).toBeCloseTo(2 / (101.3 ** 2 + mueff), 15);
    expect(p.cs).toBeCloseTo((mueff + 2) / (100 + mueff + 5), 15);
    // The eigendecomposition of a 100-d emitter of 36 waits ≈ 100 evaluations (every third generation).
    const es = new CmaEs(100, 36);
    expect(es.lazyGap).toBeGreaterThan(72);
    expect(es.lazyGap).toBeLessThan(144);
  });
});

/** Asks `strategy` a batch at a time and tells every answer in order; returns the best score seen and asks. */
function drive(
  strategy: Strategy<unknown>,
  evaluate: (x: Float64Array) => EvalResult,
  archive: ReturnType<typeof createGridArchive<unknown>>,
  batch: number,
  budget: number,
  until = Infinity,
): { best: number; asked: number } {
  let best = -Infinity;
  let asked = 0;
  while (asked < budget && best < until) {
    const proposals = strategy.ask(batch);
    asked += proposals.length;
    for (const p of proposals) {
      const result = evaluate(p.genome as Float64Array);
      const { status } = archive.add({
        id: p.id,
        genome: p.genome,
        score: result.fitness,
        descriptors: result.descriptors ?? [],
      });
      best = Math.max(best, result.fitness);
      strategy.tell({
        proposal: p as Proposal<unknown>,
        ok: true,
        score: result.fitness,
        result,
        status,
        source: 'evaluated',
      });
    }
  }
  return { best, asked };
}

const sphere = (x: Float64Array): EvalResult => ({
  fitness: -x.reduce((s, v) => s + v * v, 0),
  descriptors: [x[0]!, x[1]!],
});

describe('one CMA-ES emitter with the objective ranker', () => {
  it.each(['full', 'cholesky', 'diagonal'] as const)(
    '%s covariance: minimises a 10-d sphere from x0 = 3 to f < 1e-8 within a few thousand evaluations',
    (covariance) => {
      const space = createVectorSpace({ dimensions: 10, min: -5, max: 5, bounds: 'none' });
      const archive = createGridArchive<unknown>({
        dims: [
          { name: 'a', min: -5, max: 5, bins: 10 },
          { name: 'b', min: -5, max: 5, bins: 10 },
        ],
      });
      const strategy = createCmaMe(
        {
          emitters: 1,
          batchSize: 10,
          sigma0: 1,
          x0: 3,
          ranker: 'obj',
          selection: 'mu',
          restartRule: 'basic',
          covariance,
        },
        { space: space as never, archive, rng: SeededRng.fromSeed('sphere-10') },
      );
      const { best, asked } = drive(strategy, sphere, archive, 10, 6000, -1e-8);
      console.log(`10-d sphere, ${covariance}: f = ${-best} after ${asked} evaluations`);
      expect(-best).toBeLessThan(1e-8);
      expect(asked).toBeLessThan(5000);
    },
  );

  it.each(['full', 'cholesky'] as const)(
    '%s: keeps C symmetric positive definite over many updates, with a decomposition that reconstructs it',
    (covariance) => {
      const n = 12;
      const es = new CmaEs(n, 8, covariance);
      es.reset(new Float64Array(n).fill(1), 0.7);
      const rng = SeededRng.fromSeed('spd');
      const z = new Float64Array(n);
      for (let g = 0; g < 300; g++) {
        es.beginGeneration();
        const xs = Array.from({ length: 8 }, () => {
          rng.next.fillStandardNormal?.(z);
          const x = new Float64Array(n);
          es.sample(z, x);
          return x;
        });
        // An ill-conditioned ellipsoid: the distribution must stretch along the cheap axes.
        const f = xs.map((x) => x.reduce((s, v, i) => s + 10 ** ((3 * i) / (n - 1)) * v * v, 0));
        const order = xs.map((_, i) => i).sort((a, b) => f[a]! - f[b]!);
        const parents = new Float64Array(4 * n);
        order.slice(0, 4).forEach((i, k) => parents.set(xs[i]!, k * n));
        es.tell(parents, 4, 8);
      }
      const c = es.covarianceMatrix();
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) expect(c[i * n + j]).toBe(c[j * n + i]);
      const { values } = symmetricEigen(c, n);
      expect(values[0]!).toBeGreaterThan(0);
      expect(values[n - 1]! / values[0]!).toBeGreaterThan(10); // it learned the ellipsoid's scales
      expect(reconstructionErrors(c, n).matrix).toBeLessThan(1e-12 * values[n - 1]!);
      // The factor used for sampling: B·D·(B·D)ᵀ (full) or L·Lᵀ (cholesky) is C as of the last refresh.
      es.beginGeneration();
      const f = (es.state().eigenvectors ? decodeFloats(es.state().eigenvectors!, n * n) : undefined)!;
      const d = decodeFloats(es.state().eigenvalues, n);
      let worst = 0;
      for (let i = 0; i < n; i++)
        for (let j = 0; j < n; j++) {
          let s = 0;
          for (let k = 0; k < n; k++)
            s += covariance === 'full' ? f[i * n + k]! * d[k]! * f[j * n + k]! : f[i * n + k]! * f[j * n + k]!;
          worst = Math.max(worst, Math.abs(s - c[i * n + j]!));
        }
      expect(worst).toBeLessThan(1e-12 * values[n - 1]!);
    },
  );
});

describe("pyribs' covariance update", () => {
  it('adds c1²·σ²·pc·pcᵀ where the tutorial adds c1·pc·pcᵀ (one generation from pc = 0)', () => {
    const n = 3;
    const sigma = 0.5;
    const parents = () => Float64Array.from([0.3, -0.2, 0.1, 0.1, 0.4, -0.3]); // two parents, best first
    const run = (update: 'hansen' | 'pyribs') => {
      const es = new CmaEs(n, 4, 'full', update);
      es.reset([0, 0, 0], sigma);
      es.tell(parents(), 2, 4);
      return es.covarianceMatrix();
    };
    const p = cmaParameters(n, 2);
    const y = [0, 1, 2].map((i) => p.weights[0]! * parents()[i]! + p.weights[1]! * parents()[n + i]!);
    const pc = y.map((v) => (Math.sqrt(p.cc * (2 - p.cc) * p.mueff) * v) / sigma); // the tutorial's path, hsig = 1
    const hansen = run('hansen');
    const pyribs = run('pyribs');
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++)
        expect(pyribs[i * n + j]! - hansen[i * n + j]!).toBeCloseTo(
          (p.c1 * p.c1 * sigma * sigma - p.c1) * pc[i]! * pc[j]!,
          14,
        );
  });
});

describe('CMA-MAE thresholds', () => {
  it('follow t ← (1 − α)·t + α·f from thresholdMin, valued against the threshold before the add', () => {
    const t = new CellThresholds(0.1, 0);
    expect(t.add(7, 50)).toEqual({ status: 2, value: 50 }); // new cell: f − thresholdMin
    t.commit();
    expect(t.get(7)).toBeCloseTo(5, 12); // 0.9·0 + 0.1·50
    const below = t.add(7, 4); // below the threshold: not added, t unchanged
    expect(below.status).toBe(0);
    expect(below.value).toBeCloseTo(4 - 5, 12);
    t.commit();
    expect(t.get(7)).toBeCloseTo(5, 12);
    const third = t.add(7, 20); // above: value 15, t = 0.9·5 + 0.1·20 = 6.5
    expect(third.status).toBe(1);
    expect(third.value).toBeCloseTo(15, 12);
    t.commit();
    expect(t.get(7)).toBeCloseTo(6.5, 12);
    expect(t.add(3, -1)).toEqual({ status: 0, value: -1 }); // below thresholdMin in an empty cell: not added
    t.commit();
    expect(t.get(3)).toBeUndefined();
  });

  it("apply a batch at commit with pyribs' rule t ← (1 − α)^k·t + (1 − (1 − α)^k)·mean f, each valued before it", () => {
    const t = new CellThresholds(0.1, 0);
    t.add(1, 10);
    t.commit(); // t = 1
    const values = [30, 0.5, 50].map((f) => t.add(1, f)); // 0.5 is below the threshold: not counted
    expect(values.map((v) => v.status)).toEqual([1, 0, 1]);
    // Each valued against t = 1 (the 50 not against the 30 told before it).
    [29, -0.5, 49].forEach((v, i) => expect(values[i]!.value).toBeCloseTo(v, 12));
    expect(t.add(2, 8)).toEqual({ status: 2, value: 8 });
    expect(t.add(2, 6)).toEqual({ status: 2, value: 6 }); // still new: the cell fills at commit
    expect(t.get(1)).toBeCloseTo(1, 12);
    t.commit();
    expect(t.get(1)).toBeCloseTo(0.81 * 1 + 0.19 * 40, 12); // k = 2, mean 40
    expect(t.get(2)).toBeCloseTo(0.81 * 0 + 0.19 * 7, 12);
  });

  it('with α = 1 and thresholdMin = −∞ are the standard archive (CMA-ME): value f for a new cell, f − elite else', () => {
    const t = new CellThresholds(1, -Infinity);
    expect(t.add(0, -3)).toEqual({ status: 2, value: -3 });
    t.commit();
    expect(t.add(0, -1)).toEqual({ status: 1, value: 2 });
    expect(t.add(0, -2.5)).toEqual({ status: 1, value: 0.5 });
    t.commit();
    expect(t.get(0)).toBe(-1); // the best of the batch
    expect(t.add(0, -2)).toEqual({ status: 0, value: -1 });
  });

  it('round-trip through state, uncommitted adds included', () => {
    const t = new CellThresholds(0.01, 0);
    for (let i = 0; i < 50; i++) {
      t.add(i % 7, i * 1.5);
      if (i % 9 === 0) t.commit();
    }
    const copy = new CellThresholds(0.01, 0);
    copy.restore(JSON.parse(JSON.stringify(t.state())));
    t.commit();
    copy.commit();
    for (let c = 0; c < 7; c++) expect(copy.get(c)).toBe(t.get(c));
  });
});

describe('rankers', () => {
  it('sort by stage, then value, descending; ties keep tell order', () => {
    const stages = Float64Array.from([0, 2, 1, 2, 0]);
    const values = Float64Array.from([9, -1, 5, 3, 9]);
    expect(rankOrder(stages, values, 5)).toEqual([3, 1, 2, 0, 4]);
  });
});

describe('emitter strategies: scheduling', () => {
  it('take batches from the emitters in turn, also when each proposal is told before the next ask', () => {
    const space = createVectorSpace({ dimensions: 4, min: -5, max: 5, bounds: 'none' });
    const archive = createGridArchive<unknown>({
      dims: [
        { name: 'a', min: -3, max: 3, bins: 4 },
        { name: 'b', min: -3, max: 3, bins: 4 },
      ],
    });
    const strategy = createCmaMae(
      { emitters: 3, batchSize: 4 },
      { space: space as never, archive, rng: SeededRng.fromSeed('rr') },
    );
    drive(strategy, sphere, archive, 1, 24);
    const state = strategy.state() as { emitters: { generations: number }[] };
    expect(state.emitters.map((e) => e.generations)).toEqual([2, 2, 2]);
  });

  it('refuse a space that is not a real vector space', () => {
    const archive = createGridArchive<unknown>({ dims: [{ name: 'a', min: 0, max: 1, bins: 2 }] });
    const bits = { ...createVectorSpace({ dimensions: 2, min: 0, max: 1 }), name: 'bits', applyBounds: undefined };
    expect(() => createCmaMe({}, { space: bits as never, archive, rng: SeededRng.fromSeed('x') })).toThrow(
      /real-vector space/,
    );
  });
});

describe('emitter strategies: resume at random points', () => {
  it.each(['cma-me', 'cma-mae'] as const)(
    '%s: state() at a random point, restored into a fresh strategy, continues identically',
    (name) => {
      const make = (rng: SeededRng, archive: ReturnType<typeof createGridArchive<unknown>>) => {
        const space = createVectorSpace({ dimensions: 6, min: -5, max: 5, bounds: 'none' });
        const options = { emitters: 3, batchSize: 8, sigma0: 0.5 };
        const deps = { space: space as never, archive, rng };
        return name === 'cma-me' ? createCmaMe(options, deps) : createCmaMae(options, deps);
      };
      const grid = () =>
        createGridArchive<unknown>({
          dims: [
            { name: 'a', min: -3, max: 3, bins: 8 },
            { name: 'b', min: -3, max: 3, bins: 8 },
          ],
        });
      const pick = SeededRng.fromSeed(`splits-${name}`).next;
      for (let trial = 0; trial < 5; trial++) {
        const rng = SeededRng.fromSeed(`run-${name}`);
        const archive = grid();
        const strategy = make(rng, archive);
        const split = 1 + Math.floor(pick() * 600);
        // Up to the split: asks of 5 (across emitter batches), tells in a shuffled order, some left outstanding.
        const outstanding: Proposal<unknown>[] = [];
        const added: Parameters<typeof archive.add>[0][] = [];
        const tell = (s: Strategy<unknown>, a: typeof archive, p: Proposal<unknown>) => {
          const result = sphere(p.genome as Float64Array);
          const candidate = { id: p.id, genome: p.genome, score: result.fitness, descriptors: result.descriptors! };
          if (a === archive) added.push(candidate);
          const { status } = a.add(candidate);
          s.tell({ proposal: p, ok: true, score: result.fitness, result, status, source: 'evaluated' });
        };
        let asked = 0;
        while (asked < split) {
          const got = strategy.ask(Math.min(5, split - asked));
          asked += got.length;
          outstanding.push(...got);
          while (outstanding.length > 6 || (got.length === 0 && outstanding.length > 0))
            tell(strategy, archive, outstanding.splice(Math.floor(pick() * outstanding.length), 1)[0]!);
        }
        const saved = JSON.parse(JSON.stringify({ s: strategy.state(), rng: rng.state() }));
        const archive2 = grid();
        for (const c of added) archive2.add(c); // the same adds in the same order: the same archive (as a resume's rebuild)
        const rng2 = SeededRng.restore(saved.rng);
        const restored = make(rng2, archive2);
        restored.restore(saved.s);
        // Both continue with the same calls: tell what was outstanding, then 200 more asks.
        const continueRun = (s: Strategy<unknown>, a: typeof archive) => {
          const keys: string[] = [];
          for (const p of outstanding) tell(s, a, { ...p, genome: Float64Array.from(p.genome as Float64Array) });
          for (let i = 0; i < 40; i++)
            for (const p of s.ask(5)) {
              keys.push(`${p.id}:${[...(p.genome as Float64Array)].join(',')}`);
              tell(s, a, p);
            }
          return { keys, state: JSON.stringify(s.state()) };
        };
        const a = continueRun(strategy, archive);
        const b = continueRun(restored, archive2);
        expect(b.keys).toEqual(a.keys);
        expect(b.state).toEqual(a.state);
      }
    },
  );
});
