// Throwaway project directories for tests: real files on disk, removed afterwards.
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach } from 'vitest';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const fixturePlugin = (name: string): string => join(repoRoot, 'test/fixtures/plugins', name);

const made: string[] = [];
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A fresh temp directory holding `files` (name → text); removed after the test. */
export function useRunFiles(files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'elites-test-'));
  made.push(dir);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

/** One model cache for every test on this machine: the tiny LM trains once (keyed by its config hash), not per test. */
export const sharedModelCache = join(tmpdir(), 'elites-test-models');
