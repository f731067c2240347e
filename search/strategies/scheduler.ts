// A scheduler of emitters (pyribs ribs/schedulers): Gaussian, iso-line and CMA-ES emitters over one archive and one
// soft archive, asked round-robin (pyribs Scheduler) or through a UCB1 bandit (pyribs BanditScheduler; Cully 2021,
// arXiv:2007.05352). Archive defaults are pyribs' GridArchive's: learningRate 1 and no thresholdMin (the standard
// archive); bandit defaults are BanditScheduler's (zeta 0.05, reselect terminated).
import { z } from 'zod';
import { lazySchema } from '../../core/lazy-schema.js';
import type { ArchiveView } from '../../archive/archive.js';
import { defineFactory } from '../../core/factory.js';
import { requireVectorSpace } from './cma/emitters.js';
import { buildEmitters, emitterEntry } from './emitters/build.js';
import { createEmitterContext } from './emitters/context.js';
import { createScheduler } from './emitters/scheduler.js';
import type { Strategy, StrategyDeps } from './strategy.js';

export const schedulerOptions = lazySchema(() =>
  z
    .strictObject({
      /** round-robin: every emitter in turn; bandit: numActive emitters chosen by UCB1 on their success ratio. */
      scheduler: z.enum(['round-robin', 'bandit']).default('round-robin'),
      /** The emitter pool: [{ type: gaussian | iso-line | es, count, batchSize, …its options }]. */
      emitters: z.array(emitterEntry).min(1),
      /** α of the soft archive's threshold update (CMA-MAE); 1: the standard archive. */
      learningRate: z.number().gt(0).max(1).default(1),
      /** The threshold of an empty cell (pyribs threshold_min). Omitted: −∞ (the standard archive); needed when learningRate < 1. */
      thresholdMin: z.number().optional(),
      /** bandit: emitters active at a time (pyribs num_active). */
      numActive: z.number().int().positive().optional(),
      /** bandit: UCB1's weight of uncertainty (pyribs zeta). */
      zeta: z.number().min(0).optional(),
      /** bandit: terminated: reselect emitters that restarted (and those without restarts) after each batch; all: every one. */
      reselect: z.enum(['terminated', 'all']).optional(),
    })
    .superRefine((o, ctx) => {
      const pool = o.emitters.reduce((sum, e) => sum + e.count, 0);
      if (o.scheduler === 'bandit') {
        if (o.numActive === undefined)
          ctx.addIssue({
            code: 'custom',
            path: ['numActive'],
            message: `scheduler bandit needs numActive (1..${pool})`,
          });
        else if (o.numActive > pool)
          ctx.addIssue({
            code: 'custom',
            path: ['numActive'],
            message: `numActive ${o.numActive} is more than the ${pool} emitters of the pool`,
          });
      } else
        for (const key of ['numActive', 'zeta', 'reselect'] as const)
          if (o[key] !== undefined)
            ctx.addIssue({ code: 'custom', path: [key], message: `${key} applies to scheduler: bandit only` });
      if (o.learningRate < 1 && o.thresholdMin === undefined)
        ctx.addIssue({
          code: 'custom',
          path: ['thresholdMin'],
          message: 'learningRate below 1 (CMA-MAE) needs a finite thresholdMin, e.g. 0',
        });
    }),
);
export type SchedulerOptions = z.infer<typeof schedulerOptions>;

/**
 * The scheduler strategy.
 * @throws {ConfigError} when the space is not a real vector space or an emitter's x0 does not fit it.
 */
export function createSchedulerStrategy<G>(
  options: z.input<typeof schedulerOptions>,
  deps: StrategyDeps<G>,
): Strategy<G> {
  const o = schedulerOptions.parse(options);
  const space = requireVectorSpace('scheduler', deps.space);
  const archive = deps.archive as ArchiveView<unknown>;
  const emitters = buildEmitters(o.emitters, space, archive, 'scheduler');
  const bandit =
    o.scheduler === 'bandit'
      ? { numActive: o.numActive ?? emitters.length, zeta: o.zeta ?? 0.05, reselect: o.reselect ?? 'terminated' }
      : undefined;
  return createScheduler(
    {
      name: 'scheduler',
      learningRate: o.learningRate,
      thresholdMin: o.thresholdMin ?? Number.NEGATIVE_INFINITY,
      bandit,
    },
    emitters,
    createEmitterContext(space, archive, deps.rng),
    deps.archive,
  );
}

export const scheduler = defineFactory(
  'Scheduler of emitters (gaussian, iso-line, es: CMA-ES) over one archive and soft archive, round-robin or a UCB1 bandit; vector spaces.',
  schedulerOptions,
  (options, deps: StrategyDeps<unknown>) => createSchedulerStrategy(options, deps),
);
