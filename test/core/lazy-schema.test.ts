import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { lazySchema } from '../../core/lazy-schema.js';
import { bitstringOptionsSchema } from '../../spaces/index.js';

describe('lazySchema', () => {
  it('builds the schema at its first use, once', () => {
    let builds = 0;
    const schema = lazySchema(() => {
      builds++;
      return z.strictObject({ n: z.number().int().default(3) });
    });
    const inner = z.object({ options: schema });
    expect(builds).toBe(0);
    expect(inner.parse({ options: {} })).toEqual({ options: { n: 3 } });
    expect(schema.parse({ n: 5 })).toEqual({ n: 5 });
    expect(builds).toBe(1);
  });

  it('is the schema to callers: instanceof, methods, errors with their paths', () => {
    const eager = z.strictObject({ length: z.number().int().positive() });
    expect(bitstringOptionsSchema).toBeInstanceOf(z.ZodType);
    expect(bitstringOptionsSchema.shape.length).toBeInstanceOf(z.ZodNumber);
    expect(bitstringOptionsSchema.partial().parse({})).toEqual({});
    const bad = { length: -2, extra: 1 };
    expect(bitstringOptionsSchema.safeParse(bad).error?.issues).toEqual(eager.safeParse(bad).error?.issues);
    expect(bitstringOptionsSchema.optional().parse(undefined)).toBeUndefined();
  });
});
