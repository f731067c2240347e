// The methods experiments/prompt-report.ts compares, shared with the page writer: the saved report names a method by
// its label only, so docs/prompts.md finds the strategy behind a row (and the prose's name for it) here.
import type { RunConfig } from '../../search/config.js';

export interface Method {
  /** The table's row label; also the key in bench/results/prompts.json. */
  readonly label: string;
  /** How the prose names the method. */
  readonly name: string;
  readonly search: RunConfig['search'];
  readonly space?: Record<string, unknown>;
}

export const METHODS: readonly Method[] = [
  {
    label: 'PromptQuine GGA (population 30, 50 offspring)',
    name: "PromptQuine's GGA",
    search: { strategy: 'gga', populationSize: 30, offspring: 50, tournamentFraction: 0.2, minMeanLength: 15 },
  },
  {
    label: 'TAPruning (threshold 0.96, left to right)',
    name: 'TAPruning',
    search: { strategy: 'threshold-accepting', threshold: 0.96, order: 'sequential' },
  },
  {
    label: 'random pruning (rates 5–95%)',
    name: 'random pruning',
    search: { strategy: 'random' },
    space: { initialPruning: { min: 0.05, max: 0.95 } },
  },
  {
    label: 'simulated annealing (Plum; T0 = 0.1)',
    name: 'simulated annealing',
    search: { strategy: 'simulated-annealing', candidates: 10, t0: 0.1, tau: 5, patience: 0 },
  },
  {
    label: 'hill climbing (Plum)',
    name: 'hill climbing',
    search: { strategy: 'hill-climbing', candidates: 10, patience: 0 },
  },
];

/** The method a saved row was run with, if its label is still one of METHODS. */
export const methodOf = (label: string): Method | undefined => METHODS.find((m) => m.label === label);
