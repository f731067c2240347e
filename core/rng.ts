// Seeded, forkable, resumable random streams (seedrandom's alea), so every draw can be replayed.
import seedrandom from 'seedrandom';

/** Uniform in [0, 1). Plug-ins see only this function; the engine owns the streams and their state. */
export type Rng = () => number;

/** Saved state of a stream and all of its forks. Plain JSON. */
export interface RngState {
  readonly seed: string;
  readonly alea: object;
  readonly forks: Readonly<Record<string, RngState>>;
}

type AleaState = seedrandom.State.Alea;
type AleaPrng = seedrandom.StatefulPRNG<AleaState>;

/**
 * A named random stream. `fork(label)` gives an independent child stream, so adding a draw in one part
 * does not shift every other part; `state()` captures this stream and every fork made from it.
 */
export class SeededRng {
  readonly next: Rng;
  private readonly prng: AleaPrng;
  private readonly children = new Map<string, SeededRng>();

  constructor(
    private readonly seed: string,
    private readonly saved?: RngState,
  ) {
    this.prng = seedrandom.alea(seed, { state: saved ? (saved.alea as AleaState) : true });
    this.next = this.prng;
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
    return { seed: this.seed, alea: this.prng.state(), forks };
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
