// Bit-string space: fixed-length 0/1 genomes with standard bit mutation and uniform crossover.
import { z } from 'zod';
import { lazySchema } from '../core/lazy-schema.js';
import { binomialPositions } from '../core/rng.js';
import type { Rng, Space } from '../core/types.js';
import { hashBytes } from '../core/hash.js';

/** Options of the `bitstring` space (the config object minus `type`). */
export const bitstringOptionsSchema = lazySchema(() =>
  z.strictObject({
    /** Number of bits. */
    length: z.number().int().positive(),
  }),
);
export type BitstringOptions = z.infer<typeof bitstringOptionsSchema>;

/**
 * A bit-string space. Genomes are `Uint8Array`s of 0/1 (any non-zero byte reads as 1).
 * Besides the `Space` members it offers the `mutateWithRate` capability used by (1+λ)-EA style strategies.
 */
export interface BitstringSpace extends Space<Uint8Array> {
  readonly length: number;
  /** Uniform crossover: each bit from either parent with probability 1/2. */
  crossover(a: Uint8Array, b: Uint8Array, rng: Rng): Uint8Array;
  /**
   * Flips each bit independently with probability `rate`, drawing O(length·rate) uniforms.
   * When nothing flips the result is a copy equal to `parent` (and has its key).
   * @throws {RangeError} when `rate` is not in [0, 1].
   */
  mutateWithRate(parent: Uint8Array, rate: number, rng: Rng): Uint8Array;
}

/** Keys of strings up to this many bits are the bits themselves in hex: canonical and cheaper than SHA-1. */
const HEX_KEY_MAX_BITS = 256;
const HEX = '0123456789abcdef';

/**
 * Builds a bit-string space of `options.length` bits.
 * @throws {ZodError} when the options do not validate.
 */
export function createBitstringSpace(options: BitstringOptions): BitstringSpace {
  const { length } = bitstringOptionsSchema.parse(options);
  const defaultRate = 1 / length;
  const packed = new Uint8Array(Math.ceil(length / 8)); // scratch for long keys; hashed at once, so safe to reuse

  const mutateWithRate = (parent: Uint8Array, rate: number, rng: Rng): Uint8Array => {
    if (!(rate >= 0 && rate <= 1)) throw new RangeError(`bitstring: mutation rate must be in [0, 1], got ${rate}`);
    const child = parent.slice();
    for (const i of binomialPositions(rng, length, rate)) child[i] = child[i] ? 0 : 1;
    return child;
  };

  return {
    name: 'bitstring',
    length,

    sample(rng) {
      const g = new Uint8Array(length);
      for (let i = 0; i < length; i++) g[i] = rng() < 0.5 ? 1 : 0;
      return g;
    },

    mutate(parent, rng) {
      return mutateWithRate(parent, defaultRate, rng);
    },

    mutateWithRate,

    crossover(a, b, rng) {
      const child = new Uint8Array(length);
      for (let i = 0; i < length; i++) child[i] = (rng() < 0.5 ? a[i] : b[i]) ? 1 : 0;
      return child;
    },

    key(g) {
      if (length <= HEX_KEY_MAX_BITS) {
        // The length, then the bits left to right, four per hex digit (the last digit zero-padded): without the
        // length, 0111 and 01110000 would share a key in a cache shared by spaces of different lengths.
        let key = `b${length}:`;
        for (let i = 0; i < length; i += 4) {
          const nibble =
            (g[i] ? 8 : 0) |
            (i + 1 < length && g[i + 1] ? 4 : 0) |
            (i + 2 < length && g[i + 2] ? 2 : 0) |
            (i + 3 < length && g[i + 3] ? 1 : 0);
          key += HEX[nibble];
        }
        return key;
      }
      packed.fill(0);
      for (let i = 0; i < length; i++) if (g[i]) packed[i >> 3]! |= 0x80 >> (i & 7);
      return `b${length}:${hashBytes(packed)}`;
    },

    describe(g) {
      return toBitText(g, length);
    },

    encode(g) {
      return toBitText(g, length);
    },

    decode(x) {
      if (typeof x !== 'string') {
        throw new TypeError(`bitstring.decode: expected a string of ${length} '0'/'1' characters, got ${typeName(x)}`);
      }
      if (x.length !== length) {
        throw new RangeError(`bitstring.decode: expected ${length} bits, got a string of length ${x.length}`);
      }
      const g = new Uint8Array(length);
      for (let i = 0; i < length; i++) {
        const c = x.charCodeAt(i);
        if (c === 49) g[i] = 1;
        else if (c !== 48) {
          throw new SyntaxError(
            `bitstring.decode: character ${i} is ${JSON.stringify(x[i])}; only '0' and '1' are allowed`,
          );
        }
      }
      return g;
    },
  };
}

function toBitText(g: Uint8Array, length: number): string {
  let text = '';
  for (let i = 0; i < length; i++) text += g[i] ? '1' : '0';
  return text;
}

function typeName(x: unknown): string {
  if (x === null) return 'null';
  if (Array.isArray(x)) return 'an array';
  if (ArrayBuffer.isView(x)) return `a ${x.constructor.name}`;
  return `a value of type ${typeof x}`;
}
