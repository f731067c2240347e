// A Redis password never appears in what elites prints: a URL that is not a Redis URL, a server that cannot be reached
// (a closed port on 127.0.0.1: no redis-server needed), from `elites worker --redis`, ELITES_REDIS_URL and a run whose
// config names the URL by `$ENV_VAR`. Real processes; their whole output is searched.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { connectRedis, resolveRedisUrl } from '../../search/executors/redis/connection.js';
import { spawnCli } from '../helpers/cli.js';
import { useRunFiles } from '../helpers/files.js';

const SECRET = 'CANARY-redis-pw-81c2';
const CLOSED = `redis://:${SECRET}@127.0.0.1:1/0`; // port 1: nothing listens there

function thrown(f: () => unknown): string {
  try {
    f();
  } catch (error) {
    return (error as Error).message;
  }
  return 'no error';
}

describe('Redis URLs in messages', () => {
  it('a bad or unreachable URL is named with its password masked', async () => {
    const notRedis = thrown(() => resolveRedisUrl(`http://user:${SECRET}@127.0.0.1:1`, '--redis'));
    expect(notRedis).toMatch(/is not a Redis URL/);
    expect(notRedis).toContain('***');
    expect(notRedis).not.toContain(SECRET);
    const unreachable = await connectRedis(CLOSED, 'elites-test', '--redis').then(
      () => 'connected',
      (error: Error) => error.message,
    );
    expect(unreachable).toMatch(/^cannot reach Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:1\/0 \(--redis\)/);
    expect(unreachable).not.toContain(SECRET);
  });

  it('elites worker and elites run refuse an unreachable Redis (exit 2) without printing its password', async () => {
    const dir = useRunFiles();
    const config = join(dir, 'redis.json');
    writeFileSync(
      config,
      JSON.stringify({
        name: 'redis-run',
        space: { type: 'bitstring', length: 8 },
        evaluator: { type: 'onemax' },
        search: { strategy: 'random' },
        archive: { type: 'grid', dims: [{ name: 'ones', min: 0, max: 8, bins: 9 }] },
        budget: { evaluations: 4 },
        executor: { type: 'redis', url: '$ELITES_TEST_REDIS_URL' },
        cache: { enabled: false },
      }),
    );
    process.env.ELITES_TEST_REDIS_URL = CLOSED;
    process.env.ELITES_REDIS_URL = CLOSED;
    try {
      for (const argv of [['worker', '--redis', CLOSED], ['worker'], ['run', config, '--out', join(dir, 'run')]]) {
        const r = await spawnCli(argv, dir).done;
        expect(r.code, `${argv.join(' ')}: ${r.stderr}`).toBe(2);
        expect(r.stderr).toMatch(/cannot reach Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:1/);
        expect(`${r.stdout}${r.stderr}`).not.toContain(SECRET);
      }
    } finally {
      delete process.env.ELITES_TEST_REDIS_URL;
      delete process.env.ELITES_REDIS_URL;
    }
  }, 60_000);
});
