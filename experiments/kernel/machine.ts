// The machine the kernel report measures on: what it is (CPU, cores, AVX-512, gcc) and how busy it is. Measurements
// on a shared machine are slow and noisy, so each phase first waits for a quiet one and the load is recorded.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { promisify } from 'node:util';

/** The 1-minute load above which a phase waits. */
export const LOAD_LIMIT = 1.5;

export interface LoadRecord {
  readonly phase: string;
  readonly load1: number;
  readonly load5: number;
  readonly waitedSeconds: number;
}

/** Waits (polling every 20 s, up to `maxWaitSeconds`) until the 1-minute load is at most LOAD_LIMIT; records the load. */
export async function waitForQuiet(phase: string, maxWaitSeconds: number, loads: LoadRecord[]): Promise<void> {
  const start = Date.now();
  while (loadavg()[0]! > LOAD_LIMIT && (Date.now() - start) / 1000 < maxWaitSeconds) {
    console.log(`${phase}: load ${loadavg()[0]!.toFixed(2)} > ${LOAD_LIMIT}, waiting`);
    await new Promise((r) => setTimeout(r, 20_000));
  }
  const [l1, l5] = loadavg();
  loads.push({ phase, load1: l1!, load5: l5!, waitedSeconds: Math.round((Date.now() - start) / 1000) });
  console.log(`${phase}: load ${l1!.toFixed(2)} (5 min ${l5!.toFixed(2)})`);
}

/** CPU model, core count, AVX-512 and the gcc version (Linux: read from /proc/cpuinfo). */
export async function machine(): Promise<Record<string, unknown>> {
  const cpu = readFileSync('/proc/cpuinfo', 'utf8');
  const model = /model name\s*:\s*(.*)/.exec(cpu)?.[1] ?? '?';
  const cores = (cpu.match(/^processor/gm) ?? []).length;
  let gcc = '?';
  try {
    gcc = (await promisify(execFile)('gcc', ['--version'])).stdout.split('\n')[0]!;
  } catch {
    /* reported as '?' */
  }
  return { cpu: model, cores, avx512: /avx512f/.test(cpu), gcc };
}
