// An emitter (pyribs ribs/emitters): one source of proposals inside a scheduler. It hands out its own batches and is
// told its own outcomes by id; a CMA-ES emitter needs its whole batch told before it updates, a Gaussian one never
// waits. All emitters of a scheduler value their outcomes against one soft archive (CMA-MAE thresholds).
import type { RankInput } from '../cma/rankers.js';

export const emitterTypes = ['gaussian', 'iso-line', 'es'] as const;
export type EmitterType = (typeof emitterTypes)[number];

/** An elite as an emitter sees it: its id (a proposal's parent) and its genome. */
export interface EmitterElite {
  readonly id: number;
  readonly genome: Float64Array;
}

/** Where emitters draw from: the strategy's checkpointed stream, the run's archive, the space's bounds and start. */
export interface EmitterContext {
  readonly dimensions: number;
  fillNormal(out: Float64Array): void;
  normal(): number;
  /** k elites drawn uniformly (with replacement) over filled cells; [] while the archive is empty. */
  elites(k: number): readonly EmitterElite[];
  /** One uniformly drawn elite's genome (a CMA-ES restart point), or undefined while the archive is empty. */
  randomElite(): ArrayLike<number> | undefined;
  /** The space's own start sample (its init {x0, sigma}, else uniform), for an empty archive. */
  start(): Float64Array;
  /** Applies the space's bounds (clip | reflect | none) in place. */
  bound(x: Float64Array): void;
}

export interface EmitterProposal {
  readonly genome: Float64Array;
  readonly parents: readonly number[];
}

/** What an emitter is told of one of its proposals: its soft-archive add (status, improvement value) and result. */
export type EmitterTold = RankInput;

export interface Emitter {
  readonly type: EmitterType;
  /** Proposals per batch; a scheduler hands out one batch per turn. */
  readonly batchSize: number;
  /** Proposals it can hand out now: Infinity when it never waits, 0 while a CMA-ES waits for its batch's tells. */
  readonly available: number;
  /** Restarts so far (CMA-ES); undefined when it has none (pyribs' bandit then reselects it after every batch). */
  readonly restarts: number | undefined;
  ask(ctx: EmitterContext): EmitterProposal;
  /** One of its proposals came back: `told` is undefined for a failed (or screening) evaluation. */
  tell(genome: Float64Array, told: EmitterTold | undefined, ctx: EmitterContext): void;
  /** JSON-safe; `restore(state())` on a fresh emitter of the same settings continues identically. */
  state(): unknown;
  restore(state: unknown): void;
}

/**
 * An emitter that never waits and keeps no state (Gaussian, iso-line): a batch size, a buffer for its normal draws,
 * nothing to learn from its tells.
 */
export abstract class StatelessEmitter implements Emitter {
  abstract readonly type: EmitterType;
  readonly available = Number.POSITIVE_INFINITY;
  readonly restarts = undefined;
  /** Scratch for one proposal's n standard normals. */
  protected readonly z: Float64Array;

  constructor(
    readonly batchSize: number,
    n: number,
  ) {
    this.z = new Float64Array(n);
  }

  abstract ask(ctx: EmitterContext): EmitterProposal;

  tell(): void {}

  state(): Record<string, never> {
    return {};
  }

  restore(): void {}
}

/**
 * The start of an emitter: its own `x0` (a number for every coordinate, or a vector), else the space's init.x0,
 * else 0 (pyribs' emitters take x0).
 * @throws {Error} when a vector x0 has the wrong length (the caller names the config field).
 */
export function startPoint(
  x0: number | readonly number[] | undefined,
  spaceX0: Float64Array | undefined,
  n: number,
): Float64Array {
  if (x0 === undefined) return spaceX0 ? Float64Array.from(spaceX0) : new Float64Array(n);
  if (typeof x0 === 'number') return new Float64Array(n).fill(x0);
  if (x0.length !== n) throw new RangeError(`x0 has ${x0.length} entries, the space ${n} dimensions`);
  return Float64Array.from(x0);
}
