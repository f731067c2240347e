// Genomes as a snapshot stores them: an encoded genome that is a long array of floats (a real vector) goes in as the
// bytes of its doubles, which LMDB's msgpack reads back ~15× faster than an array of numbers; anything else as it is.
// Exact both ways: the same doubles come back, as the plain array the space encoded.

/** A packed genome: `f`, little-endian doubles; or `v`, the encoded genome itself. */
export type PackedGenome = { readonly f: Uint8Array } | { readonly v: unknown };

const MIN_PACKED = 8; // shorter arrays gain nothing

export function packGenome(encoded: unknown): PackedGenome {
  if (!Array.isArray(encoded) || encoded.length < MIN_PACKED) return { v: encoded };
  let integers = true;
  for (const x of encoded) {
    if (typeof x !== 'number') return { v: encoded };
    if (integers && !Number.isInteger(x)) integers = false;
  }
  if (integers) return { v: encoded }; // bits and small counts: msgpack's own form is smaller
  const bytes = new Uint8Array(encoded.length * 8);
  const view = new DataView(bytes.buffer);
  encoded.forEach((x: number, i) => view.setFloat64(i * 8, x, true));
  return { f: bytes };
}

export function unpackGenome(packed: PackedGenome): unknown {
  if (!('f' in packed)) return packed.v;
  const bytes = packed.f;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Array<number>(bytes.byteLength / 8);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat64(i * 8, true);
  return out;
}
