// One child process, argv only (never a shell): output collected, a timeout and an abort signal that kill its whole
// process group (the child leads its own group, so helpers it started die with it).
import { spawn } from 'node:child_process';
import { killGroup as killGroupOf } from '../process-group.js';

export interface ProcessOutcome {
  /** Exit code, or null when a signal ended the process. */
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Killed because the timeout passed. */
  readonly timedOut: boolean;
  /** Killed because the abort signal fired. */
  readonly aborted: boolean;
  readonly seconds: number;
}

export interface RunProcessOptions {
  readonly timeoutSeconds: number;
  readonly signal?: AbortSignal | undefined;
  readonly cwd?: string | undefined;
  /** Bytes of stdout and of stderr kept (the rest is dropped). */
  readonly maxOutput?: number;
  readonly env?: NodeJS.ProcessEnv;
}

/** Runs `command args…`; resolves with how it ended (never rejects for a failing child). @throws when it cannot start. */
export function runProcess(
  command: string,
  args: readonly string[],
  options: RunProcessOptions,
): Promise<ProcessOutcome> {
  const maxOutput = options.maxOutput ?? 1 << 20;
  return new Promise((resolve, reject) => {
    if (options.signal?.aborted) {
      resolve({ code: null, signal: null, stdout: '', stderr: '', timedOut: false, aborted: true, seconds: 0 });
      return;
    }
    const started = performance.now();
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true, // own process group: a timeout kills it and anything it forked
      shell: false,
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    let aborted = false;
    const killGroup = () => killGroupOf(child.pid);
    const timer = setTimeout(
      () => {
        timedOut = true;
        killGroup();
      },
      Math.max(1, options.timeoutSeconds * 1000),
    );
    const onAbort = () => {
      aborted = true;
      killGroup();
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      if (stdout.length < maxOutput) stdout += chunk.slice(0, maxOutput - stdout.length);
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      if (stderr.length < maxOutput) stderr += chunk.slice(0, maxOutput - stderr.length);
    });
    const done = () => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
    };
    child.on('error', (error) => {
      done();
      reject(new Error(`cannot start ${command}: ${error.message}`, { cause: error }));
    });
    child.on('close', (code, signal) => {
      done();
      resolve({ code, signal, stdout, stderr, timedOut, aborted, seconds: (performance.now() - started) / 1000 });
    });
  });
}

/** The first `lines` lines of a tool's stderr, trimmed, for an error message. */
export function trimOutput(text: string, lines = 12, chars = 2000): string {
  const all = text.trim().split('\n');
  let out = all.slice(0, lines).join('\n');
  if (out.length > chars) out = `${out.slice(0, chars)}…`;
  return all.length > lines ? `${out}\n… (${all.length - lines} more lines)` : out;
}
