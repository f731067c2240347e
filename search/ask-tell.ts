// Ask/tell (pyribs' scheduler.ask()/tell()): a program evaluates proposals in its own loop while elites keeps the
// archive, strategy, cache and durable log, by driving the same engine as runSearch through an executor that `tell` completes.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { StoreError, UsageError } from '../core/errors.js';
import { stableStringify } from '../core/hash.js';
import { SeededRng } from '../core/rng.js';
import { lmdbFileProblem } from '../store/lmdb-guard.js';
import { openRunStore, STORE_FILE, type RunStore } from '../store/run-store.js';
import {
  EXTERNAL_EVALUATOR,
  parseAskTellConfig,
  standInEvaluator,
  type AskTellConfigInput,
  type ExternalEvaluator,
} from './ask-tell-config.js';
import type { RunConfig } from './config.js';
import { assembleParts, cachePolicyOf, type AssembleOptions, type EvaluatorId, type Parts } from './parts.js';
import { restoreFromLog } from './run-snapshot.js';
import { alreadyHoldsARun, defaultRunDir, logRun, writeFileAtomic } from './run-dir.js';
import { Session, type AskTell } from './ask-tell-session.js';

export { AskTellError, type AskTell, type AskedProposal } from './ask-tell-session.js';

export interface AskTellOptions {
  /**
   * The run directory. A new run starts there; a directory that holds an ask/tell run continues it (after `close`,
   * or after the process died): proposals handed out and not told are handed out again. Default
   * `runs/<name>-<timestamp>/`.
   */
  readonly dir?: string;
  /** Resolves a plug-in space's `module:` path; default the working directory. */
  readonly baseDir?: string;
  /**
   * Proposals out at once at most (handed out, or ready to be): the strategy is asked `batch` (config) at a time
   * whenever that many are free. Default: the config's `batch`, i.e. a batch is told whole before the next is asked.
   */
  readonly inFlight?: number;
  /** A setting that runs but likely not as meant (also written to run.log). */
  readonly onWarning?: (message: string) => void;
}

/**
 * Opens an ask/tell search: starts a run in `options.dir`, or continues the ask/tell run it holds (the saved config
 * stands; only `budget` is taken from `config`).
 * @throws {ConfigError} for an invalid config; {UsageError} for a directory that holds a run of another config, a
 * run made by `elites run`, or one locked by a live process; {StoreError} for a damaged store.
 */
export async function openAskTell<G = unknown>(
  config: AskTellConfigInput,
  options: AskTellOptions = {},
): Promise<AskTell<G>> {
  const given = parseAskTellConfig(config, options.baseDir ?? process.cwd());
  const dir = resolve(options.dir ?? defaultRunDir(given.config.name));
  if (openDirs.has(dir))
    throw new UsageError(
      `${dir} is already open in this process`,
      'Close that session first (await search.close()), then open the directory again.',
    );
  openDirs.add(dir);
  try {
    return await openIn(dir, given, options);
  } catch (error) {
    openDirs.delete(dir);
    throw error;
  }
}

/** Directories with an open session in this process: the run lock lets its own process in again, so they are kept here. */
const openDirs = new Set<string>();

async function openIn<G>(
  dir: string,
  given: ReturnType<typeof parseAskTellConfig>,
  options: AskTellOptions,
): Promise<AskTell<G>> {
  const session = new Session<G>(dir, options.inFlight ?? given.config.batch, () => openDirs.delete(dir));
  const external = { evaluator: standInEvaluator(given.evaluator), executor: () => session.executor };
  // A directory that holds a run (its config saved) is continued through the one store opened here.
  const existing = hasStore(dir) ? openRunStore(dir, { write: true }) : undefined;
  if (existing?.getMeta('config') !== undefined)
    return reopen(session, existing, given.config, given.evaluator, options, external);
  await existing?.close();
  // As runSearch: every part that can refuse the config is built before the directory is made.
  const rng = SeededRng.fromSeed(given.config.seed);
  const parts = await assembleParts(given.config, rng, { runDir: dir, external });
  let store: RunStore | undefined;
  try {
    store = openRunStore(dir, { write: true });
    if (store.getMeta('config') !== undefined) throw alreadyHoldsARun(dir);
    await store.putMeta('config', given.config);
    await store.putMeta('geometry', parts.archive.geometry());
    await store.putMeta('evaluator', parts.evaluatorId);
    await store.putMeta('scoredBy', null);
    writeFileAtomic(join(dir, 'config.json'), `${JSON.stringify(given.config, null, 2)}\n`);
    logRun(dir, `start ${given.config.name} seed=${given.config.seed} ask/tell, evaluator ${given.evaluator.name}`);
    warn(dir, parts.warnings, options);
    return await session.begin({ config: given.config, store, rng, parts, cache: cachePolicyOf(given.config, parts) });
  } catch (error) {
    await parts.close();
    await store?.close();
    throw error;
  }
}

type External = AssembleOptions['external'];

async function reopen<G>(
  session: Session<G>,
  store: RunStore,
  given: RunConfig,
  evaluator: ExternalEvaluator,
  options: AskTellOptions,
  external: External,
): Promise<AskTell<G>> {
  const { dir } = session;
  let parts: Parts | undefined;
  try {
    const saved = store.getMeta<RunConfig>('config') as RunConfig;
    const savedId = store.getMeta<EvaluatorId>('evaluator');
    checkSameSearch(dir, saved, given, savedId, evaluator);
    const config: RunConfig = { ...saved, budget: given.budget };
    const checkpoint = store.loadCheckpoint();
    if (!checkpoint && store.lastSeq() >= 0)
      throw new StoreError(`${dir} has events but no checkpoint`, 'The run store is damaged; start a new run.');
    const rng = checkpoint ? SeededRng.restore(checkpoint.rng) : SeededRng.fromSeed(config.seed);
    parts = await assembleParts(config, rng, {
      runDir: dir,
      geometry: store.getMeta('geometry'),
      evaluatorId: savedId,
      external,
      ...(checkpoint ? { checkpoint } : {}),
    });
    const { means, tally } = restoreFromLog(store, parts.archive, parts.space, config, checkpoint?.seq ?? -1);
    logRun(dir, `reopen (ask/tell) from event ${checkpoint?.seq ?? -1} of ${store.lastSeq()}`);
    const cache = cachePolicyOf(config, parts);
    // The log is the truth for samples too: a kill may have left the cache a sample ahead of (or behind) it.
    const corrected = await cache.restore(store.events());
    if (corrected > 0) logRun(dir, `reopen: ${corrected} pooled sample mean(s) in the cache set back to the log`);
    warn(dir, parts.warnings, options);
    return await session.begin({
      config,
      store,
      rng,
      parts,
      cache,
      means,
      tally,
      ...(checkpoint ? { checkpoint } : {}),
    });
  } catch (error) {
    await parts?.close();
    await store.close();
    throw error;
  }
}

/** Whether `dir` has a run store with something in it (a store stopped while being created is empty). */
function hasStore(dir: string): boolean {
  return existsSync(join(dir, STORE_FILE)) && lmdbFileProblem(join(dir, STORE_FILE))?.kind !== 'empty';
}

/** A reopen must continue the same search: the parts that decide what is proposed may not change (budget may). */
function checkSameSearch(
  dir: string,
  saved: RunConfig,
  given: RunConfig,
  savedId: EvaluatorId | undefined,
  evaluator: ExternalEvaluator,
): void {
  if (saved.evaluator.type !== EXTERNAL_EVALUATOR)
    throw new UsageError(
      `${dir} holds a run of \`elites run\`, not an ask/tell search`,
      `Continue it with \`elites resume ${dir}\`, or open the ask/tell search in another directory.`,
    );
  const keys = ['seed', 'direction', 'space', 'search', 'archive', 'batch'] as const;
  const differs: string[] = keys.filter((k) => stableStringify(saved[k]) !== stableStringify(given[k]));
  if (savedId?.name !== evaluator.name || savedId.version !== evaluator.version) differs.push('evaluator');
  if (differs.length > 0)
    throw new UsageError(
      `${dir} holds an ask/tell search with another ${differs.join(', ')}`,
      'Reopen it with the config it was started with (only budget may change), or use another directory.',
    );
}

function warn(dir: string, warnings: readonly string[], options: AskTellOptions): void {
  for (const warning of warnings) {
    logRun(dir, `warning: ${warning}`);
    options.onWarning?.(warning);
  }
}
