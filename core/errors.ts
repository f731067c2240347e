// One error hierarchy: every error has a stable code, a message that says the fix, and a CLI exit code.

export const ExitCode = { ok: 0, failed: 1, badInput: 2, interrupted: 130 } as const;

/** Marks elites' errors, the same symbol in every copy of elites a process has loaded. */
const elitesErrorBrand: unique symbol = Symbol.for('elites.ElitesError');

/** `value` is an instance of `cls`, or of the class of the same name in another copy of elites. */
function isInstance(cls: abstract new (...args: never[]) => unknown, value: unknown): boolean {
  if (Function.prototype[Symbol.hasInstance].call(cls, value)) return true;
  if (typeof value !== 'object' || value === null || !(elitesErrorBrand in value)) return false;
  for (let p: unknown = Object.getPrototypeOf(value); p !== null; p = Object.getPrototypeOf(p))
    if ((p as { constructor?: { name?: string } }).constructor?.name === cls.name) return true;
  return false;
}

export class ElitesError extends Error {
  /**
   * `instanceof` also knows another copy's errors: a process may load elites twice (the CLI runs from its bundle, a
   * plug-in that imports 'elites' gets the library's modules), and a ConfigError a plug-in throws is still one.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    // biome-ignore lint/complexity/noThisInStatic: the class instanceof asks about, a subclass as often as this one
    return isInstance(this, value);
  }

  readonly [elitesErrorBrand] = true;
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
