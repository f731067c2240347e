// Raw HTTP/1.1 over a TCP socket, for tests that must send a request exactly as written: `fetch`, `new URL` and
// `http.request(url)` resolve `..`, turn `\` into `/` and re-encode paths before anything is sent.
import { connect } from 'node:net';

export interface RawAnswer {
  /** 0 when the server closed the connection (or the time ran out) without a status line. */
  readonly status: number;
  /** Lower-case names; a repeated header keeps its last value. */
  readonly headers: Readonly<Record<string, string>>;
  /** Everything after the headers, as received (a chunked body keeps its framing). */
  readonly body: string;
  /** The time ran out before the server closed the connection (an event stream is cut once its headers came). */
  readonly timedOut: boolean;
}

/**
 * Sends `request` (bytes as given) to 127.0.0.1:`port`, half-closes, and reads the answer until the server closes
 * the connection. An event stream is read only up to its headers.
 */
export function rawRequest(port: number, request: string | Buffer, timeoutMs = 10_000): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1' });
    const chunks: Buffer[] = [];
    let settled = false;
    const finish = (timedOut: boolean): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ ...parseAnswer(Buffer.concat(chunks).toString('latin1')), timedOut });
    };
    const timer = setTimeout(() => finish(true), timeoutMs);
    socket.on('connect', () => socket.end(request));
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      const head = Buffer.concat(chunks).toString('latin1');
      if (/\r\ncontent-type: text\/event-stream/i.test(head.split('\r\n\r\n', 1)[0] ?? '') && head.includes('\r\n\r\n'))
        finish(false);
    });
    socket.on('end', () => finish(false));
    socket.on('close', () => finish(false));
    socket.on('error', (error: NodeJS.ErrnoException) => {
      // The server may reset a connection it refused after answering: what arrived is the answer.
      if (error.code === 'ECONNRESET' || error.code === 'EPIPE') finish(false);
      else if (!settled) {
        settled = true;
        clearTimeout(timer);
        reject(error);
      }
    });
  });
}

/** A GET of `path` as written, with a loopback Host and `Connection: close`. */
export function rawGet(port: number, path: string, headers: Record<string, string> = {}): Promise<RawAnswer> {
  const lines = Object.entries({ host: `127.0.0.1:${port}`, connection: 'close', ...headers }).map(
    ([k, v]) => `${k}: ${v}`,
  );
  return rawRequest(port, `GET ${path} HTTP/1.1\r\n${lines.join('\r\n')}\r\n\r\n`);
}

function parseAnswer(text: string): Omit<RawAnswer, 'timedOut'> {
  const end = text.indexOf('\r\n\r\n');
  const head = end >= 0 ? text.slice(0, end) : text;
  const [statusLine = '', ...lines] = head.split('\r\n');
  const status = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1];
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { status: status ? Number(status) : 0, headers, body: end >= 0 ? text.slice(end + 4) : '' };
}
