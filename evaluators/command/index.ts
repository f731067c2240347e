// Command evaluator: a user's own program in any language, as a build step and a run step (argv arrays filled from the
// genome, never run through a shell); fitness from the last JSON line of stdout; optional fingerprint from a build artefact.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { threadId } from 'node:worker_threads';
import type { EvalContext, EvalResult, Evaluator } from '../../core/types.js';
import { commandOptionsSchema, type BuildStep, type CommandOptionsInput, type RunStep } from './options.js';
import { parseResult, reduceResults, type FieldSpec } from './output.js';
import { programProblem } from '../process-group.js';
import { runStep, type StepSpec } from './process.js';
import { genomeParams, placeholdersOf, TemplateValues } from './template.js';

/** Written into a build directory once the build succeeded: its presence means "built". */
const MARKER = '.elites-build.json';
/** Stands for `{builddir}` / `{workdir}` in keys: they differ per build and per evaluation, the commands do not. NUL cannot occur in an argument. */
const BUILDDIR_MARK = '\0builddir\0';
const WORKDIR_MARK = '\0workdir\0';

interface Build {
  readonly dir: string;
  /** Working directory of the build step (fingerprintFile is relative to it). */
  readonly cwd: string;
}

type FilledStep = Omit<StepSpec, 'label' | 'signal'> & { readonly extraEnv: Record<string, string> };

/**
 * The evaluator. Genomes are records of parameters (categorical space) or arrays; see README.md for the options.
 * @throws {ZodError} for invalid options; {Error} when a `build.inputs` file cannot be read.
 */
export function createCommandEvaluator(input: CommandOptionsInput = {}): Evaluator<unknown> {
  const options = commandOptionsSchema.parse(input);
  const root = resolve(options.workDir);
  const inputsHash = hashInputs(
    options.build?.inputs ?? [],
    options.build?.cwd === undefined ? process.cwd() : resolve(options.build.cwd),
  );
  const fields: FieldSpec = { fitness: options.fitness, descriptors: options.descriptors, metrics: options.metrics };
  /** Builds of this worker by key; a failed build is forgotten, so a later evaluation tries again. */
  const builds = new Map<string, Promise<Build>>();
  const seeds = new WeakMap<EvalContext, string>();

  const requireRun = (): RunStep => {
    if (!options.run)
      throw new Error(
        'command evaluator: options.run is required: the program to measure, e.g. run: { argv: ["{builddir}/gemm", "512"] }',
      );
    return options.run;
  };

  /** Placeholder values of one evaluation; `{seed}` is drawn once per context, so fingerprint and evaluate agree. */
  const valuesFor = (genome: unknown, ctx: EvalContext, where: string): TemplateValues => {
    let seed = seeds.get(ctx);
    if (seed === undefined) {
      seed = String(Math.floor(ctx.rng() * 2 ** 32));
      seeds.set(ctx, seed);
    }
    return new TemplateValues(
      genomeParams(genome),
      {
        seed,
        fidelity: JSON.stringify(ctx.fidelity),
        sample: JSON.stringify(ctx.sample ?? 0),
        workdir: undefined,
        builddir: undefined,
      },
      where,
    );
  };

  const ensureBuild = (build: BuildStep, values: TemplateValues, signal: AbortSignal): Promise<Build> => {
    const keyed = fillStep('build', build, values.with({ builddir: BUILDDIR_MARK }));
    const key = sha256(
      JSON.stringify({ v: 1, argv: keyed.argv, cwd: keyed.cwd, env: keyed.extraEnv, inputs: inputsHash }),
    );
    let pending = builds.get(key);
    if (!pending) {
      pending = runBuild(build, values, join(root, 'builds', key.slice(0, 32)), signal);
      builds.set(key, pending);
      pending.catch(() => builds.delete(key));
    }
    return pending;
  };

  return {
    name: 'command',
    version: inputsHash === undefined ? '1' : `1+${inputsHash.slice(0, 12)}`,
    noisy: options.noisy,
    // The scripts a step runs (argv words naming a file, placeholders aside): editing one changes the cache namespace.
    inputFiles: () =>
      [options.build, options.run].flatMap((step) => {
        if (!step || step.cwd?.includes('{')) return [];
        const cwd = step.cwd === undefined ? process.cwd() : resolve(step.cwd);
        return step.argv
          .filter((word) => !word.includes('{'))
          .map((word) => resolve(cwd, word))
          .filter(isFile);
      }),

    prepare() {
      requireRun();
      mkdirSync(root, { recursive: true });
      if (options.build) checkProgram('build', options.build);
      checkProgram('run', options.run!);
    },

    setup() {
      requireRun();
      mkdirSync(join(root, 'work'), { recursive: true });
    },

    // Descriptors and metrics come from the same stdout line as fitness: what the fingerprint (build artefact and
    // filled run command) determines of one, it determines of the others.
    ...(options.fingerprintFile !== undefined && options.build
      ? {
          fingerprintDeterminesResult: true,
          async fingerprint(genome: unknown, ctx: EvalContext): Promise<string> {
            const build = options.build!;
            const run = requireRun();
            const values = valuesFor(genome, ctx, 'build step');
            const built = await ensureBuild(build, values, ctx.signal);
            const file = resolve(
              built.cwd,
              values.with({ builddir: built.dir }).fill(options.fingerprintFile!, 'fingerprintFile'),
            );
            let bytes: Buffer;
            try {
              bytes = await readFile(file);
            } catch (error) {
              throw new Error(
                `command evaluator: fingerprintFile ${file} was not written by the build step (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
                { cause: error },
              );
            }
            // The run command takes part: one binary run with other arguments is another candidate.
            const runKey = fillStep(
              'run',
              run,
              valuesFor(genome, ctx, 'run step').with({ builddir: BUILDDIR_MARK, workdir: WORKDIR_MARK }),
            );
            const hash = createHash('sha256')
              .update(bytes)
              .update('\0')
              .update(JSON.stringify({ argv: runKey.argv, cwd: runKey.cwd, env: runKey.extraEnv }))
              .digest('hex');
            return `command:${hash}`;
          },
        }
      : {}),

    async evaluate(genome, ctx): Promise<EvalResult> {
      const run = requireRun();
      const built = options.build
        ? await ensureBuild(options.build, valuesFor(genome, ctx, 'build step'), ctx.signal)
        : undefined;
      mkdirSync(join(root, 'work'), { recursive: true });
      const workdir = await mkdtemp(join(root, 'work', 'eval-'));
      try {
        const step = fillStep(
          'run',
          run,
          valuesFor(genome, ctx, 'run step').with({ workdir, ...(built ? { builddir: built.dir } : {}) }),
        );
        const results = [];
        for (let r = 0; r < run.repeat; r++) {
          const label = run.repeat > 1 ? `run step (run ${r + 1} of ${run.repeat})` : 'run step';
          const out = await runStep({ ...step, label, signal: ctx.signal });
          results.push(parseResult(out.stdout, fields, label));
        }
        return reduceResults(results, run.reduce);
      } finally {
        await rm(workdir, { recursive: true, force: true }).catch(() => undefined);
      }
    },
  };
}

/**
 * Runs a build into a fresh temporary directory, renamed to `dir` when it succeeds: a directory at `dir` is always a
 * finished build, and two workers building the same thing at once both succeed (the second discards its copy).
 */
async function runBuild(build: BuildStep, values: TemplateValues, dir: string, signal: AbortSignal): Promise<Build> {
  const cwd = fillStep('build', build, values.with({ builddir: dir })).cwd;
  if (existsSync(join(dir, MARKER))) return { dir, cwd };
  const tmp = `${dir}.tmp-${process.pid}-${threadId}-${randomBytes(4).toString('hex')}`;
  mkdirSync(tmp, { recursive: true });
  try {
    const step = fillStep('build', build, values.with({ builddir: tmp }));
    const out = await runStep({ ...step, label: 'build step', signal });
    writeFileSync(
      join(tmp, 'build.log'),
      `$ ${JSON.stringify(step.argv)}\n--- stdout\n${out.stdout}\n--- stderr\n${out.stderr}\n`,
    );
    writeFileSync(
      join(tmp, MARKER),
      `${JSON.stringify({ argv: step.argv, cwd: step.cwd, env: step.extraEnv, seconds: out.seconds }, null, 2)}\n`,
    );
    try {
      renameSync(tmp, dir);
    } catch (error) {
      if (!existsSync(join(dir, MARKER))) throw error;
      rmSync(tmp, { recursive: true, force: true }); // another worker finished the same build first
    }
    return { dir, cwd };
  } catch (error) {
    rmSync(tmp, { recursive: true, force: true });
    throw error;
  }
}

/** A step's argv, cwd and environment with every template filled. */
function fillStep(name: 'build' | 'run', step: BuildStep | RunStep, values: TemplateValues): FilledStep {
  const argv = step.argv.map((a, i) => values.fill(a, `${name}.argv[${i}]`));
  const cwd = step.cwd === undefined ? process.cwd() : resolve(values.fill(step.cwd, `${name}.cwd`));
  const extraEnv: Record<string, string> = {};
  for (const [k, t] of Object.entries(step.env)) extraEnv[k] = values.fill(t, `${name}.env.${k}`);
  return { argv, cwd, env: { ...process.env, ...extraEnv }, timeoutSeconds: step.timeoutSeconds, extraEnv };
}

/** Fails early (before any worker starts) when a step's program is a plain path or name that does not exist. */
function checkProgram(name: 'build' | 'run', step: BuildStep | RunStep): void {
  const program = step.argv[0]!;
  if (placeholdersOf(program).length > 0 || (step.cwd !== undefined && placeholdersOf(step.cwd).length > 0)) return;
  const cwd = step.cwd === undefined ? process.cwd() : resolve(step.cwd);
  const problem = programProblem(program, cwd, step.env.PATH ?? process.env.PATH ?? '');
  if (problem) throw new Error(`command evaluator: ${name}.argv[0] ${JSON.stringify(program)}${problem}`);
}

/**
 * sha256 over the named files (path and contents), relative to the build's working directory, or undefined for none.
 * @throws {Error} naming a file that cannot be read.
 */
function hashInputs(inputs: readonly string[], cwd: string): string | undefined {
  if (inputs.length === 0) return undefined;
  const h = createHash('sha256');
  for (const p of inputs) {
    let bytes: Buffer;
    try {
      bytes = readFileSync(resolve(cwd, p));
    } catch (error) {
      throw new Error(
        `command evaluator: build.inputs: cannot read ${JSON.stringify(p)} (relative to ${cwd}): ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
        { cause: error },
      );
    }
    h.update(p).update('\0').update(bytes).update('\0');
  }
  return h.digest('hex');
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export { commandOptionsSchema, type CommandOptions, type CommandOptionsInput } from './options.js';
export { runStep, StepError, type StepOutput, type StepSpec } from './process.js';
export { parseTemplate, TemplateError, TemplateValues, genomeParams, BUILTINS } from './template.js';
export { lastJsonObject, parseResult, OutputError } from './output.js';

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
