// EvoPress layer-wise sparsity levels (Sieberling et al., ICML 2025, arXiv:2410.14649; ALGORITHMS.md §4): one integer
// level per prunable layer, each step moving the same number of weights Δ in every layer, so a zero level sum keeps
// the global sparsity budget exact. Mutation is EvoPress' level switch; every genome the space returns sums to 0.
import { z } from 'zod';
import { lazySchema } from '../../core/lazy-schema.js';
import { binomialPositions, randomInt } from '../../core/rng.js';
import type { Rng, Space } from '../../core/types.js';
import { minOfTwoUniform, modelPresetSchema, presetLayers, typeName } from './common.js';

/** One integer level per prunable layer, in forward order; all zeros is the uniform allocation. Sum is always 0. */
export type LevelGenome = readonly number[];

/** Options of the `sparsity-levels` space (the config object minus `type`). */
export const sparsityLevelsOptionsSchema = lazySchema(() =>
  z
    .strictObject({
      layers: z.int().min(2).optional().describe('number of prunable layers (give this or `model`)'),
      model: modelPresetSchema
        .optional()
        .describe('language-model preset whose prunable layers are searched (give this or `layers`)'),
      maxLevel: z.int().min(1).default(8).describe('levels lie in [-maxLevel, maxLevel] (EvoPress num_levels)'),
      maxTotalDeviation: z
        .int()
        .min(2)
        .optional()
        .describe(
          'largest sum of |level| (L1 distance to uniform) an offspring may have; default: no limit beyond maxLevel',
        ),
      initialFlips: z
        .int()
        .min(0)
        .default(0)
        .describe('random level switches applied by sample(); 0 = the uniform allocation, as EvoPress starts'),
    })
    .superRefine((o, ctx) => {
      if ((o.layers === undefined) === (o.model === undefined)) {
        ctx.addIssue({
          code: 'custom',
          path: [o.layers === undefined ? 'layers' : 'model'],
          message: `give exactly one of \`layers\` (a layer count) or \`model\` (a preset), not ${o.layers === undefined ? 'neither' : 'both'}`,
        });
      }
    }),
);
export type SparsityLevelsOptions = z.infer<typeof sparsityLevelsOptionsSchema>;
export type SparsityLevelsOptionsInput = z.input<typeof sparsityLevelsOptionsSchema>;

/** A layer-wise sparsity space. Every genome it returns has level sum 0, |level| ≤ maxLevel and Σ|level| ≤ maxTotalDeviation. */
export interface SparsityLevelsSpace extends Space<LevelGenome> {
  readonly layers: number;
  /** Layer names in forward order when the space was built from a `model` preset. */
  readonly layerNames: readonly string[] | undefined;
  readonly maxLevel: number;
  /** Resolved limit on Σ|level| (maxLevel·layers, i.e. no limit, when the option is omitted). */
  readonly maxTotalDeviation: number;
  /**
   * Geometric crossover on the level-switch distance: every unit by which the parents differ is taken from one of
   * them, with as many decrements as increments, so the child lies on a shortest switch path between the parents
   * (each level between theirs) and keeps the budget. Children above maxTotalDeviation are redrawn; after
   * VARIATION_TRIES a copy of `a` is returned.
   */
  crossover(a: LevelGenome, b: LevelGenome, rng: Rng): LevelGenome;
}

/** Redraws of an offspring (equal to the parent or above maxTotalDeviation) before the fallback. */
const VARIATION_TRIES = 100;
/** EvoPress draws num_flips = min(U{1..3}, U{1..3}). */
const MAX_FLIPS = 3;

/** Σ|level|: the L1 distance to the uniform allocation. */
export function totalDeviation(g: LevelGenome): number {
  let sum = 0;
  for (const v of g) sum += Math.abs(v);
  return sum;
}

/** Fewest level switches (one −1, one +1) turning `a` into `b`, for genomes of equal sum: Σ max(0, a_i − b_i). */
export function levelSwitchDistance(a: LevelGenome, b: LevelGenome): number {
  if (a.length !== b.length) throw new RangeError(`levelSwitchDistance: lengths differ (${a.length} vs ${b.length})`);
  let d = 0;
  for (let i = 0; i < a.length; i++) d += Math.max(0, a[i]! - b[i]!);
  return d;
}

/**
 * Builds a `sparsity-levels` space; `options` are validated and defaults applied here.
 * @throws {ZodError} when the options do not validate.
 */
export function createSparsityLevelsSpace(input: SparsityLevelsOptionsInput): SparsityLevelsSpace {
  const options = sparsityLevelsOptionsSchema.parse(input);
  const layerNames = options.model ? presetLayers(options.model).map((l) => l.name) : undefined;
  const n = layerNames ? layerNames.length : options.layers!;
  const L = options.maxLevel;
  const maxDev = options.maxTotalDeviation ?? L * n;
  const scratch: number[] = []; // eligible indices; filled and consumed within one flip

  /** One level switch in place: −1 on a uniform layer that can go down, +1 on a uniform other layer that can go up. */
  const flip = (g: number[], rng: Rng): void => {
    scratch.length = 0;
    for (let i = 0; i < n; i++) if (g[i]! - 1 >= -L) scratch.push(i);
    // With sum 0 both lists are non-empty (all others at +L would force g[i] = −(n−1)·L); only a foreign genome trips this.
    if (scratch.length === 0)
      throw new RangeError(`sparsity-levels: no layer can go down in [${g.join(',')}]; not a genome of this space`);
    const down = scratch[randomInt(rng, scratch.length)]!;
    scratch.length = 0;
    for (let j = 0; j < n; j++) if (j !== down && g[j]! + 1 <= L) scratch.push(j);
    if (scratch.length === 0)
      throw new RangeError(`sparsity-levels: no layer can go up in [${g.join(',')}]; not a genome of this space`);
    const up = scratch[randomInt(rng, scratch.length)]!;
    g[down]!--;
    g[up]!++;
  };

  /** One switch that lowers Σ|level| by 2 (a random one from uniform): always valid, since maxTotalDeviation ≥ 2. */
  const towardUniform = (parent: LevelGenome, rng: Rng): number[] => {
    const child = parent.slice();
    const pos: number[] = [];
    const neg: number[] = [];
    for (let i = 0; i < n; i++) {
      if (child[i]! > 0) pos.push(i);
      else if (child[i]! < 0) neg.push(i);
    }
    if (pos.length === 0 || neg.length === 0)
      flip(child, rng); // uniform parent (sum 0): any switch has deviation 2
    else {
      child[pos[randomInt(rng, pos.length)]!]!--;
      child[neg[randomInt(rng, neg.length)]!]!++;
    }
    return child;
  };

  const equal = (a: LevelGenome, b: LevelGenome): boolean => a.every((v, i) => v === b[i]);

  const space: SparsityLevelsSpace = {
    name: 'sparsity-levels',
    layers: n,
    layerNames,
    maxLevel: L,
    maxTotalDeviation: maxDev,

    sample(rng) {
      let g: number[] = new Array<number>(n).fill(0);
      for (let t = 0; t < options.initialFlips; t++) {
        let next: number[] | undefined;
        for (let attempt = 0; attempt < VARIATION_TRIES && !next; attempt++) {
          const c = g.slice();
          flip(c, rng);
          if (totalDeviation(c) <= maxDev) next = c;
        }
        g = next ?? towardUniform(g, rng);
      }
      return g;
    },

    // EvoPress: num_flips switches, redrawn when the offspring equals the parent or exceeds maxTotalDeviation.
    // A valid offspring always exists (a switch toward uniform), so after VARIATION_TRIES that is returned instead:
    // mutate never returns a copy of its parent.
    mutate(parent, rng) {
      for (let attempt = 0; attempt < VARIATION_TRIES; attempt++) {
        const child = parent.slice();
        const flips = minOfTwoUniform(rng, MAX_FLIPS);
        for (let f = 0; f < flips; f++) flip(child, rng);
        if (totalDeviation(child) <= maxDev && !equal(child, parent)) return child;
      }
      return towardUniform(parent, rng);
    },

    crossover(a, b, rng) {
      const down: number[] = []; // one entry per unit a is above b: taking it from b means −1 there
      const up: number[] = [];
      for (let i = 0; i < n; i++) {
        const d = a[i]! - b[i]!;
        for (let u = 0; u < d; u++) down.push(i);
        for (let u = 0; u < -d; u++) up.push(i);
      }
      const m = Math.min(down.length, up.length); // equal for genomes of equal sum
      for (let attempt = 0; attempt < VARIATION_TRIES; attempt++) {
        const t = binomialPositions(rng, m, 0.5).length; // units taken from b, as in uniform crossover
        const child = a.slice();
        pickInto(child, down, t, -1, rng);
        pickInto(child, up, t, +1, rng);
        if (totalDeviation(child) <= maxDev) return child;
      }
      return a.slice();
    },

    key(g) {
      return g.join(',');
    },

    describe(g) {
      return `levels [${g.map((v) => (v > 0 ? `+${v}` : String(v))).join(' ')}]`;
    },

    encode(g) {
      return g.slice();
    },

    decode(x) {
      const where = 'sparsity-levels.decode';
      if (!Array.isArray(x))
        throw new TypeError(`${where}: expected an array of ${n} integer levels, got ${typeName(x)}`);
      if (x.length !== n) throw new RangeError(`${where}: expected ${n} levels (one per layer), got ${x.length}`);
      let sum = 0;
      const g: number[] = [];
      for (let i = 0; i < n; i++) {
        const v: unknown = x[i];
        if (typeof v !== 'number' || !Number.isInteger(v))
          throw new TypeError(`${where}: level ${i} is ${JSON.stringify(v) ?? String(v)}, not an integer`);
        if (Math.abs(v) > L) throw new RangeError(`${where}: level ${i} is ${v}, outside [-${L}, ${L}]`);
        sum += v;
        g.push(v === 0 ? 0 : v); // -0 → 0, so keys and encodings are canonical
      }
      if (sum !== 0)
        throw new RangeError(`${where}: levels sum to ${sum}; they must sum to 0 to keep the global sparsity budget`);
      const dev = totalDeviation(g);
      if (dev > maxDev)
        throw new RangeError(`${where}: total deviation Σ|level| = ${dev} exceeds maxTotalDeviation ${maxDev}`);
      return g;
    },
  };
  return space;
}

/** Adds `delta` at `t` distinct entries of `units` drawn uniformly (partial Fisher–Yates; reorders `units`). */
function pickInto(child: number[], units: number[], t: number, delta: number, rng: Rng): void {
  for (let k = 0; k < t; k++) {
    const r = k + randomInt(rng, units.length - k);
    const chosen = units[r]!;
    units[r] = units[k]!;
    units[k] = chosen;
    child[chosen]! += delta;
  }
}
