// The `elites` executable starts the CLI from its bundle (dist/cli/bundle/elites.js, written by `npm run build`) when
// the bundle is at least as new as the compiled modules, else from the modules: a `tsc` without the bundling step
// must never leave the CLI running older code. The last test runs the built CLI: `npm run build` first.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { CLI_BUNDLE, cliEntry } from '../../cli/cli-entry.js';
import { binPath, modulesCliScript } from '../helpers/cli.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A folder with a compiled start.js and, unless `bundleAge` is undefined, a bundle that many seconds older. */
function compiled(bundleAge: number | undefined): string {
  const dir = mkdtempSync(join(tmpdir(), 'elites-entry-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'start.js'), '');
  const now = Date.now() / 1000;
  utimesSync(join(dir, 'start.js'), now, now);
  if (bundleAge !== undefined) {
    mkdirSync(dirname(join(dir, CLI_BUNDLE)), { recursive: true });
    writeFileSync(join(dir, CLI_BUNDLE), '');
    utimesSync(join(dir, CLI_BUNDLE), now - bundleAge, now - bundleAge);
  }
  return dir;
}

const fileOf = (url: string): string => fileURLToPath(url);

describe('the file the elites executable starts the CLI from', () => {
  it('is the bundle when it is as new as the compiled modules or newer', () => {
    for (const age of [0, -5]) {
      const dir = compiled(age);
      expect(fileOf(cliEntry(dir))).toBe(join(dir, CLI_BUNDLE));
    }
  });

  it('is the compiled start.js when there is no bundle, or when the bundle is older (a tsc without bundling)', () => {
    const none = compiled(undefined);
    expect(fileOf(cliEntry(none))).toBe(join(none, 'start.js'));
    const stale = compiled(60);
    expect(fileOf(cliEntry(stale))).toBe(join(stale, 'start.js'));
  });

  it('is the bundle after npm run build, and the bundled CLI answers as the modules do', () => {
    const cliDir = dirname(binPath);
    expect(fileOf(cliEntry(cliDir)), 'run `npm run build` (tsc, then the bundle)').toBe(join(cliDir, CLI_BUNDLE));
    // The modules, started as bin.js starts the bundle.
    const dir = compiled(undefined);
    const script = modulesCliScript(dir);
    for (const args of [['--help'], ['run', '--help'], ['runs', dir], ['inspect', join(dir, 'missing')]]) {
      const bundled = spawnSync(process.execPath, [binPath, ...args], { encoding: 'utf8' });
      const modules = spawnSync(process.execPath, [script, ...args], { encoding: 'utf8' });
      expect(bundled.stdout.length + bundled.stderr.length).toBeGreaterThan(0);
      expect({ status: bundled.status, stdout: bundled.stdout, stderr: bundled.stderr }).toEqual({
        status: modules.status,
        stdout: modules.stdout.replaceAll(script, binPath),
        stderr: modules.stderr.replaceAll(script, binPath),
      });
    }
  });
});
