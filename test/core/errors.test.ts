// elites' errors are recognised across copies of elites in one process: the CLI runs from its bundle while a plug-in
// that imports 'elites' gets the library's own modules (dist/ as tsc wrote it), whose classes are other objects.
// Here the sources (vitest) and dist/ are the two copies: `npm run build` first.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ConfigError, ElitesError, ExitCode, formatError, PluginError, UsageError } from '../../core/errors.js';
import { repoRoot } from '../helpers/files.js';

type Errors = typeof import('../../core/errors.js');
const other = (await import(pathToFileURL(join(repoRoot, 'dist/core/errors.js')).href)) as Errors;

describe('elites errors from another copy of elites', () => {
  it('are instances of the same-named classes here, and of no other', () => {
    expect(other.ConfigError).not.toBe(ConfigError); // two copies indeed
    const thrown = new other.ConfigError('bad field', [{ path: 'space.type', message: 'unknown' }], 'fix it');
    expect(thrown instanceof ConfigError).toBe(true);
    expect(thrown instanceof ElitesError).toBe(true);
    expect(thrown instanceof Error).toBe(true);
    expect(thrown instanceof UsageError).toBe(false);
    expect(thrown instanceof PluginError).toBe(false);
    expect(new other.PluginError('no module') instanceof ConfigError).toBe(false);
    expect(thrown.exitCode).toBe(ExitCode.badInput);
    expect(formatError(thrown)).toContain('space.type');
  });

  it('are not confused with errors that merely share a name', () => {
    class ConfigErrorLookalike extends Error {}
    Object.defineProperty(ConfigErrorLookalike, 'name', { value: 'ConfigError' });
    expect(new ConfigErrorLookalike('x') instanceof ConfigError).toBe(false);
    expect(new Error('x') instanceof ElitesError).toBe(false);
    expect((null as unknown as object) instanceof ElitesError).toBe(false);
    expect(new ConfigError('own copy') instanceof ConfigError).toBe(true);
  });
});
