// Resume replays logged results onto re-asked proposals: a logged result is never attached to another genome.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { spawnCli } from '../helpers/cli.js';
import { useRunFiles } from '../helpers/files.js';
import { readRunState } from '../helpers/kill-harness.js';
import { waitFor } from '../helpers/wait.js';

/** A bitstring space whose samples are flipped by `mask`: editing the mask changes every genome it proposes. */
const shiftedSpace = (mask: number): string => `
const LENGTH = 8;
const flip = (bits) => bits.map((b, i) => ((${mask} >> i) & 1) ^ b);
export default {
  name: 'shifted-bits',
  sample(rng) { return flip(Array.from({ length: LENGTH }, () => (rng() < 0.5 ? 1 : 0))); },
  mutate(parent, rng) { const child = parent.slice(); const i = Math.floor(rng() * LENGTH); child[i] ^= 1; return child; },
  key(g) { return g.join(''); },
  describe(g) { return g.join(''); },
  encode(g) { return g.join(''); },
  decode(x) { return [...String(x)].map(Number); },
};
`;

describe('replay on resume', () => {
  it('stops with a clear error when a re-asked genome differs from the logged one (a plug-in space changed)', async () => {
    const dir = useRunFiles({ 'space.mjs': shiftedSpace(0) });
    const config = {
      name: 'replay',
      seed: 5,
      space: { module: './space.mjs' },
      evaluator: { type: 'onemax' },
      search: { strategy: 'map-elites', initialRandom: 20 },
      archive: { type: 'grid', dims: [{ name: 'ones', min: 0, max: 8, bins: 9 }] },
      budget: { evaluations: 5_000_000 },
      workers: 0,
      cache: { enabled: false },
      log: { genomes: 'all', checkpointSeconds: 100_000 }, // one checkpoint, at the start: a resume replays the whole log
    };
    writeFileSync(join(dir, 'run.json'), JSON.stringify(config));
    const run = spawnCli(['run', 'run.json', '--out', 'run'], dir);
    await waitFor(async () => ((await readRunState(join(dir, 'run')).catch(() => undefined))?.events ?? 0) >= 300, {
      what: '300 logged events',
      timeoutMs: 120_000,
    });
    run.child.kill('SIGKILL');
    await run.done;
    writeFileSync(join(dir, 'space.mjs'), shiftedSpace(0b1011));
    const resumed = await spawnCli(['resume', 'run'], dir).done;
    expect(resumed.code).not.toBe(0);
    expect(resumed.stderr).toMatch(/resume diverged: proposal \d+ was re-proposed as [01]{8}, the log holds "[01]{8}"/);
  });
});
