// The dashboard server without a browser: its API, what it refuses, the CLI's start and Ctrl-C, and that a run it
// watches while it is being written ends with the same archive as the same run without it.
import { mkdirSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startDashboard, type Dashboard } from '../../report/server.js';
import type { ReportSnapshot, RunProbe } from '../../report/snapshot-types.js';
import { spawnCli } from '../helpers/cli.js';
import { useRunFiles } from '../helpers/files.js';
import { rawGet } from '../helpers/http.js';
import { elitesOf } from '../helpers/runs.js';
import { EvaluationGate, kernelConfig, runConfig } from './helpers.js';

const open: Dashboard[] = [];
afterEach(async () => {
  for (const d of open.splice(0)) await d.close();
});
async function dashboard(runsDir: string, pollMs = 1000): Promise<Dashboard> {
  const d = await startDashboard({ runsDir, port: 0, pollMs });
  open.push(d);
  return d;
}

/** A raw GET (node:http, so the Host header can be anything). */
function get(
  url: string,
  headers: Record<string, string> = {},
  method = 'GET',
): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += String(d)));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type'] ?? ''), body }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

/** Reads a server-sent event stream until `until` says stop; returns the snapshots it carried. */
async function followRun(
  url: string,
  until: (s: ReportSnapshot) => boolean,
  timeoutMs: number,
): Promise<ReportSnapshot[]> {
  const seen: ReportSnapshot[] = [];
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), timeoutMs);
  try {
    const response = await fetch(url, { signal: abort.signal });
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const message = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (!message.startsWith('event: snapshot\n')) continue;
        const snapshot = JSON.parse(message.slice(message.indexOf('data: ') + 6)) as ReportSnapshot;
        seen.push(snapshot);
        if (until(snapshot)) return seen;
      }
    }
  } catch (error) {
    if (!abort.signal.aborted) throw error;
  } finally {
    clearTimeout(timer);
    abort.abort();
  }
  return seen;
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('elites serve', () => {
  it('lists runs, serves a run snapshot and the pages, binds loopback and refuses what it should', async () => {
    const dir = useRunFiles();
    const runs = join(dir, 'runs');
    await runConfig(kernelConfig(dir, { evaluations: 300 }), join(runs, 'first'));
    mkdirSync(join(runs, 'not-a-run'));
    const d = await dashboard(runs);
    expect(d.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);

    const list = JSON.parse((await get(`${d.url}api/runs`)).body) as RunProbe[];
    expect(list).toHaveLength(1); // the directory without a store is not a run
    expect(list[0]).toMatchObject({
      id: 'first',
      name: 'toy-kernel',
      status: 'done',
      proposals: 300,
      budget: { evaluations: 300 },
    });
    expect(list[0]!.best).toBeGreaterThan(0);

    const snapshot = JSON.parse((await get(`${d.url}api/runs/first`)).body) as ReportSnapshot;
    expect(snapshot).toMatchObject({ runId: 'first', status: 'done', seq: 299 });
    expect(snapshot.map.filled.length).toBe(snapshot.summary.size);
    expect(d.builds).toBe(1);
    await get(`${d.url}api/runs/first`);
    expect(d.builds).toBe(1); // unchanged run: the cached snapshot

    const page = await get(`${d.url}runs/first`);
    expect(page.status).toBe(200);
    expect(page.body).toMatch(/"mode":"run","run":"first"/);
    expect((await get(d.url)).body).toMatch(/<script src="\/assets\/app\.js"><\/script>/);
    expect((await get(`${d.url}assets/echarts.min.js`)).type).toMatch(/^text\/javascript/);

    expect((await get(`${d.url}runs/nope`)).status).toBe(404);
    // Sent as written over a socket (a URL parser would resolve `..` before sending): the server's run-id guard sees
    // each id and refuses it by name. test/security/dashboard-http.test.ts tries many more.
    for (const id of ['..', '%2e%2e', '%2e%2e%2fetc', '..%2f..%2fetc']) {
      const r = await rawGet(d.port, `/api/runs/${id}`);
      expect(r.status, id).toBe(404);
      expect(r.body, id).toContain(`"no run ${decodeURIComponent(id)}"`);
    }
    expect((await get(`${d.url}api/runs/not-a-run`)).status).toBe(404);
    expect((await get(`${d.url}api/runs`, {}, 'POST')).status).toBe(405);
    expect((await get(`${d.url}api/runs`, { host: 'attacker.example:80' })).status).toBe(403); // DNS rebinding
  });

  it('a run written while the dashboard follows it ends with the same archive as without the dashboard', async () => {
    const dir = useRunFiles();
    const runs = join(dir, 'runs');
    mkdirSync(runs);
    // Same seed, one evaluation at a time: deterministic. The test paces the watched run (EvaluationGate): it stands
    // still after 50 evaluations until the dashboard has sent a snapshot of it, then after 150 until a newer one came.
    await runConfig(kernelConfig(dir, { evaluations: 1500, name: 'reference' }), join(dir, 'reference'));
    const d = await dashboard(runs, 100);
    const gate = new EvaluationGate(join(dir, 'watched-gate'));
    gate.allow(50);
    const run = spawnCli(
      ['run', kernelConfig(dir, { evaluations: 1500, name: 'watched', gate }), '--out', join(runs, 'watched')],
      dir,
    );
    let seen: ReportSnapshot[];
    try {
      await waitFor('the run to be listed', async () => {
        const list = JSON.parse((await get(`${d.url}api/runs`)).body) as RunProbe[];
        return list.find((r) => r.id === 'watched' && r.status === 'running') ? true : undefined;
      });
      let firstSeq: number | undefined;
      seen = await followRun(
        `${d.url}api/runs/watched/events`,
        (s) => {
          if (s.status === 'running' && s.seq >= 0 && firstSeq === undefined) {
            firstSeq = s.seq;
            gate.allow(150);
          } else if (s.status === 'running' && firstSeq !== undefined && s.seq > firstSeq) gate.allow(Infinity);
          return s.status !== 'running';
        },
        30_000,
      );
    } finally {
      gate.allow(Infinity); // never leave the child waiting
    }
    const result = await run.done;
    expect(result.code, result.stderr).toBe(0);

    const live = seen.filter((s) => s.status === 'running');
    expect(live.length, 'snapshots taken while the run was being written').toBeGreaterThanOrEqual(2);
    expect(new Set(live.map((s) => s.seq)).size).toBe(live.length); // each one newer
    for (const s of seen) {
      // Consistent however far the writer had got: the map, the counters and the buckets describe one log prefix.
      expect(s.map.filled.length).toBe(s.summary.size);
      expect(s.summary.proposals).toBe(s.seq + 1);
      expect(s.timeline.reduce((n, b) => n + b.evaluated + b.keyHits + b.fingerprintHits + b.failures, 0)).toBe(
        s.summary.proposals,
      );
    }
    expect(seen.at(-1)).toMatchObject({ status: 'done', seq: 1499 });
    expect(await elitesOf(join(runs, 'watched'))).toEqual(await elitesOf(join(dir, 'reference')));
  });

  it('the CLI prints the URL, serves, and stops cleanly on Ctrl-C', async () => {
    const dir = useRunFiles();
    const runs = join(dir, 'runs');
    mkdirSync(runs);
    const serve = spawnCli(['serve', '--runs', runs, '--port', '0'], dir);
    let out = '';
    serve.child.stdout?.on('data', (b: Buffer) => (out += String(b)));
    const url = await waitFor('the URL', async () => /elites dashboard: (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out)?.[1]);
    expect(JSON.parse((await get(`${url}api/runs`)).body)).toEqual([]);
    serve.child.kill('SIGINT');
    const r = await serve.done;
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/dashboard stopped/);
  });
});
