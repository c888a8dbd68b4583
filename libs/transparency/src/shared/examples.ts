/** Request examples for the OpenAPI document: what the trading engine sends. */
export const TRADE_INGEST_EXAMPLE = [
  {
    id: '3f9a2c1e-8b7d-4e6f-9a1b-2c3d4e5f6a7b',
    timestamp: '2026-11-28T11:55:00.000Z',
    symbol: 'BTC-USD',
    event_type: 'order_filled',
    side: 'buy',
    quantity: 0.25,
    price: 64250.5,
    fee: 8.03,
    status: 'filled',
    order_type: 'market',
    strategy: 'momentum-v2',
    data: { exchange: 'binance', order_id: 'A-1042' },
  },
  {
    id: '5b1c7d2e-9f8a-4b3c-8d2e-1f0a9b8c7d6e',
    timestamp: '2026-11-28T14:10:00.000Z',
    symbol: 'BTC-USD',
    event_type: 'position_closed',
    side: 'sell',
    quantity: 0.25,
    price: 65010,
    fee: 8.13,
    realized_pnl: 173.72,
    status: 'filled',
    order_type: 'market',
    strategy: 'momentum-v2',
  },
];

export const SNAPSHOT_INGEST_EXAMPLE = [
  {
    id: '7c2d9e4f-1a3b-4c5d-8e6f-7a8b9c0d1e2f',
    timestamp: '2026-11-28T12:00:00.000Z',
    total_equity: 103250.12,
    cash_balance: 41250.12,
    invested: 62000,
    total_pnl: 3250.12,
    total_pnl_percent: 3.25,
    day_pnl: 412.5,
    day_pnl_percent: 0.4,
    open_orders: 1,
  },
];

export const DECISION_INGEST_EXAMPLE = [
  {
    id: '9e8d7c6b-5a4f-4e3d-9c2b-1a0f9e8d7c6b',
    timestamp: '2026-11-28T12:00:00.000Z',
    model_name: 'lstm-v3',
    symbol: 'ETH-USD',
    prediction: { direction: 'long', confidence: 0.72, price_target: 3300, time_horizon: '4h' },
    reasoning: 'Momentum and funding rate both positive.',
    features: { rsi_14: 61.2, macd: 0.8 },
  },
];
