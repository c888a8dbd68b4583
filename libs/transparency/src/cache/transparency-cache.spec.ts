import { BoundedMap } from './bounded-map';
import { cacheKey, normaliseQuery } from './transparency-cache.service';

describe('cache keys', () => {
  it('normalise a query: sorted keys, undefined dropped, dates as ISO, values encoded', () => {
    expect(normaliseQuery({ symbol: 'BTC/USD', limit: 50, offset: 0, event_type: undefined })).toBe(
      'limit=50&offset=0&symbol=BTC%2FUSD',
    );
    expect(normaliseQuery({ b: 1, a: new Date('2026-01-01T00:00:00Z') })).toBe('a=2026-01-01T00%3A00%3A00.000Z&b=1');
    expect(normaliseQuery({})).toBe('');
  });

  it('embed the route and the family version, never anything about the caller', () => {
    expect(cacheKey('trades.list', 'v1', { offset: 0, limit: 10 })).toBe('r:trades.list:v1:limit=10&offset=0');
    expect(cacheKey('trades.list', 'v2', { limit: 10, offset: 0 })).not.toBe(
      cacheKey('trades.list', 'v1', { limit: 10, offset: 0 }),
    );
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
