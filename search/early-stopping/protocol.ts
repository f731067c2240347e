// Protocol checks and JSON codecs shared by the pruners: reports are validated once, values survive NaN and ±Infinity.
import { z } from 'zod';
import { lazySchema } from '../../core/lazy-schema.js';
import { ElitesError } from '../../core/errors.js';
import type { Report } from './types.js';

/** A value as JSON: NaN and ±Infinity as strings (JSON.stringify would turn them into null). */
export const valueData = lazySchema(() => z.union([z.number(), z.enum(['NaN', 'Infinity', '-Infinity'])]));
export type ValueData = z.infer<typeof valueData>;

export function encodeValue(value: number): ValueData {
  if (Number.isFinite(value)) return value;
  if (Number.isNaN(value)) return 'NaN';
  return value > 0 ? 'Infinity' : '-Infinity';
}

export function decodeValue(data: ValueData): number {
  if (typeof data === 'number') return data;
  return data === 'NaN' ? Number.NaN : data === 'Infinity' ? Infinity : -Infinity;
}

export const idData = lazySchema(() => z.number().int().min(0));
export const stepData = lazySchema(() => z.number().min(0));

function misuse(pruner: string, message: string): ElitesError {
  return new ElitesError(
    'E_PRUNER_REPORT',
    `${pruner}: ${message}`,
    'The engine reports running evaluations only; this is a bug in the caller.',
  );
}

/**
 * Checks a report before it touches any state.
 * @throws {ElitesError} (code E_PRUNER_REPORT) for a malformed id, step or value, or an id already finished.
 */
export function checkReport(pruner: string, report: Report, finished: ReadonlySet<number>): void {
  const { id, step, value } = report;
  if (!Number.isSafeInteger(id) || id < 0) throw misuse(pruner, `report id must be an integer ≥ 0, got ${id}`);
  if (!Number.isFinite(step) || step < 0) throw misuse(pruner, `report step must be a finite number ≥ 0, got ${step}`);
  // NaN is a legal value (a diverged loss): Optuna prunes on it, and so do the pruners here.
  if (typeof value !== 'number') throw misuse(pruner, `report value must be a number, got ${typeof value}`);
  if (finished.has(id)) throw misuse(pruner, `evaluation ${id} reported after it finished`);
}

/**
 * Records that `id` finished.
 * @throws {ElitesError} (code E_PRUNER_REPORT) for a malformed id or one that already finished.
 */
export function markFinished(pruner: string, finished: Set<number>, id: number): void {
  if (!Number.isSafeInteger(id) || id < 0) throw misuse(pruner, `finish id must be an integer ≥ 0, got ${id}`);
  if (finished.has(id)) throw misuse(pruner, `evaluation ${id} finished twice`);
  finished.add(id);
}

/**
 * Validates saved pruner state.
 * @throws {ElitesError} (code E_PRUNER_STATE) when the state does not match the pruner's schema.
 */
export function parsePrunerState<S>(pruner: string, schema: z.ZodType<S>, state: unknown): S {
  const parsed = schema.safeParse(state);
  if (!parsed.success) {
    throw new ElitesError(
      'E_PRUNER_STATE',
      `${pruner}: cannot restore pruner state: ${z.prettifyError(parsed.error)}`,
      'The checkpoint was written by another pruner or another version; start a new run.',
    );
  }
  return parsed.data;
}
