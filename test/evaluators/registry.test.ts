// Every registered benchmark: builds from defaults, rejects unknown options, returns finite results of a fixed shape.
import { describe, expect, it } from 'vitest';
import { benchmarks, evaluators } from '../../evaluators/index.js';
import { rngFromSeed, type Rng } from '../../core/rng.js';
import type { EvalContext, EvalResult } from '../../core/types.js';

const ctx: EvalContext = {
  rng: rngFromSeed('registry'),
  signal: new AbortController().signal,
  options: {},
  fidelity: 1,
  sample: 0,
};

/** Genomes of every kind a benchmark may receive; each evaluator must cope with all of them. */
const genomeKinds: Record<string, (rng: Rng, n: number) => ArrayLike<number>> = {
  bits: (rng, n) => Uint8Array.from({ length: n }, () => (rng() < 0.5 ? 1 : 0)),
  unit: (rng, n) => Float64Array.from({ length: n }, rng),
  wide: (rng, n) => Float64Array.from({ length: n }, () => (rng() - 0.5) * 16),
};
const lengths = [2, 5, 12, 100, 137];

/**
 * The multi-objective test problems are defined on the unit box (ZDT, DTLZ2) and for at least as many genes as
 * objectives (DTLZ2: 3): outside that they refuse the genome, naming the gene, instead of returning a number.
 */
const unitBox = new Set(['zdt1', 'zdt2', 'zdt3', 'dtlz2']);
const minLength: Record<string, number> = { dtlz2: 3 };
const accepts = (type: string, kind: string, n: number): boolean =>
  !(unitBox.has(type) && kind === 'wide') && n >= (minLength[type] ?? 1);

describe('evaluator registry', () => {
  it('holds the built-in benchmarks and the domain evaluators', () => {
    expect(Object.keys(benchmarks).sort()).toEqual(
      [
        'binval',
        'leading-ones',
        'onemax',
        'planar-arm',
        'rastrigin',
        'sphere',
        'zdt1',
        'zdt2',
        'zdt3',
        'dtlz2',
        'mo-rastrigin',
      ].sort(),
    );
    expect(Object.keys(evaluators).sort()).toEqual(
      [...Object.keys(benchmarks), 'pruning', 'sparsity', 'prompt', 'kernel', 'command', 'automl'].sort(),
    );
  });
});

describe.each(Object.entries(evaluators))('%s', (type, factory) => {
  it('builds from no options, named after its registry key', async () => {
    expect(factory.summary.length).toBeGreaterThan(0);
    for (const raw of [undefined, {}]) {
      const evaluator = await factory.create(raw);
      expect(evaluator.name).toBe(type);
      expect(evaluator.version).toMatch(/^[1-9]\d*$/); // every built-in declares its version (part of the cache key; kernel is at 2)
    }
  });

  it('has a strict options schema without a `type` key', () => {
    expect(factory.options.safeParse({}).success).toBe(true);
    expect(factory.options.safeParse({ bogus: 1 }).success).toBe(false);
    expect(factory.options.safeParse({ type }).success).toBe(false);
    expect(() => factory.create({ bogus: 1 })).toThrow();
  });
});

describe.each(Object.entries(benchmarks))('benchmark %s', (type, factory) => {
  it('returns finite fitness, descriptors of a fixed length and finite metrics on random genomes', async () => {
    const evaluator = factory.create({});
    const rng = rngFromSeed(`registry/${type}`);
    let descriptorCount: number | undefined;
    for (const [kind, sample] of Object.entries(genomeKinds)) {
      for (const n of lengths) {
        for (let t = 0; t < 20; t++) {
          const genome = sample(rng, n);
          const where = `${kind}, n = ${n}`;
          if (!accepts(type, kind, n)) {
            expect(() => evaluator.evaluate(genome, ctx), where).toThrow(/gene|genes|objectives/);
            continue;
          }
          const r: EvalResult = await evaluator.evaluate(genome, ctx);
          expect(Number.isFinite(r.fitness), where).toBe(true);
          expect(r.descriptors, where).toBeDefined();
          descriptorCount ??= r.descriptors!.length;
          expect(r.descriptors, where).toHaveLength(descriptorCount);
          for (const d of r.descriptors!) expect(Number.isFinite(d), where).toBe(true);
          for (const m of Object.values(r.metrics ?? {})) expect(Number.isFinite(m), where).toBe(true);
          for (const b of r.tiebreak ?? []) expect(Number.isSafeInteger(b), where).toBe(true);
        }
      }
    }
    expect(descriptorCount).toBeGreaterThan(0);
  });

  it('is deterministic and leaves the genome untouched', async () => {
    const evaluator = factory.create({});
    const genome = genomeKinds.unit!(rngFromSeed(`same/${type}`), 12);
    const copy = Array.from(genome);
    const a = await evaluator.evaluate(genome, ctx);
    const b = await evaluator.evaluate(genome, ctx);
    expect(a).toEqual(b);
    expect(Array.from(genome)).toEqual(copy);
  });

  it('evaluates a batch in one call exactly as one genome at a time, in order', async () => {
    const evaluator = factory.create({});
    expect(evaluator.evaluateBatch).toBeTypeOf('function');
    const rng = rngFromSeed(`batch/${type}`);
    const genomes = Array.from({ length: 7 }, () => genomeKinds.unit!(rng, 12));
    const one = await Promise.all(genomes.map((g) => evaluator.evaluate(g, ctx)));
    const batched = await evaluator.evaluateBatch!(
      genomes,
      genomes.map(() => ctx),
    );
    expect(batched).toEqual(one);
  });
});
