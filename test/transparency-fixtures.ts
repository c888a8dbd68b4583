import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { TokensService } from '@app/auth';
import type { Test } from 'supertest';

/** Transparency suites: no rate limit (they send bursts on purpose). */
export const TRANSPARENCY_ENV = { RATE_LIMIT_ENABLED: 'false' };

export interface EngineTokens {
  reader: string;
  writer: string;
}

/** A read-only dashboard token and the trading engine's write token, issued by the real TokensService. */
export async function engineTokens(app: INestApplication): Promise<EngineTokens> {
  const tokens = app.get(TokensService);
  const issue = async (scopes: ('transparency:read' | 'transparency:write')[]) =>
    (await tokens.issueServiceToken({ subject: `test-${scopes.join('+')}`, scopes, ttlSeconds: 3600 })).accessToken;
  return { reader: await issue(['transparency:read']), writer: await issue(['transparency:write']) };
}

/** Adds a bearer token: the one place a suite says who is calling. */
export const as =
  (token: string) =>
  (req: Test): Test =>
    req.auth(token, { type: 'bearer' });

export const minutesAgo = (minutes: number, from = Date.now()): string =>
  new Date(from - minutes * 60_000).toISOString();

export function trade(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: randomUUID(),
    timestamp: minutesAgo(10),
    symbol: 'BTC-USD',
    event_type: 'order_filled',
    side: 'buy',
    quantity: 0.5,
    price: 60000,
    fee: 15,
    status: 'filled',
    order_type: 'market',
    strategy: 'momentum-v2',
    data: { exchange: 'test' },
    ...overrides,
  };
}

export function snapshot(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: randomUUID(),
    timestamp: minutesAgo(5),
    total_equity: 100000,
    cash_balance: 40000,
    invested: 60000,
    total_pnl: 0,
    total_pnl_percent: 0,
    day_pnl: 0,
    day_pnl_percent: 0,
    open_orders: 0,
    ...overrides,
  };
}

export function decision(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: randomUUID(),
    timestamp: minutesAgo(30),
    model_name: 'lstm-v3',
    symbol: 'ETH-USD',
    prediction: { direction: 'long', confidence: 0.8, price_target: 3300, time_horizon: '4h' },
    reasoning: 'Momentum positive.',
    outcome: 'pending',
    actual_return: null,
    features: { rsi_14: 61.5 },
    ...overrides,
  };
}

export function backtest(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: randomUUID(),
    name: 'Momentum BTC 2025',
    description: 'Daily bars',
    strategy: 'momentum-v2',
    start_date: '2025-01-01T00:00:00.000Z',
    end_date: '2025-12-31T00:00:00.000Z',
    status: 'completed',
    performance: {
      initial_capital: 100000,
      final_equity: 118400,
      total_return: 18400,
      total_return_percent: 18.4,
      sharpe_ratio: 1.64,
      sortino_ratio: 2.31,
      max_drawdown: -7200,
      max_drawdown_percent: -6.8,
      calmar_ratio: 2.71,
      win_rate: 56.2,
      profit_factor: 1.58,
      total_trades: 210,
      winning_trades: 118,
      losing_trades: 92,
    },
    ...overrides,
  };
}
