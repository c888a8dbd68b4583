import { ValidateBy, type ValidationOptions } from 'class-validator';

const NUL = '\u0000';
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const MAX_DEPTH = 32;

function storableString(value: string): boolean {
  return !value.includes(NUL) && !LONE_SURROGATE.test(value);
}

/**
 * True when Postgres can store the value: no string (nor object key, at any depth) holds a
 * NUL (refused by `text`/`varchar` and `jsonb`) or a lone UTF-16 surrogate (refused by
 * `jsonb`). Exported for hand-written checks; `@IsStorableText()` is the decorator form.
 */
export function isStorableText(value: unknown, depth = 0): boolean {
  if (typeof value === 'string') return storableString(value);
  if (value === null || typeof value !== 'object') return true;
  if (depth > MAX_DEPTH) return false;
  if (Array.isArray(value)) return value.every((item) => isStorableText(item, depth + 1));
  return Object.entries(value as Record<string, unknown>).every(
    ([key, item]) => storableString(key) && isStorableText(item, depth + 1),
  );
}

/**
 * Refuses (422) strings and JSON objects Postgres would reject with an error: without it a
 * NUL byte in a query parameter or an ingested field is a 500, and bad input is never a 500 (docs/api-guide.md).
 */
export const IsStorableText = (options?: ValidationOptions): PropertyDecorator =>
  ValidateBy(
    {
      name: 'isStorableText',
      validator: {
        validate: (value: unknown) => isStorableText(value),
        defaultMessage: () => '$property must not contain NUL characters or unpaired UTF-16 surrogates',
      },
    },
    options,
  );
