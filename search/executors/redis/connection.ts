// Redis connections for the main process and `elites worker`: URL checks, redaction, fail fast on the first connect,
// reconnect for ever afterwards (a Redis restart mid-run must not end the run).
import { Redis } from 'ioredis';
import { UsageError } from '../../../core/errors.js';

/**
 * A `redis://` or `rediss://` URL, or `$NAME` for one held in that environment variable (secrets stay out of configs).
 * @throws {UsageError} (exit 2) naming `field` and the fix.
 */
export function resolveRedisUrl(value: string, field: string): string {
  let url = value;
  if (value.startsWith('$')) {
    const name = value.slice(1);
    url = process.env[name] ?? '';
    if (url === '')
      throw new UsageError(
        `${field} is ${value}, but the environment variable ${name} is not set`,
        `Set ${name} to the Redis URL (e.g. redis://:PASSWORD@HOST:6379) in this environment.`,
      );
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(
      `${field}: ${redact(url)} is not a URL`,
      'Give redis://[:PASSWORD@]HOST[:PORT][/DB] or rediss://… for TLS.',
    );
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new UsageError(
      `${field}: ${redact(url)} is not a Redis URL (scheme ${parsed.protocol})`,
      'Give redis://[:PASSWORD@]HOST[:PORT][/DB] or rediss://… for TLS.',
    );
  }
  return url;
}

/** The URL with its password (and user) replaced, for messages and logs. */
export function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password !== '') u.password = '***';
    return u.toString().replace(/\/$/, '');
  } catch {
    return url.replace(/\/\/[^@/]*@/, '//***@');
  }
}

/** How long the first connection may take before the run (or worker) gives up with a message. */
const FIRST_CONNECT_MS = 5000;

/**
 * A connected client. Commands wait through later disconnections (`maxRetriesPerRequest: null`, as BullMQ requires)
 * and ioredis reconnects with backoff; only the first connection must succeed within a few seconds.
 * @throws {UsageError} (exit 2) naming the (redacted) URL and the cause when Redis cannot be reached.
 */
export async function connectRedis(url: string, name: string, field: string): Promise<Redis> {
  const client = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: null,
    connectionName: name,
    connectTimeout: FIRST_CONNECT_MS,
    retryStrategy: (times) => Math.min(100 * times, 2000),
  });
  let lastError = '';
  const noteError = (error: Error): void => void (lastError = error.message);
  client.on('error', noteError); // ioredis logs unhandled 'error' events; reconnects report here
  try {
    await withTimeout(
      client.connect().then(() => client.ping()),
      FIRST_CONNECT_MS + 500,
    );
  } catch (error) {
    client.disconnect();
    const cause = lastError || (error instanceof Error ? error.message : String(error));
    throw new UsageError(
      `cannot reach Redis at ${redact(url)} (${field}): ${cause}`,
      /NOAUTH|WRONGPASS|invalid password|AUTH/i.test(cause)
        ? 'The server wants a password: put it in the URL (redis://:PASSWORD@HOST:6379) or use $ENV_VAR.'
        : 'Check the host and port, that redis-server is running and accepts connections from this machine (bind, firewall), and the scheme (rediss:// for TLS).',
    );
  }
  return client;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>(
      (_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${ms / 1000} s`)), ms)),
    ),
  ]).finally(() => clearTimeout(timer));
}
