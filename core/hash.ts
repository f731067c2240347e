// Canonical form → key: stable JSON (sorted keys) hashed with SHA-1, so keys agree across runs and machines.
import { hash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** JSON with object keys sorted at every level; typed arrays become plain arrays. */
export function stableStringify(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    return stableStringify(Array.from(value as unknown as ArrayLike<number>));
  }
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableStringify(v)}`).join(',')}}`;
}

/** SHA-1 hex of a string or bytes. */
export function hashString(text: string | Uint8Array): string {
  return hash('sha1', text, 'hex'); // one-shot: ~1.8× faster than createHash for short inputs
}

/** Key of any JSON-like canonical form. */
export function hashCanonical(value: unknown): string {
  return hashString(stableStringify(value));
}

/** Key of raw bytes of a typed array (fast path for bit strings and real vectors). */
export function hashBytes(view: ArrayBufferView): string {
  return hashString(new Uint8Array(view.buffer, view.byteOffset, view.byteLength));
}

/** SHA-1 of a file's bytes, or of a directory's files (relative paths and contents, in sorted order); undefined when absent. */
export function contentHash(path: string): string | undefined {
  try {
    const stat = statSync(path);
    if (!stat.isDirectory()) return hashString(readFileSync(path));
    const entries = readdirSync(path, { recursive: true, encoding: 'utf8' }).sort();
    const parts = entries.flatMap((relative) => {
      const full = join(path, relative);
      return statSync(full).isFile() ? [`${relative}\0${hashString(readFileSync(full))}`] : [];
    });
    return hashCanonical(parts);
  } catch {
    return undefined;
  }
}
