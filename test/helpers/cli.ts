// Runs the CLI in-process (main(argv, io)) or as the real bin in a child process.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { Writable } from 'node:stream';
import { join } from 'node:path';
import { main } from '../../cli/main.js';
import { repoRoot } from './files.js';

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function collector(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _enc, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  return { stream, text: () => chunks.join('') };
}

/**
 * A script in `dir` that starts the CLI from the compiled modules (dist/cli/start.js), as dist/cli/bin.js starts the
 * bundle: `node SCRIPT ARGS` is `elites ARGS` without the bundle.
 */
export function modulesCliScript(dir: string): string {
  const script = join(dir, 'modules-cli.mjs');
  const start = pathToFileURL(join(repoRoot, 'dist/cli/start.js')).href;
  writeFileSync(script, `const { startCli } = await import(${JSON.stringify(start)});\nawait startCli();\n`);
  return script;
}

/** `tty`: as if stderr were a terminal (the progress bar draws); `color`: as if stdout showed colour. */
export async function runCli(
  argv: readonly string[],
  options: { stop?: AbortSignal; color?: boolean; tty?: boolean } = {},
): Promise<CliRun> {
  const out = collector();
  const err = collector();
  const code = await main(argv, {
    stdout: out.stream,
    stderr: err.stream,
    isTTY: options.tty ?? false,
    color: options.color ?? false,
    ...(options.stop ? { stop: options.stop } : {}),
  });
  return { code, stdout: out.text(), stderr: err.text() };
}

export const binPath = join(repoRoot, 'dist/cli/bin.js');

/** Spawns the built `elites` bin; resolves when it exits. */
export function spawnCli(
  argv: readonly string[],
  cwd: string,
): { child: ReturnType<typeof spawn>; done: Promise<CliRun> } {
  const child = spawn(process.execPath, [binPath, ...argv], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += String(d)));
  child.stderr?.on('data', (d: Buffer) => (stderr += String(d)));
  const done = new Promise<CliRun>((resolve) =>
    child.on('close', (code, signal) => resolve({ code: code ?? (signal === 'SIGKILL' ? 137 : 1), stdout, stderr })),
  );
  return { child, done };
}
