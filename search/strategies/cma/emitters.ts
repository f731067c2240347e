// Several evolution-strategy emitters over one archive (pyribs' Scheduler with EvolutionStrategyEmitters, run
// asynchronously): asks go round-robin, each emitter handing out its own batch; every proposal id belongs to one
// emitter, which updates once its own batch is told (no barrier between emitters).
import { z } from 'zod';
import { ConfigError } from '../../../core/errors.js';
import { standardNormal } from '../../../core/normal.js';
import { isVectorSpace } from '../../../spaces/vector.js';
import { IdCounter, parseState } from '../select.js';
import type { Outcome, Proposal, Strategy, StrategyDeps } from '../strategy.js';
import type { CmaUpdate, Covariance } from './cma-es.js';
import { Emitter, emitterState, type EmitterSource, type RestartRule, type Selection } from './emitter.js';
import { rankerNames, type RankerName } from './rankers.js';
import { CellThresholds } from './thresholds.js';

/** Options shared by cma-me and cma-mae; defaults are pyribs' (examples/sphere.py, EvolutionStrategyEmitter). */
export const emitterOptionsShape = {
  /** Number of emitters (pyribs sphere: 15). */
  emitters: z.number().int().positive().default(15),
  /** λ: samples per emitter generation (pyribs sphere: 36). */
  batchSize: z.number().int().min(2).default(36),
  /** Initial step size σ0, in genotype units. */
  sigma0: z.number().positive().default(0.5),
  /** Start of every emitter: a number for every coordinate, or a vector. Default: the space's init.x0, else 0. */
  x0: z.union([z.number(), z.array(z.number())]).optional(),
  restartRule: z.union([z.enum(['basic', 'no_improvement']), z.number().int().positive()]).optional(),
  selection: z.enum(['mu', 'filter']).optional(),
  ranker: z.enum(rankerNames).optional(),
  /**
   * full: CMA-ES with a lazy eigendecomposition (pyribs); cholesky: the same C sampled through a lazy Cholesky factor
   * (about 30× cheaper to refresh, half the cost per sample); diagonal: sep-CMA-ES, O(n) per sample, for large n.
   */
  covariance: z.enum(['full', 'cholesky', 'diagonal']).default('full'),
  /**
   * hansen: CMA-ES's rank-one update as in Hansen's tutorial; pyribs: pyribs' variant (c1²·σ-scaled path, nearly no
   * rank-one term), to reproduce pyribs' published tables.
   */
  update: z.enum(['hansen', 'pyribs']).default('hansen'),
  /** Descriptor ranges that scale the rd rankers' random direction. Default: the grid's dims, else 1 each. */
  measureRanges: z.array(z.number().positive()).optional(),
};

export interface EmitterStrategySettings {
  readonly name: string;
  readonly emitters: number;
  readonly batchSize: number;
  readonly sigma0: number;
  readonly x0?: number | readonly number[] | undefined;
  readonly ranker: RankerName;
  readonly selection: Selection;
  readonly restartRule: RestartRule;
  readonly covariance: Covariance;
  readonly update: CmaUpdate;
  readonly measureRanges?: readonly number[] | undefined;
  readonly learningRate: number;
  readonly thresholdMin: number;
}

const strategyState = z.strictObject({
  nextId: z.number().int().min(0),
  cursor: z.number().int().min(0),
  /** Outstanding proposals: [id, emitter] pairs. */
  owners: z.array(z.tuple([z.number().int().min(0), z.number().int().min(0)])),
  emitters: z.array(emitterState),
  thresholds: z.strictObject({
    cells: z.array(z.number().int().min(0)),
    thresholds: z.string(),
    pending: z.array(z.tuple([z.number().int().min(0), z.number().int().min(1), z.number(), z.number()])).optional(),
  }),
});
export type EmitterStrategyState = z.infer<typeof strategyState>;

/**
 * The emitters, their soft archive (CMA-MAE thresholds; the standard archive for CMA-ME) and the id → emitter map.
 * The proposals' parents are empty: a sample comes from a distribution, not from an elite.
 * @throws {ConfigError} when the space is not a real vector space, or x0 has the wrong length.
 */
export function createEmitterStrategy<G>(settings: EmitterStrategySettings, deps: StrategyDeps<G>): Strategy<G> {
  const { space, archive, rng } = deps;
  if (!isVectorSpace(space)) {
    throw new ConfigError(
      `${settings.name} needs a real-vector space (type: vector); space '${space.name}' is not one`,
      [{ path: 'space.type', message: `${settings.name} samples real vectors from a Gaussian` }],
      'Use space type vector, or a strategy such as map-elites for other genomes.',
    );
  }
  const n = space.dimensions;
  const x0 = startPoint(settings, space.init?.x0, n);
  const dims = (archive as { dims?: readonly { min: number; max: number }[] }).dims;
  const measureRanges = (count: number): readonly number[] =>
    settings.measureRanges ??
    (dims?.length === count ? dims.map((d) => d.max - d.min) : Array.from({ length: count }, () => 1));
  const emitters = Array.from(
    { length: settings.emitters },
    () =>
      new Emitter({
        n,
        lambda: settings.batchSize,
        sigma0: settings.sigma0,
        x0,
        ranker: settings.ranker,
        selection: settings.selection,
        restartRule: settings.restartRule,
        covariance: settings.covariance,
        update: settings.update,
        measureRanges,
      }),
  );
  const thresholds = new CellThresholds(settings.learningRate, settings.thresholdMin);
  const source: EmitterSource = {
    fillNormal(out) {
      const fill = rng.next.fillStandardNormal;
      if (fill) fill(out);
      else for (let i = 0; i < out.length; i++) out[i] = standardNormal(rng.next);
    },
    normal: () => standardNormal(rng.next),
    // From the result archive (pyribs samples its soft archive, whose cells are the same but whose stored solution is
    // the last one above the threshold, not the best).
    randomElite: () => archive.sample(rng.next, 1)[0]?.genome as ArrayLike<number> | undefined,
    bound: (x) => space.applyBounds(x),
  };
  let ids = new IdCounter();
  let cursor = 0;
  const owners = new Map<number, number>();

  return {
    ask(count: number): Proposal<G>[] {
      thresholds.commit(); // the adds told since the last ask, at once (pyribs' batch add)
      const out: Proposal<G>[] = [];
      const want = Number.isFinite(count) ? Math.max(0, Math.floor(count)) : 0;
      // Round-robin: the current emitter hands out the rest of its batch, then the next one; stop when all are out.
      for (let visited = 0; out.length < want && visited < emitters.length; ) {
        const e = emitters[cursor]!;
        if (e.available === 0) {
          cursor = (cursor + 1) % emitters.length;
          visited++;
          continue;
        }
        owners.set(ids.next, cursor);
        out.push(ids.propose(e.ask(source) as unknown as G));
        visited = 0;
        // Its batch is out: the next batch comes from the next emitter, even if this one is told at once (batch 1).
        if (e.available === 0) cursor = (cursor + 1) % emitters.length;
      }
      return out;
    },

    tell(outcome: Outcome<G>): void {
      const id = outcome.proposal.id;
      const index = owners.get(id);
      if (index === undefined) return; // not ours (cannot happen with the engine): nothing to learn
      owners.delete(id);
      const e = emitters[index]!;
      let complete: boolean;
      if (!outcome.ok || outcome.status === 'screened') complete = e.fail();
      else {
        const descriptors = outcome.result.descriptors ?? [];
        const objective = outcome.score;
        const { status, value } = thresholds.add(archive.cellOf(descriptors), objective);
        complete = e.tell(
          outcome.proposal.genome as unknown as Float64Array,
          { status, value, objective, descriptors },
          source,
        );
      }
      if (complete) e.endGeneration(source);
    },

    state(): EmitterStrategyState {
      return {
        nextId: ids.next,
        cursor,
        owners: [...owners.entries()].sort((a, b) => a[0] - b[0]),
        emitters: emitters.map((e) => e.state()),
        thresholds: thresholds.state(),
      };
    },

    restore(state: unknown): void {
      const s = parseState(settings.name, strategyState, state);
      if (s.emitters.length !== emitters.length)
        throw new Error(
          `${settings.name}: the checkpoint has ${s.emitters.length} emitters, the config ${emitters.length}`,
        );
      ids = new IdCounter(s.nextId);
      cursor = s.cursor;
      owners.clear();
      for (const [id, e] of s.owners) owners.set(id, e);
      s.emitters.forEach((data, i) => emitters[i]!.restore(data));
      thresholds.restore(s.thresholds);
    },
  };
}

function startPoint(settings: EmitterStrategySettings, spaceX0: Float64Array | undefined, n: number): Float64Array {
  const x0 = settings.x0;
  if (x0 === undefined) return spaceX0 ? Float64Array.from(spaceX0) : new Float64Array(n);
  if (typeof x0 === 'number') return new Float64Array(n).fill(x0);
  if (x0.length !== n) {
    throw new ConfigError(`${settings.name}: x0 has ${x0.length} entries, the space ${n} dimensions`, [
      { path: 'search.x0', message: `expected ${n} numbers or one number` },
    ]);
  }
  return Float64Array.from(x0);
}
