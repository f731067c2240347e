// Options of the `command` evaluator: a build step and a run step given as argv arrays of templates. zod-only, so configs
// validate without starting anything.
import { isAbsolute } from 'node:path';
import { z } from 'zod';
import { lazySchema } from '../../core/lazy-schema.js';
import { parseTemplate, placeholdersOf, TemplateError } from './template.js';

/** A template string: `{name}` placeholders, `{{`/`}}` for literal braces. Checked when the config is validated. */
const template = lazySchema(() =>
  z.string().superRefine((text, ctx) => {
    try {
      parseTemplate(text);
    } catch (error) {
      if (!(error instanceof TemplateError)) throw error;
      ctx.addIssue({ code: 'custom', message: error.message });
    }
  }),
);

// Node timers hold at most 2^31 − 1 ms (~24.8 days): the same bound as evaluator.timeoutSeconds.
const seconds = (fallback: number) =>
  z.number().positive().max(2_000_000, 'at most 2,000,000 s (about 23 days)').default(fallback);

const envSchema = lazySchema(() =>
  z
    .record(z.string().regex(/^[^=\0]+$/, 'an environment variable name may not be empty or hold "=" or NUL'), template)
    .default({})
    .describe('extra environment variables (values are templates); the rest of the environment is inherited'),
);

const buildSchema = lazySchema(() =>
  z.strictObject({
    argv: z
      .array(template)
      .min(1, 'argv needs at least the program')
      .describe(
        'program and arguments, e.g. ["gcc", "-O3", "-DMC={mc}", "-o", "{builddir}/gemm", "gemm.c"]; never run through a shell',
      ),
    cwd: template.optional().describe('working directory of the step (default: the working directory of elites)'),
    env: envSchema,
    timeoutSeconds: seconds(120).describe('the step is killed (its whole process group) after this long'),
    inputs: z
      .array(z.string().min(1))
      .default([])
      .describe(
        "files the build reads (sources, headers), relative to the build's cwd: their contents are part of the build key and the evaluator version, so editing one rebuilds and re-evaluates",
      ),
  }),
);

const runSchema = lazySchema(() =>
  z.strictObject({
    argv: z
      .array(template)
      .min(1, 'argv needs at least the program')
      .describe('program and arguments, e.g. ["{builddir}/gemm", "512", "512", "512"]; never run through a shell'),
    cwd: template.optional().describe('working directory of the step (default: the working directory of elites)'),
    env: envSchema,
    timeoutSeconds: seconds(60).describe('each run is killed (its whole process group) after this long'),
    repeat: z.int().min(1).max(1000).default(1).describe('runs per evaluation; every field is reduced over them'),
    reduce: z
      .enum(['median', 'mean', 'min', 'max'])
      .default('median')
      .describe('how repeated runs combine, field by field'),
  }),
);

const fieldName = lazySchema(() => z.string().min(1));

export const commandOptionsSchema = lazySchema(() =>
  z
    .strictObject({
      build: buildSchema
        .optional()
        .describe('compile step; its outputs go to {builddir}, one directory per distinct filled command, reused'),
      run: runSchema
        .optional()
        .describe('required to evaluate: the measured program; its last JSON-object line of stdout is the result'),
      fingerprintFile: template
        .optional()
        .describe(
          'file the build step writes (e.g. "{builddir}/gemm"): sha256 of it and of the filled run command is the fingerprint, so builds with identical artefacts share one measurement',
        ),
      fitness: fieldName.default('fitness').describe('field of the JSON line holding the fitness'),
      descriptors: z
        .array(fieldName)
        .default([])
        .describe('fields of the JSON line holding the descriptors, in archive order'),
      metrics: z.array(fieldName).optional().describe('fields kept as metrics (default: every other numeric field)'),
      noisy: z
        .boolean()
        .default(false)
        .describe('results are samples (timings): set true and use cache.mode aggregate'),
      workDir: z
        .string()
        .min(1)
        .default('.elites/command')
        .describe('builds and per-evaluation work directories, relative to the working directory'),
    })
    .superRefine((o, ctx) => {
      const uses = (text: string): string[] => {
        try {
          return placeholdersOf(text);
        } catch {
          return []; // reported by the template schema
        }
      };
      const forbid = (name: string, text: string | undefined, path: (string | number)[], why: string): void => {
        if (text !== undefined && uses(text).includes(name))
          ctx.addIssue({ code: 'custom', path, message: `{${name}} ${why}` });
      };
      const templatesOf = (step: 'build' | 'run'): [string | undefined, (string | number)[]][] => {
        const s = o[step];
        if (!s) return [];
        return [
          ...s.argv.map((a, i): [string, (string | number)[]] => [a, [step, 'argv', i]]),
          [s.cwd, [step, 'cwd']],
          ...Object.entries(s.env).map(([k, v]): [string, (string | number)[]] => [v, [step, 'env', k]]),
        ];
      };
      for (const [text, path] of templatesOf('build'))
        forbid(
          'workdir',
          text,
          path,
          'is not available in the build step: builds are shared by evaluations (use {builddir})',
        );
      if (o.build?.inputs.some((p) => !isAbsolute(p)) && o.build.cwd !== undefined && uses(o.build.cwd).length > 0) {
        ctx.addIssue({
          code: 'custom',
          path: ['build', 'inputs'],
          message:
            'relative inputs are resolved against build.cwd, which then may not hold placeholders (give absolute input paths, or a fixed cwd)',
        });
      }
      forbid(
        'workdir',
        o.fingerprintFile,
        ['fingerprintFile'],
        'is not available in fingerprintFile (the file must come from the build step: use {builddir})',
      );
      if (!o.build) {
        for (const [text, path] of templatesOf('run'))
          forbid('builddir', text, path, 'needs a build step (set `build`)');
        if (o.fingerprintFile !== undefined)
          ctx.addIssue({
            code: 'custom',
            path: ['fingerprintFile'],
            message: 'fingerprintFile names a file the build step writes: set `build` too',
          });
      }
      if (o.descriptors.includes(o.fitness))
        ctx.addIssue({ code: 'custom', path: ['descriptors'], message: `"${o.fitness}" is the fitness field` });
      if (new Set(o.descriptors).size !== o.descriptors.length)
        ctx.addIssue({ code: 'custom', path: ['descriptors'], message: 'descriptor fields must be distinct' });
    }),
);

export type CommandOptions = z.infer<typeof commandOptionsSchema>;
export type CommandOptionsInput = z.input<typeof commandOptionsSchema>;
export type BuildStep = NonNullable<CommandOptions['build']>;
export type RunStep = NonNullable<CommandOptions['run']>;
