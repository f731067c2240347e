// The public API of elites: everything the CLI does, a program can do by importing the package.
// Importing it loads no part that only one command or executor needs (the CLI's yargs, BullMQ, the LLM client, tfjs):
// those are imported when used.
import type { CliIo } from './cli/io.js';
export { runSearch, resumeRun, type StartOptions, type ResumeOverrides, type RunHooks } from './search/run.js';
export { openRunView, type RunView } from './search/run-view.js';
export {
  openAskTell,
  AskTellError,
  type AskTell,
  type AskTellOptions,
  type AskedProposal,
} from './search/ask-tell.js';
export {
  parseAskTellConfig,
  type AskTellConfigInput,
  type ExternalEvaluatorInput,
} from './search/ask-tell-config.js';
export {
  inspectRun,
  exportRun,
  listRuns,
  type RunInspection,
  type EliteRecord,
  type ExportFormat,
  type RunListing,
} from './report/inspect.js';
/** @deprecated Renamed `RunInspection`: what `inspectRun` returns, not the HTML report. */
export type RunReport = import('./report/inspect.js').RunInspection;
export {
  loadRunConfig,
  parseRunConfig,
  runConfigSchema,
  type RunConfig,
  type RunConfigInput,
  type ConfigOverrides,
} from './search/config.js';
export { runEngine, type EngineParts, type EngineResult, type Progress } from './search/engine.js';
/** The CLI as a function: `argv` without the program name, the exit code back (yargs loads at the first call). */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  return (await import('./cli/main.js')).main(argv, io);
}
export {
  defineEvaluator,
  defineSpace,
  type Space,
  type Evaluator,
  type EvalContext,
  type EvalResult,
  type Direction,
  type ScoredBy,
} from './core/types.js';
export { SeededRng, type Rng, type RngState } from './core/rng.js';
export {
  ElitesError,
  ConfigError,
  PluginError,
  StoreError,
  UsageError,
  RunFailedError,
  ExitCode,
} from './core/errors.js';
export type { RunSummary } from './search/summary.js';
export type { Strategy, Proposal, Outcome, Failure, StrategyDeps } from './search/strategies/strategy.js';
export type { Executor, EvalTask, TaskResult } from './search/executors/executor.js';
export { strategies } from './search/strategies/index.js';
export { spaces } from './spaces/index.js';
export { evaluators } from './evaluators/index.js';
export { archives } from './archive/index.js';
export type { Archive, ArchiveView, Elite, AddStatus, ArchiveStats } from './archive/archive.js';
export {
  writeReport,
  readSnapshot,
  buildSnapshot,
  startDashboard,
  reportHtml,
  type WrittenReport,
  type SnapshotOptions,
  type Dashboard,
  type DashboardOptions,
  type ReportSnapshot,
} from './report/index.js';
