// The kernel report's settings (its command-line flags) and where every kernel it measures is compiled.
import { join } from 'node:path';
import { repoRoot } from '../../tools/args.js';

export interface KernelReportSettings {
  /** Proposals per search. */
  readonly evaluations: number;
  /** Rounds of the interleaved re-measurement. */
  readonly rounds: number;
  /** Seeds per strategy in the reduced space. */
  readonly seeds: number;
  /** How long to wait for a quiet machine before each phase. */
  readonly maxWaitSeconds: number;
  /** Only this shape: its search and re-measurement replace its parts of the stored report (the rest is kept). */
  readonly shape?: string | undefined;
}

/** The searches' build cache, shared with the re-measurement so an elite's binary is not compiled twice. */
export const buildDir = join(repoRoot, '.elites/kernels');
