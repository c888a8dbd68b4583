import { randomUUID } from 'node:crypto';
import { EventEmitter2 } from '@nestjs/event-emitter';
import Redis from 'ioredis';
import { L1_TTL_MS } from '@app/transparency';
import request from 'supertest';
import { ENV_REDIS_URL } from './setup/services';
import { createTestApp, describeWithRedis, schemaUrl, type TestApp, withClient } from './utils/harness';
import { TcpProxy } from './utils/tcp-proxy';
import {
  as,
  backtest,
  engineTokens,
  type EngineTokens,
  snapshot,
  trade,
  TRANSPARENCY_ENV,
} from './transparency-fixtures';

type Http = ReturnType<typeof request>;

/** The suite's Redis (same database index) behind a proxy the test can cut and restore. */
async function cuttableRedis(): Promise<{ proxy: TcpProxy; port: number; url: string }> {
  const target = new URL(process.env[ENV_REDIS_URL] as string);
  const proxy = new TcpProxy(target.hostname, Number(target.port || 6379));
  const port = await proxy.start();
  return { proxy, port, url: `redis://127.0.0.1:${port}${target.pathname}` };
}

describeWithRedis('Transparency caching', () => {
  describe('with Redis, two instances sharing it', () => {
    let a: TestApp;
    let b: TestApp;
    let httpA: Http;
    let httpB: Http;
    let tokens: EngineTokens;
    const lookups: { route: string; result: string }[] = [];

    beforeAll(async () => {
      a = await createTestApp({ env: TRANSPARENCY_ENV });
      b = await createTestApp({ env: { ...TRANSPARENCY_ENV, JWT_SECRET: a.config.jwt.secret }, schema: a.schema });
      httpA = request(a.app.getHttpServer());
      httpB = request(b.app.getHttpServer());
      tokens = await engineTokens(a.app);
      a.app.get(EventEmitter2).on('cache.lookup', (event: { route: string; result: string }) => lookups.push(event));
    });
    afterAll(async () => {
      await b?.close();
      await a?.close();
    });

    const readA = (path: string) => as(tokens.reader)(httpA.get(path));
    const readB = (path: string) => as(tokens.reader)(httpB.get(path));

    it('answers a repeated read from the cache: MISS then HIT, the same body and ETag, and a cache.lookup event each', async () => {
      await as(tokens.writer)(httpA.post('/api/v1/trades')).send([trade()]).expect(201);
      lookups.length = 0;
      const first = await readA('/api/v1/trades?limit=10').expect(200);
      const second = await readA('/api/v1/trades?limit=10').expect(200);
      expect(first.headers['x-cache']).toBe('MISS');
      expect(second.headers['x-cache']).toBe('HIT');
      expect(second.body).toEqual(first.body);
      expect(second.headers.etag).toBe(first.headers.etag);
      expect(lookups).toEqual([
        { route: 'trades.list', result: 'miss' },
        { route: 'trades.list', result: 'hit' },
      ]);
    });

    it('keys by the normalised query: parameter order and spelled-out defaults share one entry', async () => {
      await readA('/api/v1/trades?symbol=btc-usd&limit=5').expect(200);
      const reordered = await readA('/api/v1/trades?limit=5&symbol=BTC-USD').expect(200);
      expect(reordered.headers['x-cache']).toBe('HIT');
      const defaults = await readA('/api/v1/trades?limit=10&offset=0').expect(200);
      expect(defaults.headers['x-cache']).toBe('HIT');
    });

    it('answers If-None-Match with the current ETag by 304 and no body', async () => {
      const res = await readA('/api/v1/trades?limit=10').expect(200);
      const etag = res.headers.etag;
      const notModified = await readA('/api/v1/trades?limit=10').set('If-None-Match', etag).expect(304);
      expect(notModified.text ?? '').toBe('');
      await readA('/api/v1/trades?limit=10').set('If-None-Match', '"stale"').expect(200);
    });

    it('serves a write at once: the next read is a MISS with the new data, and the old ETag no longer matches', async () => {
      const before = await readA('/api/v1/trades?limit=10').expect(200);
      const fresh = trade();
      await as(tokens.writer)(httpA.post('/api/v1/trades')).send([fresh]).expect(201);
      const after = await readA('/api/v1/trades?limit=10').set('If-None-Match', before.headers.etag).expect(200);
      expect(after.headers['x-cache']).toBe('MISS');
      expect(after.body.total_count).toBe(before.body.total_count + 1);
      expect(after.body.trades.map((x: { id: string }) => x.id)).toContain(fresh.id);
    });

    it('invalidates exactly the affected routes: a trade write leaves cached backtests and portfolio alone', async () => {
      await as(tokens.writer)(httpA.post('/api/v1/backtests')).send(backtest()).expect(201);
      await readA('/api/v1/backtests').expect(200);
      await readA('/api/v1/portfolio').expect(200);
      await readA('/api/v1/performance').expect(200);
      await as(tokens.writer)(httpA.post('/api/v1/trades')).send([trade()]).expect(201);
      expect((await readA('/api/v1/backtests').expect(200)).headers['x-cache']).toBe('HIT');
      expect((await readA('/api/v1/portfolio').expect(200)).headers['x-cache']).toBe('HIT');
      expect((await readA('/api/v1/performance').expect(200)).headers['x-cache']).toBe('MISS');
      // A snapshot changes the portfolio and performance, not the trades.
      await readA('/api/v1/trades').expect(200);
      await as(tokens.writer)(httpA.post('/api/v1/performance/snapshots')).send([snapshot()]).expect(201);
      expect((await readA('/api/v1/portfolio').expect(200)).headers['x-cache']).toBe('MISS');
      expect((await readA('/api/v1/trades').expect(200)).headers['x-cache']).toBe('HIT');
      // A re-sent batch changes nothing and invalidates nothing.
      const again = await readA('/api/v1/portfolio').expect(200);
      expect(again.headers['x-cache']).toBe('HIT');
    });

    it('lets a second instance see the first one’s write within 1 s, though B holds the entry in process', async () => {
      const cachedOnB = await readB('/api/v1/portfolio/positions').expect(200);
      expect((await readB('/api/v1/portfolio/positions').expect(200)).headers['x-cache']).toBe('HIT');
      await as(tokens.writer)(httpA.put('/api/v1/portfolio/positions/ETH-USD'))
        .send({ side: 'long', size: 1, entry_price: 3000, current_price: 3100, opened_at: '2026-11-28T00:00:00Z' })
        .expect(200);
      const written = Date.now();
      let afterWrite = await readB('/api/v1/portfolio/positions').expect(200);
      while (afterWrite.body.total_count === cachedOnB.body.total_count && Date.now() - written < 1000) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        afterWrite = await readB('/api/v1/portfolio/positions').expect(200);
      }
      expect(afterWrite.body.total_count).toBe(cachedOnB.body.total_count + 1);
      expect(Date.now() - written).toBeLessThanOrEqual(1000);
      // The entry B filled is the one A then hits.
      expect((await readA('/api/v1/portfolio/positions').expect(200)).headers['x-cache']).toBe('HIT');
    });

    it('reaches B’s in-process copy through the invalidation message, long before the copy’s 1 s life ends', async () => {
      await readB('/api/v1/backtests?limit=7').expect(200);
      const cached = await readB('/api/v1/backtests?limit=7').expect(200);
      expect(cached.headers['x-cache']).toBe('HIT');
      await as(tokens.writer)(httpA.post('/api/v1/backtests')).send(backtest()).expect(201);
      const written = Date.now();
      let after = await readB('/api/v1/backtests?limit=7').expect(200);
      while (after.body.total_count === cached.body.total_count && Date.now() - written < 1000) {
        await new Promise((resolve) => setTimeout(resolve, 10));
        after = await readB('/api/v1/backtests?limit=7').expect(200);
      }
      expect(after.body.total_count).toBe(cached.body.total_count + 1);
      // Well inside L1_TTL_MS: the message did it, not the safety-net expiry.
      expect(Date.now() - written).toBeLessThan(500);
    });

    it('still ages a lost invalidation message out within 1 s: copies found under a version kept in process die with it', async () => {
      await as(tokens.writer)(httpA.post('/api/v1/trades')).send([trade()]).expect(201);
      // Whatever B kept from before has aged out; then B learns the trades family's
      // version token through one list (and keeps it in process)...
      await new Promise((resolve) => setTimeout(resolve, L1_TTL_MS));
      await readB('/api/v1/trades?limit=21').expect(200);
      const learned = Date.now();
      // ...and A stores another list of the family in Redis under that same version.
      const before = await readA('/api/v1/trades?limit=22').expect(200);
      // A write whose invalidation message never reaches B: the row and the version bump that
      // another replica would make, without the publish.
      await withClient(
        (c) =>
          c.query(
            `INSERT INTO trade_events (id, timestamp, symbol, event_type, side, quantity, price, total_value, fee, status)
             VALUES ($1, now(), 'LOST-MSG', 'order_filled', 'buy', 1, 10, 10, 0, 'filled')`,
            [randomUUID()],
          ),
        schemaUrl(a.schema),
      );
      const redis = new Redis(process.env[ENV_REDIS_URL] as string);
      try {
        const versionKey = `${a.schema}:tcache:v:trades`;
        expect(await redis.get(versionKey)).not.toBeNull();
        await redis.set(versionKey, randomUUID());
      } finally {
        redis.disconnect();
      }
      const written = Date.now();
      // Late in the kept version's life, B reads A's entry for the first time: stale, as allowed.
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, learned + 0.7 * L1_TTL_MS - Date.now())));
      const stale = await readB('/api/v1/trades?limit=22').expect(200);
      expect(stale.body.total_count).toBe(before.body.total_count);
      // The copy it made dies with the version, not 1 s after it was made.
      let after = stale;
      while (after.body.total_count === before.body.total_count && Date.now() - written < 3 * L1_TTL_MS) {
        await new Promise((resolve) => setTimeout(resolve, 10));
        after = await readB('/api/v1/trades?limit=22').expect(200);
      }
      expect(after.body.total_count).toBe(before.body.total_count + 1);
      expect(Date.now() - written).toBeLessThanOrEqual(L1_TTL_MS + 100);
    });

    it('sends a burst of concurrent misses of one key to one load (single flight), all with the same answer', async () => {
      lookups.length = 0;
      const burst = await Promise.all(
        Array.from({ length: 20 }, () => readA('/api/v1/backtests?limit=11').expect(200)),
      );
      expect(lookups.filter((event) => event.result === 'miss')).toHaveLength(1);
      expect(lookups).toHaveLength(20);
      expect(new Set(burst.map((res) => res.headers.etag)).size).toBe(1);
    });

    it('caches per route, never per caller: another token gets the same cached answer', async () => {
      const other = await engineTokens(a.app);
      await readA('/api/v1/backtests?limit=3').expect(200);
      const res = await as(other.reader)(httpA.get('/api/v1/backtests?limit=3')).expect(200);
      expect(res.headers['x-cache']).toBe('HIT');
    });
  });

  describe('when Redis is unreachable', () => {
    it('degrades to uncached reads and still accepts writes (REDIS_URL on a dead port)', async () => {
      const t = await createTestApp({ env: { ...TRANSPARENCY_ENV, REDIS_URL: 'redis://127.0.0.1:1' } });
      try {
        const http = request(t.app.getHttpServer());
        const tokens = await engineTokens(t.app);
        await as(tokens.writer)(http.post('/api/v1/trades')).send([trade()]).expect(201);
        for (let i = 0; i < 2; i++) {
          const res = await as(tokens.reader)(http.get('/api/v1/trades')).expect(200);
          expect(res.headers['x-cache']).toBe('MISS');
          expect(res.body.total_count).toBe(1);
        }
      } finally {
        await t.close();
      }
    });

    it('answers reads and writes promptly while Redis keeps the connection but stops answering (a partition)', async () => {
      const { proxy, url } = await cuttableRedis();
      const t = await createTestApp({ env: { ...TRANSPARENCY_ENV, REDIS_URL: url } });
      try {
        const http = request(t.app.getHttpServer());
        const tokens = await engineTokens(t.app);
        await as(tokens.reader)(http.get('/api/v1/trades')).expect(200);
        proxy.frozen = true;
        const started = Date.now();
        await as(tokens.writer)(http.post('/api/v1/trades')).send([trade()]).timeout(5000).expect(201);
        const read = await as(tokens.reader)(http.get('/api/v1/trades')).timeout(5000).expect(200);
        expect(read.body.total_count).toBe(1);
        expect(read.headers['x-cache']).toBe('MISS');
        expect(Date.now() - started).toBeLessThan(4000);
        const ready = await http.get('/health/ready').timeout(5000).expect(200);
        expect(ready.body.checks.redis.status).toBe('down');
      } finally {
        proxy.frozen = false;
        await t.close();
        await proxy.stop();
      }
    });

    it('keeps answering when Redis goes away mid-flight, then caches again without serving what the outage made stale', async () => {
      const { proxy, port, url } = await cuttableRedis();
      const t = await createTestApp({ env: { ...TRANSPARENCY_ENV, REDIS_URL: url } });
      try {
        const http = request(t.app.getHttpServer());
        const tokens = await engineTokens(t.app);
        const read = () => as(tokens.reader)(http.get('/api/v1/backtests'));
        await read().expect(200);
        expect((await read().expect(200)).headers['x-cache']).toBe('HIT');
        await proxy.stop();
        const started = Date.now();
        // The in-process copy (younger than 1 s) may answer; once it is gone, Postgres does.
        await read().expect(200);
        await new Promise((resolve) => setTimeout(resolve, L1_TTL_MS));
        const down = await read().expect(200);
        expect(down.headers['x-cache']).toBe('MISS');
        await as(tokens.writer)(http.post('/api/v1/backtests')).send(backtest()).expect(201);
        expect((await read().expect(200)).body.total_count).toBe(1);
        expect(Date.now() - started).toBeLessThan(2000 + L1_TTL_MS);
        await proxy.start(port);
        // Once Redis is back it caches again, and never serves the answer cached before the
        // write it missed (the invalidation is retried before any cached read).
        let last = await read().expect(200);
        for (let i = 0; i < 60 && last.headers['x-cache'] !== 'HIT'; i++) {
          await new Promise((resolve) => setTimeout(resolve, 100));
          last = await read().expect(200);
        }
        expect(last.headers['x-cache']).toBe('HIT');
        expect(last.body.total_count).toBe(1);
      } finally {
        await t.close();
        await proxy.stop();
      }
    });

    it('makes a write missed by the shared cache visible on the other instances once Redis is back, with no further read on the writer', async () => {
      const { proxy, port, url } = await cuttableRedis();
      // The writer reaches Redis through the cuttable proxy, the reader directly; same schema, same keys.
      const writer = await createTestApp({ env: { ...TRANSPARENCY_ENV, REDIS_URL: url } });
      const reader = await createTestApp({
        env: { ...TRANSPARENCY_ENV, JWT_SECRET: writer.config.jwt.secret },
        schema: writer.schema,
      });
      try {
        const tokens = await engineTokens(writer.app);
        const read = () => as(tokens.reader)(request(reader.app.getHttpServer()).get('/api/v1/backtests'));
        await read().expect(200);
        expect((await read().expect(200)).headers['x-cache']).toBe('HIT');
        await proxy.stop();
        await as(tokens.writer)(request(writer.app.getHttpServer()).post('/api/v1/backtests'))
          .send(backtest())
          .expect(201);
        await proxy.start(port);
        let last = await read().expect(200);
        for (let i = 0; i < 50 && last.body.total_count !== 1; i++) {
          await new Promise((resolve) => setTimeout(resolve, 100));
          last = await read().expect(200);
        }
        expect(last.body.total_count).toBe(1);
      } finally {
        await reader.close();
        await writer.close();
        await proxy.stop();
      }
    });
  });
});

describe('Transparency caching without Redis (in-memory store)', () => {
  it('caches in process and answers TRANSPARENCY_PUBLIC_READ=true reads anonymously', async () => {
    const t = await createTestApp({ redis: false, env: { ...TRANSPARENCY_ENV, TRANSPARENCY_PUBLIC_READ: 'true' } });
    try {
      const http = request(t.app.getHttpServer());
      expect((await http.get('/api/v1/ai/models').expect(200)).headers['x-cache']).toBe('MISS');
      expect((await http.get('/api/v1/ai/models').expect(200)).headers['x-cache']).toBe('HIT');
      await http.get('/api/v1/stats').expect(200);
      // Writes still need the engine's token.
      await http.post('/api/v1/trades').send([trade()]).expect(401);
    } finally {
      await t.close();
    }
  });
});
