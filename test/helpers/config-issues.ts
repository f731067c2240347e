// A config's problems as the user reads them ("path: message"), or none: for tests of what a config refuses.
import { ConfigError } from '../../core/errors.js';

/** Calls `parse` and returns its ConfigError's issues as "path: message" lines; [] when it accepts. Other errors propagate. */
export function configIssues(parse: () => unknown): string[] {
  try {
    parse();
  } catch (error) {
    if (error instanceof ConfigError) return error.issues.map((i) => `${i.path}: ${i.message}`);
    throw error;
  }
  return [];
}
