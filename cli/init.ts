// `elites init [DIR] [--python]`: a starter config and a plug-in evaluator to edit (an ES module, or a Python script run
// as an evaluator process with nothing but python3), which run as they are.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../core/errors.js';
import { write, type CliIo } from './io.js';

/** The starters' search: the same space, strategy, archive and budget, whichever language scores it. */
const SEARCH = `direction: maximize
search: { strategy: map-elites, initialRandom: 100 }
archive:
  type: grid
  dims:
    - { name: left, min: 0, max: 1, bins: 20 }
    - { name: right, min: 0, max: 1, bins: 20 }
budget: { evaluations: 5000 }
workers: 2
`;
const SPACE = 'space: { type: vector, dimensions: 8, min: 0, max: 1, mutation: { type: gaussian, sigma: 0.1 } }';

const CONFIG = `# elites starter: MAP-Elites over 8 real parameters with your own evaluator (my-evaluator.mjs).
# Run it:      npx elites run elites.yaml
# Look inside: npx elites inspect runs/<the directory it printed>
name: starter
seed: 1
${SPACE}
evaluator:
  module: ./my-evaluator.mjs        # relative to this file
  options: { target: 0.3 }          # passed to setup() once per worker
  timeoutSeconds: 10
${SEARCH}`;

const EVALUATOR = `// A plug-in evaluator: a plain object, no imports from elites needed.
// fitness: higher is better (direction: maximize); descriptors: where the candidate lands in the archive.
let target = 0.5;

export default {
  name: 'starter',
  version: '1', // bump when results would change: it is part of the cache key

  // Once per worker, with evaluator.options from the config: load data or a model here.
  setup(options) {
    target = options.target ?? target;
  },

  // genome: a Float64Array (vector space); ctx: { rng, signal, options, fidelity }.
  evaluate(genome, ctx) {
    let error = 0;
    for (const x of genome) error += (x - target) ** 2;
    const half = genome.length / 2;
    const mean = (from, to) => genome.slice(from, to).reduce((a, b) => a + b, 0) / (to - from);
    return { fitness: -error, descriptors: [mean(0, half), mean(half, genome.length)], metrics: { error } };
  },
};
`;

const PYTHON_CONFIG = `# elites starter: MAP-Elites over 8 real parameters, scored by a Python evaluator (my_evaluator.py).
# Needs python3 and nothing from pip. Run it: npx elites run elites.yaml
# Look inside:                           npx elites inspect runs/<the directory it printed>
name: starter-python
seed: 1
${SPACE}
evaluator:
  process:
    argv: [python3, my_evaluator.py] # started once per worker, in this file's directory
  options: { target: 0.3 }           # passed to setup() once per process
  timeoutSeconds: 10                 # per evaluation; the process is killed and started again after it
${SEARCH}`;

const PYTHON_EVALUATOR = `"""A Python evaluator for elites. It needs nothing from pip: elites puts elites_worker on PYTHONPATH.

elites starts this script once per worker, calls setup(options) once, then evaluate(genome, ctx) for each
candidate. print() goes to stderr (stdout carries elites' protocol). Raise to fail an evaluation.
"""
import elites_worker

target = 0.5


def setup(options):
    # Once per process, with evaluator.options from elites.yaml: load data or a model here.
    global target
    target = options.get("target", target)


def evaluate(genome, ctx):
    # genome: a list of 8 floats in [0, 1] (vector space).
    # ctx: fidelity, sample, seed, rng (a random.Random), report(step, value), should_stop().
    error = sum((x - target) ** 2 for x in genome)
    half = len(genome) // 2
    left = sum(genome[:half]) / half
    right = sum(genome[half:]) / (len(genome) - half)
    # fitness: higher is better (direction: maximize); descriptors: where the candidate lands in the archive.
    return {"fitness": -error, "descriptors": [left, right], "metrics": {"error": error}}


if __name__ == "__main__":
    elites_worker.serve()
`;

export interface InitArgs {
  readonly dir?: string;
  readonly force?: boolean;
  /** A Python evaluator (run as an evaluator process) instead of an ES module. */
  readonly python?: boolean;
}

export async function initCommand(args: InitArgs, io: CliIo): Promise<number> {
  const dir = args.dir ?? '.';
  mkdirSync(dir, { recursive: true });
  const files: Record<string, string> = args.python
    ? { 'elites.yaml': PYTHON_CONFIG, 'my_evaluator.py': PYTHON_EVALUATOR }
    : { 'elites.yaml': CONFIG, 'my-evaluator.mjs': EVALUATOR };
  for (const name of Object.keys(files)) {
    if (existsSync(join(dir, name)) && !args.force)
      throw new UsageError(
        `${join(dir, name)} already exists`,
        'Pass --force to overwrite, or choose another directory.',
      );
  }
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  const [config, evaluator] = Object.keys(files).map((name) => join(dir, name));
  write(io.stdout, `wrote ${config} and ${evaluator}\nnext: npx elites run ${config}`);
  return 0;
}
