// cma-me and cma-mae: several evolution-strategy emitters over one archive (pyribs' Scheduler with
// EvolutionStrategyEmitters), on the round-robin scheduler of emitters/scheduler.ts: each emitter hands out its own
// batch in turn and updates once its own batch is told (no barrier between emitters).
import { z } from 'zod';
import type { ArchiveView } from '../../../archive/archive.js';
import { ConfigError } from '../../../core/errors.js';
import type { Space } from '../../../core/types.js';
import { isVectorSpace, type VectorSpace } from '../../../spaces/vector.js';
import { measureRangesOf } from '../emitters/build.js';
import { createEmitterContext } from '../emitters/context.js';
import { startPoint } from '../emitters/emitter.js';
import { EsEmitter } from '../emitters/es.js';
import { createScheduler, type SchedulerState } from '../emitters/scheduler.js';
import type { Strategy, StrategyDeps } from '../strategy.js';
import type { CmaUpdate, Covariance } from './cma-es.js';
import type { RestartRule, Selection } from './emitter.js';
import { rankerNames, type RankerName } from './rankers.js';

/** Options shared by cma-me and cma-mae; defaults are pyribs' (examples/sphere.py, EvolutionStrategyEmitter). */
export const emitterOptionsShape = {
  /** Number of emitters (pyribs sphere: 15). */
  emitters: z.number().int().positive().default(15),
  /** λ: samples per emitter generation (pyribs sphere: 36). */
  batchSize: z.number().int().min(2).default(36),
  /** Initial step size σ0, in genotype units. */
  sigma0: z.number().positive().default(0.5),
  /** Start of every emitter: a number for every coordinate, or a vector. Default: the space's init.x0, else 0. */
  x0: z.union([z.number(), z.array(z.number())]).optional(),
  restartRule: z.union([z.enum(['basic', 'no_improvement']), z.number().int().positive()]).optional(),
  selection: z.enum(['mu', 'filter']).optional(),
  ranker: z.enum(rankerNames).optional(),
  /**
   * full: CMA-ES with a lazy eigendecomposition (pyribs); cholesky: the same C sampled through a lazy Cholesky factor
   * (about 30× cheaper to refresh, half the cost per sample); diagonal: sep-CMA-ES, O(n) per sample, for large n.
   */
  covariance: z.enum(['full', 'cholesky', 'diagonal']).default('full'),
  /**
   * hansen: CMA-ES's rank-one update as in Hansen's tutorial; pyribs: pyribs' variant (c1²·σ-scaled path, nearly no
   * rank-one term), to reproduce pyribs' published tables.
   */
  update: z.enum(['hansen', 'pyribs']).default('hansen'),
  /** Descriptor ranges that scale the rd rankers' random direction. Default: the grid's dims, else 1 each. */
  measureRanges: z.array(z.number().positive()).optional(),
};

export interface EmitterStrategySettings {
  readonly name: string;
  readonly emitters: number;
  readonly batchSize: number;
  readonly sigma0: number;
  readonly x0?: number | readonly number[] | undefined;
  readonly ranker: RankerName;
  readonly selection: Selection;
  readonly restartRule: RestartRule;
  readonly covariance: Covariance;
  readonly update: CmaUpdate;
  readonly measureRanges?: readonly number[] | undefined;
  readonly learningRate: number;
  readonly thresholdMin: number;
}

/** What a cma-me / cma-mae checkpoint holds: the scheduler's state over CMA-ES emitters. */
export type EmitterStrategyState = SchedulerState;

/**
 * The emitters, their soft archive (CMA-MAE thresholds; the standard archive for CMA-ME), round-robin: the
 * scheduler (emitters/scheduler.ts) with CMA-ES emitters only. The proposals' parents are empty: a sample comes from
 * a distribution, not from an elite.
 * @throws {ConfigError} when the space is not a real vector space, or x0 has the wrong length.
 */
export function createEmitterStrategy<G>(settings: EmitterStrategySettings, deps: StrategyDeps<G>): Strategy<G> {
  const { archive, rng } = deps;
  const space = requireVectorSpace(settings.name, deps.space);
  const n = space.dimensions;
  let x0: Float64Array;
  try {
    x0 = startPoint(settings.x0, space.init?.x0, n);
  } catch (error) {
    throw new ConfigError(`${settings.name}: ${(error as Error).message}`, [
      { path: 'search.x0', message: `expected ${n} numbers or one number` },
    ]);
  }
  const measureRanges = measureRangesOf(archive as ArchiveView<unknown>, settings.measureRanges);
  const emitters = Array.from(
    { length: settings.emitters },
    () =>
      new EsEmitter({
        n,
        lambda: settings.batchSize,
        sigma0: settings.sigma0,
        x0,
        ranker: settings.ranker,
        selection: settings.selection,
        restartRule: settings.restartRule,
        covariance: settings.covariance,
        update: settings.update,
        measureRanges,
      }),
  );
  const ctx = createEmitterContext(space, archive as ArchiveView<unknown>, rng);
  return createScheduler(
    { name: settings.name, learningRate: settings.learningRate, thresholdMin: settings.thresholdMin },
    emitters,
    ctx,
    archive,
  );
}

/**
 * The space as a real-vector space.
 * @throws {ConfigError} when it is not one.
 */
export function requireVectorSpace<G>(name: string, space: Space<G>): VectorSpace {
  if (!isVectorSpace(space as Space<unknown>)) {
    throw new ConfigError(
      `${name} needs a real-vector space (type: vector); space '${space.name}' is not one`,
      [{ path: 'space.type', message: `${name} samples real vectors from a Gaussian` }],
      'Use space type vector, or a strategy such as map-elites for other genomes.',
    );
  }
  return space as unknown as VectorSpace;
}
