// Compile cache: binaries in a directory keyed by hash(toolchain + gcc argv + source), written atomically; and the
// machine-code fingerprint of a binary (its .text and .rodata bytes, not the file with its paths and symbols).
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { runProcess, trimOutput } from './process.js';

export interface CompileOptions {
  /** Directory of the cache (created if missing). */
  readonly buildDir: string;
  /** gcc options (argv entries, no shell), e.g. ['-O3', '-march=native']. */
  readonly args: readonly string[];
  /** The C compiler; default 'gcc'. */
  readonly cc?: string;
  readonly timeoutSeconds?: number;
  readonly signal?: AbortSignal | undefined;
}

export interface CompiledKernel {
  /** Absolute path of the executable. */
  readonly binary: string;
  /** Cache key: hash of the toolchain, the gcc argv and the source. */
  readonly key: string;
  /** True when the binary was already in the cache. */
  readonly cached: boolean;
  /** Wall time of the gcc run (0 when cached). */
  readonly seconds: number;
}

/** A compile that failed: the message holds gcc's stderr, trimmed. */
export class CompileError extends Error {
  constructor(
    message: string,
    readonly stderr: string,
  ) {
    super(message);
    this.name = 'CompileError';
  }
}

const toolchains = new Map<string, Promise<string>>();
const inFlight = new Map<string, Promise<CompiledKernel>>();

/**
 * Identity of the compiler and, for -march=native, of the CPU it resolves to (so a shared build directory never
 * serves one machine's binary to another): gcc's version, its target triple and its `-Q --help=target` settings.
 */
export function toolchainId(cc = 'gcc', args: readonly string[] = []): Promise<string> {
  const native = args.some((a) => /^-m(arch|tune|cpu)=native$/.test(a));
  const id = `${cc}${native ? ' native' : ''}`;
  let pending = toolchains.get(id);
  if (!pending) {
    pending = (async () => {
      const parts: string[] = [];
      for (const query of [
        ['-dumpfullversion'],
        ['-dumpmachine'],
        ...(native ? [['-march=native', '-Q', '--help=target']] : []),
      ]) {
        const out = await runProcess(cc, query, { timeoutSeconds: 30 });
        if (out.code !== 0)
          throw new CompileError(
            `${cc} ${query.join(' ')} failed: ${trimOutput(out.stderr) || `exit ${out.code ?? out.signal}`}`,
            out.stderr,
          );
        parts.push(out.stdout.trim());
      }
      return sha256(parts.join('\n'));
    })();
    pending.catch(() => toolchains.delete(id));
    toolchains.set(id, pending);
  }
  return pending;
}

/**
 * The binary for `source` compiled with `args`: reused from the cache when present, otherwise compiled to a temporary
 * name and renamed into place (concurrent compiles of one key are harmless: the last rename wins, same bytes).
 * @throws {CompileError} with gcc's stderr when gcc fails or times out.
 */
export async function compileKernel(source: string, options: CompileOptions): Promise<CompiledKernel> {
  const cc = options.cc ?? 'gcc';
  const toolchain = await toolchainId(cc, options.args);
  const key = sha256([toolchain, cc, ...options.args, '', source].join('\0')).slice(0, 32);
  const dir = resolve(options.buildDir);
  const binary = join(dir, `sgemm-${key}`);
  if (existsSync(binary)) return { binary, key, cached: true, seconds: 0 };
  let pending = inFlight.get(binary);
  if (!pending) {
    pending = build(source, { ...options, cc }, dir, binary, key).finally(() => inFlight.delete(binary));
    inFlight.set(binary, pending);
  }
  return pending;
}

async function build(
  source: string,
  options: CompileOptions & { cc: string },
  dir: string,
  binary: string,
  key: string,
): Promise<CompiledKernel> {
  mkdirSync(dir, { recursive: true });
  const unique = `${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
  const sourcePath = join(dir, `sgemm-${key}.c`);
  const tmpSource = join(dir, `.sgemm-${key}-${unique}.c`);
  writeFileSync(tmpSource, source);
  renameSync(tmpSource, sourcePath); // kept next to the binary, for reading and debugging
  const tmpBinary = join(dir, `.sgemm-${key}-${unique}`);
  const timeoutSeconds = options.timeoutSeconds ?? 60;
  const out = await runProcess(options.cc, [...options.args, '-o', tmpBinary, sourcePath, '-lm'], {
    timeoutSeconds,
    signal: options.signal,
    cwd: dir,
  });
  const flags = options.args.join(' ');
  if (out.code !== 0 || !existsSync(tmpBinary)) {
    rmSync(tmpBinary, { force: true });
    const stderr = out.stderr.split(`${dir}/`).join(''); // paths of the cache directory say nothing
    if (out.aborted) throw new CompileError(`compile aborted (flags: ${flags})`, stderr);
    if (out.timedOut)
      throw new CompileError(`${options.cc} timed out after ${timeoutSeconds} s (flags: ${flags})`, stderr);
    const how = out.signal ? `was killed by ${out.signal}` : `exited with code ${out.code}`;
    throw new CompileError(`${options.cc} ${how} (flags: ${flags}): ${trimOutput(stderr) || 'no message'}`, stderr);
  }
  renameSync(tmpBinary, binary);
  return { binary, key, cached: false, seconds: out.seconds };
}

const fingerprints = new Map<string, Promise<string>>();

/**
 * Hash of the machine code of a binary: the bytes of its .text section, then of .rodata (the constants that code
 * loads), extracted with `objcopy -O binary --only-section=…`. File names, symbols, build ids and timestamps live in
 * other sections, so the same instructions give the same hash whatever the source text or directory. Memoised per
 * process and in a `.text-sha256` file next to the binary.
 */
export function codeFingerprint(binary: string, objcopy = 'objcopy'): Promise<string> {
  let pending = fingerprints.get(binary);
  if (!pending) {
    pending = hashSections(binary, objcopy);
    pending.catch(() => fingerprints.delete(binary));
    fingerprints.set(binary, pending);
  }
  return pending;
}

async function hashSections(binary: string, objcopy: string): Promise<string> {
  const sidecar = `${binary}.text-sha256`;
  if (existsSync(sidecar)) {
    const saved = readFileSync(sidecar, 'utf8').trim();
    if (/^[0-9a-f]{64}$/.test(saved)) return saved;
  }
  const hash = createHash('sha256');
  for (const section of ['.text', '.rodata']) {
    const out = `${binary}.${process.pid}-${Math.random().toString(36).slice(2, 10)}${section}`;
    try {
      const r = await runProcess(objcopy, ['-O', 'binary', `--only-section=${section}`, binary, out], {
        timeoutSeconds: 30,
      });
      if (r.code !== 0)
        throw new Error(
          `${objcopy} could not extract ${section} from ${binary}: ${trimOutput(r.stderr) || `exit ${r.code ?? r.signal}`}`,
        );
      const bytes = existsSync(out) ? readFileSync(out) : Buffer.alloc(0);
      if (section === '.text' && bytes.length === 0) throw new Error(`${binary} has no .text section`);
      hash.update(`${section}:${bytes.length}:`).update(bytes);
    } finally {
      rmSync(out, { force: true });
    }
  }
  const digest = hash.digest('hex');
  try {
    const tmp = `${sidecar}.${process.pid}`;
    writeFileSync(tmp, `${digest}\n`);
    renameSync(tmp, sidecar);
  } catch {
    // best effort: the hash is recomputed next time
  }
  return digest;
}

export function sha256(text: string | Uint8Array): string {
  return createHash('sha256').update(text).digest('hex');
}
