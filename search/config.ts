// The run config (DESIGN §3): zod schemas, the YAML/JSON loader, and errors that name the field.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { lazySchema } from '../core/lazy-schema.js';
import { archives } from '../archive/index.js';
import { evaluators } from '../evaluators/registry.js';
import { processSpecSchema, type ProcessSpec } from '../evaluators/process/options.js';
import { spaces } from '../spaces/index.js';
import { ConfigError, type ConfigIssue } from '../core/errors.js';
import type { Factory } from '../core/factory.js';
import { withoutKeys } from '../core/objects.js';
import { pruners } from './early-stopping/index.js';
import { strategies } from './strategies/index.js';
import { isModuleRef } from './config-access.js';

const moduleRef = lazySchema(() =>
  z.strictObject({
    module: z.string().min(1).describe('path to an ES module, relative to the config file'),
    options: z.record(z.string(), z.unknown()).optional(),
  }),
);
/** `{ type: name, ...options }` for a built-in, or `{ module, options }` for a plug-in. */
const typedRef = lazySchema(() => z.looseObject({ type: z.string().min(1) }));

const evaluatorSchema = lazySchema(() =>
  z
    .strictObject({
      type: z.string().min(1).optional(),
      module: z.string().min(1).optional(),
      process: processSpecSchema
        .optional()
        .describe('a long-lived evaluator process per worker (any language), spoken to over stdin/stdout'),
      options: z.record(z.string(), z.unknown()).optional(),
      version: z.string().optional().describe('overrides the evaluator version in the cache key'),
      // Node timers hold at most 2^31 − 1 ms (~24.8 days); a longer one would fire at once.
      timeoutSeconds: z.number().positive().max(2_000_000, 'at most 2,000,000 s (about 23 days)').default(60),
      fidelity: z.number().nonnegative().default(1).describe('part of the cache key: examples, tokens, repeats'),
    })
    .refine((e) => [e.type, e.module, e.process].filter((x) => x !== undefined).length === 1, {
      message:
        'give exactly one of `type` (a built-in evaluator), `module` (a plug-in path) or `process` (a program, e.g. { argv: [python3, my_eval.py] })',
    }),
);

const budgetSchema = lazySchema(() =>
  z
    .strictObject({
      evaluations: z.int().positive().optional().describe('proposals, cache hits included (DESIGN §3)'),
      seconds: z.number().positive().optional(),
      targetFitness: z.number().optional(),
      targetHypervolume: z
        .number()
        .positive()
        .optional()
        .describe('stop once the hypervolume of all Pareto members against objectives.reference reaches this'),
      steps: z
        .int()
        .positive()
        .optional()
        .describe(
          'intermediate reports (ctx.report, e.g. training epochs) over all evaluations: stop once they reach this',
        ),
    })
    .refine((b) => b.evaluations !== undefined || b.seconds !== undefined || b.steps !== undefined, {
      message: 'set budget.evaluations, budget.seconds or budget.steps so the run can end',
    }),
);

const cacheSchema = lazySchema(() =>
  z.strictObject({
    enabled: z.boolean().default(true),
    path: z.string().min(1).default('.elites/cache.mdb').describe('relative to the working directory'),
    mode: z.enum(['cache', 'aggregate', 'counterfactual']).default('cache'),
    maxRepeats: z.int().positive().default(10).describe('aggregate: samples per key before the mean is trusted'),
    minSamples: z
      .int()
      .positive()
      .optional()
      .describe('aggregate: an elite whose mean has fewer samples is shown as provisional (default: maxRepeats)'),
    epsilon: z.number().nonnegative().default(1e-9).describe('counterfactual: fitness gap that counts as a collision'),
  }),
);

/** Where evaluations run: the local pool (default: `workers` threads, 0 = inline) or BullMQ workers over Redis. */
const executorSchema = lazySchema(() =>
  z.discriminatedUnion('type', [
    z.strictObject({ type: z.literal('local') }),
    z.strictObject({
      type: z.literal('redis'),
      // `$NAME` reads the URL from that environment variable when the run starts, so a password never lands in config.json.
      url: z
        .string()
        .regex(
          /^(rediss?:\/\/\S+|\$[A-Za-z_][A-Za-z0-9_]*)$/,
          'expected redis://[:PASSWORD@]HOST[:PORT][/DB], rediss:// (TLS), or $ENV_VAR naming an environment variable that holds one',
        ),
      queue: z
        .string()
        .regex(/^[A-Za-z0-9._-]+$/, 'use letters, digits, dot, dash or underscore')
        .default('elites'),
      inFlight: z
        .int()
        .positive()
        .max(100_000)
        .optional()
        .describe('tasks in flight; default: Σ concurrency of the workers ready when the run starts'),
      waitForWorkersSeconds: z
        .number()
        .positive()
        .max(86_400)
        .default(60)
        .describe('how long the run waits for a first worker before it fails'),
      stalledSeconds: z
        .number()
        .min(1)
        .max(3600)
        .default(30)
        .describe("a dead worker's task is re-queued after about this long (BullMQ lock)"),
    }),
  ]),
);

export const runConfigSchema = lazySchema(() =>
  z.strictObject({
    name: z
      .string()
      .regex(/^[A-Za-z0-9._-]+$/, 'use letters, digits, dot, dash or underscore')
      .default('run'),
    seed: z.int().nonnegative().default(0),
    direction: z.enum(['maximize', 'minimize']).default('maximize'),
    objectives: z
      .strictObject({
        directions: z
          .array(z.enum(['maximize', 'minimize']))
          .min(2, 'list at least two objectives (one objective is `direction`)')
          .max(16)
          .describe('per objective of the evaluator’s `objectives`, whether higher or lower is better'),
        names: z.array(z.string().min(1)).optional().describe('a name per objective, for tables and plots'),
        reference: z
          .array(z.number())
          .optional()
          .describe(
            'the point hypervolumes are measured from, in the objectives’ own units (e.g. the worst acceptable value of each); needed by the mome and pareto archives and by budget.targetHypervolume',
          ),
      })
      .refine((o) => o.names === undefined || o.names.length === o.directions.length, {
        message: 'objectives.names must name every objective of objectives.directions',
        path: ['names'],
      })
      .refine((o) => o.reference === undefined || o.reference.length === o.directions.length, {
        message: 'objectives.reference must have one value per objective of objectives.directions',
        path: ['reference'],
      })
      .optional()
      .describe('several objectives: every result must carry objectives of this length'),
    space: z.union([moduleRef, typedRef]),
    evaluator: evaluatorSchema,
    search: z.looseObject({ strategy: z.string().min(1) }),
    archive: z.looseObject({ type: z.string().min(1), qdOffset: z.number().optional() }),
    pruner: z
      .looseObject({ type: z.string().min(1) })
      .default({ type: 'none' })
      .describe('early stopping of running evaluations from their ctx.report()s: none, median, asha or hyperband'),
    budget: budgetSchema,
    workers: z.int().nonnegative().max(1024).default(1).describe('0 = inline in the main thread'),
    batch: z
      .int()
      .min(1)
      .max(65_536)
      .default(1)
      .describe(
        'proposals asked of the strategy at once; a worker thread holds two such batches above 1, one running and the next waiting (inline: one batch in all); above 1 it amortises the per-proposal cost of cheap objectives (the strategy sees results after a batch, as in pyribs)',
      ),
    executor: executorSchema
      .optional()
      .describe('absent or { type: local }: the local pool; { type: redis, url, queue }: `elites worker` processes'),
    workerMemoryMb: z
      .int()
      .min(64, 'at least 64 MB: a worker needs some heap to load elites and the evaluator')
      .max(1_048_576)
      .default(4096)
      .describe(
        'heap limit of each worker thread (V8 old generation); an evaluation that passes it ends as a crashed failure',
      ),
    cache: cacheSchema.default(cacheSchema.parse({})),
    failures: z.strictObject({ maxConsecutive: z.int().positive().default(20) }).default({ maxConsecutive: 20 }),
    log: z
      .strictObject({
        genomes: z.enum(['elites', 'all']).default('elites'),
        checkpointSeconds: z.number().positive().default(5),
      })
      .default({ genomes: 'elites', checkpointSeconds: 5 }),
    remeasure: z
      .strictObject({
        elites: z
          .int()
          .min(0)
          .max(1000)
          .default(0)
          .describe('re-evaluate the best N elites when the run ends (noisy evaluators); 0 = off'),
        rounds: z.int().min(1).max(100).default(3).describe('samples per elite, taken round-robin over the elites'),
      })
      .default({ elites: 0, rounds: 3 }),
  }),
);

// Kept in config-access.ts so that readers get them without this module's schemas; re-exported for the others.
export { dimsOf, isModuleRef, objectiveCountOf, referenceOf, type ModuleRef } from './config-access.js';

/** The validated config, with defaults applied and module paths made absolute. */
export type RunConfig = z.infer<typeof runConfigSchema>;
export type RunConfigInput = z.input<typeof runConfigSchema>;

/** Command-line overrides (DESIGN §3: flags override the file). */
export interface ConfigOverrides {
  readonly seed?: number;
  readonly workers?: number;
  readonly evaluations?: number;
  readonly seconds?: number;
}

/**
 * Validates a config object. `baseDir` resolves `module:` paths.
 * @throws {ConfigError} listing every problem with its path, e.g. `search.lambda`.
 */
export function parseRunConfig(raw: unknown, baseDir: string, overrides: ConfigOverrides = {}): RunConfig {
  const withOverrides = applyOverrides(raw, overrides);
  const parsed = runConfigSchema.safeParse(withOverrides);
  if (!parsed.success) throw configError(parsed.error.issues.map((issue) => toIssue(issue)));
  const config = parsed.data;
  const issues: ConfigIssue[] = [];
  if (!isModuleRef(config.space))
    checkEntry(spaces, 'space', config.space.type, withoutKeys(config.space, ['type']), issues);
  if (config.evaluator.type !== undefined) {
    checkEntry(
      evaluators,
      'evaluator',
      config.evaluator.type,
      config.evaluator.options ?? {},
      issues,
      'evaluator.options',
    );
  }
  checkEntry(
    strategies,
    'search',
    config.search.strategy,
    withoutKeys(config.search, ['strategy']),
    issues,
    'search',
    'strategy',
  );
  checkEntry(archives, 'archive', config.archive.type, withoutKeys(config.archive, ['type', 'qdOffset']), issues);
  checkEntry(pruners, 'pruner', config.pruner.type, withoutKeys(config.pruner, ['type']), issues);
  checkObjectives(config, issues);
  if (issues.length > 0) throw configError(issues);
  return resolveModulePaths(config, baseDir);
}

/**
 * Reads a YAML or JSON config file and validates it.
 * @throws {ConfigError} when the file is missing, unparsable or invalid.
 */
export function loadRunConfig(path: string, overrides: ConfigOverrides = {}): RunConfig {
  const file = resolve(path);
  if (!existsSync(file)) {
    throw new ConfigError(
      `config file not found: ${path}`,
      [],
      'Check the path, or run `elites init` to write a starter config.',
    );
  }
  const text = readFileSync(file, 'utf8');
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      `${path} is not valid YAML/JSON`,
      doc.errors.map((e) => ({
        path: `line ${e.linePos?.[0]?.line ?? '?'}`,
        message: e.message.split('\n')[0] ?? e.message,
      })),
    );
  }
  try {
    return parseRunConfig(doc.toJS(), dirname(file), overrides);
  } catch (error) {
    if (error instanceof ConfigError) throw new ConfigError(`${path}: ${error.message}`, error.issues, error.hint);
    throw error;
  }
}

/** What several objectives need of the rest of the config, and what they cannot be combined with. */
function checkObjectives(config: RunConfig, issues: ConfigIssue[]): void {
  const pareto = config.archive.type === 'mome' || config.archive.type === 'pareto';
  const o = config.objectives;
  if (pareto && !o?.reference)
    issues.push({
      path: o ? 'objectives.reference' : 'objectives',
      message: `a ${config.archive.type} archive compares several objectives: set objectives: { directions, reference } (the reference point measures hypervolumes)`,
    });
  if (o && config.cache.mode === 'aggregate')
    issues.push({
      path: 'cache.mode',
      message:
        'aggregate (a mean of noisy samples) is for one fitness; with several objectives use cache.mode: cache or counterfactual',
    });
  if (config.budget.targetHypervolume !== undefined && !o?.reference)
    issues.push({
      path: 'budget.targetHypervolume',
      message: 'needs objectives.reference (and a mome or pareto archive) to measure a hypervolume against',
    });
  else if (config.budget.targetHypervolume !== undefined && !pareto)
    issues.push({
      path: 'budget.targetHypervolume',
      message: `the ${config.archive.type} archive keeps one elite per cell, not a Pareto front: use archive.type mome or pareto`,
    });
}

function checkEntry(
  registry: Record<string, Factory<never, unknown>>,
  section: string,
  name: string,
  options: unknown,
  issues: ConfigIssue[],
  optionsPath = section,
  nameKey = 'type',
): void {
  const entry = Object.hasOwn(registry, name) ? registry[name] : undefined;
  if (!entry) {
    const known = Object.keys(registry).join(', ');
    const pluginHint = section === 'space' || section === 'evaluator' ? `, or use { module: ./file.mjs }` : '';
    issues.push({
      path: `${section}.${nameKey}`,
      message: `unknown ${section} ${nameKey} "${name}"; expected one of: ${known}${pluginHint}`,
    });
    return;
  }
  const result = entry.options.safeParse(options);
  if (!result.success) {
    for (const issue of result.error.issues) issues.push(toIssue(issue, optionsPath));
  }
}

function toIssue(issue: z.core.$ZodIssue, prefix = ''): ConfigIssue {
  const path = [prefix, ...issue.path.map(String)].filter((p) => p !== '').join('.');
  let message = issue.message;
  if (issue.code === 'unrecognized_keys')
    message = `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')} (a typo?)`;
  if (issue.code === 'invalid_union' && (path === 'executor' || path === 'executor.type'))
    message = 'expected { type: local } or { type: redis, url: redis://HOST:6379, queue: NAME }';
  if (issue.code === 'invalid_union' && path === 'space')
    message = 'expected { type: bitstring|vector|categorical, ... } or { module: ./my-space.mjs, options: {...} }';
  return { path, message };
}

function configError(issues: ConfigIssue[]): ConfigError {
  const noun = issues.length === 1 ? 'problem' : 'problems';
  return new ConfigError(
    `invalid config (${issues.length} ${noun})`,
    issues,
    'Fix the fields above; see the config reference in the README.',
  );
}

function applyOverrides(raw: unknown, overrides: ConfigOverrides): unknown {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return raw;
  const config = { ...(raw as Record<string, unknown>) };
  if (overrides.seed !== undefined) config.seed = overrides.seed;
  if (overrides.workers !== undefined) config.workers = overrides.workers;
  if (overrides.evaluations !== undefined || overrides.seconds !== undefined)
    config.budget = overrideBudget((config.budget as Record<string, unknown> | undefined) ?? {}, overrides);
  return config;
}

/** A budget with the flags' overrides (`--evaluations`, `--seconds`): the one merge, for a new run and a resume alike. */
export function overrideBudget<B extends object>(
  budget: B,
  overrides: Pick<ConfigOverrides, 'evaluations' | 'seconds'>,
): B {
  return {
    ...budget,
    ...(overrides.evaluations !== undefined ? { evaluations: overrides.evaluations } : {}),
    ...(overrides.seconds !== undefined ? { seconds: overrides.seconds } : {}),
  };
}

function resolveModulePaths(config: RunConfig, baseDir: string): RunConfig {
  const abs = (p: string): string => (isAbsolute(p) ? p : resolve(baseDir, p));
  const space = isModuleRef(config.space) ? { ...config.space, module: abs(config.space.module) } : config.space;
  const { module, process } = config.evaluator;
  const evaluator =
    module !== undefined
      ? { ...config.evaluator, module: abs(module) }
      : process !== undefined
        ? { ...config.evaluator, process: { ...process, cwd: abs(process.cwd ?? '.') } } // cwd: the config's directory by default
        : config.evaluator;
  return { ...config, space, evaluator, cache: { ...config.cache, path: resolve(config.cache.path) } };
}

/**
 * The evaluator's `process` section with an absolute cwd (parseRunConfig resolves it against the config file's
 * directory; a config built otherwise, against the working directory), or undefined for another kind of evaluator.
 */
export function processSpecOf(config: RunConfig): (ProcessSpec & { readonly cwd: string }) | undefined {
  const spec = config.evaluator.process;
  return spec && { ...spec, cwd: resolve(spec.cwd ?? '.') };
}
