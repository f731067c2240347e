// pyribs, measured side by side with the engine bench's MAP-Elites rows (bench/run.ts): runs
// bench/peers/pyribs_sphere.py, pyribs' MAP-Elites on the same 100-d sphere, and reads its JSON line.
//
// Which Python: ELITES_PYRIBS_PYTHON names the interpreter (otherwise `python3`, then `/usr/bin/python3`, the first
// that can `import ribs`); ELITES_PYRIBS_PATH is put before PYTHONPATH for it (a pyribs checkout's root, where its
// `ribs/` package is, and any further folders, ':'-separated). Neither is needed when pyribs is installed. Without a
// Python that imports ribs the bench keeps its fixed target and says why (README, "pyribs side by side").
import { execFile } from 'node:child_process';
import { delimiter, join } from 'node:path';
import { repoRoot } from '../tools/args.js';

/** What bench/peers/pyribs_sphere.py prints. */
export interface PyribsResult {
  readonly evaluations: number;
  /** The ask / evaluate / tell loop only (imports and set-up excluded). */
  readonly seconds: number;
  readonly evalsPerSecond: number;
  readonly qdScore: number;
  readonly coverage: number;
  readonly elites: number;
  readonly versions: { readonly ribs: string; readonly numpy: string; readonly python: string };
  readonly executable: string;
}

/** A Python that imports ribs, and the environment to run it in. */
export interface PyribsPython {
  readonly python: string;
  readonly env: NodeJS.ProcessEnv;
  readonly ribs: string;
}

export type Found<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };

export const PYRIBS_SCRIPT = join(repoRoot, 'bench/peers/pyribs_sphere.py');

interface Output {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly error?: string;
}

function run(file: string, args: readonly string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<Output> {
  return new Promise((resolve) => {
    execFile(file, args, { env, timeout: timeoutMs, maxBuffer: 1 << 20 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
      const failure = error !== null && code === null ? error.message : undefined;
      resolve({ code, stdout, stderr, ...(failure === undefined ? {} : { error: failure }) });
    });
  });
}

/** The last non-empty line of a Python error (e.g. "ModuleNotFoundError: No module named 'ribs'"), fit for a table cell. */
function lastLine(out: Output): string {
  const text = out.error ?? out.stderr;
  const line = text.trim().split('\n').at(-1)?.trim() ?? '';
  return (line === '' ? `exit code ${out.code}` : line).replaceAll('|', '/');
}

/** The first of ELITES_PYRIBS_PYTHON (alone when set), python3 and /usr/bin/python3 that imports ribs and numpy. */
export async function findPyribs(): Promise<Found<PyribsPython>> {
  const chosen = process.env.ELITES_PYRIBS_PYTHON;
  const candidates = chosen ? [chosen] : ['python3', '/usr/bin/python3'];
  const extra = process.env.ELITES_PYRIBS_PATH;
  const pythonPath = [extra, process.env.PYTHONPATH].filter((p) => p !== undefined && p !== '').join(delimiter);
  const env: NodeJS.ProcessEnv = { ...process.env, ...(pythonPath === '' ? {} : { PYTHONPATH: pythonPath }) };
  const reasons: string[] = [];
  for (const python of candidates) {
    const out = await run(python, ['-c', 'import numpy, ribs; print(ribs.__version__)'], env, 60_000);
    if (out.code === 0) return { ok: true, value: { python, env, ribs: out.stdout.trim() } };
    reasons.push(`${python}: ${lastLine(out)}`);
  }
  return { ok: false, reason: reasons.join('; ') };
}

/** One run of pyribs' MAP-Elites to `evaluations` (rounded up to whole 540-solution iterations). */
export async function runPyribs(py: PyribsPython, evaluations: number, seed = 1): Promise<Found<PyribsResult>> {
  const args = [PYRIBS_SCRIPT, '--evaluations', String(evaluations), '--seed', String(seed)];
  const out = await run(py.python, args, py.env, 30 * 60_000);
  if (out.code !== 0) return { ok: false, reason: `pyribs run failed: ${lastLine(out)}` };
  try {
    return { ok: true, value: JSON.parse(out.stdout.trim().split('\n').at(-1) ?? '') as PyribsResult };
  } catch {
    return { ok: false, reason: `pyribs printed no JSON: ${out.stdout.slice(0, 200).replaceAll('|', '/')}` };
  }
}
