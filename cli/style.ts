// Terminal colour for the CLI's human output (picocolors): on only when the terminal supports it, so piped output,
// NO_COLOR and dumb terminals stay plain text.
import pc from 'picocolors';

export interface Style {
  readonly enabled: boolean;
  bold(text: string): string;
  dim(text: string): string;
  /** A run status: done green, running cyan, interrupted or killed yellow, failed or unreadable red; others plain. */
  status(status: string, text?: string): string;
  /** Heatmap shade `level` of 0 (lowest) … 4 (highest): a blue → red ramp. */
  level(level: number, text: string): string;
}

const RAMP = ['blue', 'cyan', 'green', 'yellow', 'red'] as const;

export function createStyle(enabled: boolean): Style {
  const c = pc.createColors(enabled);
  const byStatus: Record<string, (s: string) => string> = {
    done: c.green,
    running: c.cyan,
    interrupted: c.yellow,
    killed: c.yellow,
    failed: c.red,
    unreadable: c.red,
  };
  return {
    enabled,
    bold: c.bold,
    dim: c.dim,
    status: (status, text = status) => (byStatus[status] ?? ((s: string) => s))(text),
    level: (level, text) => c[RAMP[Math.max(0, Math.min(RAMP.length - 1, level))]!](text),
  };
}

/** Whether a stream is a terminal that shows colour (Node reads NO_COLOR, FORCE_COLOR and TERM for hasColors()). */
export function streamHasColors(stream: NodeJS.WriteStream): boolean {
  return Boolean(stream.isTTY && stream.hasColors?.());
}
