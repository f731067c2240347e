// A plug-in evaluator (loaded by path, as `evaluator.module`, from its compiled .js) that answers with the reduced
// space's exhaustive measurements: replaying strategies against it compares the searches, not the measurement noise.
// Options: { table: path of runs/report-kernel-reduced/table.json }.
import { readFileSync } from 'node:fs';
import { defineEvaluator } from '../../core/types.js';
import { tableKey, type ReducedConfig, type ReducedTable } from './reduced-table.js';

let values: ReducedTable['values'] | undefined;

/** The table's values, read once per process. */
function load(options: unknown): ReducedTable['values'] {
  if (values) return values;
  const table = (options as { table?: unknown } | null | undefined)?.table;
  if (typeof table !== 'string') throw new Error('kernel-table: options.table (the path of table.json) is missing');
  values = (JSON.parse(readFileSync(table, 'utf8')) as ReducedTable).values;
  return values;
}

export default defineEvaluator<ReducedConfig>({
  name: 'kernel-table',
  version: '1',
  setup(options) {
    load(options);
  },
  evaluate(g, ctx) {
    const v = load(ctx.options)[tableKey(g)];
    if (typeof v !== 'number') throw new Error(`no measurement for ${JSON.stringify(g)}`);
    return { fitness: v, descriptors: [Math.log2(Number(g.mr) * Number(g.nr)), Math.log2(Number(g.kc))] };
  },
});
