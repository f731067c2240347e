// A registry entry: an options schema (validated with the config) plus a factory. One signature per registry.
import type { z } from 'zod';

export interface Factory<Deps, Product> {
  /** One line for `--help` and the README. */
  readonly summary: string;
  /** Strict schema of the entry's options: the config object minus its `type` key. */
  readonly options: z.ZodType;
  /** Builds the product; `options` is parsed (defaults applied) here, so callers may pass raw config. */
  create(options: unknown, deps: Deps): Product;
}

/** Builds a registry entry whose `create` receives typed, validated options. */
export function defineFactory<O, Deps, Product>(
  summary: string,
  options: z.ZodType<O>,
  create: (options: O, deps: Deps) => Product,
): Factory<Deps, Product> {
  return { summary, options, create: (raw, deps) => create(options.parse(raw ?? {}), deps) };
}
