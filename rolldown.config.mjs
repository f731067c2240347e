// The CLI's bundle (cli/cli-entry.ts says why and when it is used): dist/cli/start.js as tsc wrote it, with every
// module of ours and zod (~95 small files) in one file, dist/cli/bundle/elites.js; what is imported lazily (a domain
// evaluator, the report page, Redis) goes in chunks beside it, loaded only by the command that needs it. The other
// packages stay external: native addons, worker entries and wasm load from their own folders.
const bundled = (id) => id.startsWith('.') || id.startsWith('/') || id === 'zod' || id.startsWith('zod/');

export default {
  input: { elites: 'dist/cli/start.js' },
  platform: 'node',
  external: (id) => !bundled(id),
  output: {
    dir: 'dist/cli/bundle',
    cleanDir: true, // no chunk of an earlier build is left behind
    format: 'esm',
    entryFileNames: '[name].js',
    chunkFileNames: 'chunks/[name]-[hash].js',
    sourcemap: true,
  },
};
