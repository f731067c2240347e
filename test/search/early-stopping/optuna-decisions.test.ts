// Decisions recorded from Optuna's own MedianPruner, SuccessiveHalvingPruner and HyperbandPruner (optuna-decisions.py)
// on random asynchronous sequences with noisy learning curves, ties, NaN, repeated and out-of-order steps: every one
// is replayed here and must match, with the state taken through JSON into a fresh pruner every few events.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  type EvaluationEnd,
  type HyperbandPruner,
  type Pruner,
  pruners,
  type PrunerType,
} from '../../../search/early-stopping/index.js';

interface Scenario {
  pruner: Exclude<PrunerType, 'none'>;
  options: Record<string, number>;
  brackets?: number;
  budgets?: number[];
  /** [id, step, value, 'c' | 'p'] for a report and Optuna's decision, [id, end] for an end. */
  events: ([number, number, number | 'NaN', 'c' | 'p'] | [number, EvaluationEnd])[];
}
const recorded = JSON.parse(readFileSync(new URL('./optuna-decisions.json', import.meta.url), 'utf8')) as {
  optuna: string;
  scenarios: Scenario[];
};

describe(`decisions recorded from Optuna ${recorded.optuna}`, () => {
  it.each(['median', 'asha', 'hyperband'] as const)('%s: every decision matches', (type) => {
    const scenarios = recorded.scenarios.filter((s) => s.pruner === type);
    let reports = 0;
    let prunes = 0;
    for (const [n, s] of scenarios.entries()) {
      const make = () => pruners[type].create(s.options, undefined);
      let p: Pruner = make();
      if (s.brackets !== undefined) {
        expect((p as HyperbandPruner).brackets).toBe(s.brackets);
        expect((p as HyperbandPruner).budgets).toEqual(s.budgets);
      }
      const ours: string[] = [];
      const theirs: string[] = [];
      s.events.forEach((e, k) => {
        if (k % 5 === 2) {
          const q = make();
          q.restore(JSON.parse(JSON.stringify(p.state())));
          p = q;
        }
        if (e.length === 2) return p.finish(e[0], e[1]);
        const [id, step, value, decision] = e;
        const d = p.report({ id, step, value: value === 'NaN' ? Number.NaN : value });
        ours.push(`${k}: ${d}`);
        theirs.push(`${k}: ${decision === 'p' ? 'prune' : 'continue'}`);
      });
      expect(ours, `${type} sequence ${n} (${JSON.stringify(s.options)})`).toEqual(theirs);
      reports += theirs.length;
      prunes += theirs.filter((t) => t.endsWith('prune')).length;
    }
    // The file must exercise both answers, or this test would prove little.
    expect(reports).toBeGreaterThan(300);
    expect(prunes).toBeGreaterThan(30);
  });
});
