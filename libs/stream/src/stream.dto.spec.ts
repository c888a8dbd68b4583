import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { ApiProblemException } from '@app/common';
import { parseLastEventId, StreamQueryDto } from './stream.dto';

const errorsOf = (query: Record<string, unknown>): string[] =>
  validateSync(plainToInstance(StreamQueryDto, query), { whitelist: true, forbidNonWhitelisted: true }).map(
    (error) => error.property,
  );

describe('StreamQueryDto', () => {
  it('accepts the topics as one comma-separated value or repeated, and no topics at all', () => {
    expect(errorsOf({})).toEqual([]);
    expect(errorsOf({ topics: 'trades,snapshots,decisions' })).toEqual([]);
    expect(errorsOf({ topics: ['trades', 'decisions'] })).toEqual([]);
  });

  it('refuses unknown or empty topics, unknown parameters and tokens in the query', () => {
    expect(errorsOf({ topics: 'trades,orders' })).toEqual(['topics']);
    expect(errorsOf({ topics: '' })).toEqual(['topics']);
    expect(errorsOf({ topics: 'Trades' })).toEqual(['topics']);
    expect(errorsOf({ since: '1' })).toEqual(['since']);
    expect(errorsOf({ access_token: 'x' })).toEqual(['access_token']);
    expect(errorsOf({ token: 'x' })).toEqual(['token']);
  });
});

describe('parseLastEventId', () => {
  it('reads a decimal id, and nothing when the header is absent', () => {
    expect(parseLastEventId(undefined)).toBeUndefined();
    expect(parseLastEventId('0')).toBe(0);
    expect(parseLastEventId(' 1042 ')).toBe(1042);
  });

  it('refuses anything else with a 422 naming the header', () => {
    for (const bad of ['', 'abc', '-1', '1.5', '1e3', '9'.repeat(16)]) {
      expect(() => parseLastEventId(bad)).toThrow(ApiProblemException);
    }
  });
});
