// Reading fields of a validated run config, without its schemas: the readers (inspect, export, report) import this,
// not config.ts, which builds every registry's zod schema and loads YAML for a config they never validate.
import { toScores, type Direction } from '../core/types.js';

/** A plug-in reference, `{ module, options }` (config.ts validates it). */
export interface ModuleRef {
  readonly module: string;
  readonly options?: Record<string, unknown> | undefined;
}

/** An archive's descriptor dimension as the config gives it. */
export interface ConfigDim {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly bins?: number;
}

interface WithObjectives {
  readonly objectives?:
    | { readonly directions: readonly Direction[]; readonly reference?: readonly number[] | undefined }
    | undefined;
}

/** True for `{ module, options }` plug-in references. */
export function isModuleRef<R extends object>(ref: R): ref is Extract<R, ModuleRef> {
  return typeof (ref as { module?: unknown }).module === 'string' && !('type' in ref);
}

/** The archive's descriptor dimensions; none for a pareto archive. */
export function dimsOf(config: { readonly archive: object }): readonly ConfigDim[] {
  return (config.archive as { dims?: ConfigDim[] }).dims ?? [];
}

/** The reference point of hypervolumes with each direction applied (higher-is-better), when the config sets one. */
export function referenceOf(config: WithObjectives): number[] | undefined {
  const o = config.objectives;
  return o?.reference ? toScores(o.reference, o.directions) : undefined;
}

/** How many objectives every result must carry (the config's `objectives.directions`); 0 when none are asked for. */
export function objectiveCountOf(config: WithObjectives): number {
  return config.objectives?.directions.length ?? 0;
}
