// The config of an ask/tell search: a run config whose evaluator runs in the user's program, so it names it instead.
import { z } from 'zod';
import { lazySchema } from '../core/lazy-schema.js';
import { ConfigError, type ConfigIssue, UsageError } from '../core/errors.js';
import type { Evaluator } from '../core/types.js';
import { parseRunConfig, type RunConfig, type RunConfigInput } from './config.js';

/** The evaluator section's `type` in a stored ask/tell config: no registry entry, so `elites resume` refuses it. */
export const EXTERNAL_EVALUATOR = 'external';

const externalEvaluatorSchema = lazySchema(() =>
  z.strictObject({
    name: z.string().min(1).describe('names your evaluator in the cache namespace'),
    version: z
      .string()
      .min(1)
      .default('0')
      .describe('bump it when your results would change: the cache then starts over'),
    options: z
      .record(z.string(), z.unknown())
      .optional()
      .describe('part of the cache namespace, like a plug-in’s options'),
    fidelity: z.number().nonnegative().default(1),
    noisy: z.boolean().default(false).describe('results are samples: use with cache.mode aggregate'),
  }),
);

export type ExternalEvaluatorInput = z.input<typeof externalEvaluatorSchema>;
export type ExternalEvaluator = z.output<typeof externalEvaluatorSchema>;

/** A run config for ask/tell: the evaluator is named, not loaded; where evaluations run is the program's business. */
export type AskTellConfigInput = Omit<
  RunConfigInput,
  'evaluator' | 'workers' | 'executor' | 'workerMemoryMb' | 'remeasure'
> & { readonly evaluator: ExternalEvaluatorInput };

/** Keys of a run config that only say how elites runs evaluations: meaningless here, so refused like a typo. */
const REFUSED = ['workers', 'executor', 'workerMemoryMb', 'remeasure'] as const;

/**
 * Validates an ask/tell config: the run config's rules, with `evaluator: { name, version?, options?, fidelity?, noisy? }`.
 * `baseDir` resolves a plug-in space's `module:` path.
 * @throws {ConfigError} naming each problem's path.
 */
export function parseAskTellConfig(raw: unknown, baseDir: string): { config: RunConfig; evaluator: ExternalEvaluator } {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw))
    throw new ConfigError('invalid ask/tell config', [{ path: '', message: 'expected an object' }]);
  const input = raw as Record<string, unknown>;
  const issues: ConfigIssue[] = REFUSED.filter((key) => key in input).map((key) => ({
    path: key,
    message: `not used by ask/tell: your program runs the evaluations (remove "${key}")`,
  }));
  const parsed = externalEvaluatorSchema.safeParse(input.evaluator);
  if (!parsed.success)
    for (const issue of parsed.error.issues)
      issues.push({ path: ['evaluator', ...issue.path.map(String)].join('.'), message: issue.message });
  // The rest is a run config: checked with a stand-in evaluator section (a module path is only resolved, never loaded).
  let config: RunConfig | undefined;
  try {
    config = parseRunConfig({ ...input, evaluator: { module: 'ask-tell' }, workers: 0 }, baseDir);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    issues.push(...error.issues);
  }
  if (issues.length > 0 || !config || !parsed.success) {
    const noun = issues.length === 1 ? 'problem' : 'problems';
    throw new ConfigError(
      `invalid ask/tell config (${issues.length} ${noun})`,
      issues,
      'Fix the fields above; see "Ask/tell: evaluate in your own loop" in the README.',
    );
  }
  const evaluator = parsed.data;
  return {
    config: {
      ...config,
      evaluator: {
        type: EXTERNAL_EVALUATOR,
        version: evaluator.version,
        options: evaluator.options ?? {},
        fidelity: evaluator.fidelity,
        timeoutSeconds: config.evaluator.timeoutSeconds,
      },
    },
    evaluator,
  };
}

/** What the run's parts see of the user's evaluator: its identity and flags; it is never called. */
export function standInEvaluator(e: ExternalEvaluator): Evaluator<unknown> {
  return {
    name: e.name,
    version: e.version,
    ...(e.noisy ? { noisy: true } : {}),
    evaluate() {
      throw new Error(`${e.name} is evaluated by the program that opened this ask/tell search`);
    },
  };
}

/** `elites resume` of an ask/tell run: its evaluations come from a program, which must reopen it. */
export function notResumable(dir: string): UsageError {
  return new UsageError(
    `${dir} is an ask/tell search: its results come from the program that opened it, not from an evaluator elites can run`,
    `Continue it from that program: openAskTell(config, { dir: '${dir}' }). \`elites inspect\`, \`report\` and \`export\` read it as it is.`,
  );
}
