import type { CountExpression } from '../shared/list-page';

const DAY_MS = 86_400_000;

export interface TradeFilters {
  symbol?: string;
  eventType?: string;
  from?: Date;
  to?: Date;
}

/**
 * The UTC days lying wholly inside [from, to]: midnights `first` (inclusive) to `end`
 * (exclusive); an open bound stays open. Null when no whole day fits.
 */
export function wholeDays(from?: Date, to?: Date): { first?: Date; end?: Date } | null {
  const first = from ? new Date(Math.ceil(from.getTime() / DAY_MS) * DAY_MS) : undefined;
  const end = to ? new Date(Math.floor(to.getTime() / DAY_MS) * DAY_MS) : undefined;
  if (first && end && first.getTime() >= end.getTime()) return null;
  return { first, end };
}

const isoDay = (midnight: Date) => midnight.toISOString().slice(0, 10);

/**
 * The exact number of trades matching `filters`, read mostly from `trade_daily_counts`: whole
 * UTC days inside the range are summed from there, and only the rows of the partial days at the
 * range's ends are counted in `trade_events` (at most two days of one filter's index, instead of
 * the whole range). Null when the range holds no whole day: then a plain count is as cheap.
 */
export function tradeCountExpression(filters: TradeFilters): CountExpression | null {
  const days = wholeDays(filters.from, filters.to);
  if (!days) return null;
  const parameters: Record<string, unknown> = {};
  const dimensions: string[] = [];
  if (filters.symbol !== undefined) {
    parameters.countSymbol = filters.symbol;
    dimensions.push('symbol = :countSymbol');
  }
  if (filters.eventType !== undefined) {
    parameters.countEventType = filters.eventType;
    dimensions.push('event_type = :countEventType');
  }
  const daily = dimensions.map((d) => `d.${d}`);
  const rows = (range: string) =>
    `(SELECT count(*) FROM "trade_events" e WHERE ${[...dimensions.map((d) => `e.${d}`), range].join(' AND ')})`;
  const parts: string[] = [];
  if (days.first) {
    parameters.countFirstDay = isoDay(days.first);
    daily.push('d.day >= CAST(:countFirstDay AS date)');
    if (filters.from && filters.from.getTime() < days.first.getTime()) {
      parameters.countFrom = filters.from;
      parameters.countFirstMidnight = days.first;
      parts.push(rows('e.timestamp >= :countFrom AND e.timestamp < :countFirstMidnight'));
    }
  }
  if (days.end) {
    parameters.countEndDay = isoDay(days.end);
    parameters.countEndMidnight = days.end;
    parameters.countTo = filters.to;
    daily.push('d.day < CAST(:countEndDay AS date)');
    parts.push(rows('e.timestamp >= :countEndMidnight AND e.timestamp <= :countTo'));
  }
  const where = daily.length > 0 ? ` WHERE ${daily.join(' AND ')}` : '';
  parts.unshift(`(SELECT coalesce(sum(d.trades), 0) FROM "trade_daily_counts" d${where})`);
  return { sql: parts.join(' + '), parameters };
}
