import { etagMatches } from './response-cache.interceptor';
import { BoundedMap } from '@app/common';
import { cacheKey, normaliseQuery, strongEtag } from './transparency-cache.service';

describe('cache keys', () => {
  it('normalise a query: sorted keys, undefined dropped, dates as ISO, values encoded', () => {
    expect(normaliseQuery({ symbol: 'BTC/USD', limit: 50, offset: 0, event_type: undefined })).toBe(
      'limit=50&offset=0&symbol=BTC%2FUSD',
    );
    expect(normaliseQuery({ b: 1, a: new Date('2026-01-01T00:00:00Z') })).toBe('a=2026-01-01T00%3A00%3A00.000Z&b=1');
    expect(normaliseQuery({})).toBe('');
  });

  it('embed the route and the family version, never anything about the caller', () => {
    const query = normaliseQuery({ offset: 0, limit: 10 });
    expect(cacheKey('/api/v1/trades', 'v1', query)).toBe('r:/api/v1/trades:v1:limit=10&offset=0');
    expect(cacheKey('/api/v1/trades', 'v2', query)).not.toBe(cacheKey('/api/v1/trades', 'v1', query));
  });
});

describe('BoundedMap (the in-memory store)', () => {
  it('forgets the oldest entry past its bound, and replacing a key does not evict', () => {
    const map = new BoundedMap<string, number>(2);
    map.set('a', 1).set('b', 2).set('b', 3);
    expect([...map.keys()]).toEqual(['a', 'b']);
    map.set('c', 4);
    expect([...map.entries()]).toEqual([
      ['b', 3],
      ['c', 4],
    ]);
  });
});

describe('ETags', () => {
  it('are strong, quoted and depend on every byte of the body', () => {
    expect(strongEtag('{"a":1}')).toMatch(/^"[A-Za-z0-9_-]{32}"$/);
    expect(strongEtag('{"a":1}')).toBe(strongEtag('{"a":1}'));
    expect(strongEtag('{"a":1}')).not.toBe(strongEtag('{"a":2}'));
  });

  it('match If-None-Match lists, `*` and weak forms, and nothing else', () => {
    const etag = '"abc"';
    expect(etagMatches('"abc"', etag)).toBe(true);
    expect(etagMatches('"x", W/"abc"', etag)).toBe(true);
    expect(etagMatches('*', etag)).toBe(true);
    expect(etagMatches('"abcd"', etag)).toBe(false);
    expect(etagMatches('abc', etag)).toBe(false);
    expect(etagMatches('', etag)).toBe(false);
    expect(etagMatches(undefined, etag)).toBe(false);
  });
});
