// The CLI's view of the outside world, so commands can run in-process in tests.
import type { Writable } from 'node:stream';

export interface CliIo {
  readonly stdout: Writable;
  readonly stderr: Writable;
  /** Live progress only on a terminal; quiet when piped. */
  readonly isTTY: boolean;
  /** stdout is a terminal that shows colour (inspect, runs); plain text otherwise. */
  readonly color?: boolean;
  /** Aborted on SIGINT: a running search checkpoints and exits 130. */
  readonly stop?: AbortSignal;
  readonly cwd?: string;
}

export function write(stream: Writable, text: string): void {
  stream.write(text.endsWith('\n') ? text : `${text}\n`);
}

export function formatNumber(value: number | null | undefined, digits = 4): string {
  if (value === null || value === undefined) return '-';
  if (Number.isInteger(value)) return String(value);
  return Number(value.toPrecision(digits)).toString();
}
