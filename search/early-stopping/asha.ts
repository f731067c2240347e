// Asynchronous successive halving (ASHA: Li et al., MLSys 2020, arXiv:1810.05934), as Optuna's SuccessiveHalvingPruner
// (optuna/pruners/_successive_halving.py): at each rung an evaluation goes on only if it is in the top 1/η so far.
// The ladder and the promotion rule are successive-halving.ts's, which races use too.
import { z } from 'zod';
import { lazySchema } from '../../core/lazy-schema.js';
import {
  checkReport,
  decodeValue,
  encodeValue,
  idData,
  markFinished,
  parsePrunerState,
  stepData,
  valueData,
} from './protocol.js';
import { isPromotable, rungResource } from './successive-halving.js';
import type { Decision, EvaluationEnd, Pruner, Report } from './types.js';

const NAME = 'asha pruner';

const ashaFields = {
  /** r_min: the resource (step) of the first rung when minEarlyStoppingRate is 0 (Optuna `min_resource`, no 'auto'). */
  minResource: z.number().positive().default(1),
  /** η: rung k + 1 is η times rung k's resource, and about 1/η of a rung goes on (Optuna `reduction_factor`, default 4 there). */
  reductionFactor: z.number().int().min(2).default(3),
  /** s: rung k sits at r_min·η^(s+k), so the first s rungs of the geometric ladder are skipped (Optuna, and the paper). */
  minEarlyStoppingRate: z.number().int().min(0).default(0),
  /** A rung's first this-many arrivals (itself included) are pruned: promotion needs more company (Optuna `bootstrap_count`). */
  bootstrapCount: z.number().int().min(0).default(0),
  /** R: rungs exist only below it; an evaluation that reached R has spent its budget (the paper's top rung). */
  maxResource: z.number().positive().optional(),
};

export const ashaOptions = lazySchema(() =>
  z
    .strictObject(ashaFields)
    .refine(
      (o) =>
        o.maxResource === undefined ||
        rungResource(o.minResource, o.reductionFactor, o.minEarlyStoppingRate, 0) < o.maxResource,
      {
        message: 'maxResource must exceed the first rung, minResource·reductionFactor^minEarlyStoppingRate',
        path: ['maxResource'],
      },
    ),
);
export type AshaOptions = z.infer<typeof ashaOptions>;

export const ashaState = lazySchema(() =>
  z.strictObject({
    /** Running evaluations: id, rungs recorded, largest step reported, the value reported at that step. */
    running: z.array(z.tuple([idData, z.number().int().min(0), stepData, valueData])),
    /** Per rung, every value recorded there in arrival order, with its evaluation's id (kept after it finishes). */
    rungs: z.array(z.array(z.tuple([idData, valueData]))),
    finished: z.array(idData),
  }),
);
export type AshaState = z.infer<typeof ashaState>;

/** An ASHA pruner whose state has a known shape (Hyperband keeps one per bracket). */
export interface AshaPruner extends Pruner {
  state(): AshaState;
}

interface Running {
  rung: number;
  step: number;
  value: number;
}

/**
 * ASHA as Optuna decides it, checked against `SuccessiveHalvingPruner.prune`. An evaluation's decision uses the
 * value at its largest step reported so far (not its best). While that step is at or past its next rung's resource
 * r_min·η^(s+k) (and below `maxResource` when set): a NaN value prunes; otherwise the value is recorded at the rung
 * (pruned or not, it stays there as competition), and the evaluation is pruned if the rung holds at most
 * `bootstrapCount` values or the value is not promotable (see isPromotable) among everything recorded there so far
 * (every evaluation, running, finished or pruned). A report past several rungs is decided rung by rung with the same
 * value. Asynchronous: nobody waits for a rung to fill.
 * @throws {ZodError} when the options do not validate.
 */
export function createAshaPruner(options: z.input<typeof ashaOptions> = {}): AshaPruner {
  return buildAsha(ashaOptions.parse(options ?? {}));
}

/** ASHA on parsed options, without the check that a rung lies below maxResource: a Hyperband bracket may have none. */
export function buildAsha(o: AshaOptions): AshaPruner {
  let running = new Map<number, Running>();
  let rungs: { id: number; value: number }[][] = [];
  let finished = new Set<number>();

  function decide(id: number, t: Running): Decision {
    for (;;) {
      const resource = rungResource(o.minResource, o.reductionFactor, o.minEarlyStoppingRate, t.rung);
      if (o.maxResource !== undefined && resource >= o.maxResource) return 'continue';
      if (t.step < resource) return 'continue';
      if (Number.isNaN(t.value)) return 'prune';
      const rung = rungs[t.rung] ?? (rungs[t.rung] = []);
      rung.push({ id, value: t.value });
      t.rung++;
      if (rung.length <= o.bootstrapCount) return 'prune';
      const competing = rung.map((r) => r.value);
      if (!isPromotable(t.value, competing, o.reductionFactor)) return 'prune';
    }
  }

  return {
    report(report: Report): Decision {
      checkReport(NAME, report, finished);
      let t = running.get(report.id);
      if (!t) running.set(report.id, (t = { rung: 0, step: report.step, value: report.value }));
      // Only the largest step's value counts (Optuna's last_step); a repeated step keeps its first value.
      else if (report.step > t.step) Object.assign(t, { step: report.step, value: report.value });
      return decide(report.id, t);
    },
    finish(id: number, _end: EvaluationEnd): void {
      markFinished(NAME, finished, id);
      running.delete(id);
    },
    state(): AshaState {
      return {
        running: [...running].map(([id, t]) => [id, t.rung, t.step, encodeValue(t.value)]),
        rungs: rungs.map((rung) => rung.map((r) => [r.id, encodeValue(r.value)])),
        finished: [...finished],
      };
    },
    restore(state: unknown): void {
      const s = parsePrunerState(NAME, ashaState, state);
      running = new Map(s.running.map(([id, rung, step, value]) => [id, { rung, step, value: decodeValue(value) }]));
      rungs = s.rungs.map((rung) => rung.map(([id, value]) => ({ id, value: decodeValue(value) })));
      finished = new Set(s.finished);
    },
  };
}
