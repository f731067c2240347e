// EvoPress level arithmetic (ALGORITHMS.md §4.1), tfjs-free: level ℓ of a layer with n weights prunes exactly
// round(s·n) + ℓ·Δ of them, so any level vector summing to 0 prunes Σ round(s·n) weights in all: the budget is exact
// by construction. Also the allocation descriptors and the per-layer sparsities a report can show.
import type { LayerShape } from '../../lm/presets.js';

/** The resolved level scheme of one run: target average sparsity s, levels −maxLevel…maxLevel, Δ weights per level. */
export interface LevelScheme {
  readonly sparsity: number;
  readonly maxLevel: number;
  readonly weightsPerLevel: number;
}

/** EvoPress' default Δ = round(0.5·min(s, 1 − s)/L·dModel²) (its `weights_diff` with hidden size dModel). */
export function defaultWeightsPerLevel(dModel: number, sparsity: number, maxLevel: number): number {
  return Math.round(((0.5 * Math.min(sparsity, 1 - sparsity)) / maxLevel) * dModel * dModel);
}

/** Weights a layer of `n` weights prunes at level 0: round(s·n). */
export function basePrunedCount(n: number, sparsity: number): number {
  return Math.round(sparsity * n);
}

/** Weights a layer of `n` weights prunes at `level`: round(s·n) + level·Δ (may be out of range; see {@link checkLevelScheme}). */
export function levelPrunedCount(n: number, scheme: LevelScheme, level: number): number {
  return basePrunedCount(n, scheme.sparsity) + level * scheme.weightsPerLevel;
}

/**
 * Checks that every level of every layer prunes a valid count (0 ≤ pruned ≤ n) and that Δ ≥ 1.
 * @throws {RangeError} naming the first layer and level that does not, with the largest Δ that would work.
 */
export function checkLevelScheme(layers: readonly LayerShape[], scheme: LevelScheme): void {
  const { maxLevel, weightsPerLevel } = scheme;
  if (!Number.isInteger(weightsPerLevel) || weightsPerLevel < 1) {
    throw new RangeError(
      `weightsPerLevel is ${weightsPerLevel}; it must be a positive integer (the default round(0.5·min(s, 1 − s)/maxLevel·dModel²) can round to 0 for tiny models: set it)`,
    );
  }
  let largest = Infinity;
  for (const { dOut, dIn } of layers) {
    const n = dOut * dIn;
    const base = basePrunedCount(n, scheme.sparsity);
    largest = Math.min(largest, Math.floor(Math.min(base, n - base) / maxLevel));
  }
  for (const { name, dOut, dIn } of layers) {
    const n = dOut * dIn;
    for (const level of [-maxLevel, maxLevel]) {
      const count = levelPrunedCount(n, scheme, level);
      if (count < 0 || count > n) {
        throw new RangeError(
          `level ${level} of layer ${name} (${n} weights, ${basePrunedCount(n, scheme.sparsity)} pruned at level 0) would prune ${count} weights, outside 0…${n}: ` +
            `use a smaller maxLevel or weightsPerLevel (with maxLevel ${maxLevel}, weightsPerLevel can be at most ${largest})`,
        );
      }
    }
  }
}

/**
 * Checks a level genome against the layers: one integer per layer in [−maxLevel, maxLevel], summing to 0.
 * @throws {RangeError} saying what is wrong.
 */
export function checkLevelGenome(genome: readonly number[], layerNames: readonly string[], maxLevel: number): void {
  if (!Array.isArray(genome) && !ArrayBuffer.isView(genome))
    throw new RangeError(`a levels genome is an array of ${layerNames.length} integers, got ${typeof genome}`);
  if (genome.length !== layerNames.length)
    throw new RangeError(
      `levels genome has ${genome.length} entries; the model has ${layerNames.length} prunable layers (${layerNames.join(', ')})`,
    );
  let sum = 0;
  genome.forEach((level, i) => {
    if (!Number.isInteger(level) || Math.abs(level) > maxLevel)
      throw new RangeError(
        `level of layer ${layerNames[i]} is ${level}; expected an integer in [${-maxLevel}, ${maxLevel}] (the evaluator's maxLevel)`,
      );
    sum += level;
  });
  if (sum !== 0)
    throw new RangeError(`levels sum to ${sum}; they must sum to 0 so the global sparsity stays exactly at the target`);
}

/** Weights pruned in each layer by a level genome (no checks). */
export function prunedCounts(layers: readonly LayerShape[], scheme: LevelScheme, genome: readonly number[]): number[] {
  return layers.map(({ dOut, dIn }, i) => levelPrunedCount(dOut * dIn, scheme, genome[i] ?? 0));
}

/** Each layer's sparsity under a level genome, by layer name in forward order (for reports). */
export function layerSparsities(
  layers: readonly LayerShape[],
  scheme: LevelScheme,
  genome: readonly number[],
): Map<string, number> {
  const counts = prunedCounts(layers, scheme, genome);
  return new Map(layers.map(({ name, dOut, dIn }, i) => [name, (counts[i] as number) / (dOut * dIn)]));
}

/**
 * Where an allocation puts its sparsity, from pruned counts per layer (forward order, names 'block<b>.<part>'):
 * [0] attention − MLP: pruned fraction of the q, k, v, o weights minus that of the up, down weights;
 * [1] late − early: pruned fraction of the weights in the second half of the blocks minus the first half (the middle
 * block of an odd count is in neither; 0 with one block). Both are weight-weighted and lie in [−1, 1]; 0 for uniform
 * sparsity in layers of equal shape.
 */
export function allocationDescriptors(layers: readonly LayerShape[], pruned: readonly number[]): [number, number] {
  const blocks = new Set(layers.map((l) => blockOf(l.name))).size;
  const sums = { attention: [0, 0], mlp: [0, 0], early: [0, 0], late: [0, 0] };
  layers.forEach(({ name, dOut, dIn }, i) => {
    const add = (acc: number[]): void => {
      acc[0]! += pruned[i] as number;
      acc[1]! += dOut * dIn;
    };
    const part = name.slice(name.indexOf('.') + 1);
    add(part === 'up' || part === 'down' ? sums.mlp : sums.attention);
    const block = blockOf(name);
    if (block < Math.floor(blocks / 2)) add(sums.early);
    else if (block >= Math.ceil(blocks / 2)) add(sums.late);
  });
  const fraction = ([p, n]: number[]): number => (n ? (p as number) / (n as number) : 0);
  return [fraction(sums.attention) - fraction(sums.mlp), blocks < 2 ? 0 : fraction(sums.late) - fraction(sums.early)];
}

function blockOf(name: string): number {
  const match = /^block(\d+)\./.exec(name);
  return match ? Number(match[1]) : 0;
}
