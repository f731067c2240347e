// N:M semi-structured masks as swaps relative to a base mask, in rank space (no weights needed here). In every group
// of M consecutive inputs of a row the evaluator ranks the M weights by a base metric (rank 0 = most important); the
// base mask keeps ranks 0…K−1 (K = M − N kept, as pruneMask and Wanda's prune_n prune N of every M). A genome lists,
// per layer, the groups whose kept set differs from the base. Every group keeps exactly K of M by construction.
import { z } from 'zod';
import { lazySchema } from '../../core/lazy-schema.js';
import { randomInt } from '../../core/rng.js';
import type { Rng, Space } from '../../core/types.js';
import { hashBytes } from '../../core/hash.js';
import { minOfTwoUniform, modelPresetSchema, presetLayers, typeName, type LayerShape } from './common.js';

/**
 * The swapped groups of one layer: `groups` strictly increasing, `kept[i]` the bitmask of kept ranks of group
 * `groups[i]` (bit r = rank r kept), with popcount K and never equal to the base mask. Treat as immutable:
 * variation operators share unchanged layers between parent and child.
 */
export interface NmLayerSwaps {
  readonly groups: Uint32Array;
  readonly kept: Uint8Array;
}
/** One entry per prunable layer, in forward order; all-empty is the base mask. */
export type NmGenome = readonly NmLayerSwaps[];

const PATTERN = /^(\d+):(\d+)$/;
const MAX_M = 8; // a group's kept set is a byte

/** "N:M" → {n, m}: N of every M pruned (0 < N < M ≤ 8). @throws {RangeError} on anything else. */
export function parseNmPattern(pattern: string): { readonly n: number; readonly m: number } {
  const match = PATTERN.exec(pattern);
  const n = match ? Number(match[1]) : NaN;
  const m = match ? Number(match[2]) : NaN;
  if (!(n > 0 && n < m && m <= MAX_M))
    throw new RangeError(`pattern ${JSON.stringify(pattern)}: use "N:M" with 0 < N < M ≤ ${MAX_M}, e.g. "2:4"`);
  return { n, m };
}

const layerShapeSchema = lazySchema(() =>
  z.strictObject({
    name: z.string().min(1),
    dOut: z.int().min(1),
    dIn: z.int().min(1),
  }),
);

/** Options of the `sparsity-nm` space (the config object minus `type`). */
export const sparsityNmOptionsSchema = lazySchema(() =>
  z
    .strictObject({
      pattern: z
        .string()
        .regex(PATTERN, 'use N:M, e.g. "2:4"')
        .describe(`N:M: N of every M consecutive inputs of a row are pruned (0 < N < M ≤ ${MAX_M})`),
      model: modelPresetSchema
        .optional()
        .describe('language-model preset whose prunable layers are searched (give this or `layers`)'),
      layers: z
        .array(layerShapeSchema)
        .min(1)
        .optional()
        .describe('prunable layers {name, dOut, dIn} in forward order (give this or `model`)'),
      maxSwaps: z.int().min(1).default(16).describe('groups changed per mutation: min(U{1..maxSwaps}, U{1..maxSwaps})'),
      boundaryBias: z
        .number()
        .min(0)
        .max(1)
        .default(0.5)
        .describe(
          "probability that a group's swap exchanges its weakest kept rank with its strongest pruned rank (else a uniform pair)",
        ),
    })
    .superRefine((o, ctx) => {
      if ((o.layers === undefined) === (o.model === undefined)) {
        ctx.addIssue({
          code: 'custom',
          path: [o.layers === undefined ? 'layers' : 'model'],
          message: `give exactly one of \`layers\` (shapes) or \`model\` (a preset), not ${o.layers === undefined ? 'neither' : 'both'}`,
        });
        return;
      }
      let m: number;
      try {
        m = parseNmPattern(o.pattern).m;
      } catch (error) {
        ctx.addIssue({ code: 'custom', path: ['pattern'], message: (error as Error).message });
        return;
      }
      const shapes = o.layers ?? presetLayers(o.model!);
      const seen = new Set<string>();
      shapes.forEach((s, i) => {
        const path = o.layers ? ['layers', i] : ['model'];
        if (seen.has(s.name))
          ctx.addIssue({ code: 'custom', path, message: `layer name ${JSON.stringify(s.name)} is repeated` });
        seen.add(s.name);
        if (s.dIn % m !== 0) {
          ctx.addIssue({
            code: 'custom',
            path,
            message: `layer ${s.name}: M = ${m} does not divide its ${s.dIn} inputs`,
          });
        } else if ((s.dOut * s.dIn) / m > 0xffffffff) {
          ctx.addIssue({ code: 'custom', path, message: `layer ${s.name}: more than 2^32 − 1 groups` });
        }
      });
    }),
);
export type SparsityNmOptions = z.infer<typeof sparsityNmOptionsSchema>;
export type SparsityNmOptionsInput = z.input<typeof sparsityNmOptionsSchema>;

/** An N:M swap space. Every genome it returns is canonical: sorted groups, no entry equal to the base. */
export interface SparsityNmSpace extends Space<NmGenome> {
  /** Pruned (n) and group size (m) of the pattern; `kept` = m − n ranks kept per group. */
  readonly n: number;
  readonly m: number;
  readonly kept: number;
  /** Kept-rank bitmask of the base mask: ranks 0…kept−1, i.e. (1 << kept) − 1. */
  readonly baseKept: number;
  readonly layers: readonly LayerShape[];
  /** Groups per layer: dOut·dIn/m. */
  readonly groupCounts: readonly number[];
  /** Uniform per layer: each layer's swap list from one parent (exactly K kept per group holds by construction). */
  crossover(a: NmGenome, b: NmGenome, rng: Rng): NmGenome;
  /** Number of groups whose kept set differs from the base. */
  swapCount(g: NmGenome): number;
}

/**
 * Kept-rank bitmask of `group` in `layer` (bit r set = the weight of rank r is kept; rank 0 = highest base score).
 * Group g of a layer is the flat row-major weights g·M … g·M+M−1 (same blocks as pruneMask's N:M loop). To reproduce
 * pruneMask's base mask exactly, rank weights by descending score with ties to the later position (pruneMask prunes
 * the earlier one first). Binary search: O(log swaps).
 */
export function keptRanks(genome: NmGenome, layer: number, group: number, K: number): number {
  const swaps = genome[layer];
  if (!swaps) throw new RangeError(`keptRanks: no layer ${layer} (genome has ${genome.length})`);
  const i = findGroup(swaps.groups, group);
  return i >= 0 ? swaps.kept[i]! : (1 << K) - 1;
}

/** Calls `fn` for every group that differs from the base, layer by layer in increasing group order. */
export function forEachSwap(genome: NmGenome, fn: (layer: number, group: number, kept: number) => void): void {
  genome.forEach((swaps, layer) => {
    for (let i = 0; i < swaps.groups.length; i++) fn(layer, swaps.groups[i]!, swaps.kept[i]!);
  });
}

/** Index of `group` in sorted `groups`, or −1. */
function findGroup(groups: Uint32Array, group: number): number {
  let lo = 0;
  let hi = groups.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const g = groups[mid]!;
    if (g === group) return mid;
    if (g < group) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

function popcount(x: number): number {
  let c = 0;
  for (let v = x; v; v &= v - 1) c++;
  return c;
}

/** Bit position of the r-th set bit (r from 0) of `x`. */
function nthSetBit(x: number, r: number): number {
  let v = x;
  for (let k = 0; k < r; k++) v &= v - 1;
  return 31 - Math.clz32(v & -v);
}

const EMPTY: NmLayerSwaps = Object.freeze({ groups: new Uint32Array(0), kept: new Uint8Array(0) });
const DESCRIBE_MAX_LAYERS = 6;

/**
 * Builds a `sparsity-nm` space; `options` are validated and defaults applied here.
 * @throws {ZodError} when the options do not validate (bad pattern, M not dividing a layer's inputs, …).
 */
export function createSparsityNmSpace(input: SparsityNmOptionsInput): SparsityNmSpace {
  const options = sparsityNmOptionsSchema.parse(input);
  const { n, m } = parseNmPattern(options.pattern);
  const K = m - n;
  const base = (1 << K) - 1;
  const full = (1 << m) - 1;
  const layers: LayerShape[] = (options.layers ?? presetLayers(options.model!)).map(({ name, dOut, dIn }) => ({
    name,
    dOut,
    dIn,
  }));
  const groupCounts = layers.map((l) => (l.dOut * l.dIn) / m);
  const offsets: number[] = [0]; // offsets[l] = groups before layer l; offsets[L] = all groups
  for (const c of groupCounts) offsets.push(offsets[offsets.length - 1]! + c);
  const totalGroups = offsets[offsets.length - 1]!;
  const { maxSwaps, boundaryBias } = options;

  const layerOf = (global: number): number => {
    let lo = 0;
    let hi = layers.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (offsets[mid]! <= global) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };

  /** One swap: a kept rank out, a pruned rank in (boundary pair with probability boundaryBias). */
  const swap = (kept: number, rng: Rng): number => {
    const pruned = full & ~kept;
    if (rng() < boundaryBias) {
      const weakestKept = 31 - Math.clz32(kept); // highest kept rank
      const strongestPruned = 31 - Math.clz32(pruned & -pruned); // lowest pruned rank
      return kept ^ (1 << weakestKept) ^ (1 << strongestPruned);
    }
    return kept ^ (1 << nthSetBit(kept, randomInt(rng, K))) ^ (1 << nthSetBit(pruned, randomInt(rng, n)));
  };

  /** `swaps` with the given (group → kept) changes merged in, base entries dropped; result sorted. */
  const merge = (swaps: NmLayerSwaps, changes: Map<number, number>): NmLayerSwaps => {
    const changed = [...changes.keys()].sort((a, b) => a - b);
    const groups: number[] = [];
    const kept: number[] = [];
    const push = (g: number, k: number): void => {
      if (k !== base) {
        groups.push(g);
        kept.push(k);
      }
    };
    let i = 0;
    for (const g of changed) {
      while (i < swaps.groups.length && swaps.groups[i]! < g) push(swaps.groups[i]!, swaps.kept[i++]!);
      if (i < swaps.groups.length && swaps.groups[i] === g) i++; // replaced by the change
      push(g, changes.get(g)!);
    }
    while (i < swaps.groups.length) push(swaps.groups[i]!, swaps.kept[i++]!);
    return groups.length === 0 ? EMPTY : { groups: Uint32Array.from(groups), kept: Uint8Array.from(kept) };
  };

  const swapCount = (g: NmGenome): number => g.reduce((s, l) => s + l.groups.length, 0);

  return {
    name: 'sparsity-nm',
    n,
    m,
    kept: K,
    baseKept: base,
    layers,
    groupCounts,
    swapCount,

    sample() {
      return layers.map(() => EMPTY); // the base mask: the search starts from the magnitude/Wanda N:M mask
    },

    // min(U{1..maxSwaps}, U{1..maxSwaps}) distinct groups, uniform over all groups of all layers, each get one swap.
    // A swap always changes its group, so the child always differs from the parent.
    mutate(parent, rng) {
      const count = Math.min(minOfTwoUniform(rng, maxSwaps), totalGroups);
      const byLayer = new Map<number, Map<number, number>>();
      for (let c = 0; c < count; ) {
        const global = randomInt(rng, totalGroups);
        const layer = layerOf(global);
        const group = global - offsets[layer]!;
        let changes = byLayer.get(layer);
        if (!changes) byLayer.set(layer, (changes = new Map()));
        if (changes.has(group)) continue; // distinct groups: redraw
        changes.set(group, swap(keptRanks(parent, layer, group, K), rng));
        c++;
      }
      return parent.map((swaps, layer) => {
        const changes = byLayer.get(layer);
        return changes ? merge(swaps, changes) : swaps;
      });
    },

    crossover(a, b, rng) {
      return a.map((swaps, layer) => (rng() < 0.5 ? swaps : b[layer]!));
    },

    key(g) {
      // Canonical bytes (per layer: count u32, groups u32 each, kept u8 each; little-endian) → SHA-1.
      const bytes = new Uint8Array(g.reduce((s, l) => s + 4 + 5 * l.groups.length, 0));
      const view = new DataView(bytes.buffer);
      let at = 0;
      for (const l of g) {
        view.setUint32(at, l.groups.length, true);
        at += 4;
        for (const group of l.groups) {
          view.setUint32(at, group, true);
          at += 4;
        }
        bytes.set(l.kept, at);
        at += l.kept.length;
      }
      return hashBytes(bytes);
    },

    describe(g) {
      const total = swapCount(g);
      if (total === 0) return `${n}:${m}, base mask (0 groups swapped)`;
      const parts: string[] = [];
      g.forEach((l, i) => {
        if (l.groups.length > 0) parts.push(`${layers[i]!.name} ${l.groups.length}`);
      });
      const shown = parts.length > DESCRIBE_MAX_LAYERS ? [...parts.slice(0, DESCRIBE_MAX_LAYERS), '…'] : parts;
      return `${n}:${m}, ${total} group${total === 1 ? '' : 's'} swapped (${shown.join(', ')})`;
    },

    // Per layer a flat array [group, kept, group, kept, …]; empty for layers at the base mask.
    encode(g) {
      return g.map((l) => {
        const flat: number[] = [];
        for (let i = 0; i < l.groups.length; i++) flat.push(l.groups[i]!, l.kept[i]!);
        return flat;
      });
    },

    decode(x) {
      const where = 'sparsity-nm.decode';
      if (!Array.isArray(x))
        throw new TypeError(
          `${where}: expected an array of ${layers.length} per-layer [group, kept, …] arrays, got ${typeName(x)}`,
        );
      if (x.length !== layers.length)
        throw new RangeError(`${where}: expected ${layers.length} layers, got ${x.length}`);
      return layers.map((shape, li) => {
        const flat: unknown = x[li];
        const at = `${where}: layer ${li} (${shape.name})`;
        if (!Array.isArray(flat))
          throw new TypeError(`${at}: expected a flat [group, kept, …] array, got ${typeName(flat)}`);
        if (flat.length % 2 !== 0)
          throw new RangeError(`${at}: odd length ${flat.length}; entries are [group, kept] pairs`);
        const count = flat.length / 2;
        if (count === 0) return EMPTY;
        const groups = new Uint32Array(count);
        const kept = new Uint8Array(count);
        for (let i = 0; i < count; i++) {
          const group: unknown = flat[2 * i];
          const mask: unknown = flat[2 * i + 1];
          if (typeof group !== 'number' || !Number.isInteger(group) || group < 0 || group >= groupCounts[li]!) {
            throw new RangeError(
              `${at}: entry ${i}: group ${JSON.stringify(group)} is not an integer in [0, ${groupCounts[li]})`,
            );
          }
          if (i > 0 && group <= groups[i - 1]!)
            throw new RangeError(
              `${at}: entry ${i}: group ${group} does not follow ${groups[i - 1]}; groups must be strictly increasing`,
            );
          if (typeof mask !== 'number' || !Number.isInteger(mask) || mask < 0 || mask > full || popcount(mask) !== K) {
            throw new RangeError(
              `${at}: entry ${i} (group ${group}): kept mask ${JSON.stringify(mask)} must be an integer in [0, ${full}] with ${K} bits set`,
            );
          }
          if (mask === base)
            throw new RangeError(
              `${at}: entry ${i} (group ${group}): kept mask ${mask} equals the base mask; base groups are left out`,
            );
          groups[i] = group;
          kept[i] = mask;
        }
        return { groups, kept };
      });
    },
  };
}
