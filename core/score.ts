// Comparing candidates: score first, then an optional lexicographic tie-break vector (exact objectives beyond doubles).

/** Anything with a higher-is-better score. `tiebreak` is compared lexicographically when scores tie. */
export interface Scored {
  readonly score: number;
  readonly tiebreak?: readonly number[];
}

/** > 0 when a is better than b, < 0 when worse, 0 when equal. NaN never appears: the engine rejects it. */
export function compareScored(a: Scored, b: Scored): number {
  if (a.score !== b.score) return a.score > b.score ? 1 : -1;
  const ta = a.tiebreak;
  const tb = b.tiebreak;
  if (!ta && !tb) return 0;
  const n = Math.max(ta?.length ?? 0, tb?.length ?? 0);
  for (let i = 0; i < n; i++) {
    const x = ta?.[i] ?? 0;
    const y = tb?.[i] ?? 0;
    if (x !== y) return x > y ? 1 : -1;
  }
  return 0;
}
