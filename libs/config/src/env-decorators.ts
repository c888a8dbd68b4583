import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min, MinLength } from 'class-validator';

/**
 * Named decorators for the variables of `EnvDto`, so that the class reads as a list of
 * variables. Every variable is optional (a default applies when it is unset) and a blank value
 * means unset, so `FOO=` in a .env file falls back to the default too.
 */

/** Undefined and empty strings both mean "not set". */
const blankToUndefined = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && value.trim() === '' ? undefined : value;

const toInt = ({ value }: { value: unknown }): unknown => {
  const v = blankToUndefined({ value });
  if (typeof v !== 'string') return v;
  return /^-?\d+$/.test(v.trim()) ? Number(v.trim()) : v;
};

const toBool = ({ value }: { value: unknown }): unknown => {
  const v = blankToUndefined({ value });
  if (typeof v !== 'string') return v;
  const s = v.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(s)) return true;
  if (['false', '0', 'no', 'off'].includes(s)) return false;
  return v;
};

const trimmed = ({ value }: { value: unknown }): unknown => {
  const v = blankToUndefined({ value });
  return typeof v === 'string' ? v.trim() : v;
};

/** Sizes such as `262144`, `256kb`, `4mb` (binary multiples, like body-parser). */
export const SIZE_PATTERN = /^\d+(\s*(b|kb|mb|gb))?$/i;
/** Durations such as `900`, `900s`, `15m`, `12h`, `30d` (a bare number is seconds). */
export const DURATION_PATTERN = /^\d+\s*(s|m|h|d)?$/i;

/**
 * Applies `decorators` as if they were stacked in this order above the property (the last one
 * first), so validation checks them, and `stopAtFirstError` reports them, in reading order.
 */
function stacked(...decorators: PropertyDecorator[]): PropertyDecorator {
  return (target, key) => {
    for (const decorate of [...decorators].reverse()) decorate(target, key);
  };
}

/** Trimmed, optional, then the given checks. */
const text = (...checks: PropertyDecorator[]): PropertyDecorator =>
  stacked(Transform(trimmed), IsOptional(), ...checks);

/** Kept exactly as given (secrets, PEM, JSON: whitespace may matter), optional, then the checks. */
const verbatim = (...checks: PropertyDecorator[]): PropertyDecorator =>
  stacked(Transform(blankToUndefined), IsOptional(), ...checks);

/** An integer within `[min, max]` (either bound optional). */
export function IntVar(bounds: { min?: number; max?: number } = {}, message = 'must be an integer'): PropertyDecorator {
  return stacked(
    Transform(toInt),
    IsOptional(),
    ...(bounds.min !== undefined ? [Min(bounds.min)] : []),
    ...(bounds.max !== undefined ? [Max(bounds.max)] : []),
    IsInt({ message }),
  );
}

/** `true`/`false` (also 1/0, yes/no, on/off). */
export const BoolVar = (): PropertyDecorator =>
  stacked(Transform(toBool), IsOptional(), IsBoolean({ message: 'must be true or false' }));

/** A duration such as 900, 15m, 12h or 30d; parsed to seconds by `loadConfig`. */
export const DurationVar = (): PropertyDecorator =>
  text(Matches(DURATION_PATTERN, { message: 'must be a duration such as 900, 15m, 12h or 30d' }));

/** A size such as 262144, 256kb or 4mb; parsed to bytes by `loadConfig`. `examples` fit the variable's scale. */
export const SizeVar = (examples = '262144, 256kb or 4mb'): PropertyDecorator =>
  text(Matches(SIZE_PATTERN, { message: `must be a size such as ${examples}` }));

/** One of a fixed list of words. */
export const OneOfVar = (values: readonly string[]): PropertyDecorator =>
  text(IsIn(values, { message: `must be one of ${values.join(', ')}` }));

/** Trimmed text matching `pattern`; `message` says what is expected. */
export const PatternVar = (pattern: RegExp, message: string): PropertyDecorator => text(Matches(pattern, { message }));

/** Trimmed free text, optionally of bounded length. */
export const TextVar = (length: { min?: number; max?: number } = {}): PropertyDecorator =>
  text(
    IsString(),
    ...(length.min !== undefined ? [MinLength(length.min)] : []),
    ...(length.max !== undefined ? [MaxLength(length.max)] : []),
  );

/**
 * A secret or key material (whitespace may be part of it, so it is not trimmed), with an
 * optional minimum length (with its own message) and maximum.
 */
export const SecretVar = (length: { min?: number; max?: number } = {}): PropertyDecorator =>
  verbatim(
    IsString(),
    ...(length.min !== undefined
      ? [MinLength(length.min, { message: `must be at least ${length.min} characters` })]
      : []),
    ...(length.max !== undefined ? [MaxLength(length.max)] : []),
  );

/** Untrimmed text matching `pattern` (a PEM block). */
export const VerbatimPatternVar = (pattern: RegExp, message: string): PropertyDecorator =>
  verbatim(Matches(pattern, { message }));
