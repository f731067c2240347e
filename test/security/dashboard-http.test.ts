// The dashboard as an attacker on this machine (or a web page in its browser) sees it: the real `elites serve` in a
// child process on 127.0.0.1, requests sent byte for byte over raw sockets (a URL parser would resolve `..` first).
// Every answer carries the security headers; paths that climb out of the runs directory (plain, %-encoded, with
// backslashes) reach the server's run-id guard and are refused; and a bounded, seeded fuzz of malformed requests
// (methods, paths, encodings, Host and other headers, versions) never crashes it, never answers 5xx or a stack trace,
// and never serves anything of a run or file outside the runs directory.
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomInt, SeededRng, type Rng } from '../../core/rng.js';
import { spawnCli } from '../helpers/cli.js';
import { rawGet, rawRequest, type RawAnswer } from '../helpers/http.js';
import { waitFor } from '../helpers/wait.js';
import { kernelConfig, runConfig } from '../report/helpers.js';

const CANARY = 'CANARY-outside-the-runs-directory';
const OUTSIDE_RUN = 'outside-secret'; // the config name of a run beside the runs directory, not in it

let root: string;
let serve: ReturnType<typeof spawnCli>;
let port: number;

/** The headers every answer must carry, whatever it answers. */
function expectSecurityHeaders(answer: RawAnswer, what: string): void {
  expect(answer.headers['x-frame-options'], what).toBe('DENY');
  expect(answer.headers['x-content-type-options'], what).toBe('nosniff');
  expect(answer.headers['content-security-policy'], what).toMatch(/(^|; )frame-ancestors 'none'(;|$)/);
  expect(answer.headers['content-security-policy'], what).toMatch(/^default-src 'none'; script-src 'self';/);
}

/** Nothing from outside the runs directory, no stack trace and no path of this machine in an answer. */
function leaks(answer: RawAnswer): string | undefined {
  if (answer.body.includes(CANARY)) return 'the canary file';
  if (answer.body.includes(OUTSIDE_RUN)) return 'the run outside the runs directory';
  if (/\n\s+at .+:\d+:\d+/.test(answer.body)) return 'a stack trace';
  if (answer.body.includes(root)) return 'a path of this machine';
  return undefined;
}

beforeAll(async () => {
  // Only the run in `runs/` may be served. Beside it: a real run, a file, and ways to point at them from inside.
  root = mkdtempSync(join(tmpdir(), 'elites-dashboard-http-'));
  mkdirSync(join(root, 'outside'));
  writeFileSync(join(root, 'outside', `${CANARY}.txt`), CANARY);
  const runs = join(root, 'runs');
  await runConfig(kernelConfig(root, { evaluations: 60, name: OUTSIDE_RUN }), join(root, 'outside', 'secret'));
  await runConfig(kernelConfig(root, { evaluations: 60, name: 'first' }), join(runs, 'first'));
  symlinkSync(join(root, 'outside', 'secret'), join(runs, 'link')); // a link out of the runs directory
  cpSync(join(root, 'outside', 'secret'), join(runs, '.hidden'), { recursive: true }); // a dot directory
  mkdirSync(join(runs, 'not-a-run'));
  writeFileSync(join(runs, 'not-a-run', 'store.mdb.txt'), CANARY);
  serve = spawnCli(['serve', '--runs', runs, '--port', '0'], root);
  let out = '';
  serve.child.stdout?.on('data', (b: Buffer) => (out += String(b)));
  port = Number(
    await waitFor(() => /elites dashboard: http:\/\/127\.0\.0\.1:(\d+)\//.exec(out)?.[1], {
      what: 'the dashboard to print its URL',
      timeoutMs: 30_000,
    }),
  );
}, 120_000);

afterAll(async () => {
  serve?.child.kill('SIGINT');
  await serve?.done;
  rmSync(root, { recursive: true, force: true });
});

describe('the dashboard over raw HTTP', () => {
  it('every answer carries CSP with frame-ancestors, X-Frame-Options DENY and nosniff: pages, assets, JSON, events, errors', async () => {
    const cases: [string, string, number][] = [
      ['page', 'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n', 200],
      ['run page', 'GET /runs/first HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n', 200],
      ['asset', 'GET /assets/app.js HTTP/1.1\r\nHost: localhost\r\n\r\n', 200],
      ['JSON', 'GET /api/runs/first HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n', 200],
      ['event stream', 'GET /api/runs/first/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n', 200],
      ['HEAD', 'HEAD /api/runs HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n', 200],
      ['not found', 'GET /nope HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n', 404],
      ['another Host (DNS rebinding)', 'GET /api/runs HTTP/1.1\r\nHost: attacker.example\r\n\r\n', 403],
      ['no Host', 'GET /api/runs HTTP/1.0\r\n\r\n', 400],
      ['no Host, HTTP/1.1', 'GET /api/runs HTTP/1.1\r\n\r\n', 400],
      ['two Hosts', 'GET /api/runs HTTP/1.1\r\nHost: 127.0.0.1\r\nHost: attacker.example\r\n\r\n', 400],
      ['a write', 'POST /api/runs HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 2\r\n\r\n{}', 405],
      ['CONNECT', 'CONNECT 127.0.0.1:22 HTTP/1.1\r\nHost: 127.0.0.1:22\r\n\r\n', 405],
      ['bad %-encoding', 'GET /api/runs/%zz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n', 400],
      ['not HTTP', 'HELLO\r\n\r\n', 400],
      ['headers too large', `GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`, 431],
    ];
    for (const [what, request, status] of cases) {
      const answer = await rawRequest(port, request);
      expect(answer.status, what).toBe(status);
      expectSecurityHeaders(answer, what);
      expect(leaks(answer), what).toBeUndefined();
    }
    const write = await rawRequest(port, 'DELETE /api/runs/first HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    expect(write.headers.allow).toBe('GET, HEAD');
  });

  it('run ids that climb out of the runs directory, sent as written, reach the run-id guard and are refused', async () => {
    // Positive control: the run inside is served, by the same routes.
    expect((await rawGet(port, '/api/runs/first')).status).toBe(200);
    const climbs = [
      '..',
      '../outside/secret',
      '%2e%2e',
      '%2E%2E%2Foutside%2Fsecret',
      '..%2foutside%2fsecret',
      '..%5coutside%5csecret',
      '..\\outside\\secret',
      '%2e%2e%5c%2e%2e%5cetc',
      '.%2e/.%2e/outside/secret',
      '%252e%252e', // double encoding: decoded once, it is the literal id "%2e%2e"
      'link', // a symbolic link out of the runs directory
      '.hidden', // a run, but a dot directory
      'not-a-run',
      '%00',
      'first%00',
    ];
    for (const id of climbs) {
      for (const path of [`/api/runs/${id}`, `/runs/${id}`, `/api/runs/${id}/events`]) {
        const answer = await rawGet(port, path);
        // 404 from the guard (the decoded id named in the API's message), or 400 where Node refuses the request line.
        expect([400, 404], path).toContain(answer.status);
        expect(leaks(answer), path).toBeUndefined();
        expectSecurityHeaders(answer, path);
      }
      // The API's 404 names the id the guard saw: proof that the request reached it undecoded by the client.
      const api = await rawGet(port, `/api/runs/${id}`);
      if (api.status === 404 && !id.includes('/'))
        expect(JSON.parse(chunkedBody(api.body)), id).toEqual({ message: `no run ${decodeURIComponent(id)}` });
    }
    // `..` as whole segments is kept, not resolved: /api/runs/first/.. is not the run list, /runs/../api/runs not the API.
    expect((await rawGet(port, '/api/runs/first/..')).status).toBe(404);
    expect((await rawGet(port, '/runs/../api/runs')).status).toBe(404);
    expect((await rawGet(port, '/assets/..%2f..%2fpackage.json')).status).toBe(404);
    expect((await rawGet(port, '/assets/__proto__')).status).toBe(404);
  });

  it('a seeded fuzz of 3,000 malformed requests: no crash, no 5xx, no stack trace, nothing from outside the runs directory', async () => {
    const rng = SeededRng.fromSeed('dashboard-http-fuzz').next;
    const statuses: Record<string, number> = {};
    const problems: string[] = [];
    const started = performance.now();
    const total = 3000;
    for (let i = 0; i < total; i++) {
      const { request, loopbackHost, what } = fuzzRequest(rng, port);
      const answer = await rawRequest(port, request);
      const key = answer.status === 0 ? (answer.timedOut ? 'timed out' : 'closed') : String(answer.status);
      statuses[key] = (statuses[key] ?? 0) + 1;
      const problem = (text: string): void => void problems.push(`#${i} ${what}: ${text}`);
      if (answer.status === 0) problem(answer.timedOut ? 'no answer in 10 s' : 'closed without an answer');
      else if (answer.status >= 500) problem(`answered ${answer.status}: ${answer.body.slice(0, 200)}`);
      else if (answer.status === 200 && !loopbackHost) problem('answered 200 to a foreign Host');
      const leak = leaks(answer);
      if (leak) problem(`the answer holds ${leak}`);
      if (answer.status !== 0 && answer.headers['x-frame-options'] !== 'DENY') problem('no X-Frame-Options');
      if (answer.status !== 0 && answer.headers['x-content-type-options'] !== 'nosniff')
        problem('no X-Content-Type-Options');
      if (problems.length > 20) break;
    }
    const seconds = (performance.now() - started) / 1000;
    console.info(`dashboard fuzz: ${total} requests in ${seconds.toFixed(1)} s, statuses ${JSON.stringify(statuses)}`);
    expect(problems.join('\n')).toBe('');
    expect(Object.values(statuses).reduce((a, b) => a + b, 0)).toBe(total);
    expect(Object.keys(statuses).filter((s) => !/^[1234]\d\d$/.test(s))).toEqual([]);
    expect(statuses['200']).toBeGreaterThan(0); // the fuzz reached real pages too, not only refusals
    // Still serving, and the process never died.
    expect(serve.child.exitCode).toBeNull();
    expect((await rawGet(port, '/api/runs')).status).toBe(200);
  }, 300_000);
});

/** A chunked body's payload (the dashboard's answers are small: a chunk or two). */
function chunkedBody(body: string): string {
  let out = '';
  let rest = body;
  for (;;) {
    const line = rest.indexOf('\r\n');
    const size = Number.parseInt(rest.slice(0, line), 16);
    if (!(size > 0)) return out || body;
    out += rest.slice(line + 2, line + 2 + size);
    rest = rest.slice(line + 2 + size + 2);
  }
}

const pick = <T>(rng: Rng, items: readonly T[]): T => items[randomInt(rng, items.length)]!;

const ROUTES = ['/', '/runs/first', '/api/runs', '/api/runs/first', '/api/runs/first/events', '/assets/app.js'];
const CLIMBS = [
  '..',
  '%2e%2e',
  '%2E%2e',
  '.%2e',
  '..%2f',
  '%2f',
  '%5c',
  '\\',
  '%00',
  '%c0%ae',
  '%252e',
  'outside',
  'link',
];
const BAD_ENCODINGS = ['%', '%z', '%zz', '%e2%82', '%c0', '%ff%fe', '%%', '%2', '%u002e', '%f0%9f%98'];
const METHODS = [
  'GET',
  'GET',
  'GET',
  'HEAD',
  'POST',
  'PUT',
  'DELETE',
  'PATCH',
  'OPTIONS',
  'TRACE',
  'CONNECT',
  'get',
  'G ET',
  'FOO',
  'GET\u0000',
  'M'.repeat(300),
  '',
];
const VERSIONS = [
  'HTTP/1.1',
  'HTTP/1.1',
  'HTTP/1.1',
  'HTTP/1.0',
  'HTTP/2.0',
  'HTTP/9.9',
  'HTTP/1',
  'http/1.1',
  '',
  'HTTP/1.1 extra',
];
const HOSTS = [
  '127.0.0.1',
  'localhost',
  '[::1]',
  '127.0.0.1:80',
  'attacker.example',
  'localhost.attacker.example',
  '127.0.0.1.nip.io',
  'LOCALHOST',
  '[::1',
  '',
  '127.0.0.1@attacker.example',
  '0x7f.1',
];
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]', '127.0.0.1:80']);

/** One request: a method, a path built from routes, climbs, junk and bad encodings, a version and some headers. */
function fuzzRequest(rng: Rng, port: number): { request: string; loopbackHost: boolean; what: string } {
  // Mostly well-formed request lines, so that most requests get past the parser to the routes and the guards.
  const method = rng() < 0.6 ? pick(rng, ['GET', 'HEAD']) : pick(rng, METHODS);
  let path = pick(rng, ROUTES);
  const mutation = randomInt(rng, 9);
  if (mutation === 1)
    path = `/api/runs/${Array.from({ length: 1 + randomInt(rng, 4) }, () => pick(rng, CLIMBS)).join(pick(rng, ['/', '%2f', '\\']))}`;
  else if (mutation === 2) path = `${path}${path.endsWith('/') ? '' : '/'}${pick(rng, BAD_ENCODINGS)}`;
  else if (mutation === 3)
    path = `/${pick(rng, ['runs', 'api/runs', 'assets'])}/${pick(rng, CLIMBS)}${pick(rng, CLIMBS)}${pick(rng, ['', '/', '/etc/passwd', '/store.mdb'])}`;
  else if (mutation === 4)
    path = pick(rng, ['*', 'http://attacker.example/api/runs', '//attacker.example/api/runs', 'api/runs', '']);
  else if (mutation === 5)
    path = `/${Array.from({ length: randomInt(rng, 40) }, () => String.fromCharCode(randomInt(rng, 256))).join('')}`;
  else if (mutation === 6)
    path = `${path}?${pick(rng, ['a=1', '../..', '%zz', 'x'.repeat(5000)])}#${pick(rng, ['', 'f', '%'])}`;
  else if (mutation === 7) path = `/${'a/'.repeat(randomInt(rng, 2000))}`;
  const host = rng() < 0.7 ? pick(rng, [...LOOPBACK_HOSTS]) : pick(rng, HOSTS);
  const headers: string[] = [];
  const hostChoice = randomInt(rng, 20); // 0: no Host; 19: a second one
  if (hostChoice > 0) headers.push(`Host: ${host}`);
  if (hostChoice === 19) headers.push(`Host: attacker.example`);
  const extra = rng() < 0.5 ? 0 : 1 + randomInt(rng, 7);
  if (extra === 1) headers.push(`X-Big: ${'b'.repeat(4000 + randomInt(rng, 30_000))}`);
  else if (extra === 2) for (let k = 0; k < 200 + randomInt(rng, 2000); k++) headers.push(`X-${k}: ${k}`);
  else if (extra === 3) headers.push('Transfer-Encoding: chunked', 'Content-Length: 5');
  else if (extra === 4) headers.push('Content-Length: -1');
  else if (extra === 5) headers.push('Bad Header Name: x', 'Connection: keep-alive, Upgrade', 'Upgrade: websocket');
  else if (extra === 6) headers.push(`Referer: http://attacker.example:${port}/`, 'Origin: http://attacker.example');
  else if (extra === 7) headers.push('X-Injected: a\r\nHost: attacker.example');
  headers.push('Connection: close');
  const body = extra === 3 ? 'zz\r\nnot-a-chunk\r\n' : '';
  const version = rng() < 0.7 ? 'HTTP/1.1' : pick(rng, VERSIONS);
  const request = `${method} ${path} ${version}\r\n${headers.join('\r\n')}\r\n\r\n${body}`;
  // Only a loopback Host given alone may be answered with a page (a missing or second Host must not be).
  const loopbackHost = hostChoice > 0 && hostChoice < 19 && LOOPBACK_HOSTS.has(host) && extra !== 7;
  return {
    request,
    loopbackHost,
    what: `${method.slice(0, 12)} ${path.slice(0, 60)} ${version} (host ${hostChoice > 0 ? host : 'none'}, extra ${extra})`,
  };
}
