import { createHash, createHmac } from 'node:crypto';

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

/** How a link was computed (`audit_records.chain_alg`). */
export type ChainAlgorithm = 'sha256' | 'hmac-sha256';
/** Links written before the chain was keyed: plain SHA-256, anyone can recompute them. */
export const LEGACY_CHAIN_ALG: ChainAlgorithm = 'sha256';
export const CHAIN_ALG: ChainAlgorithm = 'hmac-sha256';

/** The unkeyed link of records written before the chain was keyed (hex). */
export function legacyChainHash(prevHash: string, entry: AuditEntry): string {
  return createHash('sha256').update(prevHash).update('\n').update(canonicalContent(entry)).digest('hex');
}

/**
 * The chain's key (AUDIT_HMAC_KEY). A link is HMAC-SHA256 over the predecessor's link and
 * the record's canonical content: whoever can write the table but does not hold the key
 * cannot compute a link, so an edited, inserted or deleted record cannot be re-chained.
 */
export class AuditChainKey {
  /** Names the key in each record (`key_id`) without revealing it: a key change is then told from tampering. */
  readonly id: string;

  constructor(private readonly secret: string) {
    this.id = this.mac('transparency-api audit key id').slice(0, 16);
  }

  /** The keyed link of `entry` after `prevHash` (hex). */
  link(prevHash: string, entry: AuditEntry): string {
    return this.mac(`${prevHash}\n${canonicalContent(entry)}`);
  }

  /** A keyed tag over small facts the verifier keeps (its checkpoint, the legacy boundary). */
  tag(...parts: readonly string[]): string {
    return this.mac(parts.join('\n'));
  }

  /**
   * A stable pseudonym of a value that must not be stored (a username typed at a failed
   * login may be a password): equal inputs give equal fingerprints, nothing gives the input back.
   */
  fingerprint(value: string): string {
    return this.mac(`fingerprint\n${value}`).slice(0, 16);
  }

  private mac(data: string): string {
    return createHmac('sha256', this.secret).update(data, 'utf8').digest('hex');
  }
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

/** Keys whose value is a secret whatever its type (a numeric PIN is still a password). */
const ALWAYS_SECRET = /pass(word)?|secret|authori[sz]ation|cookie|api[-_]?key|credential/i;
/** Keys about tokens: the token itself is secret; its id, or a count of tokens, is not. */
const TOKEN_KEY = /token/i;
const ID_KEY = /(^|_)(id|ids|jti)$|^tokenId$/i;

/**
 * Redaction removes secret values, never counts or ids: `password` and `Authorization` are
 * always censored, `refresh_token: "eyJ..."` too, while `token_id` and
 * `revoked_access_tokens: 2` (a count) stay readable.
 */
function isSecretValue(key: string, value: unknown): boolean {
  if (ALWAYS_SECRET.test(key)) return true;
  if (!TOKEN_KEY.test(key) || ID_KEY.test(key)) return false;
  return typeof value !== 'number' && typeof value !== 'boolean' && value !== null;
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
        out[storableString(key, 64)] = isSecretValue(key, v) ? '[redacted]' : clean(v, depth + 1);
      }
      return out;
    }
    return null;
  };
  return clean(detail, 0) as Record<string, unknown>;
}
