import request from 'supertest';
import { createTestApp, type TestApp } from './utils/harness';
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
});
