// Which calibration windows an evaluation scores: all of them at full fidelity, otherwise a seeded draw that depends only
// on (fidelity, sample), so every worker and every run scores a racing stage's candidates on the same batch.
import { rngFromSeed } from '../../core/rng.js';

/**
 * Windows used at `fidelity`, out of `total` windows of `context` tokens: fidelity ≤ 1 is a fraction of the windows
 * (round(f·total), at least 1); fidelity > 1 is a token count, rounded down to whole windows (at least 1, at most all).
 * @throws {RangeError} when fidelity is not a positive finite number.
 */
export function windowCount(fidelity: number, total: number, context: number): number {
  if (!(Number.isFinite(fidelity) && fidelity > 0))
    throw new RangeError(
      `fidelity ${fidelity}: expected a fraction of the calibration windows (0 < f ≤ 1) or a token count (> 1)`,
    );
  const count = fidelity <= 1 ? Math.round(fidelity * total) : Math.floor(fidelity / context);
  return Math.min(total, Math.max(1, count));
}

/**
 * The windows (ascending indices into 0…total−1) scored at (fidelity, sample). When fewer than all, they are distinct
 * windows drawn without replacement from a stream seeded by the sample number and the window count (a partial
 * Fisher–Yates shuffle); at full fidelity `sample` is ignored.
 */
export function selectWindows(fidelity: number, sample: number, total: number, context: number): number[] {
  const count = windowCount(fidelity, total, context);
  const all = Array.from({ length: total }, (_, w) => w);
  if (count >= total) return all;
  const rng = rngFromSeed(`sparsity-windows/${sample}/${count}`);
  for (let i = 0; i < count; i++) {
    const j = i + Math.floor(rng() * (total - i));
    [all[i], all[j]] = [all[j] as number, all[i] as number];
  }
  return all.slice(0, count).sort((a, b) => a - b);
}
