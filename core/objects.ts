// Plain-object helpers shared by the layers above.

/** A copy of `value` without `keys`: a config section's options, once its selector (`type`, `strategy`) is taken out. */
export function withoutKeys(value: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).filter(([k]) => !keys.includes(k)));
}

/**
 * True when `m` has exactly the own keys `names`, in that order (or both are absent): a result's metrics fit a
 * layout of named columns (the log's event blocks, a worker lane's packed results).
 */
export function hasExactKeys(
  m: Readonly<Record<string, number>> | undefined,
  names: readonly string[] | undefined,
): boolean {
  if (!m || !names) return m === undefined && names === undefined;
  let i = 0;
  for (const name in m) if (!Object.hasOwn(m, name) || names[i++] !== name) return false;
  return i === names.length;
}

/** `T` with its readonly fields writable: an object filled in place (optional fields only when present), then frozen by type. */
export type Writable<T> = { -readonly [K in keyof T]: T[K] };
