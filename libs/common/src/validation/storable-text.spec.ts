import { isStorableText } from './storable-text';

describe('isStorableText', () => {
  it('accepts ordinary text, emoji (paired surrogates), numbers and nested JSON', () => {
    expect(isStorableText('BTC-USD → 🚀')).toBe(true);
    expect(isStorableText({ a: [1, 'x', { b: null, ключ: true }] })).toBe(true);
    expect(isStorableText(42)).toBe(true);
  });

  it('refuses a NUL or a lone surrogate in a value or a key, at any depth', () => {
    expect(isStorableText('a\u0000b')).toBe(false);
    expect(isStorableText('\ud83d')).toBe(false);
    expect(isStorableText('x\ude80')).toBe(false);
    expect(isStorableText({ a: [{ b: 'ok' }, { c: 'no\u0000' }] })).toBe(false);
    expect(isStorableText({ ['k\u0000']: 1 })).toBe(false);
  });
});
