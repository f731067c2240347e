// Kill anywhere: runs deterministic searches with the real `elites` bin, SIGKILLs them at seeded random moments
// relative to an observed state (start-up, mid-run, checkpoint and cache writes, the final writes) and resumes each time; then checks that the
// log holds every proposal exactly once (ids 0..N−1) and, with one worker or inline, that the final archive
// equals an uninterrupted run's. `node dist/test/helpers/kill-harness.js [--kills N] [--seed S] [--max-delay MS]`
// writes bench/results/kill-harness.{json,md}. test/reliability/kill.test.ts runs a small version.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { lmdbFileProblem } from '../../store/lmdb-guard.js';
import { openRunStore, STORE_FILE, type RunStore } from '../../store/run-store.js';
import type { RunConfigInput } from '../../search/config.js';
import { UsageError } from '../../core/errors.js';
import { exportRun } from '../../report/inspect.js';
import { SeededRng } from '../../core/rng.js';
import { waitFor } from './wait.js';
import { checkSnapshotAgainstLog } from './snapshot-check.js';

/** The repository root, whether this runs from test/helpers/ (vitest) or dist/test/helpers/ (node). */
export const repoRoot = ((): string => {
  const here = dirname(fileURLToPath(import.meta.url));
  return here.endsWith(join('dist', 'test', 'helpers')) ? resolve(here, '../../..') : resolve(here, '../..');
})();
export const binPath = join(repoRoot, 'dist/cli/bin.js');

export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Spawns the built bin; `kill(signal)`, `done` (resolves at exit) and `stderr()` (so far: for timeout messages). */
export function spawnElites(
  args: readonly string[],
  cwd: string,
): { kill: (signal: NodeJS.Signals) => void; done: Promise<Exit>; pid: number | undefined; stderr: () => string } {
  const child = spawn(process.execPath, [binPath, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += String(d)));
  child.stderr.on('data', (d: Buffer) => (stderr += String(d)));
  const done = new Promise<Exit>((resolveExit) =>
    child.on('close', (code, signal) => resolveExit({ code, signal, stdout, stderr })),
  );
  return { kill: (signal) => void child.kill(signal), done, pid: child.pid, stderr: () => stderr };
}

/** What a (stopped) run directory holds, read without taking its lock. */
export interface RunState {
  readonly configSaved: boolean;
  readonly events: number;
  readonly checkpointSeq: number;
  readonly pending: number;
}

export async function readRunState(dir: string): Promise<RunState> {
  // No store yet, or a 0-byte one (being created, or killed while it was): no run yet.
  if (!existsSync(join(dir, STORE_FILE)) || lmdbFileProblem(join(dir, STORE_FILE))?.kind === 'empty')
    return { configSaved: false, events: 0, checkpointSeq: -1, pending: 0 };
  let store: RunStore;
  try {
    store = openRunStore(dir, { write: false });
  } catch (error) {
    if (error instanceof UsageError && /holds no run yet/.test(error.message))
      return { configSaved: false, events: 0, checkpointSeq: -1, pending: 0 };
    throw error;
  }
  try {
    const checkpoint = store.loadCheckpoint();
    return {
      configSaved: store.getMeta('config') !== undefined,
      events: store.lastSeq() + 1,
      checkpointSeq: checkpoint?.seq ?? -1,
      pending: checkpoint?.pending.length ?? 0,
    };
  } finally {
    await store.close();
  }
}

/** Events logged in a run directory that a process may be writing: 0 while its store is not readable yet. */
export async function eventsLogged(dir: string): Promise<number> {
  return (await readRunState(dir).catch(() => undefined))?.events ?? 0;
}

/** The log's own check: seqs are 0..N−1 and the proposal ids are exactly 0..N−1 (none twice, none missing). */
export interface LogCheck {
  readonly events: number;
  readonly seqContiguous: boolean;
  readonly idsExactlyOnce: boolean;
  readonly duplicateIds: readonly number[];
  readonly missingIds: readonly number[];
  readonly pendingInCheckpoint: number;
}

export async function checkRunLog(dir: string): Promise<LogCheck> {
  const store = openRunStore(dir, { write: false });
  try {
    const seen = new Uint8Array(store.lastSeq() + 1);
    const duplicateIds: number[] = [];
    const outOfRange: number[] = [];
    let n = 0;
    let seqContiguous = true;
    for (const e of store.events()) {
      if (e.seq !== n) seqContiguous = false;
      n++;
      if (e.id < 0 || e.id >= seen.length) outOfRange.push(e.id);
      else if ((seen[e.id] = (seen[e.id] ?? 0) + 1) > 1) duplicateIds.push(e.id);
    }
    const missingIds: number[] = [];
    seen.forEach((count, id) => count === 0 && missingIds.push(id));
    const pendingInCheckpoint = store.loadCheckpoint()?.pending.length ?? 0;
    return {
      events: n,
      seqContiguous: seqContiguous && n === seen.length,
      idsExactlyOnce: duplicateIds.length === 0 && missingIds.length === 0 && outOfRange.length === 0,
      duplicateIds: [...duplicateIds, ...outOfRange].slice(0, 20),
      missingIds: missingIds.slice(0, 20),
      pendingInCheckpoint,
    };
  } finally {
    await store.close();
  }
}

/** One attempt: a process started with `run` or `resume`, then killed (or left to finish). */
export interface Attempt {
  readonly command: 'run' | 'resume';
  /**
   * Where the kill was aimed: `start-up` = `delayMs` after the process was spawned (its config may or may not be
   * saved by then: both are start-up); `running` = `delayMs` after the log had grown past `eventsBefore` (the run
   * was searching). `none`: this attempt was left to finish.
   */
  readonly aim: 'start-up' | 'running' | 'none';
  readonly delayMs: number;
  readonly killed: boolean;
  /** Events in the log when the process started and after it died. */
  readonly eventsBefore: number;
  readonly eventsAfter: number;
  /** The checkpoint the next resume starts from, and the events after it that the resume replays. */
  readonly checkpointSeq: number;
  readonly replayed: number;
  /** Proposals in flight at that checkpoint: re-proposed (and re-evaluated unless cached) on resume. */
  readonly reproposed: number;
  /** The kill came before the run's config was saved: the next attempt is `run` again, as the resume message says. */
  readonly beforeConfig: boolean;
  /**
   * After the process ended (killed or not): the snapshot readers start from (−1: none usable), the log's last event,
   * and what of a reader's view from that snapshot differs from a replay of the whole log ([]: nothing).
   */
  readonly snapshot?: { readonly fromSeq: number; readonly lastSeq: number; readonly differences: readonly string[] };
}

export interface KillLoopOptions {
  readonly configPath: string;
  readonly runDir: string;
  readonly cwd: string;
  readonly rng: () => number;
  /** Kills to make; after that the run is left to finish. */
  readonly kills: number;
  /** A `running` kill lands a random 0..maxDelayMs after the log is seen to grow. */
  readonly maxDelayMs: number;
  /** How long a process may take to reach the awaited state (default 120 s: a loaded machine is slow, not stuck). */
  readonly stateTimeoutMs?: number;
}

/** The run's state while a process may be writing it: undefined while the store is being created (not readable yet). */
async function peekRunState(dir: string, lastError: { message: string }): Promise<RunState | undefined> {
  try {
    return await readRunState(dir);
  } catch (error) {
    lastError.message = error instanceof Error ? error.message : String(error);
    return undefined;
  }
}

/**
 * Starts the run, kills it `kills` times (resuming each time), then lets it finish. Each kill is aimed relative to an
 * observed state, never to wall time alone, so a slow machine changes when a kill lands, not what it tests: 15% land
 * 0–350 ms after the process is spawned (start-up), the rest a random 0..maxDelayMs after the log has grown
 * (mid-run, checkpoint and cache writes, the final writes).
 */
export async function killAndResume(options: KillLoopOptions): Promise<{ attempts: Attempt[]; final: Exit }> {
  const attempts: Attempt[] = [];
  for (;;) {
    const before = await readRunState(options.runDir);
    const command = before.configSaved ? 'resume' : 'run';
    const args =
      command === 'resume'
        ? ['resume', options.runDir, '--json']
        : ['run', options.configPath, '--out', options.runDir, '--json'];
    const killing = attempts.filter((a) => a.killed).length < options.kills;
    const r = options.rng();
    const aim: Attempt['aim'] = !killing ? 'none' : r < 0.15 ? 'start-up' : 'running';
    const delayMs =
      aim === 'start-up'
        ? Math.round((r / 0.15) * 350)
        : aim === 'running'
          ? Math.round(((r - 0.15) / 0.85) * options.maxDelayMs)
          : -1;
    const proc = spawnElites(args, options.cwd);
    let exited = false;
    void proc.done.then(() => (exited = true));
    let killed = false;
    if (aim !== 'none') {
      if (aim === 'running') {
        // The state: this process has logged at least one event of its own (config saved, workers up, searching).
        const lastError = { message: '' };
        try {
          await waitFor(
            async () => exited || ((await peekRunState(options.runDir, lastError))?.events ?? 0) > before.events,
            {
              what: `${command} of ${options.runDir} to log an event past ${before.events}`,
              timeoutMs: options.stateTimeoutMs ?? 120_000,
              detail: () => `last read error: ${lastError.message || '-'}`,
            },
          );
        } catch (error) {
          proc.kill('SIGKILL');
          const exit = await proc.done;
          throw new Error(`${error instanceof Error ? error.message : String(error)}
stderr: ${exit.stderr.trim().split('\n').slice(-5).join(' / ')}`);
        }
      }
      if (!exited) {
        const timer = setTimeout(() => {
          killed = true;
          proc.kill('SIGKILL');
        }, delayMs);
        await proc.done.finally(() => clearTimeout(timer));
      }
    }
    const exit = await proc.done;
    const after = await readRunState(options.runDir);
    const wasKilled = killed && exit.signal === 'SIGKILL';
    const snapshot = after.configSaved ? await checkSnapshotAgainstLog(options.runDir) : undefined;
    attempts.push({
      command,
      aim,
      delayMs,
      killed: wasKilled,
      eventsBefore: before.events,
      eventsAfter: after.events,
      checkpointSeq: after.checkpointSeq,
      replayed: Math.max(0, after.events - after.checkpointSeq - 1),
      reproposed: after.pending,
      beforeConfig: wasKilled && !after.configSaved,
      ...(snapshot ? { snapshot } : {}),
    });
    if (!wasKilled) return { attempts, final: exit };
  }
}

/** A deterministic search to kill. `compare`: one worker or inline, so the archive must equal an uninterrupted run's. */
export interface Scenario {
  readonly name: string;
  readonly compare: boolean;
  config(cachePath: string): RunConfigInput;
}

const arm =
  (
    workers: number,
    evaluations: number,
    strategy: { strategy: string } & Record<string, unknown>,
  ): ((cachePath: string) => RunConfigInput) =>
  (cachePath) => ({
    name: 'kill-arm',
    seed: 21,
    space: {
      type: 'vector',
      dimensions: 8,
      min: 0,
      max: 1,
      mutation: { type: 'iso-line-dd', isoSigma: 0.02, lineSigma: 0.2 },
    },
    evaluator: { type: 'planar-arm' },
    search: strategy,
    archive: {
      type: 'grid',
      dims: [
        { name: 'x', min: 0, max: 1, bins: 20 },
        { name: 'y', min: 0, max: 1, bins: 20 },
      ],
    },
    budget: { evaluations },
    workers,
    cache: { path: cachePath },
    log: { checkpointSeconds: 0.05 }, // checkpoints every 50 ms: many kills land on or near one
  });

/** The harness's searches; `scale` multiplies the budgets (the unit test uses a small one). */
export function scenarios(scale = 1): Scenario[] {
  const n = (base: number): number => Math.max(200, Math.round(base * scale));
  return [
    {
      name: 'map-elites, 1 worker',
      compare: true,
      config: arm(1, n(30_000), { strategy: 'map-elites', initialRandom: 100, crossoverRate: 0.5 }),
    },
    {
      name: 'GA on bit strings, 1 worker (duplicates: cache hits, in-flight sharing; 200-member population in every checkpoint)',
      compare: true,
      config: (cachePath) => ({
        name: 'kill-ga',
        seed: 5,
        space: { type: 'bitstring', length: 24 },
        evaluator: { type: 'onemax' },
        search: { strategy: 'ga', populationSize: 200 },
        archive: { type: 'grid', dims: [{ name: 'ones', min: 0, max: 24, bins: 25 }] },
        budget: { evaluations: n(30_000) },
        workers: 1,
        cache: { path: cachePath },
        log: { checkpointSeconds: 0.05, genomes: 'all' },
      }),
    },
    {
      name: 'map-elites, inline (workers: 0)',
      compare: true,
      config: arm(0, n(150_000), { strategy: 'map-elites', initialRandom: 100 }),
    },
    {
      name: 'map-elites, 2 workers (ids only: completion order is not deterministic)',
      compare: false,
      config: arm(2, n(40_000), { strategy: 'map-elites', initialRandom: 100 }),
    },
  ];
}

export interface RoundResult {
  readonly scenario: string;
  readonly round: number;
  readonly kills: number;
  readonly attempts: readonly Attempt[];
  readonly finalCode: number | null;
  readonly proposals: number;
  readonly log: LogCheck;
  /** null when the scenario is not compared (2 workers). */
  readonly archiveEqual: boolean | null;
  readonly problems: readonly string[];
}

const elitesOf = async (dir: string): Promise<unknown> =>
  (JSON.parse(await exportRun(dir, { format: 'json' })) as { elites: unknown }).elites;

/** Runs one scenario: a reference run, then rounds of kill-and-resume until `kills` kills were made. */
export async function runScenario(
  scenario: Scenario,
  options: { kills: number; rng: () => number; maxDelayMs: number; work: string; onRound?: (r: RoundResult) => void },
): Promise<RoundResult[]> {
  mkdirSync(options.work, { recursive: true });
  const referenceConfig = join(options.work, 'reference.json');
  writeFileSync(referenceConfig, JSON.stringify(scenario.config(join(options.work, 'reference-cache.mdb'))));
  const reference = await spawnElites(
    ['run', referenceConfig, '--out', join(options.work, 'reference'), '--json'],
    options.work,
  ).done;
  if (reference.code !== 0)
    throw new Error(`reference run of ${scenario.name} failed (${reference.code}): ${reference.stderr}`);
  const expected = scenario.compare ? await elitesOf(join(options.work, 'reference')) : undefined;
  const budget = (scenario.config('').budget as { evaluations: number }).evaluations;

  const rounds: RoundResult[] = [];
  let kills = 0;
  for (let round = 0; kills < options.kills; round++) {
    const configPath = join(options.work, `round-${round}.json`);
    writeFileSync(configPath, JSON.stringify(scenario.config(join(options.work, `cache-${round}.mdb`)))); // a fresh cache: the killed run writes it
    const runDir = join(options.work, `round-${round}`);
    const { attempts, final } = await killAndResume({
      configPath,
      runDir,
      cwd: options.work,
      rng: options.rng,
      kills: options.kills - kills,
      maxDelayMs: options.maxDelayMs,
    });
    const roundKills = attempts.filter((a) => a.killed).length;
    kills += roundKills;
    const problems: string[] = [];
    let proposals = -1;
    if (final.code !== 0)
      problems.push(`final session exited ${final.code}: ${final.stderr.trim().split('\n').slice(-3).join(' / ')}`);
    else proposals = (JSON.parse(final.stdout) as { proposals: number }).proposals;
    if (proposals !== budget) problems.push(`summary says ${proposals} proposals, budget ${budget}`);
    const log = await checkRunLog(runDir);
    if (log.events !== budget) problems.push(`log has ${log.events} events, budget ${budget}`);
    if (!log.seqContiguous) problems.push('log seqs are not 0..N−1');
    if (!log.idsExactlyOnce)
      problems.push(
        `ids not exactly once: duplicates ${log.duplicateIds.join(',') || '-'}; missing ${log.missingIds.join(',') || '-'}`,
      );
    for (const [i, a] of attempts.entries())
      if (a.snapshot && a.snapshot.differences.length > 0)
        problems.push(
          `after attempt ${i + 1}, a reader from the snapshot at ${a.snapshot.fromSeq} (log to ${a.snapshot.lastSeq}) differs from a full replay in: ${a.snapshot.differences.join(', ')}`,
        );
    if (log.pendingInCheckpoint !== 0)
      problems.push(`${log.pendingInCheckpoint} proposals still pending in the final checkpoint`);
    let archiveEqual: boolean | null = null;
    if (scenario.compare && final.code === 0) {
      archiveEqual = JSON.stringify(await elitesOf(runDir)) === JSON.stringify(expected);
      if (!archiveEqual) problems.push('final archive differs from the uninterrupted run');
    }
    const result: RoundResult = {
      scenario: scenario.name,
      round,
      kills: roundKills,
      attempts,
      finalCode: final.code,
      proposals,
      log,
      archiveEqual,
      problems,
    };
    rounds.push(result);
    options.onRound?.(result);
    if (roundKills === 0 && attempts.length > 0 && options.kills > 0) break; // cannot kill it (finished too fast): do not loop for ever
  }
  return rounds;
}

export interface ScenarioRow {
  readonly scenario: string;
  readonly rounds: number;
  readonly kills: number;
  readonly killsBeforeConfig: number;
  readonly killsWithoutNewEvents: number;
  readonly maxReplayed: number;
  readonly maxReproposed: number;
  readonly idsExactlyOnce: string;
  readonly archiveEqual: string;
  readonly problems: readonly string[];
}

export function summarise(name: string, rounds: readonly RoundResult[]): ScenarioRow {
  const attempts = rounds.flatMap((r) => r.attempts);
  const killed = attempts.filter((a) => a.killed);
  const compared = rounds.filter((r) => r.archiveEqual !== null);
  return {
    scenario: name,
    rounds: rounds.length,
    kills: killed.length,
    killsBeforeConfig: killed.filter((a) => a.beforeConfig).length,
    killsWithoutNewEvents: killed.filter((a) => a.eventsAfter === a.eventsBefore).length,
    maxReplayed: Math.max(0, ...killed.map((a) => a.replayed)),
    maxReproposed: Math.max(0, ...killed.map((a) => a.reproposed)),
    idsExactlyOnce: `${rounds.filter((r) => r.log.idsExactlyOnce && r.log.seqContiguous).length}/${rounds.length}`,
    archiveEqual: compared.length ? `${compared.filter((r) => r.archiveEqual).length}/${compared.length}` : 'n/a',
    problems: rounds.flatMap((r) => r.problems.map((p) => `round ${r.round}: ${p}`)),
  };
}

function argValue(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isFinite(v) || v < 0) throw new Error(`${name} needs a non-negative number`);
  return v;
}

async function main(): Promise<void> {
  const totalKills = argValue('--kills', 60);
  const seed = argValue('--seed', 1);
  const maxDelayMs = argValue('--max-delay', 2000);
  const list = scenarios();
  const work = mkdtempSync(join(tmpdir(), 'elites-kill-'));
  const rng = SeededRng.fromSeed(`kill-harness/${seed}`).next;
  const started = performance.now();
  const rows: ScenarioRow[] = [];
  const allRounds: RoundResult[] = [];
  for (const [i, scenario] of list.entries()) {
    const kills = Math.floor(totalKills / list.length) + (i < totalKills % list.length ? 1 : 0);
    console.log(`${scenario.name}: ${kills} kills`);
    const rounds = await runScenario(scenario, {
      kills,
      rng,
      maxDelayMs,
      work: join(work, `s${i}`),
      onRound: (r) =>
        console.log(
          `  round ${r.round}: ${r.kills} kills, ${r.log.events} events, ids exactly once ${r.log.idsExactlyOnce}, archive equal ${r.archiveEqual ?? 'n/a'}${r.problems.length ? ` — ${r.problems.join('; ')}` : ''}`,
        ),
    });
    allRounds.push(...rounds);
    rows.push(summarise(scenario.name, rounds));
  }
  const seconds = (performance.now() - started) / 1000;
  const kills = rows.reduce((a, r) => a + r.kills, 0);
  const ok = rows.every((r) => r.problems.length === 0) && kills >= totalKills;
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}`;
  const out = join(repoRoot, 'bench/results');
  mkdirSync(out, { recursive: true });
  writeFileSync(
    join(out, 'kill-harness.json'),
    `${JSON.stringify({ date: new Date().toISOString(), machine, seed, requestedKills: totalKills, kills, maxDelayMs, seconds, ok, rows, rounds: allRounds }, null, 2)}\n`,
  );
  const md = [
    '# Kill harness',
    '',
    `${new Date().toISOString().slice(0, 10)} · ${machine} · \`node dist/test/helpers/kill-harness.js --kills ${totalKills} --seed ${seed}\` · ${seconds.toFixed(0)} s · **${ok ? 'PASS' : 'FAIL'}**`,
    '',
    `Each round runs the real \`elites\` bin and SIGKILLs it at a seeded random moment taken relative to what the process was seen doing (15% 0–350 ms after it was spawned, in start-up; the rest 0–${maxDelayMs} ms after its log was seen to grow, mid-run), resumes it, and repeats; after the last kill the run finishes. Checks per round: the summary and the log hold exactly the budget, the log's seqs and proposal ids are exactly 0..N−1 (each once), the final checkpoint has nothing pending, and (one worker or inline) the exported archive equals an uninterrupted run's. Checkpoints every 50 ms; each round writes a fresh result cache.`,
    '',
    '| scenario | rounds | kills | before config saved | no new events | max replayed on resume | max re-proposed | ids exactly once | archive = uninterrupted |',
    '|---|---|---|---|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${r.scenario} | ${r.rounds} | ${r.kills} | ${r.killsBeforeConfig} | ${r.killsWithoutNewEvents} | ${r.maxReplayed} | ${r.maxReproposed} | ${r.idsExactlyOnce} | ${r.archiveEqual} |`,
    ),
    '',
    ...(ok ? [] : ['## Problems', '', ...rows.flatMap((r) => r.problems.map((p) => `- ${r.scenario}, ${p}`)), '']),
    '"before config saved": the process died before the run existed; the next attempt is `elites run` again (as `elites resume` advises). "no new events": killed in start-up or replay. "replayed": logged events after the checkpoint, fed back without evaluating. "re-proposed": proposals in flight at the checkpoint, asked again on resume.',
  ].join('\n');
  writeFileSync(join(out, 'kill-harness.md'), `${md}\n`);
  console.log(md);
  rmSync(work, { recursive: true, force: true });
  if (!ok) process.exitCode = 1;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) await main();
