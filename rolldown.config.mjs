// The CLI's bundle (cli/cli-entry.ts says why and when it is used): dist/cli/start.js as tsc wrote it, with every
// module of ours, zod (~95 small files) and yaml in one file, dist/cli/bundle/elites.js; what is imported lazily (a
// domain evaluator, the report page, Redis) goes in chunks beside it, loaded only by the command that needs it. The
// other packages stay external: native addons, worker entries and wasm load from their own folders.
import { fileURLToPath } from 'node:url';

const bundled = (id) =>
  id.startsWith('.') || id.startsWith('/') || id === 'zod' || id.startsWith('zod/') || id === 'yaml';

export default {
  input: { elites: 'dist/cli/start.js' },
  platform: 'node',
  external: (id) => !bundled(id),
  resolve: {
    // yaml's ES-module build (its "default" export; the same code as the CommonJS one Node picks): bundled as modules,
    // only what we use is kept. The CommonJS build, bundled or not, cost ~50 ms more CPU of every `elites run` start.
    alias: { yaml: fileURLToPath(new URL('./node_modules/yaml/browser/index.js', import.meta.url)) },
  },
  output: {
    dir: 'dist/cli/bundle',
    cleanDir: true, // no chunk of an earlier build is left behind
    format: 'esm',
    entryFileNames: '[name].js',
    chunkFileNames: 'chunks/[name]-[hash].js',
    sourcemap: true,
  },
};
