// `elites serve`: a read-only local dashboard over a directory of runs (node:http, server-sent events for live runs).
import { existsSync, lstatSync, readdirSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { join, resolve } from 'node:path';
import { UsageError } from '../core/errors.js';
import { assetText, type AssetName } from './assets.js';
import { dashboardCsp, dashboardHtml } from './html.js';
import { probeRun } from './probe.js';
import { readSnapshot, type SnapshotOptions } from './snapshot.js';
import type { RunProbe } from './snapshot-types.js';

export interface DashboardOptions {
  /** The directory whose sub-directories are runs (default `runs`). */
  readonly runsDir?: string;
  /** Default 127.0.0.1: only this machine can connect. */
  readonly host?: string;
  /** 0 picks a free port. Default 8080. */
  readonly port?: number;
  /** How often a live run page checks its run for new events, and the least time between two snapshots of a running run (default 1,000 ms). */
  readonly pollMs?: number;
  readonly snapshot?: SnapshotOptions;
}

export interface Dashboard {
  readonly url: string;
  readonly port: number;
  /** Snapshots built so far (for tests: the dashboard really read the run). */
  readonly builds: number;
  close(): Promise<void>;
}

interface CachedSnapshot {
  readonly version: string;
  readonly json: string;
  readonly status: string;
  readonly builtAt: number;
  readonly buildMs: number;
}

// A Map, not an object: a path segment such as `__proto__` or `constructor` must not find anything.
const ASSETS = new Map<string, { name: AssetName; type: string }>([
  ['app.js', { name: 'app.js', type: 'text/javascript; charset=utf-8' }],
  ['style.css', { name: 'style.css', type: 'text/css; charset=utf-8' }],
  ['echarts.min.js', { name: 'echarts.min.js', type: 'text/javascript; charset=utf-8' }],
]);
const RUN_ID = /^[\w-][\w.-]*$/; // a directory name under the runs dir: no separators, no leading dot
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

/**
 * Starts the dashboard. It only reads: every look at a run opens its store read-only (LMDB readers never block the
 * writer), reads, and closes it; one look at a time, and a live run's snapshot is rebuilt at most every
 * max(pollMs, 2 × its build time), so a dashboard cannot slow a search by more than a reader's share of the machine.
 * @throws {UsageError} when the runs directory does not exist or the port cannot be bound.
 */
export async function startDashboard(options: DashboardOptions = {}): Promise<Dashboard> {
  const runsDir = resolve(options.runsDir ?? 'runs');
  if (!existsSync(runsDir) || !statSync(runsDir).isDirectory()) {
    throw new UsageError(
      `no runs directory at ${options.runsDir ?? 'runs'}`,
      'Pass --runs DIR, the directory that holds your run directories (runs/ by default).',
    );
  }
  const host = options.host ?? '127.0.0.1';
  const pollMs = options.pollMs ?? 1000;
  const cache = new Map<string, CachedSnapshot>();
  const building = new Map<string, Promise<CachedSnapshot>>();
  const streams = new Set<ServerResponse>();
  let builds = 0;

  // One store open at a time: lmdb-js shares one environment per file in a process, so opens and closes of the
  // same run must not interleave.
  let tail: Promise<unknown> = Promise.resolve();
  const serial = <T>(work: () => Promise<T>): Promise<T> => {
    const next = tail.then(work, work);
    tail = next.catch(() => undefined);
    return next;
  };

  // A run is a real directory of the runs directory (not a link out of it), as the list shows them.
  const runDir = (id: string): string | undefined => {
    if (!RUN_ID.test(id)) return undefined;
    const dir = join(runsDir, id);
    return isRunDir(dir) ? dir : undefined;
  };

  const listRunDirs = (): string[] =>
    readdirSync(runsDir, { withFileTypes: true })
      .filter((d) => d.isDirectory() && RUN_ID.test(d.name) && isRunDir(join(runsDir, d.name)))
      .map((d) => join(runsDir, d.name))
      .map((dir) => ({ dir, started: startedAt(dir) }))
      .sort((a, b) => b.started - a.started || a.dir.localeCompare(b.dir))
      .map((r) => r.dir);

  const build = (id: string, dir: string): Promise<CachedSnapshot> => {
    let pending = building.get(id);
    if (!pending) {
      pending = serial(async () => {
        const started = performance.now();
        const snapshot = await readSnapshot(dir, options.snapshot);
        builds++;
        const entry = {
          version: `${snapshot.seq}:${snapshot.status}`,
          json: JSON.stringify(snapshot),
          status: snapshot.status,
          builtAt: Date.now(),
          buildMs: performance.now() - started,
        };
        cache.set(id, entry);
        return entry;
      }).finally(() => building.delete(id));
      building.set(id, pending);
    }
    return pending;
  };

  /** The run's snapshot, rebuilt only when its log or status changed (and, for a live run, not too often). */
  const snapshotOf = async (id: string, dir: string): Promise<CachedSnapshot> => {
    const probe = await serial(() => probeRun(dir));
    if (probe.status === 'unreadable') throw new UsageError(probe.error ?? `${id} cannot be read`);
    const cached = cache.get(id);
    if (cached && cached.version === probe.version) return cached;
    if (cached && probe.status === 'running' && Date.now() - cached.builtAt < Math.max(pollMs, 2 * cached.buildMs))
      return cached;
    return build(id, dir);
  };

  const stream = (req: IncomingMessage, res: ServerResponse, id: string, dir: string): void => {
    res.writeHead(200, { ...headers('text/event-stream; charset=utf-8'), connection: 'keep-alive' });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    res.write('retry: 2000\n\n');
    streams.add(res);
    let sent = '';
    let busy = false;
    const tick = async (): Promise<void> => {
      if (busy || res.writableEnded) return;
      busy = true;
      try {
        const s = await snapshotOf(id, dir);
        if (s.version !== sent && !res.writableEnded) {
          sent = s.version;
          res.write(`event: snapshot\ndata: ${s.json}\n\n`);
        }
      } catch (error) {
        if (!res.writableEnded)
          res.write(`event: problem\ndata: ${JSON.stringify({ message: (error as Error).message })}\n\n`);
      } finally {
        busy = false;
      }
    };
    void tick();
    const poll = setInterval(() => void tick(), pollMs);
    const ping = setInterval(() => res.writableEnded || res.write(': ping\n\n'), 15_000);
    const stop = (): void => {
      clearInterval(poll);
      clearInterval(ping);
      streams.delete(res);
    };
    req.on('close', stop);
    res.on('close', stop);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return send(res, 405, 'text/plain; charset=utf-8', 'read-only: GET only\n', { allow: 'GET, HEAD' });
    // One Host, as HTTP/1.1 requires (Node would keep the first of several and drop the rest unseen).
    if (req.headersDistinct.host?.length !== 1)
      return send(res, 400, 'text/plain; charset=utf-8', 'a request needs one Host header\n');
    // Bound to loopback, answer only loopback names: a web page cannot reach the dashboard by DNS rebinding.
    if (LOOPBACK.has(host) && !LOOPBACK.has(hostName(req.headers.host)))
      return send(res, 403, 'text/plain; charset=utf-8', 'forbidden host\n');
    const parts = pathSegments(req.url ?? '/');
    if (parts === undefined) return send(res, 400, 'text/plain; charset=utf-8', 'bad request path\n');
    if (parts.length === 0) return send(res, 200, 'text/html; charset=utf-8', dashboardHtml({ mode: 'runs' }, 'runs'));
    const asset = parts[0] === 'assets' && parts.length === 2 ? ASSETS.get(parts[1]!) : undefined;
    if (asset) return send(res, 200, asset.type, assetText(asset.name));
    if (parts[0] === 'runs' && parts.length === 2) {
      const dir = runDir(parts[1]!);
      if (!dir) return send(res, 404, 'text/plain; charset=utf-8', 'no such run\n');
      return send(res, 200, 'text/html; charset=utf-8', dashboardHtml({ mode: 'run', run: parts[1]! }, parts[1]!));
    }
    if (parts[0] === 'api' && parts[1] === 'runs') {
      if (parts.length === 2) {
        const runs: RunProbe[] = [];
        for (const dir of listRunDirs()) {
          const probe = await serial(() => probeRun(dir));
          runs.push(probe);
        }
        return send(res, 200, 'application/json', JSON.stringify(runs));
      }
      const dir = runDir(parts[2]!);
      if (!dir) return send(res, 404, 'application/json', JSON.stringify({ message: `no run ${parts[2]!}` }));
      if (parts.length === 3) return send(res, 200, 'application/json', (await snapshotOf(parts[2]!, dir)).json);
      if (parts.length === 4 && parts[3] === 'events') return stream(req, res, parts[2]!, dir);
    }
    return send(res, 404, 'text/plain; charset=utf-8', 'not found\n');
  };

  // (requireHostHeader: false, so that a request without Host gets its 400 here, with this server's headers.)
  const server = createServer({ requireHostHeader: false }, (req, res) => {
    handle(req, res).catch((error: unknown) => {
      // The message only (a run that cannot be read says why), never a stack.
      if (!res.headersSent) send(res, 500, 'application/json', JSON.stringify({ message: (error as Error).message }));
      else res.end();
    });
  });
  server.on('clientError', refuseMalformed);
  // CONNECT (a proxy's tunnel) bypasses the request handler; unanswered, Node would just drop the connection.
  server.on('connect', (_req: IncomingMessage, socket: Socket) => answerRaw(socket, '405 Method Not Allowed'));
  await new Promise<void>((resolveListen, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE' || error.code === 'EACCES' || error.code === 'EADDRNOTAVAIL'
          ? new UsageError(
              `cannot listen on ${host}:${options.port ?? 8080}: ${error.message}`,
              'Pass another --port (0 picks a free one) or --host.',
            )
          : error,
      ),
    );
    server.listen(options.port ?? 8080, host, () => resolveListen());
  });
  const port = (server.address() as AddressInfo).port;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${port}/`,
    port,
    get builds() {
      return builds;
    },
    async close() {
      for (const res of streams) res.end();
      streams.clear();
      await new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
      });
      await tail; // let a store that is open finish and close
    },
  };
}

/**
 * The headers of every answer: no caching, no type sniffing (a JSON body holding names from a config is never
 * rendered as HTML), the page's CSP, and no framing by another page (clickjacking).
 */
function headers(type: string): OutgoingHttpHeaders {
  return {
    'content-type': type,
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'content-security-policy': dashboardCsp('header'),
    'referrer-policy': 'no-referrer',
  };
}

function send(res: ServerResponse, status: number, type: string, body: string, extra: OutgoingHttpHeaders = {}): void {
  res.writeHead(status, { ...headers(type), ...extra });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

/**
 * A request node:http cannot parse (unknown method, headers over its limit, bad syntax) gets what Node would answer
 * (431, 413, 408 or 400), with the same headers as every other answer, and the connection is closed.
 */
function refuseMalformed(error: NodeJS.ErrnoException, socket: Socket): void {
  // (An answer already under way on this connection cannot be followed by another: just close it, as Node does.)
  const answering = (socket as Socket & { _httpMessage?: ServerResponse | null })._httpMessage;
  if (!socket.writable || error.code === 'ECONNRESET' || answering?.headersSent) return void socket.destroy();
  answerRaw(
    socket,
    error.code === 'HPE_HEADER_OVERFLOW'
      ? '431 Request Header Fields Too Large'
      : error.code === 'HPE_CHUNK_EXTENSIONS_OVERFLOW'
        ? '413 Payload Too Large'
        : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? '408 Request Timeout'
          : '400 Bad Request',
  );
}

/** An answer written on the socket itself (no response object exists there), with every answer's headers; then closed. */
function answerRaw(socket: Socket, status: string): void {
  const body = `${status.slice(4).toLowerCase()}\n`;
  const lines = Object.entries({
    ...headers('text/plain; charset=utf-8'),
    ...(status.startsWith('405') ? { allow: 'GET, HEAD' } : {}),
    'content-length': Buffer.byteLength(body),
    connection: 'close',
  }).map(([k, v]) => `${k}: ${String(v)}`);
  socket.end(`HTTP/1.1 ${status}\r\n${lines.join('\r\n')}\r\n\r\n${body}`);
}

/**
 * The decoded segments of a request path (query and fragment dropped; empty segments skipped), or undefined for a
 * target that is not a path (absolute form, `*`) or holds invalid percent-encoding. Read as sent: no `..` or `\`
 * is resolved, so a run id is exactly the segment (RUN_ID then refuses any separator or leading dot).
 */
function pathSegments(target: string): string[] | undefined {
  if (!target.startsWith('/')) return undefined;
  const path = target.split(/[?#]/, 1)[0] ?? '';
  try {
    return path.split('/').filter(Boolean).map(decodeURIComponent);
  } catch {
    return undefined; // URIError: malformed %-encoding
  }
}

function isRunDir(dir: string): boolean {
  try {
    return lstatSync(dir).isDirectory() && existsSync(join(dir, 'store.mdb'));
  } catch {
    return false;
  }
}

function hostName(header: string | undefined): string {
  if (!header) return '';
  if (header.startsWith('[')) return header.slice(0, header.indexOf(']') + 1);
  return header.split(':')[0] ?? '';
}

function startedAt(dir: string): number {
  for (const file of ['config.json', 'store.mdb']) {
    try {
      return statSync(join(dir, file)).mtimeMs;
    } catch {
      // not written yet
    }
  }
  return 0;
}
