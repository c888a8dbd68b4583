import { validationProblem } from '@app/common';

/** `from`/`to` query bounds as Dates, refusing an inverted range with a 422. */
export function timeRange(from?: string, to?: string): { from?: Date; to?: Date } {
  const range = { from: from ? new Date(from) : undefined, to: to ? new Date(to) : undefined };
  if (range.from && range.to && range.from > range.to) {
    throw validationProblem([{ field: 'from', message: 'must not be later than to' }]);
  }
  return range;
}

export const PERIOD_SECONDS = {
  '1h': 3600,
  '4h': 4 * 3600,
  '1d': 86_400,
  '7d': 7 * 86_400,
  '30d': 30 * 86_400,
  '90d': 90 * 86_400,
} as const;

/** Start of a trailing window ending at `now`; null for `all`. */
export function windowStart(period: string, now: Date): Date | null {
  if (period === 'all') return null;
  const seconds = PERIOD_SECONDS[period as keyof typeof PERIOD_SECONDS];
  return new Date(now.getTime() - seconds * 1000);
}
