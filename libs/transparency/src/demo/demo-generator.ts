import { createHash } from 'node:crypto';
import type { AiDecision, Direction, Outcome } from '../ai/ai-decision.entity';
import type { Backtest } from '../backtests/backtest.entity';
import { computePerformance, tradeStatistics } from '../performance/performance.math';
import type { PerformanceSnapshot } from '../performance/performance-snapshot.entity';
import type { Position, PositionSide } from '../positions/position.entity';
import type { TradeEvent } from '../trades/trade-event.entity';

export interface DemoDataSet {
  snapshots: Partial<PerformanceSnapshot>[];
  trades: Partial<TradeEvent>[];
  positions: Partial<Position>[];
  decisions: Partial<AiDecision>[];
  backtests: Partial<Backtest>[];
}

export interface DemoOptions {
  seed?: number;
  /** The data set ends here (floored to 5 minutes), so a fresh start looks current. */
  end?: Date;
  days?: number;
}

const FIVE_MINUTES = 300_000;
const HOUR = 3_600_000;
const INITIAL_EQUITY = 100_000;
const SYMBOLS: Record<string, number> = {
  'BTC-USD': 64_000,
  'ETH-USD': 3_200,
  'SOL-USD': 150,
  'AVAX-USD': 35,
  'LINK-USD': 15,
};
const MODELS = ['lstm-v3', 'xgboost-trend', 'transformer-alpha'];
const STRATEGIES = ['momentum-v2', 'mean-reversion', 'breakout'];

/** mulberry32: small, fast, and the same sequence for the same seed on every platform. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** A stable v4-shaped UUID from (seed, kind, index): re-seeding finds the same ids (idempotent). */
export function demoId(seed: number, kind: string, index: number): string {
  const h = createHash('sha256').update(`${seed}:${kind}:${index}`).digest('hex');
  const variant = ((parseInt(h[16], 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

const money = (v: number): number => Math.round(v * 100) / 100;
const qty = (v: number): number => Math.round(v * 10_000) / 10_000;
const pct = (v: number): number => Math.round(v * 10_000) / 10_000;

/**
 * What every dataset generator shares: the seed (for ids), the time range, and ONE random
 * sequence. The generators draw from it in a fixed order (prices, snapshots, trades,
 * decisions, backtests), which is what makes the whole set the same for the same seed.
 */
interface DemoContext {
  seed: number;
  days: number;
  start: number;
  end: number;
  random: () => number;
  gaussian: () => number;
  between: (lo: number, hi: number) => number;
  pick: <T>(items: readonly T[]) => T;
}

/** The price of a symbol at a time, from the hourly paths. */
type PriceAt = (symbol: string, time: number) => number;

function demoContext(options: DemoOptions): DemoContext {
  const days = options.days ?? 30;
  const end = Math.floor((options.end ?? new Date()).getTime() / FIVE_MINUTES) * FIVE_MINUTES;
  const random = prng(options.seed ?? 42);
  return {
    seed: options.seed ?? 42,
    days,
    start: end - days * 86_400_000,
    end,
    random,
    gaussian: () => {
      const u = Math.max(random(), 1e-12);
      return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
    },
    between: (lo, hi) => lo + (hi - lo) * random(),
    pick: (items) => items[Math.floor(random() * items.length)],
  };
}

/**
 * The demo data set (docs/transparency.md), deterministic for a seed and end time: 5-minute equity
 * snapshots from a random walk with drift, per-symbol price paths, trade cycles
 * (signal → order → fill → closing order → fill → position_closed) whose open tails are the
 * open positions, model decisions resolved against the price paths, and three backtests.
 */
export function generateDemoData(options: DemoOptions = {}): DemoDataSet {
  const ctx = demoContext(options);
  const priceAt = hourlyPrices(ctx);
  const snapshots = equitySnapshots(ctx);
  const { trades, positions } = tradeCycles(ctx, priceAt);
  const decisions = modelDecisions(ctx, priceAt);
  const backtests = demoBacktests(ctx);
  return { snapshots, trades, positions, decisions, backtests };
}

/** Hourly price paths per symbol (a random walk with a slight drift). */
function hourlyPrices({ days, start, gaussian }: DemoContext): PriceAt {
  const hours = days * 24 + 1;
  const prices: Record<string, number[]> = {};
  for (const [symbol, base] of Object.entries(SYMBOLS)) {
    const path = [base];
    for (let i = 1; i < hours; i++) path.push(path[i - 1] * (1 + 0.00005 + 0.006 * gaussian()));
    prices[symbol] = path;
  }
  return (symbol, time) => {
    const path = prices[symbol];
    const index = Math.min(path.length - 1, Math.max(0, Math.round((time - start) / HOUR)));
    return path[index];
  };
}

/** One equity snapshot every 5 minutes. */
function equitySnapshots({ seed, days, start, random, gaussian }: DemoContext): Partial<PerformanceSnapshot>[] {
  const snapshots: Partial<PerformanceSnapshot>[] = [];
  const steps = days * 288;
  let equity = INITIAL_EQUITY;
  let investedShare = 0.55;
  const history: number[] = [];
  for (let i = 0; i <= steps; i++) {
    if (i > 0) equity *= 1 + 0.00001 + 0.0012 * gaussian();
    investedShare = Math.min(0.8, Math.max(0.3, investedShare + 0.01 * gaussian()));
    history.push(equity);
    const dayAgo = history[Math.max(0, i - 288)];
    const invested = equity * investedShare;
    snapshots.push({
      id: demoId(seed, 'snapshot', i),
      timestamp: new Date(start + i * FIVE_MINUTES),
      totalEquity: money(equity),
      cashBalance: money(equity - invested),
      invested: money(invested),
      totalPnl: money(equity - INITIAL_EQUITY),
      totalPnlPercent: pct(((equity - INITIAL_EQUITY) / INITIAL_EQUITY) * 100),
      dayPnl: money(equity - dayAgo),
      dayPnlPercent: pct(((equity - dayAgo) / dayAgo) * 100),
      openOrders: Math.floor(random() * 4),
    });
  }
  return snapshots;
}

/** Trade cycles per symbol, never overlapping within a symbol; their open tails are the positions. */
function tradeCycles(
  { seed, start, end, random, between, pick }: DemoContext,
  priceAt: PriceAt,
): Pick<DemoDataSet, 'trades' | 'positions'> {
  const trades: Partial<TradeEvent>[] = [];
  const positions: Partial<Position>[] = [];
  let tradeIndex = 0;
  const event = (
    time: number,
    symbol: string,
    eventType: TradeEvent['eventType'],
    side: TradeEvent['side'],
    quantity: number,
    price: number,
    extra: Partial<TradeEvent>,
  ): void => {
    trades.push({
      id: demoId(seed, 'trade', tradeIndex++),
      timestamp: new Date(time),
      symbol,
      eventType,
      side,
      quantity,
      price: money(price),
      totalValue: money(quantity * money(price)),
      fee: 0,
      realizedPnl: null,
      status: 'filled',
      orderType: 'market',
      strategy: null,
      data: {},
      ...extra,
    });
  };
  const openSymbols = new Set(['BTC-USD', 'ETH-USD', 'SOL-USD']);
  for (const symbol of Object.keys(SYMBOLS)) {
    let time = start + Math.floor(between(2, 24)) * HOUR;
    let cycle = 0;
    while (time < end - 2 * HOUR) {
      const direction: PositionSide = random() < 0.6 ? 'long' : 'short';
      const openSide = direction === 'long' ? 'buy' : 'sell';
      const closeSide = direction === 'long' ? 'sell' : 'buy';
      const strategy = pick(STRATEGIES);
      const notional = between(2_000, 12_000);
      const entry = priceAt(symbol, time);
      const quantity = qty(notional / entry);
      const orderType = random() < 0.7 ? 'market' : 'limit';
      const data = { exchange: 'demo', cycle };
      event(time, symbol, 'signal', openSide, quantity, entry, { status: 'pending', orderType: null, strategy, data });
      event(time + 60_000, symbol, 'order_placed', openSide, quantity, entry, {
        status: 'pending',
        orderType,
        strategy,
        data,
      });
      const entryFee = money(quantity * money(entry) * 0.0005);
      event(time + 120_000, symbol, 'order_filled', openSide, quantity, entry, {
        fee: entryFee,
        orderType,
        strategy,
        data,
      });
      // The last cycle of an `openSymbols` symbol stays open: those are the open positions.
      const keepOpen = openSymbols.has(symbol) && end - time < 72 * HOUR;
      const closeAt = keepOpen ? Infinity : time + Math.floor(between(4, 48)) * HOUR;
      if (closeAt >= end) {
        if (keepOpen) {
          positions.push({
            symbol,
            side: direction,
            size: quantity,
            entryPrice: money(entry),
            currentPrice: money(priceAt(symbol, end)),
            openedAt: new Date(time + 120_000),
            updatedAt: new Date(end),
          });
        } else {
          trades.splice(-3, 3);
          tradeIndex -= 3;
        }
        break;
      }
      const exit = priceAt(symbol, closeAt);
      const exitFee = money(quantity * money(exit) * 0.0005);
      const sign = direction === 'long' ? 1 : -1;
      const pnl = money((money(exit) - money(entry)) * quantity * sign - entryFee - exitFee);
      event(closeAt, symbol, 'order_placed', closeSide, quantity, exit, {
        status: 'pending',
        orderType: 'market',
        strategy,
        data,
      });
      event(closeAt + 60_000, symbol, 'order_filled', closeSide, quantity, exit, { fee: exitFee, strategy, data });
      event(closeAt + 60_000, symbol, 'position_closed', closeSide, quantity, exit, {
        realizedPnl: pnl,
        strategy,
        data,
      });
      time = closeAt + Math.floor(between(12, 48)) * HOUR;
      cycle++;
    }
  }
  trades.sort((a, b) => (a.timestamp as Date).getTime() - (b.timestamp as Date).getTime());
  return { trades, positions };
}

/** Decisions every ~6 hours per model, resolved against the price 4 hours later. */
function modelDecisions(
  { seed, start, end, random, gaussian, between, pick }: DemoContext,
  priceAt: PriceAt,
): Partial<AiDecision>[] {
  const decisions: Partial<AiDecision>[] = [];
  let decisionIndex = 0;
  for (const model of MODELS) {
    const skill = 0.5 + MODELS.indexOf(model) * 0.05;
    for (let time = start + Math.floor(between(1, 6)) * HOUR; time < end; time += Math.floor(between(4, 8)) * HOUR) {
      const symbol = pick(Object.keys(SYMBOLS));
      const price = priceAt(symbol, time);
      const resolvedAt = time + 4 * HOUR;
      const move = resolvedAt <= end ? (priceAt(symbol, resolvedAt) / price - 1) * 100 : null;
      const roll = random();
      let direction: Direction = roll < 0.1 ? 'neutral' : random() < 0.5 ? 'long' : 'short';
      // A skilled model guesses the move's sign more often than a coin does.
      if (direction !== 'neutral' && move !== null && random() < skill - 0.5 + 0.3) {
        direction = move >= 0 ? 'long' : 'short';
      }
      const confidence = Math.round(between(0.5, 0.95) * 1000) / 1000;
      let outcome: Outcome = 'pending';
      let actualReturn: number | null = null;
      if (move !== null) {
        actualReturn = pct(direction === 'short' ? -move : move);
        outcome = direction === 'neutral' ? 'cancelled' : actualReturn > 0 ? 'profitable' : 'loss';
        if (direction === 'neutral') actualReturn = pct(move);
      }
      decisions.push({
        id: demoId(seed, 'decision', decisionIndex++),
        timestamp: new Date(time),
        modelName: model,
        symbol,
        direction,
        confidence,
        priceTarget: direction === 'neutral' ? null : money(price * (direction === 'long' ? 1.02 : 0.98)),
        timeHorizon: '4h',
        reasoning: `${model} sees ${direction} pressure on ${symbol} (confidence ${confidence}).`,
        outcome,
        actualReturn,
        features: {
          rsi_14: Math.round(between(20, 80) * 10) / 10,
          macd: Math.round(gaussian() * 1000) / 1000,
          volume_z: Math.round(gaussian() * 100) / 100,
        },
      });
    }
  }
  return decisions;
}

/** Three backtests, their figures computed from their own daily equity paths. */
function demoBacktests({ seed, start, gaussian }: DemoContext): Partial<Backtest>[] {
  return STRATEGIES.map((strategy, index) => {
    const points = [];
    let value = INITIAL_EQUITY;
    for (let d = 0; d <= 365; d++) {
      if (d > 0) value *= 1 + 0.0003 + index * 0.0002 + 0.008 * gaussian();
      points.push({ time: d * 86_400_000, equity: value });
    }
    const perf = computePerformance(points, []);
    const pnls = Array.from({ length: 120 + index * 60 }, () => money(gaussian() * 400 + 40));
    const stats = tradeStatistics(pnls);
    const years = 1;
    const annualReturn = (perf.total_return_percent ?? 0) / years;
    const btEnd = start - (index + 1) * 86_400_000;
    return {
      id: demoId(seed, 'backtest', index),
      name: `${strategy} on BTC-USD, 12 months`,
      description: `Daily-bar backtest of ${strategy} with 5 bp fees and no leverage.`,
      strategy,
      startDate: new Date(btEnd - 365 * 86_400_000),
      endDate: new Date(btEnd),
      status: 'completed',
      initialCapital: INITIAL_EQUITY,
      finalEquity: money(value),
      totalReturn: money(perf.total_return),
      totalReturnPercent: pct(perf.total_return_percent ?? 0),
      sharpeRatio: perf.sharpe_ratio,
      sortinoRatio: perf.sortino_ratio,
      maxDrawdown: money(perf.max_drawdown),
      maxDrawdownPercent: pct(perf.max_drawdown_percent),
      calmarRatio: perf.max_drawdown_percent < 0 ? pct(annualReturn / -perf.max_drawdown_percent) : null,
      winRate: stats.winRate === null ? null : pct(stats.winRate),
      profitFactor: stats.profitFactor === null ? null : pct(stats.profitFactor),
      totalTrades: stats.totalTrades,
      winningTrades: stats.winning,
      losingTrades: stats.losing,
      createdAt: new Date(btEnd + (index + 1) * 3_600_000),
    };
  });
}
