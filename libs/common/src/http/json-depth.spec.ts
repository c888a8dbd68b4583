import { exceedsJsonDepth, MAX_JSON_DEPTH } from './json-depth';

const bytes = (text: string): Buffer => Buffer.from(text, 'utf8');
const nested = (depth: number, open = '[', close = ']'): string => open.repeat(depth) + close.repeat(depth);

describe('exceedsJsonDepth', () => {
  it('accepts 32 levels and refuses 33, for arrays, objects and a mix', () => {
    expect(exceedsJsonDepth(bytes(nested(MAX_JSON_DEPTH)))).toBe(false);
    expect(exceedsJsonDepth(bytes(nested(MAX_JSON_DEPTH + 1)))).toBe(true);
    const objects = (depth: number): string => '{"a":'.repeat(depth - 1) + '{}' + '}'.repeat(depth - 1);
    expect(exceedsJsonDepth(bytes(objects(32)))).toBe(false);
    expect(exceedsJsonDepth(bytes(objects(33)))).toBe(true);
    expect(exceedsJsonDepth(bytes(`[${'{"a":['.repeat(16)}${']}'.repeat(16)}]`))).toBe(true);
  });

  it('counts depth, not the number of containers', () => {
    expect(exceedsJsonDepth(bytes(`[${'[],'.repeat(10_000)}[]]`))).toBe(false);
  });

  it('ignores brackets inside strings, escaped quotes included', () => {
    expect(exceedsJsonDepth(bytes(JSON.stringify({ a: '['.repeat(1000) })))).toBe(false);
    expect(exceedsJsonDepth(bytes(JSON.stringify({ a: '\\"[[[[' + '['.repeat(100) })))).toBe(false);
    expect(exceedsJsonDepth(bytes(JSON.stringify(['é"[', '€{'.repeat(100)])))).toBe(false);
  });

  it('finds 5,000 levels at once', () => {
    expect(exceedsJsonDepth(bytes(nested(5000)))).toBe(true);
    expect(exceedsJsonDepth(bytes(nested(5000, '{"x":', '}')))).toBe(true);
  });
});
