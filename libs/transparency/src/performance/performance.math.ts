import { round, roundOrNull } from '../shared/round';

/**
 * The performance formulas, pure so they can be checked against hand-computed series.
 * Conventions (docs/transparency.md):
 * - per-snapshot simple returns r_i = e_i / e_{i-1} - 1 (a step from a non-positive equity is skipped);
 * - Sharpe = mean(r) / stdev(r) × √N and Sortino = mean(r) / downside_dev(r) × √N, with a zero
 *   risk-free rate, sample stdev (n - 1), downside_dev = √(Σ min(r, 0)² / n), and N the number of
 *   snapshot intervals per year, 365 days / the median spacing between snapshots;
 * - drawdowns against the running peak of the equity series; money and percent minima are
 *   taken independently (the deepest money drop need not be the deepest relative one).
 */
export const SECONDS_PER_YEAR = 365 * 86_400;

export interface EquityPoint {
  /** Epoch milliseconds. */
  time: number;
  equity: number;
}

export function simpleReturns(equity: readonly number[]): number[] {
  const result: number[] = [];
  for (let i = 1; i < equity.length; i++) {
    const previous = equity[i - 1];
    if (previous > 0) result.push(equity[i] / previous - 1);
  }
  return result;
}

export function mean(values: readonly number[]): number {
  return values.length === 0 ? 0 : values.reduce((sum, v) => sum + v, 0) / values.length;
}

export function sampleStdev(values: readonly number[]): number {
  if (values.length < 2) return 0;
  const m = mean(values);
  return Math.sqrt(values.reduce((sum, v) => sum + (v - m) ** 2, 0) / (values.length - 1));
}

export function downsideDeviation(values: readonly number[]): number {
  if (values.length === 0) return 0;
  return Math.sqrt(values.reduce((sum, v) => sum + Math.min(v, 0) ** 2, 0) / values.length);
}

/** Snapshot intervals per year from the median spacing (robust to gaps in the feed); null if unknown. */
export function periodsPerYear(times: readonly number[]): number | null {
  const gaps: number[] = [];
  for (let i = 1; i < times.length; i++) {
    const gap = times[i] - times[i - 1];
    if (gap > 0) gaps.push(gap);
  }
  if (gaps.length === 0) return null;
  gaps.sort((a, b) => a - b);
  const middle = Math.floor(gaps.length / 2);
  const median = gaps.length % 2 ? gaps[middle] : (gaps[middle - 1] + gaps[middle]) / 2;
  return (SECONDS_PER_YEAR * 1000) / median;
}

export function sharpeRatio(returns: readonly number[], perYear: number | null): number | null {
  if (returns.length < 2 || perYear === null) return null;
  const sd = sampleStdev(returns);
  return sd === 0 ? null : (mean(returns) / sd) * Math.sqrt(perYear);
}

export function sortinoRatio(returns: readonly number[], perYear: number | null): number | null {
  if (returns.length < 2 || perYear === null) return null;
  const dd = downsideDeviation(returns);
  return dd === 0 ? null : (mean(returns) / dd) * Math.sqrt(perYear);
}

/** Deepest fall below the running peak: money and percent, both <= 0. */
export function maxDrawdown(equity: readonly number[]): { money: number; percent: number } {
  let peak = -Infinity;
  let money = 0;
  let percent = 0;
  for (const value of equity) {
    peak = Math.max(peak, value);
    money = Math.min(money, value - peak);
    if (peak > 0) percent = Math.min(percent, (value / peak - 1) * 100);
  }
  return { money, percent };
}

/** From closed trades' realized PnL: win rate in percent, gross profit / gross loss. */
export function tradeStatistics(pnls: readonly number[]): {
  winRate: number | null;
  profitFactor: number | null;
  totalTrades: number;
  winning: number;
  losing: number;
} {
  const winning = pnls.filter((p) => p > 0);
  const losing = pnls.filter((p) => p < 0);
  const grossProfit = winning.reduce((s, p) => s + p, 0);
  const grossLoss = -losing.reduce((s, p) => s + p, 0);
  return {
    winRate: pnls.length === 0 ? null : (winning.length / pnls.length) * 100,
    profitFactor: grossLoss === 0 ? null : grossProfit / grossLoss,
    totalTrades: pnls.length,
    winning: winning.length,
    losing: losing.length,
  };
}

export interface PerformanceFigures {
  total_return: number;
  total_return_percent: number | null;
  sharpe_ratio: number | null;
  sortino_ratio: number | null;
  max_drawdown: number;
  max_drawdown_percent: number;
  win_rate: number | null;
  profit_factor: number | null;
  total_trades: number;
}

/**
 * `series` starts with the baseline (the last snapshot at or before the window start, else the
 * first in the window) and runs to the latest snapshot; `pnls` are the window's closed trades.
 * An empty window (no snapshot, no closed trade) is all zeros, not an error.
 */
export function computePerformance(series: readonly EquityPoint[], pnls: readonly number[]): PerformanceFigures {
  if (series.length === 0 && pnls.length === 0) {
    return {
      total_return: 0,
      total_return_percent: 0,
      sharpe_ratio: 0,
      sortino_ratio: 0,
      max_drawdown: 0,
      max_drawdown_percent: 0,
      win_rate: 0,
      profit_factor: 0,
      total_trades: 0,
    };
  }
  const equity = series.map((p) => p.equity);
  const baseline = equity[0] ?? 0;
  const current = equity[equity.length - 1] ?? 0;
  const returns = simpleReturns(equity);
  const perYear = periodsPerYear(series.map((p) => p.time));
  const drawdown = maxDrawdown(equity);
  const trades = tradeStatistics(pnls);
  return {
    total_return: round(current - baseline),
    total_return_percent: baseline > 0 ? round(((current - baseline) / baseline) * 100, 6) : series.length ? null : 0,
    sharpe_ratio: roundOrNull(sharpeRatio(returns, perYear), 6),
    sortino_ratio: roundOrNull(sortinoRatio(returns, perYear), 6),
    max_drawdown: round(drawdown.money),
    max_drawdown_percent: round(drawdown.percent, 6),
    win_rate: roundOrNull(trades.winRate, 6),
    profit_factor: roundOrNull(trades.profitFactor, 6),
    total_trades: trades.totalTrades,
  };
}
