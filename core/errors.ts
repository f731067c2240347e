// One error hierarchy: every error has a stable code, a message that says the fix, and a CLI exit code.

export const ExitCode = { ok: 0, failed: 1, badInput: 2, interrupted: 130 } as const;

export class ElitesError extends Error {
  readonly exitCode: number = ExitCode.failed;
  constructor(
    readonly code: string,
    message: string,
    readonly hint?: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

export interface ConfigIssue {
  readonly path: string;
  readonly message: string;
}

/** A config that does not validate: names each field, the rule and the value received. Exit 2. */
export class ConfigError extends ElitesError {
  override readonly exitCode = ExitCode.badInput;
  constructor(
    message: string,
    readonly issues: readonly ConfigIssue[] = [],
    hint?: string,
  ) {
    super('E_CONFIG', message, hint);
  }
}

/** A plug-in module that cannot be found, loaded, or has the wrong shape. Exit 2. */
export class PluginError extends ElitesError {
  override readonly exitCode = ExitCode.badInput;
  constructor(message: string, hint?: string, options?: ErrorOptions) {
    super('E_PLUGIN', message, hint, options);
  }
}

/** Bad command-line input: a missing run directory, a wrong flag, a run that is locked or of another store schema. Exit 2. */
export class UsageError extends ElitesError {
  override readonly exitCode = ExitCode.badInput;
  constructor(message: string, hint?: string) {
    super('E_USAGE', message, hint);
  }
}

/** The run store cannot be used: unwritable (disk full), damaged. Exit 1; what committed stays readable. */
export class StoreError extends ElitesError {
  constructor(message: string, hint?: string, options?: ErrorOptions) {
    super('E_STORE', message, hint, options);
  }
}

/** The run stopped itself: too many consecutive failures, a stalled strategy. Exit 1, log intact. */
export class RunFailedError extends ElitesError {
  constructor(code: string, message: string, hint?: string) {
    super(code, message, hint);
  }
}

/** Formats any error for a human: message, then the hint; never a stack trace for our own errors. */
export function formatError(error: unknown): string {
  if (error instanceof ConfigError && error.issues.length > 0) {
    const lines = error.issues.map((i) => `  ✖ ${i.message}\n    → at ${i.path || '(root)'}`);
    return [error.message, ...lines, ...(error.hint ? [error.hint] : [])].join('\n');
  }
  if (error instanceof ElitesError) return error.hint ? `${error.message}\n${error.hint}` : error.message;
  if (error instanceof Error) return error.stack ?? error.message;
  try {
    return String(error);
  } catch {
    return `an unprintable ${typeof error} was thrown`;
  }
}

/**
 * Thrown by an evaluator for a fault that is not an exception of the user's code (its process died, printed garbage,
 * passed a memory limit, was stopped at its timeout): the evaluation is recorded as a failure of this kind rather
 * than 'threw'. Not an ElitesError: an evaluation's fault is an outcome, never the end of a run.
 */
export class EvaluatorFault extends Error {
  override readonly name = 'EvaluatorFault';
  constructor(
    readonly kind: 'crashed' | 'timeout',
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
