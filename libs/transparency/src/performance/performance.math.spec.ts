import {
  computePerformance,
  downsideDeviation,
  maxDrawdown,
  periodsPerYear,
  sampleStdev,
  sharpeRatio,
  simpleReturns,
  sortinoRatio,
  tradeStatistics,
} from './performance.math';

const FIVE_MIN = 300_000;
const at = (equity: number[], step = FIVE_MIN) => equity.map((value, i) => ({ time: i * step, equity: value }));

describe('performance math', () => {
  // 100 → 110 → 99 → 121, five minutes apart. By hand:
  // r = 0.1, -0.1, 0.2222…; mean 0.0740741; sample stdev √(0.0529218/2) = 0.1626681;
  // downside dev √(0.01/3) = 0.0577350; N = 365·86400/300 = 105120, √N = 324.2221.
  const series = at([100, 110, 99, 121]);

  it('derives per-snapshot simple returns', () => {
    const r = simpleReturns([100, 110, 99, 121]);
    expect(r[0]).toBeCloseTo(0.1, 12);
    expect(r[1]).toBeCloseTo(-0.1, 12);
    expect(r[2]).toBeCloseTo(22 / 99, 12);
  });

  it('annualises by the number of snapshot intervals in a year, from the median spacing', () => {
    expect(periodsPerYear(series.map((p) => p.time))).toBe(105_120);
    // One long gap does not change the cadence estimate.
    expect(periodsPerYear([0, FIVE_MIN, 2 * FIVE_MIN, 3 * FIVE_MIN, 100 * FIVE_MIN])).toBe(105_120);
    expect(periodsPerYear([0])).toBeNull();
  });

  it('computes Sharpe as mean/sample-stdev × √N and Sortino as mean/downside-dev × √N', () => {
    const r = simpleReturns(series.map((p) => p.equity));
    expect(sampleStdev(r)).toBeCloseTo(0.16266808, 7);
    expect(downsideDeviation(r)).toBeCloseTo(0.05773503, 7);
    expect(sharpeRatio(r, 105_120)).toBeCloseTo(147.64085717, 5);
    expect(sortinoRatio(r, 105_120)).toBeCloseTo(415.97720735, 5);
  });

  it('answers null when a ratio cannot be computed: fewer than two returns, no dispersion, no losing step', () => {
    expect(sharpeRatio([0.1], 105_120)).toBeNull();
    expect(sharpeRatio([0.01, 0.01], 105_120)).toBeNull();
    expect(sortinoRatio([0.01, 0.02], 105_120)).toBeNull();
  });

  it('measures the max drawdown in money and percent from the running peak, both <= 0', () => {
    // Peak 110 → trough 99 (-11, -10 %), later peak 121 → 100 (-21, -17.355 %).
    const dd = maxDrawdown([100, 110, 99, 121, 100, 130]);
    expect(dd.money).toBe(-21);
    expect(dd.percent).toBeCloseTo((100 / 121 - 1) * 100, 10);
    expect(maxDrawdown([1, 2, 3])).toEqual({ money: 0, percent: 0 });
    expect(maxDrawdown([])).toEqual({ money: 0, percent: 0 });
  });

  it('takes win rate (percent) and profit factor from closed trades', () => {
    expect(tradeStatistics([50, -20, 30, -10])).toEqual({
      winRate: 50,
      profitFactor: 80 / 30,
      totalTrades: 4,
      winning: 2,
      losing: 2,
    });
    expect(tradeStatistics([5, 7]).profitFactor).toBeNull();
    expect(tradeStatistics([]).winRate).toBeNull();
  });

  it('puts it together over a window: total return in money and percent from the baseline', () => {
    const result = computePerformance(series, [50, -20, 30, -10]);
    expect(result).toEqual({
      total_return: 21,
      total_return_percent: 21,
      sharpe_ratio: 147.640857,
      sortino_ratio: 415.977207,
      max_drawdown: -11,
      max_drawdown_percent: -10,
      win_rate: 50,
      profit_factor: 2.666667,
      total_trades: 4,
    });
  });

  it('gives zeros for an empty window', () => {
    expect(computePerformance([], [])).toEqual({
      total_return: 0,
      total_return_percent: 0,
      sharpe_ratio: 0,
      sortino_ratio: 0,
      max_drawdown: 0,
      max_drawdown_percent: 0,
      win_rate: 0,
      profit_factor: 0,
      total_trades: 0,
    });
  });

  it('gives a zero return and null ratios for a one-point window', () => {
    expect(computePerformance(at([1000]), [])).toEqual({
      total_return: 0,
      total_return_percent: 0,
      sharpe_ratio: null,
      sortino_ratio: null,
      max_drawdown: 0,
      max_drawdown_percent: 0,
      win_rate: null,
      profit_factor: null,
      total_trades: 0,
    });
  });

  it('gives null ratios for a two-point window (one return)', () => {
    const result = computePerformance(at([1000, 1010]), [-5]);
    expect(result.total_return).toBe(10);
    expect(result.total_return_percent).toBe(1);
    expect(result.sharpe_ratio).toBeNull();
    expect(result.sortino_ratio).toBeNull();
    expect(result.win_rate).toBe(0);
    expect(result.profit_factor).toBe(0);
  });
});
