// `elites init [DIR]`: a starter config and a plug-in evaluator to edit, which run as they are.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../core/errors.js';
import { write, type CliIo } from './io.js';

const CONFIG = `# elites starter: MAP-Elites over 8 real parameters with your own evaluator (my-evaluator.mjs).
# Run it:      npx elites run elites.yaml
# Look inside: npx elites inspect runs/<the directory it printed>
name: starter
seed: 1
space: { type: vector, dimensions: 8, min: 0, max: 1, mutation: { type: gaussian, sigma: 0.1 } }
evaluator:
  module: ./my-evaluator.mjs        # relative to this file
  options: { target: 0.3 }          # passed to setup() once per worker
  timeoutSeconds: 10
direction: maximize
search: { strategy: map-elites, initialRandom: 100 }
archive:
  type: grid
  dims:
    - { name: left, min: 0, max: 1, bins: 20 }
    - { name: right, min: 0, max: 1, bins: 20 }
budget: { evaluations: 5000 }
workers: 2
`;

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

export interface InitArgs {
  readonly dir?: string;
  readonly force?: boolean;
}

export async function initCommand(args: InitArgs, io: CliIo): Promise<number> {
  const dir = args.dir ?? '.';
  mkdirSync(dir, { recursive: true });
  const files = { 'elites.yaml': CONFIG, 'my-evaluator.mjs': EVALUATOR };
  for (const name of Object.keys(files)) {
    if (existsSync(join(dir, name)) && !args.force)
      throw new UsageError(
        `${join(dir, name)} already exists`,
        'Pass --force to overwrite, or choose another directory.',
      );
  }
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  write(
    io.stdout,
    `wrote ${join(dir, 'elites.yaml')} and ${join(dir, 'my-evaluator.mjs')}\nnext: npx elites run ${join(dir, 'elites.yaml')}`,
  );
  return 0;
}
