import { Transform } from 'class-transformer';
import { Matches } from 'class-validator';

/** Largest value of a Postgres `integer` column: a bigger count must be a 422, not a failed insert. */
export const PG_INT_MAX = 2_147_483_647;
/** `@IsNumber(FINITE)`: JSON cannot carry NaN or Infinity, but a transformed value can. */
export const FINITE = { allowNaN: false, allowInfinity: false };

export const SYMBOL_PATTERN = /^[A-Z0-9\-/]{1,20}$/;
export const SYMBOL_MESSAGE = 'must be 1-20 characters of A-Z, 0-9, "-" or "/"';

/** Upper-cases a string input (anything else is left for the validators to refuse). */
export const UpperCase = (): PropertyDecorator =>
  Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.toUpperCase() : value));

/** A symbol is 1-20 chars of [A-Z0-9-/], upper-cased; anything else is 422 (docs/transparency.md). */
export const IsSymbol = (): PropertyDecorator => {
  const upper = UpperCase();
  const matches = Matches(SYMBOL_PATTERN, { message: `$property ${SYMBOL_MESSAGE}` });
  return (target, key) => {
    upper(target, key);
    matches(target, key);
  };
};
