// Plain-object helpers shared by the layers above.

/** A copy of `value` without `keys`: a config section's options, once its selector (`type`, `strategy`) is taken out. */
export function withoutKeys(value: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).filter(([k]) => !keys.includes(k)));
}
