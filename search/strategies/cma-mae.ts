// CMA-MAE (Fontaine & Nikolaidis, GECCO 2023, arXiv:2205.10752): CMA-ES emitters ranked by improvement over a soft
// archive whose cell thresholds rise towards accepted objectives at `learningRate`. Defaults: pyribs examples/sphere.py
// "cma_mae" (15 emitters × 36, σ0 0.5, imp ranking, µ selection, basic restart, learning_rate 0.01, threshold_min 0).
import { z } from 'zod';
import { lazySchema } from '../../core/lazy-schema.js';
import { defineFactory } from '../../core/factory.js';
import { createEmitterStrategy, emitterOptionsShape } from './cma/emitters.js';
import type { Strategy, StrategyDeps } from './strategy.js';

export const cmaMaeOptions = lazySchema(() =>
  z.strictObject({
    ...emitterOptionsShape,
    /** α of the threshold update t ← (1 − α)·t + α·f; 1 with thresholdMin −∞ is CMA-ME's standard archive. */
    learningRate: z.number().gt(0).max(1).default(0.01),
    /** The threshold of an empty cell (pyribs threshold_min); a candidate below it is not added. */
    thresholdMin: z.number().default(0),
  }),
);
export type CmaMaeOptions = z.infer<typeof cmaMaeOptions>;

export function createCmaMae<G>(options: z.input<typeof cmaMaeOptions>, deps: StrategyDeps<G>): Strategy<G> {
  const o = cmaMaeOptions.parse(options ?? {});
  return createEmitterStrategy(
    {
      name: 'cma-mae',
      ...o,
      ranker: o.ranker ?? 'imp',
      selection: o.selection ?? 'mu',
      restartRule: o.restartRule ?? 'basic',
    },
    deps,
  );
}

export const cmaMae = defineFactory(
  'CMA-MAE: CMA-ES emitters ranked by improvement over per-cell thresholds that anneal (learningRate, thresholdMin); vector spaces.',
  cmaMaeOptions,
  (options, deps: StrategyDeps<unknown>) => createCmaMae(options, deps),
);
