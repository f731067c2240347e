// Regenerates docs/kernels.md and bench/results/kernels.json (issue 6): SGEMM kernel autotuning on this machine.
//  - per shape (square-1024, decode-m1, decode-m8, decode-m32): the naive triple loop, the default configuration,
//    the best of a 300-proposal MAP-Elites search (configs/kernel-gemm.yaml, configs/kernel-gemm-flat.yaml with the
//    shape overridden) and numpy's sgemm (OpenBLAS through python3), re-measured interleaved over several rounds
//    (round-robin over the candidates, median and spread over rounds), with the read bandwidth and the
//    memory-bandwidth roofline of the flat shapes measured in the same rounds;
//  - a reduced space small enough to enumerate: every configuration measured, then MAP-Elites, GA and random search
//    replayed against that table over several seeds: proposals needed to reach 95% and 99% of the exhaustive
//    optimum, and the optimum itself;
//  - the share of proposals answered by the machine-code hash (the evaluator's fingerprint) in the searches.
// Usage: npm run build && node dist/experiments/kernel-report.js [--evaluations 300] [--rounds 5] [--seeds 10] [--max-wait 600]
//        [--markdown-only: rewrite docs/kernels.md from bench/results/kernels.json, measuring nothing]
//        [--shape decode-m1: search and re-measure that shape only, replacing its parts of the stored report]
// Runs go to runs/report-kernel-*/ (a finished run is reused, an interrupted one resumed; the exhaustive table of
// the reduced space is kept in runs/report-kernel-reduced/table.json and reused).
// The parts, in kernel/: searches, measure (interleaved re-measurement), numpy (the peer), reduced (the enumerable
// space and its table-evaluator plug-in), machine (description, load), report (all of it), markdown (the page).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { flag, hasFlag, repoRoot } from '../tools/args.js';
import { markdown, type Report } from './kernel/markdown.js';
import { runKernelReport } from './kernel/report.js';
import type { KernelReportSettings } from './kernel/settings.js';

const settings: KernelReportSettings = {
  evaluations: Number(flag('--evaluations') ?? 300),
  rounds: Number(flag('--rounds') ?? 5),
  seeds: Number(flag('--seeds') ?? 10),
  maxWaitSeconds: Number(flag('--max-wait') ?? 600),
  shape: flag('--shape'),
};

if (hasFlag('--markdown-only')) {
  // The stored --max-wait wins; a report written before it was stored takes the flag's.
  const saved = JSON.parse(readFileSync(join(repoRoot, 'bench/results/kernels.json'), 'utf8')) as Report;
  const stored = saved.maxWaitSeconds as number | undefined;
  writeFileSync(
    join(repoRoot, 'docs/kernels.md'),
    markdown({ ...saved, maxWaitSeconds: stored ?? settings.maxWaitSeconds }),
  );
} else {
  await runKernelReport(settings);
}
