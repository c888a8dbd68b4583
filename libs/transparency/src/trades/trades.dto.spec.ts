import { compareBatches, compareFastCheck } from '../shared/fast-check.testing';
import { fastTradeIngestItem, TradeIngestItemDto } from './trades.dto';

const VALID: Record<string, unknown>[] = [
  {
    id: '0b7c6f0e-1d1a-4c57-9a36-2f1f5f4d8a10',
    timestamp: '2026-11-28T11:55:00.000Z',
    symbol: 'BTC-USD',
    event_type: 'order_filled',
    side: 'buy',
    quantity: 0.25,
    price: 64250.5,
    fee: 8.03,
    realized_pnl: null,
    status: 'filled',
    order_type: 'market',
    strategy: 'momentum-v2',
    data: { exchange: 'demo', fills: [{ qty: 0.25 }] },
  },
  {
    id: '0B7C6F0E-1D1A-4C57-9A36-2F1F5F4D8A11',
    timestamp: '2026-11-28T11:55:00+01:00',
    symbol: 'eth/usd',
    event_type: 'position_closed',
    side: 'sell',
    quantity: 0,
    price: 0,
    realized_pnl: -12.5,
    status: 'partially_filled',
  },
  {
    id: '0b7c6f0e-1d1a-4c57-9a36-2f1f5f4d8a12',
    timestamp: '2026-11-28',
    symbol: 'sol-usd',
    event_type: 'signal',
    side: 'buy',
    quantity: 1e6,
    price: 1.5,
    fee: 0,
    status: 'pending',
    order_type: null,
    strategy: null,
    data: null,
  },
];

describe('fastTradeIngestItem', () => {
  it('answers exactly what class-transformer + class-validator answer, or defers to them', () => {
    const result = compareFastCheck(TradeIngestItemDto, fastTradeIngestItem, VALID);
    expect(result.mismatches).toEqual([]);
    expect(result.compared).toBeGreaterThan(4000);
    // It takes the common case (and a good share of everything the slow path accepts).
    expect(result.fastAccepted).toBeGreaterThan(result.slowAccepted * 0.9);
  });

  it('takes every valid item of the examples', () => {
    for (const item of VALID) expect(fastTradeIngestItem(structuredClone(item))).toBeDefined();
  });

  it('gives validateBatch the same items and the same errors, field paths included', () => {
    compareBatches(TradeIngestItemDto, fastTradeIngestItem, VALID);
    compareBatches(TradeIngestItemDto, fastTradeIngestItem, [
      ...VALID,
      { ...VALID[0], price: -1 },
      { ...VALID[1], x: 1 },
    ]);
    compareBatches(TradeIngestItemDto, fastTradeIngestItem, [{ ...VALID[0], symbol: 'bad symbol!' }, 'nope', VALID[2]]);
  });
});
