import request from 'supertest';
import { Client } from 'pg';
import { createTestApp, schemaUrl, type TestApp } from './utils/harness';
import {
  as,
  backtest,
  decision,
  engineTokens,
  type EngineTokens,
  minutesAgo,
  trade,
  TRANSPARENCY_ENV,
} from './transparency-fixtures';

/**
 * Paging of the lists built by the shared newest-first helper (trades, AI decisions,
 * backtests): pages tile the list exactly, ties on equal timestamps included, and
 * `total_count` is the exact number of matching rows on every page, past the end too.
 */
describe('List paging', () => {
  let t: TestApp;
  let http: ReturnType<typeof request>;
  let tokens: EngineTokens;
  const get = (path: string) => as(tokens.reader)(http.get(path));
  const post = (path: string, body: unknown) => as(tokens.writer)(http.post(path)).send(body as object);

  beforeAll(async () => {
    t = await createTestApp({ redis: false, env: TRANSPARENCY_ENV });
    http = request(t.app.getHttpServer());
    tokens = await engineTokens(t.app);
  });
  afterAll(async () => t?.close());

  /** Newest first: ISO timestamps and lower-case uuids order as Postgres orders them, byte by byte. */
  const descending = (a: string, b: string) => (a < b ? 1 : a > b ? -1 : 0);

  /** Every page of `path` with `limit`, until an empty one; each page's total_count. */
  async function allPages(path: string, key: string, limit: number) {
    const ids: string[] = [];
    const totals = new Set<number>();
    for (let offset = 0; ; offset += limit) {
      const res = await get(`${path}${path.includes('?') ? '&' : '?'}limit=${limit}&offset=${offset}`).expect(200);
      totals.add(res.body.total_count);
      const items = res.body[key] as { id: string }[];
      ids.push(...items.map((x) => x.id));
      if (items.length === 0) return { ids, totals };
    }
  }

  describe('trades', () => {
    const base = Date.now();
    const tied = minutesAgo(30, base);
    // 11 BTC trades: 7 on one timestamp, the others around it; 5 ETH trades on the same timestamp.
    const btc = [
      ...Array.from({ length: 7 }, () => trade({ timestamp: tied, symbol: 'BTC-USD' })),
      trade({ timestamp: minutesAgo(10, base), symbol: 'BTC-USD', event_type: 'signal', status: 'pending' }),
      trade({ timestamp: minutesAgo(20, base), symbol: 'BTC-USD' }),
      trade({ timestamp: minutesAgo(40, base), symbol: 'BTC-USD', event_type: 'signal', status: 'pending' }),
      trade({ timestamp: minutesAgo(50, base), symbol: 'BTC-USD' }),
    ];
    const eth = Array.from({ length: 5 }, () => trade({ timestamp: tied, symbol: 'ETH-USD' }));
    const newestFirst = (items: Record<string, unknown>[]) =>
      [...items]
        .sort(
          (a, b) =>
            descending(a.timestamp as string, b.timestamp as string) || descending(a.id as string, b.id as string),
        )
        .map((x) => x.id as string);

    beforeAll(async () => {
      await post('/api/v1/trades', [...btc, ...eth]).expect(201);
    });

    it('tiles the list with pages that never overlap or skip, ties broken by id, the total on every page', async () => {
      for (const limit of [1, 2, 3, 5, 50]) {
        const { ids, totals } = await allPages('/api/v1/trades', 'trades', limit);
        expect(ids).toEqual(newestFirst([...btc, ...eth]));
        expect([...totals]).toEqual([16]);
      }
    });

    it('keeps the exact total under filters, on the last page and past the end', async () => {
      const { ids, totals } = await allPages('/api/v1/trades?symbol=BTC-USD', 'trades', 4);
      expect(ids).toEqual(newestFirst(btc));
      expect([...totals]).toEqual([11]);
      const from = encodeURIComponent(tied);
      const since = await allPages(`/api/v1/trades?symbol=BTC-USD&from=${from}`, 'trades', 3);
      expect(since.ids).toEqual(newestFirst(btc.slice(0, 9)));
      expect([...since.totals]).toEqual([9]);
      const signals = await get('/api/v1/trades?symbol=BTC-USD&event_type=signal&limit=1&offset=1').expect(200);
      expect(signals.body).toMatchObject({ total_count: 2, limit: 1, offset: 1 });
      expect(signals.body.trades.map((x: { id: string }) => x.id)).toEqual([btc[9].id]);
      const far = await get('/api/v1/trades?symbol=ETH-USD&offset=400').expect(200);
      expect(far.body).toMatchObject({ trades: [], total_count: 5, offset: 400 });
      const none = await get('/api/v1/trades?symbol=SOL-USD').expect(200);
      expect(none.body).toMatchObject({ trades: [], total_count: 0 });
      const noneFar = await get('/api/v1/trades?symbol=SOL-USD&offset=10').expect(200);
      expect(noneFar.body).toMatchObject({ trades: [], total_count: 0 });
    });
  });

  /**
   * The trade list's total adds whole UTC days from `trade_daily_counts` (kept by triggers) and
   * counts rows only in the partial days at the range's ends. The oracle is a plain count over
   * `trade_events` in the same schema: the definition of the true count.
   */
  describe('trade totals from the daily counts', () => {
    const day = (daysAgo: number, time: string) => {
      const d = new Date(Date.now() - daysAgo * 86_400_000).toISOString().slice(0, 10);
      return `${d}T${time}Z`;
    };
    const times = ['00:00:00.000', '00:00:00.001', '11:59:59.999', '12:00:00.000', '23:59:59.999'];
    const types = ['signal', 'order_placed', 'order_filled', 'position_closed'];
    const items = [4, 3, 2, 1].flatMap((ago, i) =>
      times.flatMap((time, j) =>
        ['DAY-A', 'DAY-B'].map((symbol, k) => {
          const event_type = types[(i + j + k) % types.length];
          return trade({
            timestamp: day(ago, time),
            symbol,
            event_type,
            status: event_type === 'signal' ? 'pending' : 'filled',
            ...(event_type === 'position_closed' ? { realized_pnl: 1.5 } : {}),
          });
        }),
      ),
    );

    async function trueCount(filter: {
      symbol?: string;
      event_type?: string;
      from?: string;
      to?: string;
    }): Promise<number> {
      const where = ["symbol LIKE 'DAY-%'"];
      const values: unknown[] = [];
      if (filter.symbol) where.push(`symbol = $${values.push(filter.symbol)}`);
      if (filter.event_type) where.push(`event_type = $${values.push(filter.event_type)}`);
      if (filter.from) where.push(`timestamp >= $${values.push(filter.from)}`);
      if (filter.to) where.push(`timestamp <= $${values.push(filter.to)}`);
      const { rows } = await db.query(
        `SELECT count(*)::int AS n FROM trade_events WHERE ${where.join(' AND ')}`,
        values,
      );
      return rows[0].n as number;
    }

    async function listedCount(filter: Record<string, string | undefined>): Promise<number> {
      const query = Object.entries(filter)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => `${k}=${encodeURIComponent(v!)}`)
        .join('&');
      // A limit of its own per call: a fresh cache key, so the total is read from the database.
      const res = await get(`/api/v1/trades?limit=${(reads++ % 500) + 1}&${query}`).expect(200);
      return res.body.total_count as number;
    }

    let db: Client;
    let reads = 0;

    beforeAll(async () => {
      await post('/api/v1/trades', items).expect(201);
      db = new Client({ connectionString: schemaUrl(t.schema) });
      await db.connect();
    });
    afterAll(async () => db?.end());

    it('equals a plain count for ranges starting and ending on, just before and just after midnights', async () => {
      const shifted = (iso: string, ms: number) => new Date(new Date(iso).getTime() + ms).toISOString();
      const edges = (ago: number) => times.flatMap((time) => [-1, 0, 1].map((ms) => shifted(day(ago, time), ms)));
      // Ranges with whole days between their ends (day 3 to day 1), and ranges inside one day.
      const froms = [undefined, ...edges(3)];
      const tos = [undefined, ...edges(1), ...edges(3).filter((_, i) => i % 3 === 1)];
      let compared = 0;
      for (const from of froms) {
        for (const to of tos) {
          if (from && to && from > to) continue;
          for (const symbol of ['DAY-A', undefined]) {
            const filter = { symbol: symbol ?? 'DAY-B', from, to };
            expect({ filter, total: await listedCount(filter) }).toEqual({ filter, total: await trueCount(filter) });
            compared++;
          }
        }
      }
      expect(compared).toBeGreaterThan(100);
      const typed = { symbol: 'DAY-A', event_type: 'signal', from: day(4, '06:00:00.000'), to: day(1, '18:00:00.000') };
      expect(await listedCount(typed)).toBe(await trueCount(typed));
      expect(await trueCount(typed)).toBeGreaterThan(0);
    });

    it('stays exact when a batch is sent again, and when rows are changed or removed by hand in SQL', async () => {
      const range = { symbol: 'DAY-A', from: day(4, '00:00:00.000'), to: day(1, '00:00:00.000') };
      const before = await listedCount(range);
      expect(before).toBe(await trueCount(range));
      await post('/api/v1/trades', items).expect(201);
      expect(await listedCount(range)).toBe(before);

      const moved = items.find((x) => x.symbol === 'DAY-A' && x.timestamp === day(3, '12:00:00.000'))!;
      const dropped = items.find((x) => x.symbol === 'DAY-A' && x.timestamp === day(2, '11:59:59.999'))!;
      await db.query(`UPDATE trade_events SET symbol = 'DAY-B' WHERE id = $1`, [moved.id]);
      await db.query('DELETE FROM trade_events WHERE id = $1', [dropped.id]);
      expect(await listedCount(range)).toBe(before - 2);
      expect(await listedCount({ ...range, symbol: 'DAY-B' })).toBe(await trueCount({ ...range, symbol: 'DAY-B' }));
    });

    it('stays exact under concurrent batches writing the same day (no lost update, no deadlock)', async () => {
      const today = day(5, '08:00:00.000');
      const batches = Array.from({ length: 8 }, (_, b) =>
        Array.from({ length: 25 }, (_, i) =>
          trade({ timestamp: today, symbol: ['DAY-A', 'DAY-B'][(b + i) % 2], event_type: 'order_filled' }),
        ),
      );
      const answers = await Promise.all(batches.map((batch) => post('/api/v1/trades', batch)));
      expect(answers.map((r) => r.status)).toEqual(batches.map(() => 201));
      for (const symbol of ['DAY-A', 'DAY-B']) {
        const range = { symbol, from: day(6, '00:00:00.000'), to: day(4, '00:00:00.000') };
        expect(await listedCount(range)).toBe(await trueCount(range));
        expect(await trueCount(range)).toBeGreaterThanOrEqual(100);
      }
    });
  });

  describe('AI decisions', () => {
    const at = minutesAgo(15);
    const items = [
      ...Array.from({ length: 4 }, () => decision({ timestamp: at, model_name: 'lstm-v3' })),
      ...Array.from({ length: 3 }, () => decision({ timestamp: at, model_name: 'xgb-v1' })),
    ];

    beforeAll(async () => {
      await post('/api/v1/ai/decisions', items).expect(201);
    });

    it('pages tied decisions by id with the exact total, filtered or not', async () => {
      const byId = (list: Record<string, unknown>[]) => list.map((x) => x.id as string).sort(descending);
      const all = await allPages('/api/v1/ai/decisions', 'decisions', 2);
      expect(all.ids).toEqual(byId(items));
      expect([...all.totals]).toEqual([7]);
      const lstm = await allPages('/api/v1/ai/decisions?model=lstm-v3', 'decisions', 3);
      expect(lstm.ids).toEqual(byId(items.slice(0, 4)));
      expect([...lstm.totals]).toEqual([4]);
    });
  });

  describe('backtests', () => {
    it('pages backtests newest first with the exact total past the end', async () => {
      for (const name of ['A', 'B', 'C']) await post('/api/v1/backtests', backtest({ name })).expect(201);
      const all = await allPages('/api/v1/backtests', 'backtests', 2);
      expect(all.ids).toHaveLength(3);
      expect(new Set(all.ids).size).toBe(3);
      expect([...all.totals]).toEqual([3]);
    });
  });

  describe('values read through a page', () => {
    // A page comes back from Postgres as one JSON array; a single read by id comes back row by
    // row through the driver's own type parsers. Both must hand out the same values: awkward
    // text, tiny and long decimals, nulls, nested data and a microsecond timestamp.
    const awkwardText = 'momentum "v2" \\ back\\slash, ü, 📈, tab\there';
    const awkwardData = {
      nested: { list: [1, 'two', null, true, { deep: [] }] },
      big: 2 ** 70,
      tiny: 1e-12,
      text: 'line\nbreak "quoted" \u2028 end',
      empty: {},
    };
    const trades = [
      trade({ symbol: 'JSON-T', quantity: 1e-8, price: 123456789.12345678, fee: 0, strategy: awkwardText }),
      trade({
        symbol: 'JSON-T',
        event_type: 'position_closed',
        side: 'sell',
        realized_pnl: -0.000001,
        quantity: 0.1,
        price: 0.2,
        order_type: undefined,
        strategy: null,
        data: awkwardData,
      }),
      trade({ symbol: 'JSON-T', timestamp: minutesAgo(7), quantity: 3, price: 1e15, data: {} }),
    ];
    const decisions = [
      decision({ symbol: 'JSON-D', reasoning: awkwardText, features: awkwardData }),
      decision({ symbol: 'JSON-D', reasoning: null, outcome: 'loss', actual_return: -0.0425, features: {} }),
    ];

    beforeAll(async () => {
      await post('/api/v1/trades', trades).expect(201);
      await post('/api/v1/ai/decisions', decisions).expect(201);
      await post('/api/v1/backtests', backtest({ name: awkwardText, description: null })).expect(201);
      // The API stores milliseconds; Postgres keeps microseconds, which both paths truncate alike.
      const db = new Client({ connectionString: schemaUrl(t.schema) });
      await db.connect();
      await db.query(`UPDATE trade_events SET timestamp = timestamp + interval '0.000789 s' WHERE id = $1`, [
        trades[2].id,
      ]);
      await db.end();
    });

    async function expectPageEqualsSingleReads(list: string, key: string, single: (id: string) => string) {
      const page = await get(list).expect(200);
      const items = page.body[key] as { id: string }[];
      expect(items.length).toBeGreaterThan(0);
      for (const item of items) expect(item).toEqual((await get(single(item.id)).expect(200)).body);
      return items;
    }

    it('lists trades with exactly the values a single read gives', async () => {
      const items = await expectPageEqualsSingleReads(
        '/api/v1/trades?symbol=JSON-T',
        'trades',
        (id) => `/api/v1/trades/${id}`,
      );
      expect(items).toHaveLength(3);
      const byId = new Map(items.map((x) => [x.id, x as Record<string, unknown>]));
      expect(byId.get(trades[0].id as string)).toMatchObject({
        quantity: 1e-8,
        price: 123456789.12345678,
        strategy: awkwardText,
      });
      expect(byId.get(trades[1].id as string)).toMatchObject({
        realized_pnl: -0.000001,
        order_type: null,
        data: awkwardData,
      });
      expect(byId.get(trades[2].id as string)).toMatchObject({ timestamp: trades[2].timestamp, price: 1e15, data: {} });
    });

    it('lists AI decisions and backtests with exactly the values a single read gives', async () => {
      const listed = await expectPageEqualsSingleReads(
        '/api/v1/ai/decisions?symbol=JSON-D',
        'decisions',
        (id) => `/api/v1/ai/decisions/${id}`,
      );
      expect(listed).toHaveLength(2);
      expect(listed.map((x) => (x as Record<string, unknown>).features)).toEqual(
        expect.arrayContaining([awkwardData, {}]),
      );
      const backtests = await expectPageEqualsSingleReads(
        '/api/v1/backtests',
        'backtests',
        (id) => `/api/v1/backtests/${id}`,
      );
      expect(backtests.map((x) => (x as Record<string, unknown>).name)).toContain(awkwardText);
    });
  });
});
