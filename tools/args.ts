// What the repository's own programs share (bench/ throughput benchmarks, experiments/ doc generators): the
// repository root (they read configs and write docs/, runs/ and bench/results/ there), their `--name value` flags and a
// free loopback port for the servers they start. Its own folder so that neither of the two imports the other;
// like them it is not part of the published package.
import { createServer } from 'node:net';
import { join } from 'node:path';
import { packageRoot } from '../core/package-root.js';

/** The repository root (from dist/tools/ built, tools/ in tests). */
export const repoRoot = packageRoot();
/** The compiled CLI, which the benchmarks start as a user would. */
export const binPath = join(repoRoot, 'dist/cli/bin.js');

/**
 * The V8 flags `elites` starts with (cli/bin.ts' first line; `npm run quickstart` passes them too). A young
 * generation of 2 × 32 MiB instead of V8's 2 × 16 MiB halves the scavenges of a search that makes a few hundred
 * short-lived objects per proposal while a batch of them is alive: the inline 100-d sphere runs about a quarter faster
 * (300,000 proposals in 2.6–3.4 s instead of 3.2–4.9 s) for ~25 MB more resident memory. A flag V8 reads only when the
 * heap is set up: `v8.setFlagsFromString` at run time does not change it (measured: no gain). Its cost: any V8 flag
 * costs every start about 20 ms (`elites --help`, 10 starts, alternating: 135–158 ms without, 160–176 ms with, on a
 * host where a bare `node -e 0` takes 130 ms; `node -e 0` itself does not change), as Node.js then compiles more of its
 * own modules at start-up; a search that runs for minutes gains far more.
 */
export const eliteNodeFlags = ['--max-semi-space-size=32'] as const;

/** The arguments after `node` that start the CLI with `args` as the `elites` executable does. */
export const eliteArgs = (args: readonly string[]): string[] => [...eliteNodeFlags, binPath, ...args];

const args = process.argv.slice(2);

/** The value after `--name` on the command line, or undefined. */
export function flag(name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

/** True when `--name` is on the command line. */
export function hasFlag(name: string): boolean {
  return args.includes(name);
}

/** A TCP port free on 127.0.0.1 right now (the OS picks it). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}
