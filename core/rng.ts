// Seeded, forkable, resumable random streams (seedrandom's alea), so every draw can be replayed.
import seedrandom from 'seedrandom';
import { ZIGGURAT_X, zigguratEdge } from './normal.js';
import { XoshiroNormal, type XoshiroState } from './xoshiro-normal.js';

/** Uniform in [0, 1). Plug-ins see only this function; the engine owns the streams and their state. */
export type Rng = () => number;

/**
 * A stream that can also fill a buffer with standard normals: exactly the draws of `standardNormal(rng)` called
 * out.length times, in order, without a call per draw (the engine's streams have it; spaces check for it).
 */
export interface NormalRng extends Rng {
  fillStandardNormal?(out: Float64Array): void;
  /**
   * Fills a buffer with standard normals from the stream's own normal generator (xoshiro128**, core/xoshiro-normal.ts):
   * ~3× cheaper than `fillStandardNormal`, and independent of the uniform draws (its state is saved beside them).
   */
  fillNormal?(out: Float64Array): void;
}

type AleaFields = { c: number; s0: number; s1: number; s2: number };
/** A module-local alias: an imported binding is checked on every read in the loop, a local const is not. */
const X = ZIGGURAT_X;

/**
 * Alea (Baagøe), the algorithm and state of seedrandom's alea, with the state in fields: the same stream for the
 * same state (seeding stays seedrandom's), and a normal fill that keeps the state in locals for a whole buffer.
 * (CMA emitters fill their normals here: their streams are pinned by tests and resumes; vector mutation uses the
 * cheaper `fillNormal`.)
 */
class AleaStream {
  private c: number;
  private s0: number;
  private s1: number;
  private s2: number;
  readonly next: NormalRng;

  constructor(state: AleaFields) {
    ({ c: this.c, s0: this.s0, s1: this.s1, s2: this.s2 } = state);
    const next: NormalRng = () => {
      const t = 2091639 * this.s0 + this.c * 2.3283064365386963e-10; // 2^-32
      this.s0 = this.s1;
      this.s1 = this.s2;
      this.c = t | 0;
      this.s2 = t - this.c;
      return this.s2;
    };
    next.fillStandardNormal = (out) => this.fillStandardNormal(out);
    this.next = next;
  }

  state(): AleaFields {
    return { c: this.c, s0: this.s0, s1: this.s1, s2: this.s2 };
  }

  /** The ziggurat of core/normal.ts over this stream, the state in locals (written back around the rare edge draws). */
  private fillStandardNormal(out: Float64Array): void {
    let { c, s0, s1, s2 } = this;
    for (let i = 0; i < out.length; i++) {
      const u = 2091639 * s0 + c * 2.3283064365386963e-10;
      s0 = s1;
      s1 = s2;
      c = u | 0;
      s2 = u - c;
      const t = s2 * 256;
      const k = t | 0;
      const layer = k & 127;
      const z = (t - k) * X[layer]!;
      if (z < X[layer + 1]!) {
        out[i] = k & 128 ? -z : z;
        continue;
      }
      this.c = c;
      this.s0 = s0;
      this.s1 = s1;
      this.s2 = s2;
      out[i] = zigguratEdge(this.next, layer, z, (k & 128) !== 0);
      ({ c, s0, s1, s2 } = this);
    }
    this.c = c;
    this.s0 = s0;
    this.s1 = s1;
    this.s2 = s2;
  }
}

/** Saved state of a stream and all of its forks. Plain JSON. */
export interface RngState {
  readonly seed: string;
  readonly alea: object;
  /** The fast normal generator's state, once it has drawn (absent: it starts from the seed when first used). */
  readonly normal?: XoshiroState;
  readonly forks: Readonly<Record<string, RngState>>;
}

type AleaState = seedrandom.State.Alea;
type AleaPrng = seedrandom.StatefulPRNG<AleaState>;

/**
 * A named random stream. `fork(label)` gives an independent child stream, so adding a draw in one part
 * does not shift every other part; `state()` captures this stream and every fork made from it.
 */
export class SeededRng {
  readonly next: NormalRng;
  private readonly stream: AleaStream;
  private readonly children = new Map<string, SeededRng>();
  /** Made on first use: most streams never draw a fast normal, and their saved state stays as it was. */
  private normals: XoshiroNormal | undefined;

  constructor(
    private readonly seed: string,
    private readonly saved?: RngState,
  ) {
    // seedrandom seeds (or restores) the state; the stream draws it on.
    const state = saved ? (saved.alea as AleaState) : (seedrandom.alea(seed, { state: true }) as AleaPrng).state();
    this.stream = new AleaStream(state as unknown as AleaFields);
    this.next = this.stream.next;
    this.next.fillNormal = (out) => {
      this.normals ??= saved?.normal ? XoshiroNormal.restore(saved.normal) : XoshiroNormal.fromSeed(`${seed}#normal`);
      this.normals.fill(out);
    };
  }

  static fromSeed(seed: number | string): SeededRng {
    return new SeededRng(String(seed));
  }

  static restore(state: RngState): SeededRng {
    return new SeededRng(state.seed, state);
  }

  /** The child stream with this label; the same label always returns the same stream. */
  fork(label: string): SeededRng {
    let child = this.children.get(label);
    if (!child) {
      const saved = this.saved?.forks[label];
      child = saved ? SeededRng.restore(saved) : new SeededRng(`${this.seed}/${label}`);
      this.children.set(label, child);
    }
    return child;
  }

  state(): RngState {
    const forks: Record<string, RngState> = { ...(this.saved?.forks ?? {}) };
    for (const [label, child] of this.children) forks[label] = child.state();
    const normal = this.normals?.state() ?? this.saved?.normal;
    return { seed: this.seed, alea: this.stream.state(), ...(normal ? { normal } : {}), forks };
  }
}

/** A one-off stream from a seed string: used for per-candidate evaluation noise. */
export function rngFromSeed(seed: string): Rng {
  return seedrandom.alea(seed);
}

/** Integer in [0, n). */
export function randomInt(rng: Rng, n: number): number {
  return Math.floor(rng() * n);
}

/** One standard normal draw (Box–Muller; uses two uniforms, keeps no hidden state). */
export function gaussian(rng: Rng): number {
  const u = 1 - rng(); // (0, 1]: log stays finite
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
}

/** Fill `out` with standard normals, two per pair of uniforms. */
export function fillGaussian(rng: Rng, out: Float64Array): Float64Array {
  for (let i = 0; i < out.length; i += 2) {
    const r = Math.sqrt(-2 * Math.log(1 - rng()));
    const t = 2 * Math.PI * rng();
    out[i] = r * Math.cos(t);
    if (i + 1 < out.length) out[i + 1] = r * Math.sin(t);
  }
  return out;
}

/** Binomial(n, p) draw by counting geometric gaps: O(n·p) uniforms, not O(n). */
export function binomialPositions(rng: Rng, n: number, p: number): number[] {
  const positions: number[] = [];
  if (p <= 0) return positions;
  if (p >= 1) {
    for (let i = 0; i < n; i++) positions.push(i);
    return positions;
  }
  const logQ = Math.log(1 - p);
  if (!(logQ < 0)) return positions; // p below ~1e-16: 1 − p rounds to 1 (and the skips below would never advance)
  let i = -1;
  for (;;) {
    i += 1 + Math.floor(Math.log(1 - rng()) / logQ);
    if (i >= n) return positions;
    positions.push(i);
  }
}
