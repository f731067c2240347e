// A zod schema built at its first use. Building a schema costs tens of microseconds, and the modules a command imports
// declare about a hundred of them (every strategy's, space's and evaluator's options); `elites run` uses a handful.
// Built eagerly they cost ~60 ms of every start-up.

/**
 * `build()`'s schema, built when it is first touched (a parse, a method, a property). The stand-in forwards every
 * read to the built schema, so it is the schema in every way a caller can see: same type, same methods, instanceof.
 */
export function lazySchema<T extends object>(build: () => T): T {
  let built: T | undefined;
  const schema = (): T => (built ??= build());
  return new Proxy({} as T, {
    get: (_, key) => Reflect.get(schema(), key),
    set: (_, key, value) => Reflect.set(schema(), key, value),
    has: (_, key) => Reflect.has(schema(), key),
    getPrototypeOf: () => Reflect.getPrototypeOf(schema()),
  });
}
