// The contracts every part plugs into: spaces, evaluators and their results (DESIGN §2).
import type { Rng } from './rng.js';

export type { Rng };

/**
 * A genome representation and its variation operators. A space knows nothing about fitness.
 * Invariants: `mutate`/`crossover` return new genomes and never edit their arguments;
 * `key(g)` depends only on the canonical form of `g` (equal behaviour ⇒ equal key where the space can tell).
 */
export interface Space<G> {
  readonly name: string;
  sample(rng: Rng): G;
  mutate(parent: G, rng: Rng): G;
  /** Capability: strategies check for it before using crossover. */
  crossover?(a: G, b: G, rng: Rng): G;
  /** Level-1 functional hash: a hash of the canonical form. */
  key(g: G): string;
  /** Human-readable form: a formula, a prompt, a configuration. */
  describe(g: G): string;
  /** JSON-safe form for the run log, exports and transport to workers. */
  encode(g: G): unknown;
  decode(x: unknown): G;
}

/** What an evaluator sees besides the genome. */
export interface EvalContext {
  /** Derived from (run seed, candidate key[, repeat]): the same candidate draws the same noise on any worker. */
  readonly rng: Rng;
  /** Aborted when the evaluation times out or the run stops; long evaluators should check it. */
  readonly signal: AbortSignal;
  readonly options: unknown;
  /**
   * Fidelity of this evaluation (examples, tokens, repeats); part of the cache key. The config's
   * `evaluator.fidelity` unless the strategy asks for another one (racing: cheap screening stages first).
   */
  readonly fidelity: number;
  /**
   * Which draw of `fidelity` examples to use (0 unless the strategy sets it); part of the cache key. A racing
   * strategy gives every candidate of a stage the same sample, so they are compared on the same data.
   */
  readonly sample: number;
  /**
   * Progress of a long evaluation (an epoch's validation accuracy, a loss): `value` in the units of `fitness`, `step`
   * a finite number that grows (epochs, resource used). With a `pruner` in the config, the run may decide from the
   * reports so far to stop this evaluation early; reports are logged with its outcome.
   */
  report?(step: number, value: number): void;
  /** True once the run's pruner has decided to stop this evaluation: return soon (the outcome is recorded as pruned). */
  shouldStop?(): boolean;
}

export interface EvalResult {
  /** Raw objective value; the run's `direction` says whether higher or lower is better. */
  fitness: number;
  /** Behaviour coordinates for the archive. */
  descriptors?: number[];
  /** Anything else worth keeping. */
  metrics?: Record<string, number>;
  /**
   * Compared lexicographically when fitness ties, for objectives a double cannot hold exactly
   * (e.g. BinVal with n > 53: fitness holds the top 53 bits, tiebreak the rest).
   */
  tiebreak?: number[];
  /**
   * Several objectives, raw, in the order of the config's `objectives.directions` (which says, per objective, whether
   * higher or lower is better): for multi-objective strategies and archives. `fitness` stays the single number that
   * single-objective parts read (e.g. the first objective, or a scalarisation the evaluator chooses).
   */
  objectives?: number[];
}

/** A fitness function, run inside a worker. An evaluator knows nothing about the search. */
export interface Evaluator<G> {
  readonly name: string;
  /** Part of the cache key, with the options hash: bump it when results would change. */
  readonly version?: string;
  /**
   * Once per run, in the main process, before any worker starts: work every worker would otherwise repeat,
   * such as training a model once and caching it on disk. Workers then load the result in `setup`.
   */
  prepare?(options: unknown): void | Promise<void>;
  /** Once per worker: load data, build a model. */
  setup?(options: unknown): void | Promise<void>;
  /** Level-2 functional hash: the candidate's behaviour on probe inputs. */
  fingerprint?(g: G, ctx: EvalContext): string | Promise<string>;
  /**
   * On a fingerprint hit: the result for `g`, given the result `cached` for another genome with the same fingerprint.
   * Keep what the behaviour determines (normally the fitness) and recompute what depends on `g` itself (a formula's
   * size, a configuration's parameters); validated like evaluate()'s result. Without it (and without
   * `fingerprintDeterminesResult`) a hit reuses `cached` whole, descriptors and metrics included.
   */
  describe?(g: G, cached: EvalResult, ctx: EvalContext): EvalResult | Promise<EvalResult>;
  /**
   * The fingerprint captures everything the descriptors and metrics depend on (they are functions of the behaviour
   * it hashes, e.g. of a rendered prompt's text), so a fingerprint hit may reuse another genome's result whole.
   */
  readonly fingerprintDeterminesResult?: boolean;
  evaluate(g: G, ctx: EvalContext): EvalResult | Promise<EvalResult>;
  /**
   * Optional: many genomes at once (a vectorised objective), one result per genome in order, each checked like
   * evaluate()'s. Used by the inline executor for the tasks of a batch (`batch` in the config) when the evaluator
   * has no fingerprint; a throw fails every task of the call.
   */
  evaluateBatch?(
    gs: readonly G[],
    ctxs: readonly EvalContext[],
  ): readonly EvalResult[] | Promise<readonly EvalResult[]>;
  /** Cached results are samples to average, not truths. */
  readonly noisy?: boolean;
  /** The files and directories it reads with these options (task data, a prompt file): their contents are part of the cache namespace. */
  inputFiles?(options: unknown): readonly string[];
  /** Results depend on the machine (timings): the cache namespace names the CPU, so no other machine's answer is reused. */
  readonly machineDependent?: boolean;
  /**
   * What scores the candidates with these options (a model, a backend, a stand-in). Called in the main process after
   * `prepare`; shown by the summary, inspect, the report and the dashboard, with `caveat` stated wherever the run is.
   */
  scoredBy?(options: unknown): ScoredBy | Promise<ScoredBy>;
}

/** What scored a run's candidates. */
export interface ScoredBy {
  /** e.g. "offline nearest-neighbour stand-in (k = 3)", "tfjs wasm backend, tiny model", "gpt-4o at http://…". */
  readonly scorer: string;
  /** Set when the scorer is a stand-in or a fallback: what that means for the numbers. */
  readonly caveat?: string;
}

export type Direction = 'maximize' | 'minimize';

/** Internal score: higher is better whatever the direction. Defined once, here. */
export function toScore(fitness: number, direction: Direction): number {
  return direction === 'minimize' ? -fitness : fitness;
}
/** Several objectives into scores (each higher-is-better), one direction per objective. */
export function toScores(values: readonly number[], directions: readonly Direction[]): number[] {
  return values.map((v, i) => toScore(v, directions[i]!));
}
export function fromScores(scores: readonly number[], directions: readonly Direction[]): number[] {
  return scores.map((v, i) => fromScore(v, directions[i]!));
}
export function fromScore(score: number, direction: Direction): number {
  return direction === 'minimize' ? -score : score;
}

/** Identity helpers that only give type inference to plug-in authors. */
export function defineSpace<G>(space: Space<G>): Space<G> {
  return space;
}
export function defineEvaluator<G>(evaluator: Evaluator<G>): Evaluator<G> {
  return evaluator;
}

/** Where a result came from: a real evaluation, the level-1 key (cache or in flight), or the level-2 fingerprint. */
export type ResultSource = 'evaluated' | 'key' | 'fingerprint';
