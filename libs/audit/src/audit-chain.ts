import { createHash } from 'node:crypto';

/** What the chain's first record names as its predecessor. */
export const GENESIS_HASH = '0'.repeat(64);

/** An audit record before it is chained and stored. */
export interface AuditEntry {
  id: string;
  occurredAt: Date;
  requestId: string | null;
  actor: string;
  tokenId: string | null;
  ip: string | null;
  method: string | null;
  route: string | null;
  path: string | null;
  status: number | null;
  /** Milliseconds with exactly three decimals, as `numeric(12,3)` returns it. */
  durationMs: string | null;
  userAgent: string | null;
  event: string;
  detail: Record<string, unknown> | null;
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value as Record<string, unknown>)
        .sort()
        .map((key) => [key, sortKeys((value as Record<string, unknown>)[key])]),
    );
  }
  return value;
}

/**
 * The canonical form a hash covers: a JSON array in a fixed field order, `detail` with
 * sorted keys (jsonb does not keep key order), timestamps in ISO form at millisecond
 * precision, the duration as its stored decimal string. A row read back from Postgres
 * yields the same string as the entry that was written.
 */
export function canonicalContent(entry: AuditEntry): string {
  return JSON.stringify([
    entry.id,
    entry.occurredAt.toISOString(),
    entry.requestId,
    entry.actor,
    entry.tokenId,
    entry.ip,
    entry.method,
    entry.route,
    entry.path,
    entry.status,
    entry.durationMs === null ? null : Number(entry.durationMs).toFixed(3),
    entry.userAgent,
    entry.event,
    entry.detail === null ? null : sortKeys(entry.detail),
  ]);
}

/** SHA-256 over the predecessor's hash and this record's canonical content (hex). */
export function chainHash(prevHash: string, entry: AuditEntry): string {
  return createHash('sha256').update(prevHash).update('\n').update(canonicalContent(entry)).digest('hex');
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
// eslint-disable-next-line no-control-regex -- NUL is exactly what must go
const NUL = /\u0000/g;

/**
 * Postgres text refuses NUL bytes and jsonb refuses lone surrogates: one such value from a
 * client would make its whole batch fail forever, so strings are made storable first.
 */
export function storableString(value: string, maxLength: number): string {
  return value.replace(NUL, '').slice(0, maxLength).replace(LONE_SURROGATE, '\ufffd');
}

const SECRET_KEY = /pass(word)?|secret|token|authori[sz]ation|cookie|api[-_]?key|credential/i;

/** Leaves safe keys (`token_id`, `jti`) alone; censors anything that names a secret. */
function isSecretKey(key: string): boolean {
  if (key === 'token_id' || key === 'tokenId' || key === 'jti') return false;
  return SECRET_KEY.test(key);
}

/** Detail objects are free-form: drop secret-named keys, make strings storable, bound depth. */
export function storableDetail(detail: Record<string, unknown> | undefined | null): Record<string, unknown> | null {
  if (!detail) return null;
  const clean = (value: unknown, depth: number): unknown => {
    if (typeof value === 'string') return storableString(value, 1024);
    if (typeof value === 'number') return Number.isFinite(value) ? value : null;
    if (typeof value === 'boolean' || value === null) return value;
    if (value instanceof Date) return value.toISOString();
    if (depth >= 4) return null;
    if (Array.isArray(value)) return value.slice(0, 50).map((v) => clean(v, depth + 1));
    if (typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const [key, v] of Object.entries(value as Record<string, unknown>).slice(0, 50)) {
        if (v === undefined) continue;
        out[storableString(key, 64)] = isSecretKey(key) ? '[redacted]' : clean(v, depth + 1);
      }
      return out;
    }
    return null;
  };
  return clean(detail, 0) as Record<string, unknown>;
}
