// Runs one step of the command evaluator: argv spawned without a shell in its own process group, a timeout and the
// evaluation's abort signal that kill the whole group, stdout and stderr kept up to a cap, and errors that say what happened.
import { spawn, type ChildProcess } from 'node:child_process';
import { statSync } from 'node:fs';
import { displayCommand, killGroup, lastLines, TailBuffer, trackGroup } from '../process-group.js';

export interface StepSpec {
  /** For messages: "build step", "run step", "run step (run 2 of 5)". */
  readonly label: string;
  readonly argv: readonly string[];
  /** Absolute working directory. */
  readonly cwd: string;
  /** The whole environment of the child. */
  readonly env: NodeJS.ProcessEnv;
  readonly timeoutSeconds: number;
  readonly signal?: AbortSignal;
}

export interface StepOutput {
  /** The last STDOUT_CAP bytes of stdout (the result is its last JSON line). */
  readonly stdout: string;
  /** The last STDERR_CAP bytes of stderr. */
  readonly stderr: string;
  readonly seconds: number;
}

export type StepFailure = 'spawn' | 'exit' | 'signal' | 'timeout' | 'aborted';

/** A step that did not exit with code 0; `reason` says how, the message says what to look at. */
export class StepError extends Error {
  override readonly name = 'StepError';
  constructor(
    message: string,
    readonly reason: StepFailure,
    readonly details: { readonly exitCode?: number; readonly signal?: string; readonly stderr?: string } = {},
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

export const STDOUT_CAP = 1 << 20;
export const STDERR_CAP = 64 << 10;
/** After the leader exits (or is killed), how long to wait for the pipes to close before giving up on them. */
const CLOSE_GRACE_MS = 2000;
/** Lines of stderr quoted in an error. */
const STDERR_LINES = 20;

/**
 * Runs argv[0] with argv[1…] as its arguments: `spawn(..., { shell: false })`, so every element reaches the program as
 * exactly one argument, whatever characters it holds. The child leads a new process group; a timeout or an abort kills
 * the group (the program and anything it started), and so does the program's own exit (no stray children are left).
 * @throws {StepError} when the program cannot start, exits non-zero, dies of a signal, times out or is aborted.
 */
export function runStep(spec: StepSpec): Promise<StepOutput> {
  return new Promise<StepOutput>((resolve, reject) => {
    const { signal, label } = spec;
    if (signal?.aborted) {
      reject(abortedError(spec, signal));
      return;
    }
    const problem = badCwd(spec.cwd);
    if (problem) {
      reject(new StepError(`${label}: working directory ${JSON.stringify(spec.cwd)} ${problem}`, 'spawn'));
      return;
    }
    const started = performance.now();
    let child: ChildProcess;
    try {
      child = spawn(spec.argv[0]!, spec.argv.slice(1), {
        cwd: spec.cwd,
        env: spec.env,
        shell: false,
        detached: true, // a new process group, so a timeout kills the compiler's or the kernel's children too
        stdio: ['ignore', 'pipe', 'pipe'],
        windowsHide: true,
      });
    } catch (error) {
      reject(
        new StepError(
          `${label}: cannot start ${displayCommand(spec.argv)}: ${(error as Error).message}`,
          'spawn',
          {},
          { cause: error },
        ),
      );
      return;
    }
    const pid = child.pid;
    const untrack = trackGroup(pid);
    const stdout = new TailBuffer(STDOUT_CAP);
    const stderr = new TailBuffer(STDERR_CAP);
    child.stdout?.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk));

    let settled = false;
    let timedOut = false;
    let aborted = false;
    let spawnError: Error | undefined;
    let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    let grace: NodeJS.Timeout | undefined;

    const finish = (): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(grace);
      signal?.removeEventListener('abort', onAbort);
      untrack();
      const seconds = (performance.now() - started) / 1000;
      const out: StepOutput = { stdout: stdout.text(), stderr: stderr.text(), seconds };
      const tail = stderrTail(out.stderr, out.stdout);
      const command = displayCommand(spec.argv);
      if (aborted) {
        reject(abortedError(spec, signal!));
      } else if (timedOut) {
        reject(
          new StepError(
            `${label} timed out after ${spec.timeoutSeconds} s and was killed: ${command}${tail}`,
            'timeout',
            { stderr: out.stderr },
          ),
        );
      } else if (spawnError) {
        const code = (spawnError as NodeJS.ErrnoException).code;
        const hint =
          code === 'ENOENT' ? ' (not found: give a path, or check PATH)' : code === 'EACCES' ? ' (not executable)' : '';
        reject(
          new StepError(
            `${label}: cannot start ${JSON.stringify(spec.argv[0])}${hint}: ${spawnError.message}`,
            'spawn',
            {},
            { cause: spawnError },
          ),
        );
      } else if (exit?.signal) {
        reject(
          new StepError(`${label} was killed by ${exit.signal} (crashed): ${command}${tail}`, 'signal', {
            signal: exit.signal,
            stderr: out.stderr,
          }),
        );
      } else if (exit?.code !== 0) {
        const code = exit?.code ?? -1;
        reject(
          new StepError(`${label} exited with code ${code}: ${command}${tail}`, 'exit', {
            exitCode: code,
            stderr: out.stderr,
          }),
        );
      } else {
        resolve(out);
      }
    };
    const giveUpOnPipes = (): void => {
      // A grandchild that left the group may hold stdout open: do not wait for it forever.
      grace ??= setTimeout(() => {
        child.stdout?.destroy();
        child.stderr?.destroy();
        finish();
      }, CLOSE_GRACE_MS);
    };
    const onAbort = (): void => {
      aborted = true;
      killGroup(pid);
      giveUpOnPipes();
    };
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(pid);
      giveUpOnPipes();
    }, spec.timeoutSeconds * 1000);
    signal?.addEventListener('abort', onAbort, { once: true });

    child.on('error', (error) => {
      spawnError ??= error;
      killGroup(pid);
      finish();
    });
    child.on('exit', (code, sig) => {
      exit ??= { code, signal: sig };
      killGroup(pid); // whatever it left running in its group
      giveUpOnPipes();
    });
    child.on('close', (code, sig) => {
      exit ??= { code, signal: sig };
      finish();
    });
  });
}

function abortedError(spec: StepSpec, signal: AbortSignal): StepError {
  const reason: unknown = signal.reason;
  const why = reason instanceof Error ? reason.message : reason !== undefined ? String(reason) : 'aborted';
  return new StepError(`${spec.label} stopped: ${why}`, 'aborted', {}, { cause: reason });
}

function badCwd(cwd: string): string | undefined {
  try {
    return statSync(cwd).isDirectory() ? undefined : 'is not a directory';
  } catch {
    return 'does not exist';
  }
}

/** The last lines of stderr (or of stdout when stderr is empty), ready to append to a message. */
function stderrTail(stderr: string, stdout: string): string {
  const [name, text] = stderr.trim() !== '' ? ['stderr', stderr] : ['stdout', stdout];
  const lines = lastLines(text, STDERR_LINES);
  if (lines.length === 0) return ' (no output)';
  return `\nlast lines of ${name}:\n${lines.join('\n')}`;
}
