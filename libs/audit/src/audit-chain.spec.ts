import {
  type AuditEntry,
  canonicalContent,
  chainHash,
  GENESIS_HASH,
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

  it('makes strings storable: no NUL bytes, no lone surrogates, bounded length', () => {
    expect(storableString('a\u0000b', 10)).toBe('ab');
    expect(storableString('x\ud800y', 10)).toBe('x\ufffdy');
    expect(storableString('abcdef', 3)).toBe('abc');
  });

  it('censors secret-named detail keys and keeps token ids', () => {
    expect(
      storableDetail({ password: 'p', refresh_token: 't', Authorization: 'Bearer x', token_id: 'jti', reason: 'r' }),
    ).toEqual({
      password: '[redacted]',
      refresh_token: '[redacted]',
      Authorization: '[redacted]',
      token_id: 'jti',
      reason: 'r',
    });
  });
});
