// The pruning evaluator on a fingerprint hit: two formulas that prune the same weights share the measurement, but each
// keeps its own size (descriptor 0), so a large formula is not filed in a small one's cell (tiny model, 2:4 masks).
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openResultCache, singleSample } from '../../store/result-cache.js';
import { createPruningEvaluator } from '../../evaluators/pruning/index.js';
import { createEvaluationRunner } from '../../search/evaluation.js';
import type { EvaluatorSpec } from '../../search/executors/executor.js';
import { rngFromSeed } from '../../core/rng.js';
import type { Evaluator } from '../../core/types.js';
import { parseFormula, simplify, size } from '../../spaces/expression/index.js';
import { sharedModelCache, useRunFiles } from '../helpers/files.js';

const options = {
  model: 'tiny',
  cacheDir: sharedModelCache,
  pattern: '2:4',
  calibrationTokens: 1024,
  validationTokens: 1024,
  testTokens: 1024,
} as const;

describe('pruning evaluator on a fingerprint hit', () => {
  it('gives a formula with the same masks but another size its own size, and the shared masks’ overlap and metrics', async () => {
    const evaluator = createPruningEvaluator(options);
    await evaluator.prepare?.(options);
    const spec: EvaluatorSpec = {
      type: 'pruning',
      options,
      seed: 1,
      fidelity: 1,
      timeoutMs: 120_000,
      descriptorCount: 2,
    };
    const cache = openResultCache({ path: join(useRunFiles(), 'cache.mdb'), namespace: 'pruning' });
    const runner = createEvaluationRunner(spec, cache, evaluator as Evaluator<unknown>);
    const signal = new AbortController().signal;
    try {
      // W is |weight|: squaring it keeps every weight's rank, so both formulas prune the same weights.
      const small = parseFormula('W');
      const large = parseFormula('sqr(sqr(W))');
      expect([size(simplify(small)), size(simplify(large))]).toEqual([1, 3]);
      const first = await runner.run({ id: 0, genome: small, key: 'small', repeat: 0 }, signal);
      if (!first.ok || first.fingerprint === undefined) throw new Error(`small formula: ${JSON.stringify(first)}`);
      expect(first.source).toBe('evaluated');
      await cache.putFingerprint(first.fingerprint, singleSample(first.result));

      const hit = await runner.run({ id: 1, genome: large, key: 'large', repeat: 0 }, signal);
      expect(hit).toMatchObject({ ok: true, source: 'fingerprint', fingerprint: first.fingerprint });
      if (!hit.ok) return;
      expect(hit.result.descriptors?.[0]).toBe(3); // before: 1, the small formula's size
      expect(first.result.descriptors?.[0]).toBe(1);
      // Everything else is a function of the masks: exactly what evaluating the large formula gives.
      const ctx = { rng: rngFromSeed('large'), signal, options, fidelity: 1, sample: 0 };
      expect(hit.result).toEqual(await evaluator.evaluate(large, ctx));
    } finally {
      await cache.close();
    }
  }, 120_000);
});
