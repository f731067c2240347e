// Turning per-weight scores into pruning masks: per output row (Wanda, Pruner-Zero), per layer (magnitude), or N:M.
import { hashString } from '../../core/hash.js';

/** How weights compete: within each output row, across the whole layer, or within each block of M inputs of a row. */
export type PruneGroup =
  | { readonly kind: 'row' }
  | { readonly kind: 'layer' }
  | { readonly kind: 'n:m'; readonly n: number; readonly m: number };

/** A layer's scores, row-major [dOut][dIn]; lower scores are pruned first. */
export interface LayerScores {
  readonly dOut: number;
  readonly dIn: number;
  readonly data: ArrayLike<number>;
}

/**
 * Mask (1 keep, 0 prune) for one layer. Unstructured groups prune ⌊sparsity·size⌋ lowest per group;
 * N:M prunes the N lowest of every M consecutive inputs of each row (sparsity is then N/M).
 * Ties are broken by position (the earlier weight is pruned first) so masks are deterministic.
 * @throws {Error} when a score is NaN or infinite, or M does not divide dIn.
 */
export function pruneMask(scores: LayerScores, group: PruneGroup, sparsity: number): Uint8Array {
  const { dOut, dIn, data } = scores;
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i]))
      throw new Error(`score ${i} (row ${Math.floor(i / dIn)}, column ${i % dIn}) is ${data[i]}`);
  }
  const mask = new Uint8Array(dOut * dIn).fill(1);
  if (group.kind === 'layer') {
    pruneLowest(data, 0, dOut * dIn, Math.floor(sparsity * dOut * dIn), mask);
  } else if (group.kind === 'row') {
    const perRow = Math.floor(sparsity * dIn);
    for (let o = 0; o < dOut; o++) pruneLowest(data, o * dIn, dIn, perRow, mask);
  } else {
    if (dIn % group.m !== 0) throw new Error(`N:M pruning needs M (${group.m}) to divide the layer's inputs (${dIn})`);
    for (let start = 0; start < dOut * dIn; start += group.m) pruneLowest(data, start, group.m, group.n, mask);
  }
  return mask;
}

/** Zeroes the `count` lowest entries of data[start, start+length) in `mask`. */
function pruneLowest(data: ArrayLike<number>, start: number, length: number, count: number, mask: Uint8Array): void {
  if (count <= 0) return;
  const order = Array.from({ length }, (_, i) => start + i);
  order.sort((a, b) => (data[a] as number) - (data[b] as number) || a - b);
  for (let i = 0; i < count && i < length; i++) mask[order[i] as number] = 0;
}

/** Fraction of weights pruned by a set of masks. */
export function sparsityOf(masks: ReadonlyMap<string, Uint8Array>): number {
  let pruned = 0;
  let total = 0;
  for (const mask of masks.values()) {
    total += mask.length;
    for (const bit of mask) pruned += 1 - bit;
  }
  return total === 0 ? 0 : pruned / total;
}

/** Of the weights pruned by `a`, the fraction also pruned by `b` (1 when both prune the same weights). */
export function prunedOverlap(a: ReadonlyMap<string, Uint8Array>, b: ReadonlyMap<string, Uint8Array>): number {
  let both = 0;
  let inA = 0;
  for (const [name, maskA] of a) {
    const maskB = b.get(name);
    for (let i = 0; i < maskA.length; i++) {
      if (maskA[i] === 0) {
        inA++;
        if (maskB?.[i] === 0) both++;
      }
    }
  }
  return inA === 0 ? 1 : both / inA;
}

/** Level-2 functional hash: two metrics that prune the same weights of every layer are the same candidate. */
export function maskFingerprint(masks: ReadonlyMap<string, Uint8Array>): string {
  const names = [...masks.keys()].sort();
  const parts: Uint8Array[] = [];
  for (const name of names) {
    const mask = masks.get(name) as Uint8Array;
    const packed = new Uint8Array(Math.ceil(mask.length / 8));
    for (let i = 0; i < mask.length; i++) if (mask[i]) packed[i >> 3]! |= 1 << (i & 7);
    parts.push(new TextEncoder().encode(`${name}:${mask.length};`), packed);
  }
  const total = parts.reduce((n, p) => n + p.length, 0);
  const all = new Uint8Array(total);
  let offset = 0;
  for (const p of parts) {
    all.set(p, offset);
    offset += p.length;
  }
  return hashString(all);
}
