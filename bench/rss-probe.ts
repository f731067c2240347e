// Preloaded into a timed CLI process (node --import): on exit it writes its peak memory to $ELITES_RSS_FILE as JSON:
// maxRssMb (getrusage: everything resident, LMDB's file-backed map pages too) and peakAnonMb (RssAnon sampled from
// /proc every 20 ms on Linux: heaps and native buffers, what grows when a program holds data), and its CPU seconds
// (user + system: what the command costs, whatever else the machine runs).
import { readFileSync, writeFileSync } from 'node:fs';

const file = process.env.ELITES_RSS_FILE;
if (file) {
  let peakAnonKb = 0;
  const sample = (): void => {
    try {
      const m = /RssAnon:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
      if (m) peakAnonKb = Math.max(peakAnonKb, Number(m[1]));
    } catch {
      // not Linux: only maxRssMb is measured
    }
  };
  setInterval(sample, 20).unref();
  process.on('exit', () => {
    sample();
    const mb = (kb: number): number => Math.round(kb / 1024);
    const usage = process.resourceUsage();
    const cpuSeconds = Math.round((usage.userCPUTime + usage.systemCPUTime) / 1000) / 1000;
    writeFileSync(file, JSON.stringify({ maxRssMb: mb(usage.maxRSS), peakAnonMb: mb(peakAnonKb), cpuSeconds }));
  });
}
