// CMA-ME (Fontaine, Togelius, Nikolaidis & Hoover, GECCO 2020, arXiv:1912.02400): CMA-ES emitters ranked by how they
// improve the standard archive. Defaults: pyribs' EvolutionStrategyEmitter (2imp ranking, filter selection,
// no_improvement restart); 15 emitters × 36 and σ0 0.5 as its sphere example.
import { z } from 'zod';
import { lazySchema } from '../../core/lazy-schema.js';
import { defineFactory } from '../../core/factory.js';
import { createEmitterStrategy, emitterOptionsShape } from './cma/emitters.js';
import type { Strategy, StrategyDeps } from './strategy.js';

export const cmaMeOptions = lazySchema(() => z.strictObject(emitterOptionsShape));
export type CmaMeOptions = z.infer<typeof cmaMeOptions>;

export function createCmaMe<G>(options: z.input<typeof cmaMeOptions>, deps: StrategyDeps<G>): Strategy<G> {
  const o = cmaMeOptions.parse(options ?? {});
  return createEmitterStrategy(
    {
      name: 'cma-me',
      ...o,
      ranker: o.ranker ?? '2imp',
      selection: o.selection ?? 'filter',
      restartRule: o.restartRule ?? 'no_improvement',
      // The standard archive: a cell's threshold is its elite's objective (pyribs learning_rate 1, threshold_min −∞).
      learningRate: 1,
      thresholdMin: Number.NEGATIVE_INFINITY,
    },
    deps,
  );
}

export const cmaMe = defineFactory(
  'CMA-ME: CMA-ES emitters ranked by improvement of the archive (new cells first), restarted from elites; vector spaces.',
  cmaMeOptions,
  (options, deps: StrategyDeps<unknown>) => createCmaMe(options, deps),
);
