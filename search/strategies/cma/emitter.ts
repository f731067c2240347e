// An evolution-strategy emitter (pyribs ribs/emitters/_evolution_strategy_emitter.py; Fontaine et al. 2020,
// arXiv:1912.02400): one CMA-ES that hands out its batch of λ samples one proposal at a time, collects their tells in
// any order, and once all λ are told ranks them, updates the distribution and restarts when a rule says so.
import { z } from 'zod';
import { lazySchema } from '../../../core/lazy-schema.js';
import { CmaEs, type CmaUpdate, type Covariance } from './cma-es.js';
import { decodeFloats, encodeFloats } from './codec.js';
import { randomDirection, rankKey, rankOrder, usesDirection, type RankerName, type RankInput } from './rankers.js';

/** mu: the best ⌊λ/2⌋ are parents; filter: the ones the soft archive added (pyribs `selection_rule`). */
export type Selection = 'mu' | 'filter';
/** basic: CMA-ES's own stop rules only; no_improvement: also when nothing was added; k: also every k generations. */
export type RestartRule = 'basic' | 'no_improvement' | number;

export interface EmitterSettings {
  readonly n: number;
  readonly lambda: number;
  readonly sigma0: number;
  readonly x0: Float64Array;
  readonly ranker: RankerName;
  readonly selection: Selection;
  readonly restartRule: RestartRule;
  readonly covariance: Covariance;
  readonly update: CmaUpdate;
  /** Descriptor ranges that scale the random direction (rd rankers). */
  readonly measureRanges: (count: number) => readonly number[];
}

export const emitterState = lazySchema(() =>
  z.strictObject({
    es: z.strictObject({
      sigma: z.number(),
      evals: z.number(),
      updatedEval: z.number(),
      mean: z.string(),
      pc: z.string(),
      ps: z.string(),
      cov: z.string(),
      eigenvalues: z.string(),
      eigenvectors: z.string().optional(),
    }),
    asked: z.number().int().min(0),
    told: z.number().int().min(0),
    ok: z.number().int().min(0),
    added: z.number().int().min(0),
    /** The ok tells of this batch: genomes, then (stage, value) pairs. */
    solutions: z.string(),
    stages: z.string(),
    values: z.string(),
    direction: z.array(z.number()).optional(),
    restarts: z.number().int().min(0),
    generations: z.number().int().min(0),
  }),
);
export type EmitterState = z.infer<typeof emitterState>;

/** Where an emitter draws from: standard normals into a buffer, and an elite's genome to restart at. */
export interface EmitterSource {
  fillNormal(out: Float64Array): void;
  normal(): number;
  /** A uniformly chosen elite of the archive, or undefined when it is empty. */
  randomElite(): ArrayLike<number> | undefined;
  /** Applies the space's bounds to a sample in place. */
  bound(x: Float64Array): void;
}

export class Emitter {
  readonly es: CmaEs;
  private asked = 0;
  private told = 0;
  private ok = 0;
  private added = 0;
  private readonly solutions: Float64Array;
  private readonly stages: Float64Array;
  private readonly values: Float64Array;
  private direction: Float64Array | undefined;
  private slab = new Float64Array(0);
  private readonly z: Float64Array;
  restarts = 0;
  generations = 0;

  constructor(private readonly settings: EmitterSettings) {
    const { n, lambda } = settings;
    this.es = new CmaEs(n, lambda, settings.covariance, settings.update);
    this.es.reset(settings.x0, settings.sigma0);
    this.solutions = new Float64Array(lambda * n);
    this.stages = new Float64Array(lambda);
    this.values = new Float64Array(lambda);
    this.z = new Float64Array(n);
  }

  /** Samples of this batch still to hand out. */
  get available(): number {
    return this.settings.lambda - this.asked;
  }

  /** The next sample of the batch; its genome is a view of this batch's own buffer (never written again). */
  ask(source: EmitterSource): Float64Array {
    const { n, lambda } = this.settings;
    if (this.asked >= lambda) throw new Error('emitter: the batch is out; wait for its tells');
    if (this.asked === 0) {
      this.es.beginGeneration();
      this.slab = new Float64Array(lambda * n);
    }
    const x = this.slab.subarray(this.asked * n, (this.asked + 1) * n);
    source.fillNormal(this.z);
    this.es.sample(this.z, x);
    source.bound(x);
    this.asked++;
    return x;
  }

  /** A told, evaluated sample; returns true when this completed the batch (then call `endGeneration`). */
  tell(genome: Float64Array, input: RankInput, source: EmitterSource): boolean {
    const { ranker, n } = this.settings;
    if (usesDirection(ranker) && !this.direction)
      this.direction = randomDirection(source.normal, this.settings.measureRanges(input.descriptors.length));
    const [stage, value] = rankKey(ranker, input, this.direction);
    this.solutions.set(genome, this.ok * n);
    this.stages[this.ok] = stage;
    this.values[this.ok] = value;
    this.ok++;
    if (input.status > 0) this.added++;
    return ++this.told === this.settings.lambda;
  }

  /** A failed evaluation: it counts towards the batch but is neither ranked nor a parent. */
  fail(): boolean {
    return ++this.told === this.settings.lambda;
  }

  /** Ranks the batch, updates the CMA-ES and restarts it when a rule says so; the next ask starts a new batch. */
  endGeneration(source: EmitterSource): void {
    const { n, lambda, selection, restartRule } = this.settings;
    const order = rankOrder(this.stages, this.values, this.ok);
    const mu = selection === 'mu' ? Math.min(Math.floor(lambda / 2), this.ok) : this.added;
    const parents = new Float64Array(mu * n);
    for (let k = 0; k < mu; k++) parents.set(this.solutions.subarray(order[k]! * n, (order[k]! + 1) * n), k * n);
    this.es.tell(parents, mu, this.told);
    this.generations++;
    const first = order[0];
    const last = order[order.length - 1];
    // pyribs: ranking values flat when ‖first − last‖ < 1e-12 (needs at least two ranked).
    const flat =
      first !== undefined &&
      last !== undefined &&
      order.length >= 2 &&
      Math.hypot(this.stages[first]! - this.stages[last]!, this.values[first]! - this.values[last]!) < 1e-12;
    const ruled =
      restartRule === 'no_improvement'
        ? this.added === 0
        : typeof restartRule === 'number'
          ? this.generations % restartRule === 0
          : false;
    if (this.es.shouldStop(flat) || ruled) {
      this.es.reset(source.randomElite() ?? this.settings.x0, this.settings.sigma0);
      this.direction = undefined; // drawn again at the next tell, as pyribs' ranker.reset
      this.restarts++;
    }
    this.asked = 0;
    this.told = 0;
    this.ok = 0;
    this.added = 0;
  }

  state(): EmitterState {
    const { n } = this.settings;
    const state: EmitterState = {
      es: this.es.state(),
      asked: this.asked,
      told: this.told,
      ok: this.ok,
      added: this.added,
      solutions: encodeFloats(this.solutions.subarray(0, this.ok * n)),
      stages: encodeFloats(this.stages.subarray(0, this.ok)),
      values: encodeFloats(this.values.subarray(0, this.ok)),
      restarts: this.restarts,
      generations: this.generations,
    };
    return this.direction ? { ...state, direction: [...this.direction] } : state;
  }

  restore(state: EmitterState): void {
    const { n } = this.settings;
    this.es.restore(state.es);
    this.asked = state.asked;
    this.told = state.told;
    this.ok = state.ok;
    this.added = state.added;
    this.solutions.set(decodeFloats(state.solutions, state.ok * n));
    this.stages.set(decodeFloats(state.stages, state.ok));
    this.values.set(decodeFloats(state.values, state.ok));
    this.direction = state.direction ? Float64Array.from(state.direction) : undefined;
    this.restarts = state.restarts;
    this.generations = state.generations;
    // A batch partly handed out continues in a fresh buffer: only the views already handed out share the old one.
    this.slab = new Float64Array(this.settings.lambda * n);
  }
}
