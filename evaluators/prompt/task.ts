// Labelled tasks as data: JSONL splits of { text, label } plus a prompt template (instruction, demonstration and query
// formats, separator, label verbalizers), from a task directory (task.json) or inline in the evaluator options.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { packagePath } from '../../core/package-root.js';
import { z } from 'zod';
import { lazySchema } from '../../core/lazy-schema.js';

/** Where the query text goes in a prompt; a prompt without it gets the query appended (see template.ts). */
export const QUERY_PLACEHOLDER = '{text}';
/** Where a demonstration's label word goes in the demonstration format. */
export const LABEL_PLACEHOLDER = '{label}';

/** One labelled example of a split. */
export interface Example {
  readonly text: string;
  readonly label: string;
}

/** The prompt template of a task. */
export interface PromptTemplate {
  /** First block of a generated prompt. */
  readonly instruction: string;
  /** Format of one demonstration: must hold {text} and {label}, the label last (the answer the model gives). */
  readonly demonstration: string;
  /** Format of the query that ends the prompt: holds {text}; the model's answer follows it. */
  readonly query: string;
  /** Between the instruction, the demonstrations and the query: a demonstration block is found by it. */
  readonly separator: string;
  /** Label → the word that stands for it in prompts and answers (matched whole-word, case-insensitively). */
  readonly verbalizers: Readonly<Record<string, string>>;
  /** Optional system message sent before the prompt (not searched: an answer-format constraint, like a chat template). */
  readonly system?: string;
  /** Demonstrations in a prompt generated from the template (when the task has no prompt file). */
  readonly shots: number;
}

/** A loaded task: its template, its splits, and the base (unpruned) prompt. */
export interface Task extends PromptTemplate {
  readonly name: string;
  readonly train: readonly Example[];
  readonly dev: readonly Example[];
  readonly test: readonly Example[];
  /** The full prompt text the search starts from, holding {text}; undefined when the template should generate one. */
  readonly prompt?: string;
}

const templateFields = {
  name: z.string().min(1).optional(),
  description: z.string().optional(),
  instruction: z.string(),
  demonstration: z
    .string()
    .refine((s) => s.includes(QUERY_PLACEHOLDER) && s.includes(LABEL_PLACEHOLDER), 'must contain {text} and {label}'),
  query: z.string().refine((s) => s.includes(QUERY_PLACEHOLDER), 'must contain {text}'),
  separator: z.string().min(1).default('\n\n'),
  verbalizers: z
    .record(z.string().min(1), z.string().trim().min(1))
    .refine((v) => Object.keys(v).length >= 2, 'needs at least two labels')
    .refine(
      (v) => new Set(Object.values(v).map((w) => w.toLowerCase())).size === Object.keys(v).length,
      'two labels share a verbalizer word',
    ),
  system: z.string().optional(),
  shots: z.int().nonnegative().default(16),
  prompt: z.string().min(1).optional().describe('file holding the base prompt, relative to the task'),
  train: z.string().min(1).default('train.jsonl'),
  dev: z.string().min(1).default('dev.jsonl'),
  test: z.string().min(1).default('test.jsonl'),
};

/** task.json (relative file names resolve against its directory), or the same fields inline in the options. */
export const taskSchema = lazySchema(() => z.looseObject(templateFields));
export type TaskSpec = z.input<typeof taskSchema>;

/**
 * Loads a task: a shipped task by name (`brown-genre`: a name without a slash), a directory holding task.json, or
 * an inline spec (its file names relative to the working directory).
 * @throws {Error} naming the file (and line) for a missing file, bad JSON, or an example that is not { text, label }
 * with a label of the template.
 */
export function loadTask(source: string | TaskSpec): Task {
  if (typeof source !== 'string') return buildTask(parseSpec(source, 'the inline task'), process.cwd());
  const dir = resolveTaskDirectory(source);
  const file = join(dir, 'task.json');
  if (!existsSync(file))
    throw new Error(`task ${source}: ${file} not found (a task directory holds task.json and its JSONL splits)`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`${file}: not valid JSON (${(error as Error).message})`);
  }
  return buildTask(parseSpec(raw, file), dir);
}

/** A shipped task's name → its directory under the package's tasks/; a path → itself. */
export function resolveTaskDirectory(source: string): string {
  if (source.includes('/') || source.includes('\\') || source.startsWith('.')) return resolve(source);
  const shipped = packagePath(`tasks/${source}`);
  return existsSync(join(shipped, 'task.json')) ? shipped : resolve(source); // else a directory in the working directory
}

function parseSpec(raw: unknown, where: string): z.infer<typeof taskSchema> {
  const parsed = taskSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new Error(`${where}: invalid task (${problems})`);
  }
  return parsed.data;
}

function buildTask(spec: z.infer<typeof taskSchema>, dir: string): Task {
  const at = (name: string): string => (isAbsolute(name) ? name : join(dir, name));
  const labels = new Set(Object.keys(spec.verbalizers));
  const read = (name: string): Example[] => readExamples(at(name), labels);
  let prompt: string | undefined;
  if (spec.prompt !== undefined) prompt = readText(at(spec.prompt));
  return {
    name: spec.name ?? dir.split(/[\\/]/).pop() ?? 'task',
    instruction: spec.instruction,
    demonstration: spec.demonstration,
    query: spec.query,
    separator: spec.separator,
    verbalizers: spec.verbalizers,
    ...(spec.system !== undefined ? { system: spec.system } : {}),
    shots: spec.shots,
    train: read(spec.train),
    dev: read(spec.dev),
    test: read(spec.test),
    ...(prompt !== undefined ? { prompt } : {}),
  };
}

/**
 * Reads a JSONL split: one `{ "text": string, "label": string }` object per non-empty line (other fields are ignored).
 * @throws {Error} naming the file and the line of the first bad one.
 */
export function readExamples(file: string, labels: ReadonlySet<string>): Example[] {
  const text = readText(file);
  const examples: Example[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    const where = `${file}:${i + 1}`;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      throw new Error(`${where}: not valid JSON (${(error as Error).message})`);
    }
    const row = value as { text?: unknown; label?: unknown } | null;
    if (row === null || typeof row !== 'object' || typeof row.text !== 'string' || typeof row.label !== 'string') {
      throw new Error(`${where}: expected an object with string fields "text" and "label"`);
    }
    if (!labels.has(row.label))
      throw new Error(
        `${where}: label "${row.label}" is not one of the task's verbalizers (${[...labels].join(', ')})`,
      );
    examples.push({ text: row.text, label: row.label });
  }
  if (examples.length === 0) throw new Error(`${file}: no examples`);
  return examples;
}

function readText(file: string): string {
  if (!existsSync(file)) throw new Error(`${file}: file not found`);
  if (statSync(file).isDirectory()) throw new Error(`${file}: is a directory, expected a file`);
  return readFileSync(file, 'utf8');
}
