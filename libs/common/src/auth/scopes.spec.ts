import { hasScopes, parseScopeClaim } from './scopes';

describe('scopes', () => {
  it('requires every listed scope', () => {
    expect(hasScopes(['transparency:read'], ['transparency:read'])).toBe(true);
    expect(hasScopes(['transparency:read'], ['transparency:read', 'audit:read'])).toBe(false);
    expect(hasScopes([], [])).toBe(true);
  });

  it('lets admin imply every scope', () => {
    expect(hasScopes(['admin'], ['transparency:write', 'audit:read', 'metrics:read'])).toBe(true);
  });

  it('reads a space-separated claim, dropping unknown and repeated names', () => {
    expect(parseScopeClaim('transparency:read  root audit:read transparency:read')).toEqual([
      'transparency:read',
      'audit:read',
    ]);
    expect(parseScopeClaim('')).toEqual([]);
  });
});
