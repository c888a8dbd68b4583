import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { createTestApp, type TestApp } from './utils/harness';
import {
  as,
  backtest,
  decision,
  engineTokens,
  type EngineTokens,
  minutesAgo,
  snapshot,
  trade,
  TRANSPARENCY_ENV,
} from './transparency-fixtures';

const PROBLEM = /^application\/problem\+json/;

describe('Transparency data', () => {
  let t: TestApp;
  let http: ReturnType<typeof request>;
  let tokens: EngineTokens;
  const get = (path: string) => as(tokens.reader)(http.get(path));
  const post = (path: string, body: unknown) => as(tokens.writer)(http.post(path)).send(body as object);

  beforeAll(async () => {
    t = await createTestApp({ redis: false, env: { ...TRANSPARENCY_ENV, INGEST_BODY_LIMIT: '64kb' } });
    http = request(t.app.getHttpServer());
    tokens = await engineTokens(t.app);
  });
  afterAll(async () => t?.close());

  const expect422 = async (path: string, field?: string) => {
    const res = await get(path).expect(422);
    expect(res.headers['content-type']).toMatch(PROBLEM);
    expect(res.body.status).toBe(422);
    if (field) expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    return res;
  };

  describe('before any data', () => {
    it('answers the portfolio with zeros and a null timestamp before the first snapshot', async () => {
      const res = await get('/api/v1/portfolio').expect(200);
      expect(res.body).toEqual({
        total_equity: 0,
        cash_balance: 0,
        invested: 0,
        total_pnl: 0,
        total_pnl_percent: 0,
        day_pnl: 0,
        day_pnl_percent: 0,
        positions_count: 0,
        open_orders: 0,
        timestamp: null,
      });
    });

    it('computes performance over an empty window as zeros, not an error', async () => {
      const res = await get('/api/v1/performance').expect(200);
      expect(res.body).toMatchObject({
        period: '1d',
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
      const curve = await get('/api/v1/performance/equity-curve').expect(200);
      expect(curve.body).toMatchObject({
        period: '7d',
        interval: '1h',
        data: [],
        initial_equity: 0,
        current_equity: 0,
      });
    });
  });

  describe('access', () => {
    it('refuses an anonymous read with 401 and a read token on a write with 403', async () => {
      const anonymous = await http.get('/api/v1/trades').expect(401);
      expect(anonymous.headers['www-authenticate']).toMatch(/^Bearer/);
      await as(tokens.reader)(http.post('/api/v1/trades')).send([trade()]).expect(403);
      await as(tokens.writer)(http.get('/api/v1/trades')).expect(403);
    });
  });

  describe('trades', () => {
    const base = Date.now();
    const batch = [
      trade({
        timestamp: minutesAgo(50, base),
        symbol: 'BTC-USD',
        event_type: 'signal',
        status: 'pending',
        order_type: null,
      }),
      trade({ timestamp: minutesAgo(40, base), symbol: 'BTC-USD', event_type: 'order_placed', status: 'pending' }),
      trade({ timestamp: minutesAgo(30, base), symbol: 'BTC-USD', quantity: 0.25, price: 64250.5 }),
      trade({ timestamp: minutesAgo(20, base), symbol: 'ETH-USD', price: 3200, quantity: 2 }),
      trade({
        timestamp: minutesAgo(10, base),
        symbol: 'ETH/USD',
        event_type: 'position_closed',
        side: 'sell',
        realized_pnl: 125.5,
        price: 3300,
        quantity: 2,
      }),
    ];

    it('ingests a batch with 201 and counts inserted rows, then reports a re-sent batch as already present', async () => {
      const first = await post('/api/v1/trades', batch).expect(201);
      expect(first.body).toEqual({ received: 5, inserted: 5, already_present: 0 });
      const again = await post('/api/v1/trades', [
        ...batch.slice(0, 2),
        trade({ timestamp: minutesAgo(60, base) }),
      ]).expect(201);
      expect(again.body).toEqual({ received: 3, inserted: 1, already_present: 2 });
    });

    it('lists trades newest first with every field, numbers as JSON numbers and the true total_count', async () => {
      const res = await get('/api/v1/trades?limit=2').expect(200);
      expect(res.body).toMatchObject({ total_count: 6, limit: 2, offset: 0 });
      expect(res.body.timestamp).toMatch(/Z$/);
      expect(res.body.trades).toHaveLength(2);
      const [newest, second] = res.body.trades;
      expect(newest).toEqual({
        id: batch[4].id,
        timestamp: batch[4].timestamp,
        symbol: 'ETH/USD',
        event_type: 'position_closed',
        side: 'sell',
        quantity: 2,
        price: 3300,
        total_value: 6600,
        fee: 15,
        realized_pnl: 125.5,
        status: 'filled',
        order_type: 'market',
        strategy: 'momentum-v2',
        data: { exchange: 'test' },
      });
      expect(second.id).toBe(batch[3].id);
      expect(second.realized_pnl).toBeNull();
      const page2 = await get('/api/v1/trades?limit=2&offset=2').expect(200);
      expect(page2.body.trades.map((x: { id: string }) => x.id)).toEqual([batch[2].id, batch[1].id]);
      expect(page2.body.total_count).toBe(6);
    });

    it('filters by symbol (upper-cased), event type and time range', async () => {
      const bySymbol = await get('/api/v1/trades?symbol=btc-usd').expect(200);
      expect(bySymbol.body.total_count).toBe(4);
      expect(bySymbol.body.trades.every((x: { symbol: string }) => x.symbol === 'BTC-USD')).toBe(true);
      const slash = await get(`/api/v1/trades?symbol=${encodeURIComponent('eth/usd')}`).expect(200);
      expect(slash.body.total_count).toBe(1);
      const byType = await get('/api/v1/trades?event_type=order_filled').expect(200);
      expect(byType.body.total_count).toBe(3);
      const range = await get(
        `/api/v1/trades?from=${encodeURIComponent(minutesAgo(45, base))}&to=${encodeURIComponent(minutesAgo(15, base))}`,
      ).expect(200);
      expect(range.body.trades.map((x: { id: string }) => x.id)).toEqual([batch[3].id, batch[2].id, batch[1].id]);
    });

    it('answers one trade by id, 404 for an unknown id and 400 for a malformed one', async () => {
      const one = await get(`/api/v1/trades/${batch[2].id as string}`).expect(200);
      expect(one.body).toMatchObject({ id: batch[2].id, quantity: 0.25, price: 64250.5, total_value: 16062.625 });
      const missing = await get(`/api/v1/trades/${randomUUID()}`).expect(404);
      expect(missing.headers['content-type']).toMatch(PROBLEM);
      const bad = await get('/api/v1/trades/not-a-uuid').expect(400);
      expect(bad.headers['content-type']).toMatch(PROBLEM);
    });

    it('refuses out-of-range pagination, unknown enums, bad symbols and unknown parameters with 422', async () => {
      await expect422('/api/v1/trades?limit=0', 'limit');
      await expect422('/api/v1/trades?limit=501', 'limit');
      await expect422('/api/v1/trades?limit=abc', 'limit');
      await expect422('/api/v1/trades?offset=-1', 'offset');
      await expect422('/api/v1/trades?event_type=liquidation', 'event_type');
      await expect422(`/api/v1/trades?symbol=${encodeURIComponent("BTC'; DROP TABLE trades; --")}`, 'symbol');
      await expect422(`/api/v1/trades?symbol=${'A'.repeat(21)}`, 'symbol');
      await expect422('/api/v1/trades?from=yesterday', 'from');
      await expect422('/api/v1/trades?sort=price', 'sort');
      await expect422(`/api/v1/trades?from=${minutesAgo(1)}&to=${minutesAgo(10)}`, 'from');
      // Postgres takes OFFSET as a bigint: a larger number is bad input, not a database error.
      await expect422('/api/v1/trades?offset=99999999999999999999', 'offset');
      await expect422('/api/v1/trades?limit=1&limit=2', 'limit');
      await expect422('/api/v1/ai/decisions?offset=99999999999999999999', 'offset');
      await expect422('/api/v1/backtests?offset=99999999999999999999', 'offset');
      // A NUL byte cannot reach a Postgres text parameter.
      await expect422('/api/v1/ai/decisions?model=lstm%00v3', 'model');
      // The table survived the attempt.
      expect((await get('/api/v1/trades').expect(200)).body.total_count).toBe(6);
    });

    it('validates an ingest item by item, naming the index and field, and stores nothing from a bad batch', async () => {
      const res = await post('/api/v1/trades', [
        trade(),
        trade({ price: 'cheap' }),
        trade({ side: 'hold', extra: 1 }),
        trade({ realized_pnl: 10 }),
      ]).expect(422);
      const fields = res.body.errors.map((e: { field: string }) => e.field);
      expect(fields).toEqual(expect.arrayContaining(['[1].price', '[2].side', '[2].extra']));
      const pnl = await post('/api/v1/trades', [trade({ realized_pnl: 10 })]).expect(422);
      expect(pnl.body.errors).toEqual([
        { field: '[0].realized_pnl', message: 'is only allowed on position_closed events' },
      ]);
      expect((await get('/api/v1/trades').expect(200)).body.total_count).toBe(6);
    });

    it('refuses with 422, not 500, what Postgres could not store: NUL bytes, lone surrogates, overflowing values', async () => {
      const res = await post('/api/v1/trades', [
        trade({ strategy: 'momentum\u0000v2' }),
        trade({ data: { note: 'a\u0000b' } }),
        trade({ data: { nested: [{ 'key\u0000': 1 }] } }),
        trade({ data: { note: '\ud800' } }),
      ]).expect(422);
      expect(res.headers['content-type']).toMatch(PROBLEM);
      expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual([
        '[0].strategy',
        '[1].data',
        '[2].data',
        '[3].data',
      ]);
      // total_value = quantity × price is served as a JSON number: an overflow would read back as null.
      const overflow = await post('/api/v1/trades', [trade(), trade({ quantity: 1e308, price: 1e308 })]).expect(422);
      expect(overflow.body.errors.map((e: { field: string }) => e.field)).toEqual(['[1].quantity']);
      const decisions = await post('/api/v1/ai/decisions', [
        decision({ model_name: 'lstm\u0000' }),
        decision({ reasoning: 'x\u0000' }),
        decision({ features: { a: '\udc00' } }),
        decision({ prediction: { direction: 'long', confidence: 0.5, time_horizon: '4h\u0000' } }),
      ]).expect(422);
      expect(decisions.body.errors.map((e: { field: string }) => e.field)).toEqual([
        '[0].model_name',
        '[1].reasoning',
        '[2].features',
        '[3].prediction.time_horizon',
      ]);
      const snapshots = await post('/api/v1/performance/snapshots', [snapshot({ open_orders: 1e12 })]).expect(422);
      expect(snapshots.body.errors.map((e: { field: string }) => e.field)).toEqual(['[0].open_orders']);
      expect((await get('/api/v1/trades').expect(200)).body.total_count).toBe(6);
    });

    it('answers prototype-shaped keys in an ingest item with 422 or strips them, never a 500', async () => {
      // A nested `constructor` key made class-transformer throw inside the batch validation.
      const res = await post('/api/v1/trades', [
        trade({ id: JSON.parse('{"constructor":{"prototype":{}}}') as unknown }),
        trade({ price: JSON.parse('{"constructor":1}') as unknown }),
      ]).expect(422);
      expect(res.headers['content-type']).toMatch(PROBLEM);
      expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual(
        expect.arrayContaining(['[0].id', '[1].price']),
      );
      // Free-form jsonb keeps its other keys; the prototype-shaped ones are dropped before validation.
      const data = JSON.parse(
        '{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}},"note":"kept"}',
      );
      const other = await post('/api/v1/trades', [trade({ data, price: 'cheap' })]).expect(422);
      expect([...new Set(other.body.errors.map((e: { field: string }) => e.field))]).toEqual(['[0].price']);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });

    it('refuses an empty batch, a batch over 1000 items, a non-array body and a body over INGEST_BODY_LIMIT', async () => {
      await post('/api/v1/trades', []).expect(422);
      await post('/api/v1/trades', trade()).expect(422);
      const tooMany = Array.from({ length: 1001 }, () => ({ id: randomUUID() }));
      const many = await as(tokens.writer)(http.post('/api/v1/trades'))
        .set('Content-Type', 'application/json')
        .send(JSON.stringify(tooMany))
        .expect((r) => expect([413, 422]).toContain(r.status));
      expect(many.headers['content-type']).toMatch(PROBLEM);
      const huge = Array.from({ length: 300 }, () => trade({ data: { note: 'x'.repeat(200) } }));
      await post('/api/v1/trades', huge).expect(413);
    });
  });

  describe('portfolio and positions', () => {
    it('upserts a position by symbol, lists it with unrealized PnL, and removes it', async () => {
      const put = await as(tokens.writer)(http.put('/api/v1/portfolio/positions/eth-usd'))
        .send({ side: 'long', size: 2, entry_price: 3000, current_price: 3150, opened_at: '2026-11-27T08:00:00.000Z' })
        .expect(200);
      expect(put.body).toEqual({
        symbol: 'ETH-USD',
        side: 'long',
        size: 2,
        entry_price: 3000,
        current_price: 3150,
        unrealized_pnl: 300,
        unrealized_pnl_percent: 5,
        opened_at: '2026-11-27T08:00:00.000Z',
      });
      await as(tokens.writer)(http.put('/api/v1/portfolio/positions/BTC-USD'))
        .send({ side: 'short', size: 0.5, entry_price: 60000, current_price: 61200, opened_at: '2026-11-28T01:00:00Z' })
        .expect(200);
      await as(tokens.writer)(http.put('/api/v1/portfolio/positions/SOL-USD'))
        .send({ side: 'long', size: 10, entry_price: 150, current_price: 150, opened_at: '2026-11-28T01:00:00Z' })
        .expect(200);
      await as(tokens.writer)(http.delete('/api/v1/portfolio/positions/sol-usd')).expect(204);
      const list = await get('/api/v1/portfolio/positions').expect(200);
      expect(list.body.total_count).toBe(2);
      expect(list.body.positions.map((p: { symbol: string }) => p.symbol)).toEqual(['BTC-USD', 'ETH-USD']);
      expect(list.body.positions[0]).toMatchObject({ side: 'short', unrealized_pnl: -600, unrealized_pnl_percent: -2 });
      expect((await get('/api/v1/portfolio').expect(200)).body.positions_count).toBe(2);
    });

    it('refuses a bad symbol or body with 422, and deleting an unknown position with 404', async () => {
      await as(tokens.writer)(http.put(`/api/v1/portfolio/positions/${encodeURIComponent("BTC'; --")}`))
        .send({ side: 'long', size: 1, entry_price: 1, current_price: 1, opened_at: '2026-11-28T01:00:00Z' })
        .expect(422);
      const bad = await as(tokens.writer)(http.put('/api/v1/portfolio/positions/ADA-USD'))
        .send({ side: 'sideways', size: -1, entry_price: 1, current_price: 1, opened_at: 'soon' })
        .expect(422);
      const overflow = await as(tokens.writer)(http.put('/api/v1/portfolio/positions/ADA-USD'))
        .send({ side: 'long', size: 1e308, entry_price: 0, current_price: 1e308, opened_at: '2026-11-28T01:00:00Z' })
        .expect(422);
      expect(overflow.body.errors).toEqual([{ field: 'size', message: 'size × price must be a finite number' }]);
      expect(bad.body.errors.map((e: { field: string }) => e.field)).toEqual(
        expect.arrayContaining(['side', 'size', 'opened_at']),
      );
      await as(tokens.writer)(http.delete('/api/v1/portfolio/positions/ADA-USD')).expect(404);
      await expect422('/api/v1/portfolio?fields=all', 'fields');
      await expect422('/api/v1/portfolio/positions?limit=5', 'limit');
    });
  });

  describe('performance', () => {
    // Hour-aligned so the equity-curve buckets are known: baseline 25 h ago, then four snapshots.
    const hour = 3_600_000;
    const base = Math.floor(Date.now() / hour) * hour - 3 * hour;
    const at = (minutes: number) => new Date(base + minutes * 60_000).toISOString();
    const snapshots = [
      snapshot({ timestamp: new Date(Date.now() - 25 * hour).toISOString(), total_equity: 100000 }),
      snapshot({ timestamp: at(10), total_equity: 110000 }),
      snapshot({ timestamp: at(50), total_equity: 105000 }),
      snapshot({ timestamp: at(70), total_equity: 99000 }),
      snapshot({
        timestamp: at(130),
        total_equity: 121000,
        cash_balance: 50000,
        invested: 71000,
        total_pnl: 21000,
        total_pnl_percent: 21,
        day_pnl: 1000,
        day_pnl_percent: 0.83,
        open_orders: 2,
      }),
    ];

    it('ingests snapshots idempotently and serves the latest as the portfolio', async () => {
      expect((await post('/api/v1/performance/snapshots', snapshots).expect(201)).body).toEqual({
        received: 5,
        inserted: 5,
        already_present: 0,
      });
      expect((await post('/api/v1/performance/snapshots', snapshots).expect(201)).body).toEqual({
        received: 5,
        inserted: 0,
        already_present: 5,
      });
      const res = await get('/api/v1/portfolio').expect(200);
      expect(res.body).toEqual({
        total_equity: 121000,
        cash_balance: 50000,
        invested: 71000,
        total_pnl: 21000,
        total_pnl_percent: 21,
        day_pnl: 1000,
        day_pnl_percent: 0.83,
        positions_count: 2,
        open_orders: 2,
        timestamp: at(130),
      });
    });

    it('computes the window figures from the baseline, the equity series and the closed trades', async () => {
      await post('/api/v1/trades', [
        trade({ event_type: 'position_closed', realized_pnl: 50, timestamp: minutesAgo(100) }),
        trade({ event_type: 'position_closed', realized_pnl: -20, timestamp: minutesAgo(90) }),
        trade({ event_type: 'position_closed', realized_pnl: -10, timestamp: minutesAgo(80) }),
        trade({ event_type: 'position_closed', realized_pnl: 30, timestamp: minutesAgo(2 * 24 * 60) }),
      ]).expect(201);
      // Closed in the last day: 125.5 (trades suite), 50, -20, -10.
      const day = await get('/api/v1/performance?period=1d').expect(200);
      expect(day.body).toMatchObject({
        period: '1d',
        total_return: 21000,
        total_return_percent: 21,
        // Returns .1, -.0454545, -.0571429, .2222222; median spacing 50 min → N = 10512 per year.
        sharpe_ratio: 42.491629,
        sortino_ratio: 154.195811,
        max_drawdown: -11000,
        max_drawdown_percent: -10,
        win_rate: 50,
        profit_factor: 5.85,
        total_trades: 4,
      });
      const week = await get('/api/v1/performance?period=7d').expect(200);
      expect(week.body.total_trades).toBe(5);
      expect(week.body.total_return).toBe(21000);
      // Within the last hour: only the newest snapshot after the baseline.
      const hourWindow = await get('/api/v1/performance?period=1h').expect(200);
      expect(hourWindow.body.sharpe_ratio).toBeNull();
    });

    it('buckets the equity curve per UTC interval: bucket start, last equity in it, ascending', async () => {
      const res = await get('/api/v1/performance/equity-curve?period=1d&interval=1h').expect(200);
      expect(res.body).toMatchObject({
        period: '1d',
        interval: '1h',
        data: [
          { timestamp: new Date(base).toISOString(), equity: 105000 },
          { timestamp: new Date(base + hour).toISOString(), equity: 99000 },
          { timestamp: new Date(base + 2 * hour).toISOString(), equity: 121000 },
        ],
        initial_equity: 105000,
        current_equity: 121000,
      });
      const all = await get('/api/v1/performance/equity-curve?period=all&interval=1d').expect(200);
      expect(all.body.data.length).toBeGreaterThanOrEqual(1);
      expect(all.body.current_equity).toBe(121000);
    });

    it('refuses unknown periods and intervals with 422', async () => {
      await expect422('/api/v1/performance?period=2d', 'period');
      await expect422('/api/v1/performance?period=90d', 'period');
      await expect422('/api/v1/performance/equity-curve?interval=2m', 'interval');
      await expect422('/api/v1/performance/equity-curve?period=1h', 'period');
      await expect422('/api/v1/performance?window=1d', 'window');
      const bad = await post('/api/v1/performance/snapshots', [
        snapshot({ total_equity: '1e5', open_orders: 1.5 }),
      ]).expect(422);
      expect(bad.body.errors.map((e: { field: string }) => e.field)).toEqual(['[0].total_equity', '[0].open_orders']);
    });
  });

  describe('AI decisions and models', () => {
    const items = [
      decision({ model_name: 'lstm-v3', outcome: 'profitable', actual_return: 1.5, timestamp: minutesAgo(300) }),
      decision({
        model_name: 'lstm-v3',
        prediction: { direction: 'short', confidence: 0.6 },
        outcome: 'loss',
        actual_return: 0.8,
        timestamp: minutesAgo(200),
      }),
      decision({ model_name: 'xgboost-trend', symbol: 'BTC-USD', timestamp: minutesAgo(100) }),
    ];

    it('ingests decisions idempotently and lists them newest first with the nested prediction', async () => {
      expect((await post('/api/v1/ai/decisions', items).expect(201)).body).toEqual({
        received: 3,
        inserted: 3,
        already_present: 0,
      });
      expect((await post('/api/v1/ai/decisions', items.slice(0, 1)).expect(201)).body.already_present).toBe(1);
      const res = await get('/api/v1/ai/decisions').expect(200);
      expect(res.body).toMatchObject({ total_count: 3, limit: 50, offset: 0 });
      expect(res.body.decisions[0]).toEqual({
        id: items[2].id,
        timestamp: items[2].timestamp,
        model_name: 'xgboost-trend',
        symbol: 'BTC-USD',
        prediction: { direction: 'long', confidence: 0.8, price_target: 3300, time_horizon: '4h' },
        reasoning: 'Momentum positive.',
        outcome: 'pending',
        actual_return: null,
        features: { rsi_14: 61.5 },
      });
      expect(res.body.decisions[2].prediction).toEqual({
        direction: 'long',
        confidence: 0.8,
        price_target: 3300,
        time_horizon: '4h',
      });
    });

    it('filters by model, symbol and outcome, and answers one decision or 404/400', async () => {
      expect((await get('/api/v1/ai/decisions?model=lstm-v3').expect(200)).body.total_count).toBe(2);
      expect((await get('/api/v1/ai/decisions?symbol=btc-usd').expect(200)).body.total_count).toBe(1);
      expect((await get('/api/v1/ai/decisions?outcome=loss').expect(200)).body.total_count).toBe(1);
      await get(`/api/v1/ai/decisions/${items[0].id as string}`).expect(200);
      await get(`/api/v1/ai/decisions/${randomUUID()}`).expect(404);
      await get('/api/v1/ai/decisions/1234').expect(400);
    });

    it('records an outcome with PATCH', async () => {
      const res = await as(tokens.writer)(http.patch(`/api/v1/ai/decisions/${items[2].id as string}`))
        .send({ outcome: 'profitable', actual_return: 2 })
        .expect(200);
      expect(res.body).toMatchObject({ outcome: 'profitable', actual_return: 2 });
      await as(tokens.writer)(http.patch(`/api/v1/ai/decisions/${randomUUID()}`))
        .send({ outcome: 'loss' })
        .expect(404);
      await as(tokens.writer)(http.patch(`/api/v1/ai/decisions/${items[2].id as string}`))
        .send({ outcome: 'great' })
        .expect(422);
      await as(tokens.writer)(http.patch(`/api/v1/ai/decisions/${items[2].id as string}`))
        .send({})
        .expect(422);
    });

    it('aggregates per model over the window from the decisions', async () => {
      const res = await get('/api/v1/ai/models?period=1d').expect(200);
      expect(res.body.total_count).toBe(2);
      expect(res.body.models).toEqual([
        {
          name: 'lstm-v3',
          predictions: 2,
          avg_confidence: 0.7,
          win_rate: 50,
          // long +1.5 is right, short with +0.8 is wrong.
          accuracy: 50,
          avg_return: 1.15,
          last_prediction_at: items[1].timestamp,
        },
        {
          name: 'xgboost-trend',
          predictions: 1,
          avg_confidence: 0.8,
          win_rate: 100,
          accuracy: 100,
          avg_return: 2,
          last_prediction_at: items[2].timestamp,
        },
      ]);
      expect((await get('/api/v1/ai/models?period=1h').expect(200)).body.total_count).toBe(0);
    });

    it('refuses bad queries and items with 422 naming the nested field', async () => {
      await expect422('/api/v1/ai/decisions?limit=201', 'limit');
      await expect422('/api/v1/ai/decisions?limit=0', 'limit');
      await expect422('/api/v1/ai/decisions?offset=-1', 'offset');
      await expect422('/api/v1/ai/decisions?outcome=won', 'outcome');
      await expect422(`/api/v1/ai/decisions?symbol=${encodeURIComponent("BTC'; DROP TABLE trades; --")}`, 'symbol');
      await expect422('/api/v1/ai/models?period=1y', 'period');
      const res = await post('/api/v1/ai/decisions', [
        decision(),
        decision({ prediction: { direction: 'up', confidence: 1.5 } }),
      ]).expect(422);
      expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual([
        '[1].prediction.direction',
        '[1].prediction.confidence',
      ]);
    });
  });

  describe('backtests', () => {
    const first = backtest({ name: 'First' });
    const second = backtest({ name: 'Second' });

    it('records a backtest idempotently and answers it with its performance', async () => {
      expect((await post('/api/v1/backtests', first).expect(201)).body).toEqual({
        received: 1,
        inserted: 1,
        already_present: 0,
      });
      expect((await post('/api/v1/backtests', first).expect(201)).body.already_present).toBe(1);
      await post('/api/v1/backtests', second).expect(201);
      const res = await get(`/api/v1/backtests/${first.id as string}`).expect(200);
      expect(res.body).toMatchObject({
        id: first.id,
        name: 'First',
        strategy: 'momentum-v2',
        start_date: '2025-01-01T00:00:00.000Z',
        end_date: '2025-12-31T00:00:00.000Z',
        status: 'completed',
        performance: first.performance,
      });
    });

    it('lists backtests newest first with pagination, and answers 404/400 for unknown/malformed ids', async () => {
      const res = await get('/api/v1/backtests?limit=1').expect(200);
      expect(res.body).toMatchObject({ total_count: 2, limit: 1, offset: 0 });
      expect(res.body.backtests[0].name).toBe('Second');
      expect((await get('/api/v1/backtests').expect(200)).body.limit).toBe(20);
      await get(`/api/v1/backtests/${randomUUID()}`).expect(404);
      await get('/api/v1/backtests/abc').expect(400);
      await expect422('/api/v1/backtests?limit=101', 'limit');
      await expect422('/api/v1/backtests?limit=0', 'limit');
      await expect422('/api/v1/backtests?offset=-1', 'offset');
    });

    it('refuses an invalid backtest with 422', async () => {
      const res = await post(
        '/api/v1/backtests',
        backtest({ status: 'done', performance: { ...(first.performance as object), max_drawdown: 5 } }),
      ).expect(422);
      expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual(
        expect.arrayContaining(['status', 'performance.max_drawdown']),
      );
      await post(
        '/api/v1/backtests',
        backtest({ start_date: '2025-02-01T00:00:00Z', end_date: '2025-01-01T00:00:00Z' }),
      ).expect(422);
      const unstorable = await post(
        '/api/v1/backtests',
        backtest({
          name: 'a\u0000',
          description: 'b\u0000',
          performance: { ...(first.performance as object), total_trades: 1e12 },
        }),
      ).expect(422);
      expect(unstorable.body.errors.map((e: { field: string }) => e.field)).toEqual(
        expect.arrayContaining(['name', 'description', 'performance.total_trades']),
      );
    });
  });

  describe('stats', () => {
    it('reports measured trading and AI counts and the process uptime', async () => {
      const res = await get('/api/v1/stats').expect(200);
      expect(res.body.trading).toMatchObject({
        trade_events: 10,
        closed_positions: 5,
        open_positions: 2,
        symbols_traded: 3,
        realized_pnl: 175.5,
        snapshots: 5,
        latest_equity: 121000,
      });
      expect(res.body.ai).toMatchObject({
        decisions: 3,
        models: 2,
        by_outcome: { pending: 0, profitable: 2, loss: 1, cancelled: 0 },
      });
      expect(res.body.api.uptime_seconds).toBeGreaterThanOrEqual(0);
      // Read from the metrics registry (api_requests_total, api_request_duration_seconds).
      expect(res.body.api.requests_total).toBeGreaterThan(50);
      expect(res.body.api.p95_latency_ms).toBeGreaterThan(0);
      expect(res.body.timestamp).toMatch(/Z$/);
      await expect422('/api/v1/stats?verbose=1', 'verbose');
    });
  });

  describe('business metrics', () => {
    it('publishes equity, PnL, open positions and AI prediction metrics on /metrics', async () => {
      const res = await http.get('/metrics').expect(200);
      expect(res.text).toMatch(/^portfolio_equity 121000$/m);
      expect(res.text).toMatch(/^portfolio_pnl 21000$/m);
      expect(res.text).toMatch(/^active_positions 2$/m);
      expect(res.text).toMatch(/^ai_predictions_total\{model_name="lstm-v3",outcome="profitable"\} [1-9]/m);
      expect(res.text).toMatch(/^ai_prediction_confidence_count [1-9]/m);
    });
  });
});
