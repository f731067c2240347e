// What the `elites` executable runs (cli/bin.ts starts it, from the bundle when there is one): real process streams
// and signals around main().
import { main } from './main.js';
import { streamHasColors } from './style.js';

/** Runs the CLI on this process's arguments, streams and signals; its exit code becomes the process's. */
export async function startCli(): Promise<void> {
  // SIGINT (Ctrl-C) and SIGTERM (kill, a container stopping) both stop a run cleanly: work in flight is
  // checkpointed and the process exits 130 (resumable). A second signal quits at once.
  const stop = new AbortController();
  // What stopping means depends on the command: a search checkpoints, a worker hands back its tasks, a server closes.
  const stopping =
    process.argv[2] === 'worker' ? 'finishing its tasks' : process.argv[2] === 'serve' ? 'closing' : 'checkpointing';
  const onSignal = (name: string, again: string) => (): void => {
    if (stop.signal.aborted) process.exit(130);
    process.stderr.write(`\nstopping (${name}): ${stopping} (${again} to quit at once)…\n`);
    stop.abort();
  };
  process.on('SIGINT', onSignal('SIGINT', 'Ctrl-C again'));
  process.on('SIGTERM', onSignal('SIGTERM', 'another SIGTERM'));

  // A failed LMDB commit (disk full, I/O error) reaches us as a StoreError with a clean message. lmdb-js also prints
  // the raw error with its own stack and rejects internal promises that no caller can handle: drop exactly those.
  const fromLmdbCommit = (value: unknown): boolean =>
    value instanceof Error &&
    (value.message.startsWith('Commit failed (see commitError') ||
      (typeof (value as { code?: unknown }).code === 'number' && /[/\\]lmdb[/\\]write\.js/.test(value.stack ?? '')));
  const consoleError = console.error.bind(console);
  console.error = (...args: unknown[]): void => void (fromLmdbCommit(args[0]) || consoleError(...args));
  process.on('unhandledRejection', (reason) => {
    if (!fromLmdbCommit(reason)) throw reason; // anything else: Node's default (an uncaught exception)
  });

  process.exitCode = await main(process.argv.slice(2), {
    stdout: process.stdout,
    stderr: process.stderr,
    isTTY: Boolean(process.stderr.isTTY),
    color: streamHasColors(process.stdout),
    stop: stop.signal,
  });
}
