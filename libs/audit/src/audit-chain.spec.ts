import {
  AuditChainKey,
  type AuditEntry,
  canonicalContent,
  GENESIS_HASH,
  legacyChainHash,
  storableDetail,
  storableString,
} from './audit-chain';

const entry = (over: Partial<AuditEntry> = {}): AuditEntry => ({
  id: '6f1c2d3e-0000-4000-8000-000000000001',
  occurredAt: new Date('2026-11-28T12:00:00.123Z'),
  requestId: 'r-1',
  actor: 'anonymous',
  tokenId: null,
  ip: '127.0.0.1',
  method: 'GET',
  route: '/api/v1/trades/:id',
  path: '/api/v1/trades/1',
  status: 200,
  durationMs: '1.250',
  userAgent: 'ua',
  event: 'http.request',
  detail: { b: 1, a: { d: 2, c: 3 } },
  ...over,
});

const key = new AuditChainKey('k'.repeat(40));
const chainHash = (prev: string, e: AuditEntry): string => key.link(prev, e);

describe('audit hash chain', () => {
  it('hashes the same content identically whatever the key order of detail (jsonb reorders keys)', () => {
    const reordered = entry({ detail: { a: { c: 3, d: 2 }, b: 1 } });
    expect(canonicalContent(reordered)).toBe(canonicalContent(entry()));
    expect(chainHash(GENESIS_HASH, reordered)).toBe(chainHash(GENESIS_HASH, entry()));
  });

  it('reads the stored numeric duration back to the same hash', () => {
    expect(chainHash(GENESIS_HASH, entry({ durationMs: '1.25' }))).toBe(chainHash(GENESIS_HASH, entry()));
  });

  it('changes the hash when any field or the predecessor changes', () => {
    const base = chainHash(GENESIS_HASH, entry());
    expect(chainHash(GENESIS_HASH, entry({ status: 201 }))).not.toBe(base);
    expect(chainHash(GENESIS_HASH, entry({ actor: 'admin' }))).not.toBe(base);
    expect(chainHash('f'.repeat(64), entry())).not.toBe(base);
    expect(base).toMatch(/^[0-9a-f]{64}$/);
  });

  it('keys every link: another key, or plain SHA-256 over the same input, gives another link', () => {
    const other = new AuditChainKey('j'.repeat(40));
    expect(other.link(GENESIS_HASH, entry())).not.toBe(chainHash(GENESIS_HASH, entry()));
    expect(legacyChainHash(GENESIS_HASH, entry())).not.toBe(chainHash(GENESIS_HASH, entry()));
    expect(other.id).not.toBe(key.id);
    expect(key.id).toMatch(/^[0-9a-f]{16}$/);
    expect(key.fingerprint('Alice')).toBe(key.fingerprint('Alice'));
    expect(key.fingerprint('Alice')).not.toContain('Alice');
  });

  it('makes strings storable: no NUL bytes, no lone surrogates, bounded length', () => {
    expect(storableString('a\u0000b', 10)).toBe('ab');
    expect(storableString('x\ud800y', 10)).toBe('x\ufffdy');
    expect(storableString('abcdef', 3)).toBe('abc');
  });

  it('censors secret values and keeps token ids and counts', () => {
    expect(
      storableDetail({
        password: 'p',
        pin_password: 1234,
        refresh_token: 't',
        access_token: { nested: 'x' },
        Authorization: 'Bearer x',
        token_id: 'jti',
        family_ids: ['f'],
        revoked_tokens: 1,
        revoked_access_tokens: 2,
        reason: 'r',
      }),
    ).toEqual({
      password: '[redacted]',
      pin_password: '[redacted]',
      refresh_token: '[redacted]',
      access_token: '[redacted]',
      Authorization: '[redacted]',
      token_id: 'jti',
      family_ids: ['f'],
      revoked_tokens: 1,
      revoked_access_tokens: 2,
      reason: 'r',
    });
  });
});
