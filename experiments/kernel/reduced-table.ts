// The reduced kernel space: small enough to measure every configuration, so a search's progress can be scored
// against the true optimum. Its parameters, and the key of a configuration in the table of measurements
// (runs/report-kernel-reduced/table.json), shared by the code that writes the table and the evaluator that reads it.

// 600 configurations: large enough that the top 1% is a handful, small enough to measure every one (~10 min).
export const REDUCED_PARAMS = {
  mr: [2, 4, 6, 8, 12],
  nr: [8, 16, 32, 48, 64],
  kc: [64, 128, 256, 512],
  packB: [true, false],
  loopOrder: ['nkm', 'knm', 'mkn'],
} as const;
export const REDUCED_KEYS = Object.keys(REDUCED_PARAMS) as (keyof typeof REDUCED_PARAMS)[];

/** A configuration of the reduced space (the categorical space's genome). */
export type ReducedConfig = Record<string, number | boolean | string>;

/** What table.json holds: GFLOP/s per configuration key, null where the measurement failed. */
export interface ReducedTable {
  readonly shape: string;
  readonly params: typeof REDUCED_PARAMS;
  readonly seconds: number;
  readonly values: Record<string, number | null>;
}

/** Every configuration of the reduced space. */
export function reducedConfigs(): ReducedConfig[] {
  let out: ReducedConfig[] = [{}];
  for (const key of REDUCED_KEYS)
    out = out.flatMap((g) =>
      (REDUCED_PARAMS[key] as readonly (number | boolean | string)[]).map((v) => ({ ...g, [key]: v })),
    );
  return out;
}

/** A configuration's key in the table: its values in REDUCED_KEYS order, joined by `|`. */
export const tableKey = (g: Record<string, unknown>): string => REDUCED_KEYS.map((k) => String(g[k])).join('|');
