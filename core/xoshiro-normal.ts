// Standard normals for hot paths: the ziggurat of core/normal.ts over xoshiro128** (Blackman & Vigna 2018), whose
// step is a few integer ops, about 3× cheaper per normal than over alea's floating-point step. Seeded from a string,
// with a 4-word state that goes into checkpoints, so a resumed run draws on exactly where it stopped.
import seedrandom from 'seedrandom';
import { ZIGGURAT_X, zigguratEdge } from './normal.js';

/** xoshiro128**'s state: four 32-bit words, not all zero. Plain JSON. */
export type XoshiroState = readonly [number, number, number, number];

const TWO_TO_MINUS_32 = 2 ** -32;
const TWO_TO_MINUS_24 = 2 ** -24;
/**
 * The ziggurat's rectangle test and value in integer form, for the 8 top bits k of a draw (layer k & 127, sign k & 128)
 * and its 24 low bits u: `u < INSIDE[k]` exactly when `u·2⁻²⁴·x[layer] < x[layer+1]` (the smallest u that fails that
 * float test, found by bisection, so the decision is bit for bit the float one), and `u·SCALE[k]` is exactly
 * ±u·2⁻²⁴·x[layer] (scaling by a power of two is exact). An integer compare and a signed look-up instead of a float
 * compare and an unpredictable sign branch: about 3× cheaper per normal.
 */
const INSIDE = new Int32Array(256);
const SCALE = new Float64Array(256);
for (let k = 0; k < 256; k++) {
  const layer = k & 127;
  const inside = (u: number): boolean => u * TWO_TO_MINUS_24 * ZIGGURAT_X[layer]! < ZIGGURAT_X[layer + 1]!;
  let lo = 0; // inside(lo) or lo = 0
  let hi = 2 ** 24; // !inside(hi) or hi = 2^24 (u < 2^24 always)
  if (!inside(0)) hi = 0;
  while (hi - lo > 1) {
    const mid = (lo + hi) >>> 1;
    if (inside(mid)) lo = mid;
    else hi = mid;
  }
  INSIDE[k] = hi;
  SCALE[k] = (k & 128 ? -TWO_TO_MINUS_24 : TWO_TO_MINUS_24) * ZIGGURAT_X[layer]!;
}

export class XoshiroNormal {
  /** The four words in a typed array: int32 all the way (object fields would box the words beyond 2^30). */
  private readonly s = new Int32Array(4);
  /** Uniform in [0, 1) from the same state: the ziggurat's rare edge and tail draws. */
  private readonly uniform = (): number => this.nextU32() * TWO_TO_MINUS_32;

  private constructor(state: XoshiroState) {
    this.s.set(state);
    if ((this.s[0]! | this.s[1]! | this.s[2]! | this.s[3]!) === 0)
      throw new RangeError('xoshiro128**: an all-zero state');
  }

  /** The state for `seed`: four words from alea (seedrandom, as every other stream), never all zero. */
  static fromSeed(seed: string): XoshiroNormal {
    const alea = seedrandom.alea(seed);
    const words = [0, 0, 0, 0].map(() => Math.floor(alea() * 2 ** 32) | 0) as [number, number, number, number];
    if ((words[0] | words[1] | words[2] | words[3]) === 0) words[0] = 1;
    return new XoshiroNormal(words);
  }

  static restore(state: XoshiroState): XoshiroNormal {
    if (!Array.isArray(state) || state.length !== 4 || !state.every((w) => Number.isInteger(w)))
      throw new TypeError('xoshiro128** state must be four 32-bit integers');
    return new XoshiroNormal([state[0] | 0, state[1] | 0, state[2] | 0, state[3] | 0]);
  }

  state(): XoshiroState {
    const s = this.s;
    return [s[0]!, s[1]!, s[2]!, s[3]!];
  }

  /** The next 32-bit output, unsigned. */
  nextU32(): number {
    const s = this.s;
    const s1 = s[1]!;
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9);
    const t = s1 << 9;
    s[2]! ^= s[0]!;
    s[3]! ^= s1;
    s[1] = s1 ^ s[2]!;
    s[0]! ^= s[3]!;
    s[2]! ^= t;
    s[3] = rotl(s[3]!, 11);
    return result >>> 0;
  }

  /** Fills `out` with standard normals; the state in locals for the whole buffer (written back around edge draws). */
  fill(out: Float64Array): void {
    const s = this.s;
    let s0 = s[0]!;
    let s1 = s[1]!;
    let s2 = s[2]!;
    let s3 = s[3]!;
    for (let i = 0; i < out.length; i++) {
      const m = Math.imul(s1, 5);
      const r = Math.imul((m << 7) | (m >>> 25), 9);
      const t9 = s1 << 9;
      s2 ^= s0;
      s3 ^= s1;
      s1 ^= s2;
      s0 ^= s3;
      s2 ^= t9;
      s3 = (s3 << 11) | (s3 >>> 21);
      // The same layout as standardNormal: 8 top bits pick the layer and sign, the 24 below place z in the layer.
      const k = r >>> 24;
      const u = r & 0xffffff;
      if (u < INSIDE[k]!) {
        out[i] = u * SCALE[k]!;
        continue;
      }
      s[0] = s0;
      s[1] = s1;
      s[2] = s2;
      s[3] = s3;
      const layer = k & 127;
      out[i] = zigguratEdge(this.uniform, layer, u * TWO_TO_MINUS_24 * ZIGGURAT_X[layer]!, (k & 128) !== 0);
      s0 = s[0]!;
      s1 = s[1]!;
      s2 = s[2]!;
      s3 = s[3]!;
    }
    s[0] = s0;
    s[1] = s1;
    s[2] = s2;
    s[3] = s3;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
