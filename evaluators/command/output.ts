// The result of a run step: the last line of stdout that is a JSON object, its fields picked by the options, and
// repeated runs reduced field by field.
import type { EvalResult } from '../../core/types.js';

export interface FieldSpec {
  readonly fitness: string;
  readonly descriptors: readonly string[];
  /** Fields kept as metrics; undefined: every other numeric field. */
  readonly metrics?: readonly string[] | undefined;
}

export type Reduce = 'median' | 'mean' | 'min' | 'max';

/** Thrown when stdout holds no usable result; the message quotes what was there. */
export class OutputError extends Error {
  override readonly name = 'OutputError';
}

/** The last line of `stdout` that parses as a JSON object (other lines, such as logs, are skipped), or undefined. */
export function lastJsonObject(stdout: string): { line: string; value: Record<string, unknown> } | undefined {
  const lines = stdout.split(/\r?\n/);
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i]!.trim();
    if (!line.startsWith('{') || !line.endsWith('}')) continue;
    try {
      const value: unknown = JSON.parse(line);
      if (value !== null && typeof value === 'object' && !Array.isArray(value))
        return { line, value: value as Record<string, unknown> };
    } catch {
      // not JSON: keep looking
    }
  }
  return undefined;
}

/**
 * Fitness, descriptors and metrics from one run's stdout.
 * @throws {OutputError} when there is no JSON object line, or a named field is missing or not a finite number.
 */
export function parseResult(
  stdout: string,
  fields: FieldSpec,
  label: string,
): EvalResult & { metrics: Record<string, number> } {
  const found = lastJsonObject(stdout);
  if (!found) {
    const last = stdout.trimEnd().split(/\r?\n/).pop() ?? '';
    const shown = last.trim() === '' ? 'stdout was empty' : `its last line: ${quote(last)}`;
    throw new OutputError(
      `${label} printed no JSON object line on stdout (expected e.g. {"${fields.fitness}": 1.5} on a line of its own); ${shown}`,
    );
  }
  const { line, value } = found;
  const number = (name: string, role: string): number => {
    const v = value[name];
    if (typeof v === 'number' && Number.isFinite(v)) return v;
    const what =
      v === undefined ? 'has no' : `has a non-numeric (${v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v})`;
    throw new OutputError(
      `${label}: the last JSON line of stdout ${what} ${role} field ${JSON.stringify(name)}: ${quote(line)}`,
    );
  };
  const fitness = number(fields.fitness, 'fitness');
  const descriptors = fields.descriptors.map((d) => number(d, 'descriptor'));
  const metrics: Record<string, number> = {};
  if (fields.metrics) {
    for (const m of fields.metrics) metrics[m] = number(m, 'metric');
  } else {
    for (const [k, v] of Object.entries(value)) {
      if (k !== fields.fitness && !fields.descriptors.includes(k) && typeof v === 'number' && Number.isFinite(v))
        metrics[k] = v;
    }
  }
  return { fitness, descriptors, metrics };
}

/** Combines repeated runs field by field; implicit metrics are those every run reported. */
export function reduceResults(
  results: readonly (EvalResult & { metrics: Record<string, number> })[],
  how: Reduce,
): EvalResult & { metrics: Record<string, number> } {
  if (results.length === 1) return results[0]!;
  const first = results[0]!;
  const metrics: Record<string, number> = {};
  for (const k of Object.keys(first.metrics)) {
    if (results.every((r) => Object.hasOwn(r.metrics, k)))
      metrics[k] = combine(
        results.map((r) => r.metrics[k]!),
        how,
      );
  }
  return {
    fitness: combine(
      results.map((r) => r.fitness),
      how,
    ),
    descriptors: (first.descriptors ?? []).map((_, i) =>
      combine(
        results.map((r) => r.descriptors![i]!),
        how,
      ),
    ),
    metrics,
  };
}

function combine(values: readonly number[], how: Reduce): number {
  switch (how) {
    case 'mean':
      return values.reduce((a, b) => a + b, 0) / values.length;
    case 'min':
      return Math.min(...values);
    case 'max':
      return Math.max(...values);
    case 'median': {
      const s = [...values].sort((a, b) => a - b);
      const mid = s.length >> 1;
      return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
    }
  }
}

function quote(line: string): string {
  const t = line.trim();
  return JSON.stringify(t.length > 200 ? `${t.slice(0, 197)}...` : t);
}
