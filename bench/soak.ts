// Soak: one long run on a cheap evaluator over the worker pool, sampling memory, throughput and log size as it goes,
// then timing `inspect` and `export` on the result. Not part of `npm test`.
//   node dist/bench/soak.js [--proposals 5000000] [--workers 2] [--batch 1] [--minutes 25] [--cache] [--keep]
// writes bench/results/soak.{json,md}.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseRunConfig } from '../search/config.js';
import { runSearch } from '../search/run.js';
import { eliteArgs, flag, hasFlag, repoRoot } from '../tools/args.js';

interface Sample {
  readonly seconds: number;
  readonly proposals: number;
  readonly rssMb: number;
  /** Linux: anonymous resident memory (heaps, native allocations) and file-backed resident pages (LMDB's read map). */
  readonly anonMb: number;
  readonly fileMb: number;
  readonly heapMb: number;
  readonly storeBytes: number;
}

/** RssAnon and RssFile from /proc (Linux); the whole RSS as anonymous elsewhere. */
function residentSplit(rss: number): { anonMb: number; fileMb: number } {
  try {
    const status = readFileSync('/proc/self/status', 'utf8');
    const kb = (field: string): number =>
      Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
    const anon = kb('RssAnon');
    const file = kb('RssFile');
    if (Number.isFinite(anon) && Number.isFinite(file)) return { anonMb: mb(anon * 1024), fileMb: mb(file * 1024) };
  } catch {
    // not Linux
  }
  return { anonMb: mb(rss), fileMb: 0 };
}

const arg = (name: string, fallback: number): number => {
  const given = flag(name);
  const value = given !== undefined ? Number(given) : fallback;
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} needs a non-negative number`);
  return value;
};
const mb = (bytes: number): number => Math.round((bytes / 2 ** 20) * 10) / 10;

/** Least-squares slope of y over x. */
function slope(points: readonly (readonly [number, number])[]): number {
  const n = points.length;
  if (n < 2) return 0;
  const mx = points.reduce((a, [x]) => a + x, 0) / n;
  const my = points.reduce((a, [, y]) => a + y, 0) / n;
  const sxy = points.reduce((a, [x, y]) => a + (x - mx) * (y - my), 0);
  const sxx = points.reduce((a, [x]) => a + (x - mx) ** 2, 0);
  return sxx === 0 ? 0 : sxy / sxx;
}

/** Wall time of a bin command, its stdout discarded. */
function timeCommand(args: readonly string[]): Promise<{ seconds: number; code: number | null }> {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, eliteArgs(args), { stdio: ['ignore', 'ignore', 'inherit'] });
    child.on('close', (code) => resolve({ seconds: (performance.now() - started) / 1000, code }));
  });
}

async function main(): Promise<void> {
  const proposals = arg('--proposals', 5_000_000);
  const workers = arg('--workers', 2);
  const batch = Math.max(1, Math.round(arg('--batch', 1)));
  const minutes = arg('--minutes', 25);
  const cache = hasFlag('--cache');
  const work = mkdtempSync(join(tmpdir(), 'elites-soak-'));
  const runDir = join(work, 'run');
  const config = parseRunConfig(
    {
      name: 'soak',
      seed: 1,
      space: {
        type: 'vector',
        dimensions: 6,
        min: 0,
        max: 1,
        mutation: { type: 'iso-line-dd', isoSigma: 0.01, lineSigma: 0.2 },
      },
      evaluator: { type: 'planar-arm' },
      search: { strategy: 'map-elites', initialRandom: 1000 },
      archive: {
        type: 'grid',
        dims: [
          { name: 'x', min: 0, max: 1, bins: 64 },
          { name: 'y', min: 0, max: 1, bins: 64 },
        ],
      },
      budget: { evaluations: proposals, seconds: minutes * 60 },
      workers,
      batch,
      cache: { enabled: cache, path: join(work, 'cache.mdb') },
    },
    work,
  );

  const samples: Sample[] = [];
  const loads: number[] = []; // 1-minute load average, every 30 s: a shared machine shows in the throughput
  let lastLog = 0;
  const storeFile = join(runDir, 'store.mdb');
  console.log(
    `soak: ${proposals.toLocaleString('en')} proposals, ${workers} worker(s), batch ${batch}, cache ${cache ? 'on' : 'off'}, at most ${minutes} min; run in ${runDir}`,
  );
  const summary = await runSearch(config, {
    out: runDir,
    onProgress: ({ counters, elapsedSeconds }) => {
      const memory = process.memoryUsage();
      let storeBytes = 0;
      try {
        storeBytes = statSync(storeFile).size;
      } catch {
        // not yet
      }
      const split = residentSplit(memory.rss);
      samples.push({
        seconds: elapsedSeconds,
        proposals: counters.proposals,
        rssMb: mb(memory.rss),
        ...split,
        heapMb: mb(memory.heapUsed),
        storeBytes,
      });
      if (elapsedSeconds - lastLog >= 30) {
        lastLog = elapsedSeconds;
        loads.push(Math.round((loadavg()[0] ?? 0) * 10) / 10);
        console.log(
          `  ${(elapsedSeconds / 60).toFixed(1)} min  ${counters.proposals.toLocaleString('en')} proposals  rss ${mb(memory.rss)} MB (anon ${split.anonMb}, file ${split.fileMb})  heap ${mb(memory.heapUsed)} MB  ${(storeBytes / Math.max(1, counters.proposals)).toFixed(0)} B/event`,
        );
      }
    },
  });
  const storeBytes = statSync(storeFile).size;
  // The end point, for the log's size (memory as last sampled while running: the threads are gone by now).
  const last = samples.at(-1);
  samples.push({
    seconds: summary.seconds,
    proposals: summary.proposals,
    rssMb: last?.rssMb ?? 0,
    anonMb: last?.anonMb ?? 0,
    fileMb: last?.fileMb ?? 0,
    heapMb: last?.heapMb ?? 0,
    storeBytes,
  });

  // The curve: the sample nearest each tenth of the run, with throughput and log growth over the interval before it.
  const done = summary.proposals;
  const rows = Array.from({ length: 10 }, (_, k) => (done * (k + 1)) / 10).map((target) =>
    samples.reduce((best, s) => (Math.abs(s.proposals - target) < Math.abs(best.proposals - target) ? s : best)),
  );
  const table = rows.map((s, k) => {
    const previous = k === 0 ? { seconds: 0, proposals: 0, storeBytes: 0 } : (rows[k - 1] as Sample);
    const dp = s.proposals - previous.proposals;
    return {
      proposals: s.proposals,
      minutes: Math.round((s.seconds / 60) * 100) / 100,
      rssMb: s.rssMb,
      anonMb: s.anonMb,
      fileMb: s.fileMb,
      heapMb: s.heapMb,
      proposalsPerSecond: Math.round(dp / Math.max(1e-9, s.seconds - previous.seconds)),
      bytesPerEvent: Math.round(s.storeBytes / Math.max(1, s.proposals)),
      intervalBytesPerEvent: Math.round((s.storeBytes - previous.storeBytes) / Math.max(1, dp)),
    };
  });

  // Checks, after a warm-up of the first 10% of proposals. Memory: anonymous RSS (heaps and native allocations of the
  // process and its worker threads). The file-backed part is LMDB's read-only map of the log: clean page-cache pages
  // the kernel reclaims at will, which grow with the file (reported, not held against the run).
  const warm = samples.filter((s) => s.proposals >= done * 0.1);
  const rssAtWarm = warm[0]?.anonMb ?? 0;
  const rssPeakAfter = Math.max(...warm.map((s) => s.anonMb));
  const rssSlopePerMillion = slope(warm.map((s) => [s.proposals / 1e6, s.anonMb] as const));
  const totalSlopePerMillion = slope(warm.map((s) => [s.proposals / 1e6, s.rssMb] as const));
  const heapSlopePerMillion = slope(warm.map((s) => [s.proposals / 1e6, s.heapMb] as const));
  const rssFlat = rssPeakAfter <= rssAtWarm * 1.25 + 32 && rssSlopePerMillion < 10;
  const bytesMid = table[4]?.bytesPerEvent ?? 0;
  const bytesEnd = table[9]?.bytesPerEvent ?? 0;
  const bytesConstant = Math.abs(bytesEnd - bytesMid) <= 0.1 * bytesMid;
  const rate = (from: number, to: number): number => {
    const a = samples.reduce((best, s) =>
      Math.abs(s.proposals - done * from) < Math.abs(best.proposals - done * from) ? s : best,
    );
    const b = samples.reduce((best, s) =>
      Math.abs(s.proposals - done * to) < Math.abs(best.proposals - done * to) ? s : best,
    );
    return (b.proposals - a.proposals) / Math.max(1e-9, b.seconds - a.seconds);
  };
  const earlyRate = rate(0.2, 0.4);
  const lateRate = rate(0.8, 1);
  const noDecay = lateRate >= 0.8 * earlyRate;

  const inspect = await timeCommand(['inspect', runDir, '--json']);
  const exportCsv = await timeCommand(['export', runDir, '--format', 'csv', '--output', join(work, 'elites.csv')]);
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}`;
  const reachedBudget = summary.proposals >= proposals;
  const result = {
    date: new Date().toISOString(),
    machine,
    requested: { proposals, workers, minutes, cache },
    summary: {
      status: summary.status,
      stopReason: summary.stopReason,
      proposals: summary.proposals,
      evaluations: summary.evaluations,
      seconds: summary.seconds,
      archive: summary.archive,
    },
    storeBytes,
    reachedBudget,
    loadAverages: loads,
    checks: {
      anonRssAtWarmMb: rssAtWarm,
      anonRssPeakAfterWarmMb: rssPeakAfter,
      anonRssSlopeMbPerMillion: Math.round(rssSlopePerMillion * 100) / 100,
      totalRssSlopeMbPerMillion: Math.round(totalSlopePerMillion * 100) / 100,
      heapSlopeMbPerMillion: Math.round(heapSlopePerMillion * 100) / 100,
      rssFlat,
      bytesPerEventMid: bytesMid,
      bytesPerEventEnd: bytesEnd,
      bytesConstant,
      earlyRate: Math.round(earlyRate),
      lateRate: Math.round(lateRate),
      noDecay,
    },
    inspect,
    export: exportCsv,
    table,
    samples: samples.filter((_, i) => i % Math.max(1, Math.floor(samples.length / 500)) === 0),
  };
  const out = join(repoRoot, 'bench/results');
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'soak.json'), `${JSON.stringify(result, null, 2)}\n`);
  const yes = (ok: boolean): string => (ok ? 'yes' : '**no**');
  const md = [
    '# Soak',
    '',
    `${result.date.slice(0, 10)} · ${machine} · \`node dist/bench/soak.js --proposals ${proposals} --workers ${workers} --batch ${batch} --minutes ${minutes}${cache ? ' --cache' : ''}\``,
    '',
    `MAP-Elites on the planar arm (6 joints, 64×64 grid), ${workers} worker thread(s), batch ${batch}, result cache ${cache ? 'on' : 'off'}, every proposal logged to LMDB. ` +
      `${summary.proposals.toLocaleString('en')} proposals in ${(summary.seconds / 60).toFixed(1)} min (${reachedBudget ? 'the whole budget' : `**stopped by the ${minutes}-minute cap before the ${proposals.toLocaleString('en')}-proposal budget**`}); ` +
      `log ${(storeBytes / 2 ** 20).toFixed(0)} MiB. RSS sampled from the engine's onProgress hook (every 200 ms). ` +
      `1-minute load average during the run: ${loads.length ? `${Math.min(...loads)}–${Math.max(...loads)}` : 'n/a'} on ${cpus().length} cores.`,
    '',
    '| proposals | minutes | RSS MB | anonymous MB | file-backed MB (LMDB map) | main heap MB | proposals/s (interval) | LMDB bytes/event (total) | bytes/event (interval) |',
    '|---|---|---|---|---|---|---|---|---|',
    ...table.map(
      (r) =>
        `| ${r.proposals.toLocaleString('en')} | ${r.minutes} | ${r.rssMb} | ${r.anonMb} | ${r.fileMb} | ${r.heapMb} | ${r.proposalsPerSecond.toLocaleString('en')} | ${r.bytesPerEvent} | ${r.intervalBytesPerEvent} |`,
    ),
    '',
    '| check (after the first 10% as warm-up) | value | met |',
    '|---|---|---|',
    `| anonymous RSS flat: peak ≤ 1.25 × at warm-up + 32 MB, slope < 10 MB per million proposals | ${rssAtWarm} → peak ${rssPeakAfter} MB; slope ${result.checks.anonRssSlopeMbPerMillion} MB/M (main heap ${result.checks.heapSlopeMbPerMillion} MB/M; whole RSS ${result.checks.totalRssSlopeMbPerMillion} MB/M, the LMDB map included) | ${yes(rssFlat)} |`,
    `| LMDB bytes/event constant: at 100% within 10% of at 50% | ${bytesMid} → ${bytesEnd} | ${yes(bytesConstant)} |`,
    `| throughput does not decay: last 20% ≥ 0.8 × the 20–40% stretch | ${Math.round(earlyRate).toLocaleString('en')} → ${Math.round(lateRate).toLocaleString('en')} proposals/s | ${yes(noDecay)} |`,
    `| \`elites inspect --json\` on the result | ${inspect.seconds.toFixed(1)} s (exit ${inspect.code}) | – |`,
    `| \`elites export --format csv\` on the result | ${exportCsv.seconds.toFixed(1)} s (exit ${exportCsv.code}) | – |`,
    '',
    "RSS = anonymous + file-backed. The file-backed part is LMDB's read-only map of the log (lmdb-js reads B-tree pages through it, so every page of the growing file is touched once): clean page-cache pages, shared and reclaimable, that track the file size and are not a leak. The anonymous part (heaps of the main thread and both workers, native buffers) is what must stay flat.",
    '',
    'inspect and export read the archive snapshot of the last checkpoint and replay only the events after it (issue 23), so their time does not grow with the length of the log.',
  ].join('\n');
  writeFileSync(join(out, 'soak.md'), `${md}\n`);
  console.log(md);
  if (!hasFlag('--keep')) rmSync(work, { recursive: true, force: true });
  if (!(rssFlat && bytesConstant && noDecay)) process.exitCode = 1;
}

await main();
