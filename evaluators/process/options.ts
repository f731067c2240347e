// The `evaluator.process` section of a config: how to start a long-lived evaluator process (any language) and what
// it offers. zod-only, so configs validate without starting anything.
import { z } from 'zod';
import { lazySchema } from '../../core/lazy-schema.js';

// Node timers hold at most 2^31 − 1 ms (~24.8 days): the same bound as evaluator.timeoutSeconds.
const seconds = (fallback: number) =>
  z.number().positive().max(2_000_000, 'at most 2,000,000 s (about 23 days)').default(fallback);

export const processSpecSchema = lazySchema(() =>
  z.strictObject({
    argv: z
      .array(z.string().min(1, 'an argv element may not be empty'))
      .min(1, 'argv needs at least the program, e.g. [python3, my_eval.py]')
      .describe('program and arguments, e.g. [python3, my_eval.py]; started without a shell, once per worker'),
    cwd: z
      .string()
      .min(1)
      .optional()
      .describe("the process's working directory, relative to the config file (default: the config file's directory)"),
    env: z
      .record(
        z.string().regex(/^[^=\0]+$/, 'an environment variable name may not be empty or hold "=" or NUL'),
        z.string(),
      )
      .default({})
      .describe('extra environment variables; the rest of the environment is inherited'),
    name: z
      .string()
      .min(1)
      .optional()
      .describe(
        'the evaluator name in summaries and the cache (default: the script file named in argv, without extension)',
      ),
    setupTimeoutSeconds: seconds(600).describe(
      'start and setup(options) of one process must end within this; not part of evaluator.timeoutSeconds',
    ),
    memoryMb: z
      .number()
      .positive()
      .optional()
      .describe(
        'the process is killed (a crashed evaluation naming the limit) when its resident memory passes this (Linux)',
      ),
    fingerprint: z
      .boolean()
      .default(false)
      .describe('the process answers fingerprint requests (level-2 cache: behaviour on probe inputs)'),
    fingerprintDeterminesResult: z
      .boolean()
      .default(false)
      .describe('a fingerprint hit may reuse the cached result whole, descriptors and metrics included'),
    noisy: z.boolean().default(false).describe('results are samples (timings, seeds): use cache.mode aggregate'),
    inputs: z
      .array(z.string().min(1))
      .default([])
      .describe(
        'more files or directories the process reads (modules it imports, data), relative to cwd: their contents are part of the cache namespace, like the files named in argv',
      ),
    forwardStderr: z
      .boolean()
      .default(true)
      .describe("copy the process's stderr (its logs, and print() under the Python helper) to elites' stderr"),
  }),
);

export type ProcessSpec = z.infer<typeof processSpecSchema>;
export type ProcessSpecInput = z.input<typeof processSpecSchema>;
