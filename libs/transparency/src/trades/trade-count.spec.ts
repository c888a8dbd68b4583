import { tradeCountExpression, wholeDays } from './trade-count';

const at = (iso: string) => new Date(iso);

describe('wholeDays', () => {
  it('keeps the UTC days that lie entirely inside the range', () => {
    expect(wholeDays(at('2026-11-01T10:00:00.000Z'), at('2026-11-04T09:00:00.000Z'))).toEqual({
      first: at('2026-11-02T00:00:00.000Z'),
      end: at('2026-11-04T00:00:00.000Z'),
    });
  });

  it('counts a day that starts exactly at `from`, and one that ends exactly at `to`, as whole', () => {
    expect(wholeDays(at('2026-11-02T00:00:00.000Z'), at('2026-11-03T00:00:00.000Z'))).toEqual({
      first: at('2026-11-02T00:00:00.000Z'),
      end: at('2026-11-03T00:00:00.000Z'),
    });
  });

  it('finds no whole day in a range shorter than one, or one that straddles a single midnight', () => {
    expect(wholeDays(at('2026-11-02T00:00:00.001Z'), at('2026-11-02T23:59:59.999Z'))).toBeNull();
    expect(wholeDays(at('2026-11-02T12:00:00.000Z'), at('2026-11-03T12:00:00.000Z'))).toBeNull();
    expect(wholeDays(at('2026-11-02T00:00:00.000Z'), at('2026-11-02T23:59:59.999Z'))).toBeNull();
  });

  it('leaves an open bound open, before 1970 too', () => {
    expect(wholeDays(undefined, at('2026-11-02T05:00:00.000Z'))).toEqual({
      first: undefined,
      end: at('2026-11-02T00:00:00.000Z'),
    });
    expect(wholeDays(at('1969-12-30T05:00:00.000Z'))).toEqual({
      first: at('1969-12-31T00:00:00.000Z'),
      end: undefined,
    });
    expect(wholeDays()).toEqual({ first: undefined, end: undefined });
  });
});

describe('tradeCountExpression', () => {
  it('is null when a plain count is as cheap (no whole day in the range)', () => {
    expect(
      tradeCountExpression({ from: at('2026-11-02T01:00:00.000Z'), to: at('2026-11-02T02:00:00.000Z') }),
    ).toBeNull();
  });

  it('names every parameter with the count prefix, so none can clash with the page query', () => {
    const count = tradeCountExpression({
      symbol: 'BTC-USD',
      eventType: 'signal',
      from: at('2026-11-01T10:00:00.000Z'),
      to: at('2026-11-04T09:00:00.000Z'),
    });
    expect(count).not.toBeNull();
    const used = [...count!.sql.matchAll(/:(\w+)/g)].map((m) => m[1]);
    expect(new Set(used)).toEqual(new Set(Object.keys(count!.parameters)));
    expect(Object.keys(count!.parameters).every((name) => name.startsWith('count'))).toBe(true);
    expect(count!.parameters).toMatchObject({ countFirstDay: '2026-11-02', countEndDay: '2026-11-04' });
  });

  it('skips the lower edge when `from` is a midnight: that day is whole', () => {
    const count = tradeCountExpression({ from: at('2026-11-02T00:00:00.000Z') });
    expect(count!.sql).not.toContain(':countFrom');
    expect(count!.parameters).toEqual({ countFirstDay: '2026-11-02' });
  });
});
