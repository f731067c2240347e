// The rows of docs/multi-objective.md: which config each runs, and what its numbers are checked against.
import { dtlz2Front, dtlz2Hypervolume } from '../../evaluators/benchmarks/dtlz2.js';
import { ZDT_REFERENCES } from '../../evaluators/benchmarks/zdt.js';
import type { RunConfig } from '../../search/config.js';
import type { FrontPoint, MeasuredRun } from './measure.js';

export interface MoRow {
  readonly id: string;
  readonly group: 'nsga2' | 'mome' | 'prompt';
  readonly config: string;
  readonly title: string;
  /** NSGA-II rows: the true front's hypervolume with the config's reference point, and where it comes from. */
  readonly optimum?: { readonly value: number; readonly source: string };
  /** NSGA-II rows: up to 100 evenly spread points of the true front (what a population of 100 can hold at best, about). */
  readonly spread?: () => number[][];
  /** NSGA-II rows: the share of the optimum the issue asks for (every seed must reach it). */
  readonly goal?: number;
  /** Settings over the config's own (another variation for the same search). */
  readonly override?: { readonly space?: Record<string, unknown>; readonly search?: Record<string, unknown> };
  /** A single-objective config run with these objectives added, so its elites carry them (its search is unchanged). */
  readonly objectives?: RunConfig['objectives'];
}

const DISRUPTIVE = {
  space: { mutation: { type: 'polynomial', eta: 1, rate: 0.6 }, crossover: { type: 'sbx', eta: 1, geneRate: 0.5 } },
  search: { crossoverRate: 0.5 },
};

export const ROWS: readonly MoRow[] = [
  {
    id: 'zdt1',
    group: 'nsga2',
    config: 'configs/zdt1-nsga2.yaml',
    title: 'ZDT1',
    optimum: { value: ZDT_REFERENCES.zdt1.hypervolume, source: '2/3' },
    spread: () => ZDT_REFERENCES.zdt1.front(100),
    goal: 0.98,
  },
  {
    id: 'zdt2',
    group: 'nsga2',
    config: 'configs/zdt2-nsga2.yaml',
    title: 'ZDT2',
    optimum: { value: ZDT_REFERENCES.zdt2.hypervolume, source: '1/3' },
    spread: () => ZDT_REFERENCES.zdt2.front(100),
    goal: 0.98,
  },
  {
    id: 'zdt3',
    group: 'nsga2',
    config: 'configs/zdt3-nsga2.yaml',
    title: 'ZDT3',
    optimum: { value: ZDT_REFERENCES.zdt3.hypervolume, source: 'closed form over its five pieces' },
    spread: () => ZDT_REFERENCES.zdt3.front(100),
  },
  {
    id: 'dtlz2',
    group: 'nsga2',
    config: 'configs/dtlz2-nsga2.yaml',
    title: 'DTLZ2 (3 objectives)',
    optimum: { value: dtlz2Hypervolume(3), source: '1 − π/6' },
    spread: () => dtlz2Front(12, 3), // the Das–Dennis lattice of 91 points (13 divisions give 105)
    goal: 0.95,
  },
  { id: 'mome', group: 'mome', config: 'configs/mo-rastrigin-mome.yaml', title: 'MOME' },
  {
    id: 'map-elites-sum',
    group: 'mome',
    config: 'configs/mo-rastrigin-map-elites.yaml',
    title: 'MAP-Elites on f1 + f2',
  },
  // The same pair with the variation of QDax's MOME notebook: polynomial mutation of 60% of the genes at η = 1
  // (SBX at η = 1 stands in for its gene-exchange crossover), half the children each way.
  {
    id: 'mome-disruptive',
    group: 'mome',
    config: 'configs/mo-rastrigin-mome.yaml',
    title: 'MOME',
    override: DISRUPTIVE,
  },
  {
    id: 'map-elites-sum-disruptive',
    group: 'mome',
    config: 'configs/mo-rastrigin-map-elites.yaml',
    title: 'MAP-Elites on f1 + f2',
    override: DISRUPTIVE,
  },
  { id: 'prompt-mome', group: 'prompt', config: 'configs/prompt-mome.yaml', title: 'MOME (accuracy, tokens)' },
  {
    id: 'prompt-quine',
    group: 'prompt',
    config: 'configs/prompt-quine.yaml',
    title: 'PromptQuine GGA (accuracy only)',
    objectives: { directions: ['maximize', 'minimize'], names: ['dev_accuracy', 'prompt_tokens'], reference: [0, 470] },
  },
];

export interface MoRunRecord extends MeasuredRun {
  readonly row: string;
  readonly seed: number;
  readonly front: readonly FrontPoint[];
  /** 1-minute load average at the start and at the end. */
  readonly load: readonly [number, number];
  readonly date: string;
  readonly commit: string;
}

export interface MoResults {
  readonly cores: number;
  readonly cpu: string;
  readonly runs: readonly MoRunRecord[];
}
