// The interleaved re-measurement of a shape's candidates (naive loop, default configuration, the search's best elites,
// numpy): round-robin over the candidates with the start rotated every round, the machine's ceilings once per round;
// a candidate's value is the median over rounds, with the spread (max − min) / median.
import {
  bandwidthProbe,
  copiesOfB,
  describeKernelConfig,
  measureKernel,
  median,
  resolveKernelConfig,
  type GemmShape,
  type KernelGenome,
} from '../../evaluators/kernel/index.js';
import { measurePeakFlops } from '../../evaluators/kernel/peak.js';
import { numpyGemm, type NumpyReference, type NumpyResult } from './numpy.js';
import { buildDir } from './settings.js';

export interface Candidate {
  readonly label: string;
  readonly genome?: KernelGenome;
  readonly searchFitness?: number;
  /** numpy's sgemm with this OpenBLAS reference instead of a kernel. */
  readonly numpy?: NumpyReference;
}

export interface Measured {
  readonly label: string;
  readonly config?: string;
  readonly genome?: unknown;
  readonly searchFitness?: number;
  readonly gflops: number;
  readonly rounds: number[];
  /** (max − min) / median over the rounds. */
  readonly spread: number;
  /**
   * The read bandwidth (GB/s) measured right after this candidate, round by round, for shapes judged against the
   * roofline: a round's ceiling is the higher of it and the round's probe (goals.ts rooflineRounds).
   */
  readonly bandwidthBeside?: number[];
  readonly error?: string;
}

const stats = (xs: number[]): { gflops: number; spread: number } => {
  if (xs.length === 0) return { gflops: Number.NaN, spread: Number.NaN };
  const m = median(xs);
  return { gflops: m, spread: m > 0 ? (Math.max(...xs) - Math.min(...xs)) / m : 0 };
};

/** The best read bandwidth of this round: 1 and 2 threads, one stream and eight (as a GEMV reads rows of B). */
async function bandwidthNow(): Promise<number> {
  let best = 0;
  for (const threads of [1, 2])
    for (const streams of [1, 8])
      best = Math.max(best, (await bandwidthProbe({ threads, streams, repeats: 3, buildDir })).gbps);
  return best;
}

/** The machine's ceilings measured in one round: read bandwidth, and the FMA peak of one core and of both. */
export interface RoundProbes {
  readonly bandwidthGBps: number;
  readonly peakOneCore: number;
  readonly peakAllCores: number;
}

async function probesNow(): Promise<RoundProbes> {
  const bandwidthGBps = await bandwidthNow();
  const peakOneCore = (await measurePeakFlops({ threads: 1, repeats: 3, buildDir })).gflops;
  const peakAllCores = (await measurePeakFlops({ threads: 2, repeats: 3, buildDir })).gflops;
  return { bandwidthGBps, peakOneCore, peakAllCores };
}

/**
 * Round-robin over the candidates (rotated start each round) × rounds; also the machine's ceilings once per round.
 * `coldMiB` is the shape's config's: kernels and numpy alike take B from copies used in turn. `bandwidthBeside`: the
 * read bandwidth is measured again right after each candidate but the naive loop (the host's bandwidth drifts within
 * a round: a probe only at the round's end can miss the ceiling the kernel ran under).
 */
export async function interleaved(
  shape: GemmShape,
  candidates: Candidate[],
  coldMiB: number,
  rounds: number,
  bandwidthBeside = false,
): Promise<{ rows: Measured[]; probes: RoundProbes[]; numpyInfo: Partial<Record<NumpyReference, NumpyResult>> }> {
  const values = candidates.map(() => [] as number[]);
  const beside = candidates.map(() => [] as number[]);
  const errors: (string | undefined)[] = candidates.map(() => undefined);
  const probes: RoundProbes[] = [];
  const numpyInfo: Partial<Record<NumpyReference, NumpyResult>> = {};
  for (let r = 0; r < rounds; r++) {
    for (let j = 0; j < candidates.length; j++) {
      const i = (j + r) % candidates.length;
      const c = candidates[i]!;
      if (errors[i]) continue;
      try {
        if (c.numpy) {
          const np = await numpyGemm(shape, 3, 0.1, copiesOfB(shape, coldMiB), c.numpy);
          if (!np) {
            errors[i] = 'numpy is not importable';
            continue;
          }
          numpyInfo[c.numpy] = np;
          values[i]!.push(np.gflops);
        } else {
          const naive = resolveKernelConfig(c.genome).kernel === 'naive';
          const m = await measureKernel(
            c.genome!,
            shape,
            naive
              ? { repeats: 1, warmup: 0, runTimeoutSeconds: 120, buildDir, seed: r + 1, coldMiB }
              : { repeats: 3, warmup: 1, minSampleMs: 50, runTimeoutSeconds: 60, buildDir, seed: r + 1, coldMiB },
          );
          values[i]!.push(m.median);
        }
        if (bandwidthBeside && c.label !== 'naive') beside[i]!.push(await bandwidthNow());
      } catch (error) {
        errors[i] = (error as Error).message.split('\n')[0];
        console.log(`${c.label}: ${errors[i]}`);
      }
    }
    const p = await probesNow();
    probes.push(p);
    console.log(
      `  round ${r + 1}/${rounds}: ${candidates.map((c, i) => `${c.label} ${values[i]!.at(-1)?.toFixed(1) ?? '–'}`).join(', ')}, bandwidth ${p.bandwidthGBps.toFixed(1)} GB/s, FMA peak ${p.peakOneCore.toFixed(0)} / ${p.peakAllCores.toFixed(0)} GFLOP/s (1 / 2 cores)`,
    );
  }
  const rows = candidates.map((c, i) => ({
    label: c.label,
    ...(c.genome ? { config: describeKernelConfig(resolveKernelConfig(c.genome)), genome: c.genome } : {}),
    ...(c.searchFitness !== undefined ? { searchFitness: c.searchFitness } : {}),
    ...stats(values[i]!),
    rounds: values[i]!,
    ...(beside[i]!.length > 0 ? { bandwidthBeside: beside[i]! } : {}),
    ...(errors[i] ? { error: errors[i] } : {}),
  }));
  return { rows, probes, numpyInfo };
}
