// One running evaluator process: started in a process group of its own, spoken to one request at a time over its
// stdin/stdout (protocol.ts), watched for death, malformed output and resident memory. Whatever ends it, the pending
// request fails with an EvaluatorFault naming the cause, and the process group is killed.
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import { EvaluatorFault } from '../../core/errors.js';
import { displayCommand, killGroup, lastLines, TailBuffer, trackGroup } from '../process-group.js';
import { encodeRequest, parseReply, type Reply, type Request } from './protocol.js';

export interface ConnectionOptions {
  readonly argv: readonly string[];
  /** Absolute working directory. */
  readonly cwd: string;
  /** The whole environment of the process. */
  readonly env: NodeJS.ProcessEnv;
  readonly memoryMb?: number | undefined;
  /** Copy the process's stderr to ours (it is kept as a tail for messages either way). */
  readonly forwardStderr: boolean;
}

/** Thrown when the process answers a request with an error frame: its code raised. */
export class ProcessRaised extends Error {
  override readonly name = 'ProcessRaised';
}

const STDERR_CAP = 64 << 10;
/** Lines of stderr quoted when a process dies. */
const STDERR_LINES = 12;
/** Lines of a traceback quoted in a failure message (the whole trace goes to the failure's stack). */
const TRACEBACK_LINES = 6;
/** A line of stdout longer than this is malformed (a process that never writes a newline must not fill memory). */
const MAX_LINE_CHARS = 256 << 20;
const MEMORY_POLL_MS = 100;
/** After a write to its stdin fails, how long the process has to exit by itself (its exit code says more). */
const PIPE_GRACE_MS = 200;
/** After stdin is closed, how long a process has to exit by itself before its group is killed. */
const CLOSE_GRACE_MS = 1000;

interface Pending {
  readonly id: number;
  readonly what: string;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: Error) => void;
  readonly onReport: ((step: number, value: number) => void) | undefined;
}

export class EvaluatorConnection {
  readonly pid: number | undefined;
  /** Settles once the process has ended and its pipes are closed. */
  readonly ended: Promise<void>;
  private readonly child: ChildProcessByStdio<Writable, Readable, Readable>;
  private readonly stderr = new TailBuffer(STDERR_CAP);
  private partial = '';
  private pending: Pending | undefined;
  /** Why the process is gone or going (set by the first cause: our kill, an exit, a spawn error). */
  private cause: string | undefined;
  private exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  private memoryTimer: NodeJS.Timeout | undefined;
  private readonly untrack: () => void;
  private readonly command: string;

  constructor(private readonly options: ConnectionOptions) {
    this.command = displayCommand(options.argv);
    this.child = spawn(options.argv[0]!, options.argv.slice(1), {
      cwd: options.cwd,
      env: options.env,
      shell: false,
      detached: true, // its own process group: one kill stops it and whatever it started
      stdio: ['pipe', 'pipe', 'pipe'],
      windowsHide: true,
    });
    this.pid = this.child.pid;
    this.untrack = trackGroup(this.pid);
    let ended!: () => void;
    this.ended = new Promise<void>((resolve) => (ended = resolve));
    this.child.stdout.setEncoding('utf8').on('data', (chunk: string) => this.onStdout(chunk));
    this.child.stderr.on('data', (chunk: Buffer) => {
      this.stderr.push(chunk);
      if (options.forwardStderr) process.stderr.write(chunk);
    });
    // EPIPE: the process closed its stdin, or is dying. An exit coming at once says more than the broken pipe.
    this.child.stdin.on('error', (error: NodeJS.ErrnoException) => {
      setTimeout(() => this.kill(`closed its stdin (${error.code ?? error.message}: broken pipe)`), PIPE_GRACE_MS);
    });
    this.child.on('error', (error: NodeJS.ErrnoException) => {
      const hint =
        error.code === 'ENOENT'
          ? ' (not found: give a path, or check PATH)'
          : error.code === 'EACCES'
            ? ' (not executable)'
            : '';
      this.cause ??= `cannot start ${JSON.stringify(options.argv[0])}${hint}: ${error.message}`;
      if (this.pid === undefined) this.finish(ended);
    });
    this.child.on('exit', (code, signal) => {
      this.exit ??= { code, signal };
      killGroup(this.pid); // whatever it left running in its group, which may hold the pipes open
    });
    this.child.on('close', (code, signal) => {
      this.exit ??= { code, signal };
      this.finish(ended);
    });
    if (options.memoryMb !== undefined && this.pid !== undefined) {
      this.memoryTimer = setInterval(() => this.checkMemory(), MEMORY_POLL_MS);
      this.memoryTimer.unref();
    }
  }

  /** Running and answering (not killed, not exited). */
  get alive(): boolean {
    return this.cause === undefined && this.exit === undefined;
  }

  /** For messages: the command and pid. */
  get label(): string {
    return `evaluator process ${this.command}${this.pid !== undefined ? ` (pid ${this.pid})` : ''}`;
  }

  /**
   * Sends a request and resolves with its reply's value. One request at a time.
   * @throws {ProcessRaised} when the process answers with an error frame (its code raised);
   * {EvaluatorFault} 'crashed' when the process dies, writes a malformed frame or passes its memory limit.
   */
  request(
    request: Exclude<Request, { type: 'stop' }>,
    onReport?: (step: number, value: number) => void,
  ): Promise<unknown> {
    if (this.pending) throw new Error(`${this.label}: request ${request.id} sent while ${this.pending.id} is pending`);
    if (!this.alive) return Promise.reject(this.fault(request.type));
    return new Promise<unknown>((resolve, reject) => {
      this.pending = { id: request.id, what: request.type, resolve, reject, onReport };
      this.child.stdin.write(encodeRequest(request));
    });
  }

  /** Tells the process that the run's pruner stopped evaluation `id` (no reply). */
  stop(id: number): void {
    if (this.alive) this.child.stdin.write(encodeRequest({ type: 'stop', id }));
  }

  /** Kills the process group; the pending request (if any) fails with `cause`. */
  kill(cause: string): void {
    if (this.exit === undefined) this.cause ??= cause; // an exit already seen says how it ended
    killGroup(this.pid);
    if (this.pid === undefined) this.child.kill('SIGKILL');
  }

  /** Closes stdin (the protocol's "exit now"), waits a moment for the process to end, then kills its group. */
  async close(): Promise<void> {
    if (this.exit === undefined) {
      this.cause ??= 'closed';
      this.child.stdin.end();
      const grace = setTimeout(() => killGroup(this.pid), CLOSE_GRACE_MS);
      await this.ended;
      clearTimeout(grace);
    }
  }

  private onStdout(chunk: string): void {
    let text = this.partial + chunk;
    let newline = text.indexOf('\n');
    while (newline >= 0) {
      const line = text.slice(0, newline);
      text = text.slice(newline + 1);
      if (line.trim() !== '') this.onLine(line);
      newline = text.indexOf('\n');
    }
    this.partial = text;
    if (this.partial.length > MAX_LINE_CHARS)
      this.malformed(`a line longer than ${MAX_LINE_CHARS >> 20} MiB without a newline`);
  }

  private onLine(line: string): void {
    if (!this.alive) return;
    const reply = parseReply(line);
    const pending = this.pending;
    if ('problem' in reply) this.malformed(reply.problem);
    else if (pending === undefined || reply.id !== pending.id)
      this.malformed(
        `a ${reply.type} frame for request ${reply.id} while ${pending ? `request ${pending.id} was pending` : 'no request was pending'}`,
      );
    else if (reply.type === 'report') pending.onReport?.(reply.step, reply.value);
    else {
      this.pending = undefined;
      if (reply.type === 'done') pending.resolve(reply.value);
      else pending.reject(raised(reply));
    }
  }

  private malformed(problem: string): void {
    this.kill(
      `wrote ${problem} on stdout, which is reserved for protocol frames (print logs to stderr; the Python helper sends print() there)`,
    );
  }

  private checkMemory(): void {
    const limit = this.options.memoryMb;
    if (limit === undefined || !this.alive) return;
    let status: string;
    try {
      status = readFileSync(`/proc/${this.pid}/status`, 'utf8');
    } catch {
      return; // gone, or not Linux: nothing to measure
    }
    const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
    const mb = kb === undefined ? 0 : Number(kb) / 1024;
    if (mb > limit)
      this.kill(`used ${Math.round(mb)} MB of resident memory, over its limit of ${limit} MB (process.memoryMb)`);
  }

  private finish(ended: () => void): void {
    clearInterval(this.memoryTimer);
    this.untrack();
    const pending = this.pending;
    this.pending = undefined;
    pending?.reject(this.fault(pending.what));
    ended();
  }

  /** The failure of a request that the process's end cut short. */
  private fault(what: string): EvaluatorFault {
    const how =
      this.cause ??
      (this.exit?.signal
        ? `was killed by ${this.exit.signal}`
        : this.exit?.code !== null && this.exit?.code !== undefined
          ? `exited with code ${this.exit.code}`
          : 'ended');
    const tail = lastLines(this.stderr.text(), STDERR_LINES);
    const stderr = tail.length > 0 ? `\nlast lines of its stderr:\n${tail.join('\n')}` : ' (nothing on stderr)';
    return new EvaluatorFault('crashed', `${this.label} ${how} during ${what}${stderr}`);
  }
}

/** An error frame as an exception: the message, then the last lines of the traceback; the whole trace as its stack. */
function raised(reply: Extract<Reply, { type: 'error' }>): ProcessRaised {
  const trace = reply.traceback === undefined ? [] : lastLines(reply.traceback, TRACEBACK_LINES + 1);
  // A Python traceback ends with the exception line, which is the message already.
  if (trace.at(-1)?.trim() === reply.message.trim()) trace.pop();
  const error = new ProcessRaised(trace.length > 0 ? `${reply.message}\n${trace.join('\n')}` : reply.message);
  error.stack = reply.traceback ?? reply.message;
  return error;
}
