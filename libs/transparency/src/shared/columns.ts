import type { ValueTransformer } from 'typeorm';

/**
 * Postgres `numeric` arrives from `pg` as a string (it may exceed a double's precision);
 * the API speaks JSON numbers, so entities convert at the boundary.
 */
export const numericTransformer: ValueTransformer = {
  to: (value: number | null | undefined) => value,
  from: (value: string | null | undefined) => (value === null || value === undefined ? null : Number(value)),
};

/** A `numeric` column that reads back as a JS number. */
export const NUMERIC = { type: 'numeric', transformer: numericTransformer } as const;

/** Number() of a raw aggregate (strings for numeric/bigint), keeping null as null. */
export function toNumber(value: unknown): number | null {
  if (value === null || value === undefined) return null;
  const n = Number(value);
  return Number.isFinite(n) ? n : null;
}

export function iso(value: Date | null | undefined): string | null {
  return value ? value.toISOString() : null;
}
