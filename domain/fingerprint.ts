/**
 * A short deterministic fingerprint of a JSON value (FNV-1a over key-sorted
 * JSON). It tells whether a retried request carries the same body as the
 * first one with that idempotency key; it is not a security hash.
 */
export function fingerprint(value: unknown): string {
  const text = canonicalJson(value);
  let hash = 0x811c9dc5;
  let hash2 = 0x01000193;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    hash = Math.imul(hash ^ c, 0x01000193) >>> 0;
    hash2 = Math.imul(hash2 ^ c, 0x5bd1e995) >>> 0;
  }
  return `${hash.toString(16).padStart(8, '0')}${hash2.toString(16).padStart(8, '0')}`;
}

/** Key-sorted JSON without undefined members: the same value always gives the same text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
