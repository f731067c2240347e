// N:M masks from a swap genome (spaces/sparsity/nm.ts), tfjs-free. In every group of M consecutive inputs of a row the
// M weights are ranked by the base metric (magnitude |W| or Wanda |W|·sqrt(X)); rank 0 = highest score, and among
// equal scores the later position ranks higher, so that keeping ranks 0…K−1 prunes exactly what masks.ts' pruneMask
// prunes (it prunes the earlier of two equal scores first). A genome overrides the kept ranks of the groups it lists.
import type { NmGenome, NmLayerSwaps } from '../../spaces/sparsity/index.js';
import { pruneMask } from '../pruning/masks.js';
import type { LayerShape } from '../../lm/presets.js';
import type { LayerSource } from './database.js';

/** One layer's base ranking and weights. */
export interface NmLayer extends LayerShape {
  /** Groups in the layer: dOut·dIn/M. */
  readonly groups: number;
  /** rankOffset[g·M + r] = position within group g (0…M−1) of the weight of rank r. */
  readonly rankOffset: Uint8Array;
  /** Dense weights, [dOut][dIn] row-major. */
  readonly dense: Float32Array;
  /** The base mask applied to the dense weights, [dOut][dIn]. */
  readonly baseWeights: Float32Array;
  /** 1 where magnitude's own N:M mask (pruneMask on |W|) prunes: the reference of the overlap descriptor. */
  readonly magnitudePruned: Uint8Array;
}

/** Everything an N:M evaluation needs, computed once per worker. */
export interface NmBase {
  /** Pruned per group. */
  readonly n: number;
  readonly m: number;
  /** Kept per group: M − N. */
  readonly kept: number;
  /** Kept-rank bitmask of the base mask: (1 << K) − 1. */
  readonly baseKept: number;
  readonly layers: readonly NmLayer[];
  readonly totalGroups: number;
  /** Weights pruned both by the base mask and by magnitude's N:M mask. */
  readonly baseOverlap: number;
}

/**
 * Ranks every group of a layer's scores ([dOut][dIn], groups of M consecutive entries): rank r of group g is at
 * position rankOffset[g·M + r] of the group.
 */
export function groupRankOffsets(scores: ArrayLike<number>, m: number): Uint8Array {
  const out = new Uint8Array(scores.length);
  const order = Array.from({ length: m }, (_, i) => i);
  for (let start = 0; start < scores.length; start += m) {
    for (let i = 0; i < m; i++) order[i] = i;
    // Ascending by (score, position) as pruneMask does; rank r is the (M−1−r)-th of that order.
    order.sort((a, b) => (scores[start + a] as number) - (scores[start + b] as number) || a - b);
    for (let r = 0; r < m; r++) out[start + r] = order[m - 1 - r] as number;
  }
  return out;
}

/**
 * Ranks, base weights and magnitude reference for every layer.
 * @throws {RangeError} when M does not divide a layer's inputs, or Wanda's sqrt(X) is missing.
 */
export function buildNmBase(
  sources: readonly LayerSource[],
  method: 'magnitude' | 'wanda',
  n: number,
  m: number,
): NmBase {
  const kept = m - n;
  const baseKept = (1 << kept) - 1;
  let totalGroups = 0;
  let baseOverlap = 0;
  const layers = sources.map((source): NmLayer => {
    const { name, dOut, dIn, weight } = source;
    if (dIn % m !== 0)
      throw new RangeError(`N:M pruning needs M (${m}) to divide the inputs of layer ${name} (${dIn})`);
    const magnitude = Float64Array.from(weight, Math.abs);
    let scores: Float64Array = magnitude;
    if (method === 'wanda') {
      const norm = source.inputNorm;
      if (!norm || norm.length !== dIn)
        throw new RangeError(`layer ${name}: Wanda needs sqrt(X) for its ${dIn} inputs`);
      scores = magnitude.map((w, i) => w * (norm[i % dIn] as number));
    }
    const rankOffset = groupRankOffsets(scores, m);
    const baseWeights = weight.slice();
    for (let start = 0; start < weight.length; start += m)
      for (let r = kept; r < m; r++) baseWeights[start + (rankOffset[start + r] as number)] = 0;
    const magnitudeMask = pruneMask({ dOut, dIn, data: magnitude }, { kind: 'n:m', n, m }, n / m);
    const magnitudePruned = magnitudeMask.map((bit) => 1 - bit);
    for (let start = 0; start < weight.length; start += m)
      for (let r = kept; r < m; r++)
        baseOverlap += magnitudePruned[start + (rankOffset[start + r] as number)] as number;
    totalGroups += weight.length / m;
    return { name, dOut, dIn, groups: weight.length / m, rankOffset, dense: weight, baseWeights, magnitudePruned };
  });
  return { n, m, kept, baseKept, layers, totalGroups, baseOverlap };
}

/**
 * Checks a genome against the model: one entry per layer; groups strictly increasing and in range; each kept
 * bitmask has K bits set among the low M.
 * @throws {RangeError} naming the layer and entry.
 */
export function checkNmGenome(genome: NmGenome, base: NmBase): void {
  if (!Array.isArray(genome))
    throw new RangeError(
      `an N:M genome is an array of ${base.layers.length} per-layer swap lists, got ${typeof genome}`,
    );
  if (genome.length !== base.layers.length)
    throw new RangeError(
      `N:M genome has ${genome.length} layers; the model has ${base.layers.length} prunable layers (${base.layers.map((l) => l.name).join(', ')})`,
    );
  const full = (1 << base.m) - 1;
  genome.forEach((swaps: NmLayerSwaps | undefined, i) => {
    const layer = base.layers[i] as NmLayer;
    const at = `N:M genome, layer ${i} (${layer.name})`;
    if (!swaps || typeof swaps !== 'object' || !isIntegerArray(swaps.groups) || !isIntegerArray(swaps.kept))
      throw new RangeError(`${at}: expected { groups: Uint32Array, kept: Uint8Array }`);
    if (swaps.groups.length !== swaps.kept.length)
      throw new RangeError(`${at}: ${swaps.groups.length} groups but ${swaps.kept.length} kept masks`);
    for (let j = 0; j < swaps.groups.length; j++) {
      const group = swaps.groups[j] as number;
      const kept = swaps.kept[j] as number;
      if (!Number.isInteger(group) || group < 0 || group >= layer.groups)
        throw new RangeError(`${at}: entry ${j}: group ${group} is outside 0…${layer.groups - 1}`);
      if (j > 0 && group <= (swaps.groups[j - 1] as number))
        throw new RangeError(
          `${at}: entry ${j}: group ${group} does not follow ${swaps.groups[j - 1]}; groups must be strictly increasing`,
        );
      if (!Number.isInteger(kept) || kept < 0 || kept > full || popcount(kept) !== base.kept) {
        throw new RangeError(
          `${at}: entry ${j} (group ${group}): kept mask ${kept} must have exactly ${base.kept} of its low ${base.m} bits set (${base.n}:${base.m} keeps ${base.kept} of ${base.m})`,
        );
      }
    }
  });
}

/** The pruned weights of layer `index` ([dOut][dIn]) under its swaps; the base array itself when there are none. */
export function nmLayerWeights(base: NmBase, index: number, swaps: NmLayerSwaps | undefined): Float32Array {
  const layer = base.layers[index] as NmLayer;
  if (!swaps || swaps.groups.length === 0) return layer.baseWeights;
  const out = layer.baseWeights.slice();
  const { m } = base;
  for (let j = 0; j < swaps.groups.length; j++) {
    const start = (swaps.groups[j] as number) * m;
    const kept = swaps.kept[j] as number;
    for (let r = 0; r < m; r++) {
      const at = start + (layer.rankOffset[start + r] as number);
      out[at] = (kept >> r) & 1 ? (layer.dense[at] as number) : 0;
    }
  }
  return out;
}

/** Masks (1 keep, 0 prune; [dOut][dIn]) of every layer under a genome, by layer name. */
export function nmMasks(base: NmBase, genome: NmGenome): Map<string, Uint8Array> {
  const masks = new Map<string, Uint8Array>();
  base.layers.forEach((layer, i) => {
    const mask = new Uint8Array(layer.dOut * layer.dIn);
    const swaps = genome[i];
    let next = 0;
    for (let g = 0; g < layer.groups; g++) {
      let kept = base.baseKept;
      if (swaps && next < swaps.groups.length && swaps.groups[next] === g) kept = swaps.kept[next++] as number;
      for (let r = 0; r < base.m; r++)
        if ((kept >> r) & 1) mask[g * base.m + (layer.rankOffset[g * base.m + r] as number)] = 1;
    }
    masks.set(layer.name, mask);
  });
  return masks;
}

/**
 * [0] the fraction of all groups whose kept set differs from the base mask; [1] of the weights the genome prunes, the
 * fraction magnitude's N:M mask also prunes (masks.ts prunedOverlap; 1 for the magnitude base mask).
 */
export function nmDescriptors(base: NmBase, genome: NmGenome): [number, number] {
  let differing = 0;
  let both = base.baseOverlap;
  genome.forEach((swaps, i) => {
    const layer = base.layers[i] as NmLayer;
    for (let j = 0; j < swaps.groups.length; j++) {
      const kept = swaps.kept[j] as number;
      if (kept === base.baseKept) continue;
      differing++;
      const start = (swaps.groups[j] as number) * base.m;
      for (let r = 0; r < base.m; r++) {
        const pruned = layer.magnitudePruned[start + (layer.rankOffset[start + r] as number)] as number;
        both += ((kept >> r) & 1 ? 0 : pruned) - (r >= base.kept ? pruned : 0);
      }
    }
  });
  return [differing / base.totalGroups, both / (base.n * base.totalGroups)];
}

function isIntegerArray(x: unknown): x is ArrayLike<number> {
  return Array.isArray(x) || (ArrayBuffer.isView(x) && !(x instanceof DataView));
}

function popcount(x: number): number {
  let c = 0;
  for (let v = x; v; v &= v - 1) c++;
  return c;
}
