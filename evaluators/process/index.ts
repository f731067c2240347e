// Process evaluator: a fitness function in any language, run as one long-lived process per worker slot that does its
// setup(options) once and then answers evaluate/fingerprint requests over stdin/stdout (protocol.ts, README.md).
// Faults of the process (death, garbage on stdout, memory, a timeout) end it; the executor starts a new one.
import { statSync } from 'node:fs';
import { basename, delimiter, dirname, extname, relative, resolve } from 'node:path';
import { packageFile } from '../../core/package-root.js';
import { EvaluatorFault } from '../../core/errors.js';
import { contentHash, hashCanonical } from '../../core/hash.js';
import type { EvalContext, EvalResult, Evaluator } from '../../core/types.js';
import { programProblem } from '../process-group.js';
import { EvaluatorConnection } from './connection.js';
import type { ProcessSpec } from './options.js';
import { PROTOCOL, type WireContext } from './protocol.js';

/** An evaluator whose work runs in a child process; the process executor (search/executors/process-pool.ts) drives it. */
export interface ProcessEvaluator extends Evaluator<unknown> {
  /** A process is running and has answered setup: an evaluation can be sent now. */
  readonly ready: boolean;
  /** The running process's id, if one is running. */
  readonly pid: number | undefined;
  /** Starts the process unless one is running and set up (again after a fault); concurrent calls share one start. */
  setup(options: unknown): Promise<void>;
  /** Ends the process: closes its stdin (the protocol's "exit"), then kills its group if it lingers. */
  close(): Promise<void>;
}

/** While an evaluation has reported, how often the pruner's decision is looked at (it may arrive between reports). */
const STOP_POLL_MS = 20;

/** The directory holding the Python helper (elites_worker.py): put on PYTHONPATH for every process. */
// The build does not copy .py files: from the sources, dist/ and the CLI's bundle alike, the sources' folder.
export const pythonHelperDir: string = dirname(
  packageFile('evaluators/process/python/elites_worker.py', 'the Python helper is missing'),
);

/**
 * The evaluator for a config's `evaluator.process` section, `cwd` absolute. Creating it starts nothing: `setup` starts
 * the process (again, after a fault) and waits for its answer to the setup request.
 */
export function createProcessEvaluator(spec: ProcessSpec & { readonly cwd: string }): ProcessEvaluator {
  const files = inputFilesOf(spec);
  const seeds = new WeakMap<EvalContext, number>();
  let connection: EvaluatorConnection | undefined;
  let setUp = false;
  let starting: Promise<void> | undefined;
  let lastOptions: unknown = {};
  let requests = 0;
  let closed = false;

  const start = async (options: unknown): Promise<void> => {
    await connection?.close();
    setUp = false;
    if (closed) throw new Error('the evaluator was closed'); // no process may outlive close()
    // The helper first, then whatever PYTHONPATH the config (or else the environment) gives.
    const pythonPath = [pythonHelperDir, spec.env.PYTHONPATH ?? process.env.PYTHONPATH].filter(
      (p) => p !== undefined && p !== '',
    );
    const conn = new EvaluatorConnection({
      argv: spec.argv,
      cwd: spec.cwd,
      env: { ...process.env, ...spec.env, PYTHONPATH: pythonPath.join(delimiter) },
      memoryMb: spec.memoryMb,
      forwardStderr: spec.forwardStderr,
    });
    connection = conn;
    const timer = setTimeout(
      () => conn.kill(`did not answer setup within ${spec.setupTimeoutSeconds} s (process.setupTimeoutSeconds)`),
      spec.setupTimeoutSeconds * 1000,
    );
    try {
      await conn.request({ type: 'setup', id: ++requests, protocol: PROTOCOL, options });
      setUp = true;
    } catch (error) {
      conn.kill('its setup failed');
      throw error;
    } finally {
      clearTimeout(timer);
    }
  };

  const wireContext = (ctx: EvalContext): WireContext => {
    let seed = seeds.get(ctx);
    if (seed === undefined) {
      seed = Math.floor(ctx.rng() * 2 ** 32); // as the command evaluator's {seed}: one per candidate and sample
      seeds.set(ctx, seed);
    }
    return { fidelity: ctx.fidelity, sample: ctx.sample, seed };
  };

  /** One evaluate or fingerprint request; an abort (timeout, run stopped) kills the process at once. */
  const ask = async (type: 'evaluate' | 'fingerprint', genome: unknown, ctx: EvalContext): Promise<unknown> => {
    if (!setUp || !connection?.alive) await evaluator.setup(lastOptions);
    const conn = connection!;
    const id = ++requests;
    const { signal } = ctx;
    let reportError: unknown;
    let stopSent = false;
    let poll: NodeJS.Timeout | undefined;
    const stopIfPruned = (): void => {
      if (!stopSent && ctx.shouldStop?.()) {
        stopSent = true;
        conn.stop(id);
        clearInterval(poll);
      }
    };
    const onReport = (step: number, value: number): void => {
      try {
        ctx.report?.(step, value);
      } catch (error) {
        reportError ??= error; // a bad report fails the evaluation, which is told to stop
        stopSent = true;
        conn.stop(id);
      }
      stopIfPruned();
      poll ??= setInterval(stopIfPruned, STOP_POLL_MS);
    };
    let onAbort: (() => void) | undefined;
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => {
        const reason: unknown = signal.reason;
        const timeout = (reason as { name?: unknown } | undefined)?.name === 'TimeoutError';
        const why = reason instanceof Error ? reason.message : 'the run stopped';
        conn.kill(`was stopped (${why}) and killed with its process group`);
        reject(new EvaluatorFault(timeout ? 'timeout' : 'crashed', `${why}: ${conn.label} was killed`));
      };
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort, { once: true });
    });
    try {
      const value = await Promise.race([conn.request({ type, id, genome, ctx: wireContext(ctx) }, onReport), aborted]);
      if (reportError !== undefined) throw reportError;
      return value;
    } finally {
      clearInterval(poll);
      aborted.catch(() => undefined);
      if (onAbort) signal.removeEventListener('abort', onAbort);
    }
  };

  const evaluator: ProcessEvaluator = {
    name: spec.name ?? defaultName(spec.argv, spec.cwd),
    // The scripts' contents: a worker elsewhere with other code is refused, and editing one starts a new namespace.
    // Paths relative to cwd: the same project checked out elsewhere has the same version.
    version: `source:${hashCanonical(files.map((f) => [relative(spec.cwd, f), contentHash(f) ?? 'absent'])).slice(0, 16)}`,
    noisy: spec.noisy,
    inputFiles: () => files,

    // In the main process before anything starts: a wrong directory or program is a clear error, not a failed setup.
    prepare() {
      if (!isDirectory(spec.cwd))
        throw new Error(`evaluator.process.cwd: ${spec.cwd} is not a directory (it is relative to the config file)`);
      const problem = programProblem(spec.argv[0]!, spec.cwd, spec.env.PATH ?? process.env.PATH ?? '');
      if (problem) throw new Error(`evaluator.process.argv[0] ${JSON.stringify(spec.argv[0])}${problem}`);
    },
    get ready() {
      return setUp && connection?.alive === true;
    },
    get pid() {
      return connection?.alive ? connection.pid : undefined;
    },

    setup(options: unknown): Promise<void> {
      lastOptions = options;
      if (setUp && connection?.alive) return Promise.resolve();
      starting ??= start(options).finally(() => (starting = undefined));
      return starting;
    },

    async evaluate(genome, ctx): Promise<EvalResult> {
      return (await ask('evaluate', genome, ctx)) as EvalResult; // checked by the runner like any evaluator's result
    },

    ...(spec.fingerprint
      ? {
          fingerprintDeterminesResult: spec.fingerprintDeterminesResult,
          async fingerprint(genome: unknown, ctx: EvalContext): Promise<string> {
            const value = await ask('fingerprint', genome, ctx);
            if (typeof value !== 'string' && typeof value !== 'number')
              throw new Error(
                `the fingerprint request was answered with ${value === null ? 'null' : typeof value}; expected a string`,
              );
            return `process:${String(value)}`;
          },
        }
      : {}),

    async close() {
      closed = true;
      setUp = false;
      await connection?.close();
    },
  };
  return evaluator;
}

/** The files argv names (the script) and `inputs`, resolved against cwd: their contents name the evaluator's code. */
function inputFilesOf(spec: ProcessSpec & { readonly cwd: string }): string[] {
  const named = spec.argv.map((word) => resolve(spec.cwd, word)).filter(isFile);
  return [...new Set([...named, ...spec.inputs.map((p) => resolve(spec.cwd, p))])];
}

/** The script's name without extension (`my_eval` for [python3, my_eval.py]), else the program's. */
function defaultName(argv: readonly string[], cwd: string): string {
  const script = argv.slice(1).find((word) => isFile(resolve(cwd, word))) ?? argv[0]!;
  return basename(script, extname(script)) || 'process';
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

export { processSpecSchema, type ProcessSpec, type ProcessSpecInput } from './options.js';
export { PROTOCOL } from './protocol.js';
