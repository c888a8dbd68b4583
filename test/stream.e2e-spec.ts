import { randomBytes, randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { TokensService } from '@app/auth';
import { StreamHub, StreamOutbox } from '@app/stream';
import { ADMIN_PASSWORD, ADMIN_USERNAME, AUTH_ENV, login, within } from './auth-helpers';
import { openOk, openStream, type SseEvent, type SseStream } from './stream-client';
import { as, decision, engineTokens, type EngineTokens, snapshot, trade } from './transparency-fixtures';
import { createTestApp, describeWithRedis, type TestApp } from './utils/harness';

const STREAM_ENV = {
  ...AUTH_ENV,
  STREAM_HEARTBEAT_MS: '200',
  STREAM_MAX_BUFFER_BYTES: '65536',
};

async function listening(t: TestApp): Promise<number> {
  await t.app.listen(0, '127.0.0.1');
  return (t.app.getHttpServer().address() as AddressInfo).port;
}

/** Two replicas over one schema (and, with Redis, one key prefix), signing with one secret. */
async function replicas(redis: boolean): Promise<[TestApp, TestApp]> {
  const env = { ...STREAM_ENV, JWT_SECRET: randomBytes(32).toString('hex') };
  const a = await createTestApp({ redis, env });
  const b = await createTestApp({ redis, env, schema: a.schema });
  return [a, b];
}

const ofType = (events: SseEvent[], type: string): SseEvent[] => events.filter((e) => e.event === type);
const payloads = (events: SseEvent[], type: string): Record<string, unknown>[] =>
  ofType(events, type).map((e) => JSON.parse(e.data) as Record<string, unknown>);

async function ingest(t: TestApp, writer: string, path: string, items: Record<string, unknown>[]): Promise<void> {
  await as(writer)(request(t.app.getHttpServer()).post(`/api/v1/${path}`))
    .send(items)
    .expect(201);
}

function expectOrderedUnique(events: SseEvent[]): void {
  const ids = events.map((e) => Number(e.id));
  expect(ids.every((id, i) => i === 0 || id > ids[i - 1])).toBe(true);
}

describeWithRedis('Live stream across replicas (Redis pub/sub)', () => {
  let a: TestApp;
  let b: TestApp;
  let portA: number;
  let portB: number;
  let tokens: EngineTokens;
  const open: SseStream[] = [];
  const track = (stream: SseStream): SseStream => {
    open.push(stream);
    return stream;
  };

  beforeAll(async () => {
    [a, b] = await replicas(true);
    portA = await listening(a);
    portB = await listening(b);
    tokens = await engineTokens(a.app);
  });
  afterEach(() => {
    for (const stream of open.splice(0)) stream.close();
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  it('delivers a trade ingested on one replica to a stream on the other within 1 s, as GET /trades/{id} reads it', async () => {
    const stream = track(await openOk(portB, { token: tokens.reader }));
    expect(stream.headers['content-type']).toMatch(/^text\/event-stream/);
    expect(stream.headers['cache-control']).toBe('no-store');
    const items = [trade(), trade({ symbol: 'ETH-USD', quantity: 1.123456789, price: 3000.5 })];
    await ingest(a, tokens.writer, 'trades', items);
    const elapsed = await stream.waitFor((events) => ofType(events, 'trade').length === 2, 1000);
    expect(elapsed).toBeLessThan(1000);
    const received = payloads(stream.events, 'trade');
    expect(received.map((t) => t.id)).toEqual(items.map((t) => t.id));
    for (const event of received) {
      const read = await as(tokens.reader)(request(b.app.getHttpServer()).get(`/api/v1/trades/${String(event.id)}`));
      expect(event).toEqual(read.body);
    }
    expectOrderedUnique(stream.events);
  });

  it('delivers snapshots as GET /portfolio reads them (plus id) and decisions on insert and on update', async () => {
    const stream = track(await openOk(portB, { token: tokens.reader, query: '?topics=snapshots,decisions' }));
    const snap = snapshot({ timestamp: new Date().toISOString(), total_equity: 123456.78 });
    await ingest(a, tokens.writer, 'performance/snapshots', [snap]);
    await stream.waitFor((events) => ofType(events, 'snapshot').length === 1, 1000);
    const portfolio = await as(tokens.reader)(request(b.app.getHttpServer()).get('/api/v1/portfolio')).expect(200);
    expect(payloads(stream.events, 'snapshot')[0]).toEqual({ id: snap.id, ...portfolio.body });

    const dec = decision();
    await ingest(a, tokens.writer, 'ai/decisions', [dec]);
    await as(tokens.writer)(request(a.app.getHttpServer()).patch(`/api/v1/ai/decisions/${String(dec.id)}`))
      .send({ outcome: 'profitable', actual_return: 0.0123 })
      .expect(200);
    await stream.waitFor((events) => ofType(events, 'decision').length === 2, 1000);
    const [inserted, updated] = payloads(stream.events, 'decision');
    expect(inserted).toMatchObject({ id: dec.id, outcome: 'pending' });
    const read = await as(tokens.reader)(request(b.app.getHttpServer()).get(`/api/v1/ai/decisions/${String(dec.id)}`));
    expect(updated).toEqual(read.body);
    // Only the topics asked for.
    await ingest(a, tokens.writer, 'trades', [trade()]);
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(ofType(stream.events, 'trade')).toHaveLength(0);
  });

  it('never skips an event whose transaction commits after a later one started (ids become visible in order)', async () => {
    const stream = track(await openOk(portB, { token: tokens.reader, query: '?topics=trades' }));
    const outbox = a.app.get(StreamOutbox);
    const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
    // The first transaction takes its id, then holds its commit; the second starts meanwhile.
    const slow = a.dataSource.transaction(async (manager) => {
      await outbox.record(manager, 'trade', [{ marker: 'slow' }]);
      await sleep(700);
    });
    await sleep(100);
    const fast = b.dataSource
      .transaction((manager) => b.app.get(StreamOutbox).record(manager, 'trade', [{ marker: 'fast' }]))
      .then(() => b.app.get(StreamOutbox).announce());
    await Promise.all([slow, fast]);
    await outbox.announce();
    await stream.waitFor((events) => events.length === 2, 2000);
    expect(payloads(stream.events, 'trade')).toEqual([{ marker: 'slow' }, { marker: 'fast' }]);
    expectOrderedUnique(stream.events);
  });

  it('sends a comment heartbeat', async () => {
    const stream = track(await openOk(portA, { token: tokens.reader }));
    await within(1000, () => Promise.resolve(stream.comments.includes('heartbeat')));
  });

  it('resumes after a disconnect with Last-Event-ID: nothing missed, nothing twice, in order, across the replay/live seam', async () => {
    const first = track(await openOk(portB, { token: tokens.reader, query: '?topics=trades' }));
    const before = [trade(), trade(), trade()];
    await ingest(a, tokens.writer, 'trades', before);
    await first.waitFor((events) => events.length === 3, 1000);
    const lastId = first.events[2].id as string;
    first.close();

    const missed = [trade(), trade(), trade(), trade()];
    await ingest(a, tokens.writer, 'trades', missed);
    // Live events race the replay: ingested while the stream is opening and right after.
    const during = [trade(), trade()];
    const after = [trade()];
    const [second] = await Promise.all([
      openOk(portB, { token: tokens.reader, query: '?topics=trades', lastEventId: lastId }),
      ingest(a, tokens.writer, 'trades', during),
    ]);
    track(second);
    await ingest(b, tokens.writer, 'trades', after);
    const expected = [...missed, ...during, ...after].map((t) => t.id);
    await second.waitFor((events) => events.length >= expected.length, 2000);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(payloads(second.events, 'trade').map((t) => t.id)).toEqual(expected);
    expectOrderedUnique(second.events);
    expect(Number(second.events[0].id)).toBeGreaterThan(Number(lastId));
  });

  it('paces a replay larger than the buffer bound by the socket instead of cutting a reading client off', async () => {
    const first = track(await openOk(portA, { token: tokens.reader, query: '?topics=trades' }));
    await ingest(a, tokens.writer, 'trades', [trade()]);
    await first.waitFor((events) => events.length === 1, 1000);
    first.close();
    // ~10 MB missed: far past the 64 KiB bound and the socket buffers.
    const padding = 'y'.repeat(10_000);
    for (let batch = 0; batch < 4; batch++) {
      await ingest(
        a,
        tokens.writer,
        'trades',
        Array.from({ length: 250 }, () => trade({ data: { padding } })),
      );
    }
    const second = track(
      await openOk(portA, { token: tokens.reader, query: '?topics=trades', lastEventId: first.events[0].id }),
    );
    await second.waitFor((events) => events.length === 1000 || second.isEnded(), 20000);
    expect(ofType(second.events, 'error')).toEqual([]);
    expect(ofType(second.events, 'trade')).toHaveLength(1000);
    expectOrderedUnique(second.events);
  });

  it('replays at most the newest 1,000 missed events, and nothing older than an hour', async () => {
    const [{ id: before }] = await a.dataSource.query<{ id: string }[]>(
      `INSERT INTO stream_events (topic, payload, created_at) VALUES ('trade', '{"n":0}', now() - interval '2 hours') RETURNING id`,
    );
    await a.dataSource.query(
      `INSERT INTO stream_events (topic, payload) SELECT 'trade', json_build_object('n', n) FROM generate_series(1, 1005) AS n`,
    );
    const stream = track(
      await openOk(portB, { token: tokens.reader, query: '?topics=trades', lastEventId: String(Number(before) - 1) }),
    );
    await stream.waitFor((events) => events.length >= 1000, 5000);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const ns = payloads(stream.events, 'trade').map((p) => p.n);
    expect(ns).toHaveLength(1000);
    expect(ns[0]).toBe(6);
    expect(ns.at(-1)).toBe(1005);
    expectOrderedUnique(stream.events);
  });

  it('treats a Last-Event-ID beyond any issued id as "from now" instead of silencing the stream', async () => {
    const stream = track(await openOk(portA, { token: tokens.reader, lastEventId: '999999999999' }));
    await ingest(a, tokens.writer, 'trades', [trade()]);
    await stream.waitFor((events) => events.length === 1, 1000);
  });

  it('refuses the sixth stream of one client with a 429 problem, across replicas, and frees the slot on close', async () => {
    const { accessToken } = await a.app
      .get(TokensService)
      .issueServiceToken({ subject: `limit-${randomUUID()}`, scopes: ['transparency:read'], ttlSeconds: 600 });
    const five = await Promise.all([0, 1, 2, 3, 4].map((i) => openOk(i % 2 ? portA : portB, { token: accessToken })));
    five.forEach(track);
    const sixth = await openStream(portB, { token: accessToken });
    expect(sixth.status).toBe(429);
    expect(sixth.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(JSON.parse((sixth as { body: string }).body)).toMatchObject({ status: 429 });
    five[0].close();
    await within(1000, async () => {
      const retry = await openStream(portA, { token: accessToken });
      if (retry.status === 200 && 'close' in retry) track(retry);
      return retry.status === 200;
    });
  });

  it('ends a stream within 1 s of its token being revoked on another replica', async () => {
    const admin = await login(a.app.getHttpServer(), ADMIN_USERNAME, ADMIN_PASSWORD);
    const issued = await request(a.app.getHttpServer())
      .post('/api/v1/admin/tokens')
      .auth(admin.access_token, { type: 'bearer' })
      .send({ subject: `dashboard-${randomUUID()}`, scopes: ['transparency:read'] })
      .expect(201);
    const stream = track(await openOk(portB, { token: issued.body.access_token as string }));
    const started = Date.now();
    await request(a.app.getHttpServer())
      .delete(`/api/v1/admin/tokens/${String(issued.body.id)}`)
      .auth(admin.access_token, { type: 'bearer' })
      .expect(204);
    await stream.waitFor(() => stream.isEnded(), 1500);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(payloads(stream.events, 'error')).toEqual([expect.objectContaining({ reason: 'token_revoked' })]);
  });

  it('ends a stream when its token expires', async () => {
    const { accessToken } = await a.app
      .get(TokensService)
      .issueServiceToken({ subject: `short-${randomUUID()}`, scopes: ['transparency:read'], ttlSeconds: 2 });
    const stream = track(await openOk(portA, { token: accessToken }));
    await stream.waitFor(() => stream.isEnded(), 3500);
    expect(payloads(stream.events, 'error')).toEqual([expect.objectContaining({ reason: 'token_expired' })]);
  });

  it('cuts off a client that stops reading instead of buffering for it', async () => {
    const hub = b.app.get(StreamHub);
    const baseline = hub.openStreams;
    const stream = track(await openOk(portB, { token: tokens.reader, query: '?topics=trades' }));
    stream.pause();
    expect(hub.openStreams).toBe(baseline + 1);
    // ~12 MB of events: far past the socket buffers and the 64 KiB bound.
    const padding = 'x'.repeat(2000);
    const batches = 12;
    for (let i = 0; i < batches; i++) {
      await ingest(
        a,
        tokens.writer,
        'trades',
        Array.from({ length: 500 }, () => trade({ data: { padding } })),
      );
      if (hub.openStreams === baseline) break;
    }
    await within(3000, () => Promise.resolve(hub.openStreams === baseline));
    stream.resume();
    await stream.waitFor(() => stream.isEnded(), 3000);
    // The server dropped what the client never read instead of holding it.
    expect(stream.bytes()).toBeLessThan(batches * 500 * 2000);
  });

  it('counts streams and events in /metrics', async () => {
    const stream = track(await openOk(portA, { token: tokens.reader }));
    await ingest(a, tokens.writer, 'trades', [trade()]);
    await stream.waitFor((events) => events.length === 1, 1000);
    const metrics = await request(a.app.getHttpServer()).get('/metrics').expect(200);
    expect(metrics.text).toMatch(/^sse_connections [1-9]\d*$/m);
    expect(metrics.text).toMatch(/^sse_events_sent_total\{event="trade"\} [1-9]\d*$/m);
  });

  it('audits a stream once, when it ends', async () => {
    const requestId = `stream-audit-${randomUUID()}`;
    const stream = await openOk(portA, { token: tokens.reader, headers: { 'X-Request-Id': requestId } });
    await new Promise((resolve) => setTimeout(resolve, 100));
    stream.close();
    const count = async (): Promise<number> => {
      const [row] = await a.dataSource.query<{ n: number }[]>(
        'SELECT count(*)::int AS n FROM audit_records WHERE request_id = $1',
        [requestId],
      );
      return row.n;
    };
    await within(5000, async () => (await count()) > 0);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(await count()).toBe(1);
  });
});

describe('Live stream refusals (ordinary problem responses, never an empty 200 stream)', () => {
  let t: TestApp;
  let port: number;
  let tokens: EngineTokens;
  beforeAll(async () => {
    t = await createTestApp({ redis: false, env: STREAM_ENV });
    port = await listening(t);
    tokens = await engineTokens(t.app);
  });
  afterAll(async () => t?.close());

  const refused = async (
    options: Parameters<typeof openStream>[1],
    status: number,
  ): Promise<Record<string, unknown>> => {
    const result = await openStream(port, options);
    expect(result.status).toBe(status);
    expect(result.headers['content-type']).toMatch(/^application\/problem\+json/);
    return JSON.parse((result as { body: string }).body) as Record<string, unknown>;
  };

  it('401 without a token', async () => {
    await refused({}, 401);
  });

  it('403 for a token without transparency:read', async () => {
    await refused({ token: tokens.writer }, 403);
  });

  it('422 for an unknown topic, an empty topic list and an unknown parameter', async () => {
    const unknown = await refused({ token: tokens.reader, query: '?topics=trades,orders' }, 422);
    expect(unknown.errors).toEqual([expect.objectContaining({ field: 'topics' })]);
    await refused({ token: tokens.reader, query: '?topics=' }, 422);
    await refused({ token: tokens.reader, query: '?topics=trades&topics=orders' }, 422);
    await refused({ token: tokens.reader, query: '?since=1' }, 422);
  });

  it('refuses a token in the query string: it never authenticates, and beside a header it is 422', async () => {
    await refused({ query: `?access_token=${tokens.reader}` }, 401);
    await refused({ query: `?token=${tokens.reader}` }, 401);
    const problem = await refused({ token: tokens.reader, query: `?access_token=${tokens.reader}` }, 422);
    expect(JSON.stringify(problem)).toContain('Authorization');
    expect(JSON.stringify(problem)).not.toContain(tokens.reader);
  });

  it('422 for a malformed Last-Event-ID', async () => {
    for (const lastEventId of ['abc', '-1', '1.5', '9'.repeat(30)]) {
      const problem = await refused({ token: tokens.reader, lastEventId }, 422);
      expect(problem.errors).toEqual([expect.objectContaining({ field: 'Last-Event-ID' })]);
    }
  });
});

describe('Live stream anonymous with TRANSPARENCY_PUBLIC_READ=true', () => {
  let t: TestApp;
  let port: number;
  beforeAll(async () => {
    t = await createTestApp({ redis: false, env: { ...STREAM_ENV, TRANSPARENCY_PUBLIC_READ: 'true' } });
    port = await listening(t);
  });
  afterAll(async () => t?.close());

  it('opens without a token, limited per IP, and still refuses a token in the query', async () => {
    const streams = await Promise.all([0, 1, 2, 3, 4].map(() => openOk(port)));
    expect((await openStream(port)).status).toBe(429);
    for (const stream of streams) stream.close();
    expect((await openStream(port, { query: '?access_token=x' })).status).toBe(422);
  });
});

describe('Live stream across replicas without Redis (Postgres LISTEN/NOTIFY)', () => {
  let a: TestApp;
  let b: TestApp;
  let portB: number;
  let tokens: EngineTokens;
  beforeAll(async () => {
    [a, b] = await replicas(false);
    await listening(a);
    portB = await listening(b);
    tokens = await engineTokens(a.app);
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  it('delivers writes on one replica to the other within 1 s', async () => {
    const stream = await openOk(portB, { token: tokens.reader });
    try {
      for (let i = 1; i <= 3; i++) {
        await ingest(a, tokens.writer, 'trades', [trade()]);
        const elapsed = await stream.waitFor((events) => events.length === i, 1000);
        expect(elapsed).toBeLessThan(1000);
      }
      expectOrderedUnique(stream.events);
    } finally {
      stream.close();
    }
  });

  it('keeps delivering when its LISTEN connection is killed, and listens again', async () => {
    const listeners = async (): Promise<number[]> =>
      (
        await a.dataSource.query<{ pid: number }[]>(
          `SELECT pid FROM pg_stat_activity WHERE application_name = 'transparency-api:stream' AND query = $1`,
          [`LISTEN "stream_events:${a.schema}"`],
        )
      ).map((row) => row.pid);
    const before = await listeners();
    expect(before).toHaveLength(2);
    await a.dataSource.query('SELECT pg_terminate_backend(pid) FROM unnest($1::int[]) AS pid', [before]);
    const stream = await openOk(portB, { token: tokens.reader });
    try {
      await ingest(a, tokens.writer, 'trades', [trade()]);
      expect(await stream.waitFor((events) => events.length === 1, 1000)).toBeLessThan(1000);
      await within(5000, async () => (await listeners()).filter((pid) => !before.includes(pid)).length === 2);
    } finally {
      stream.close();
    }
  });
});

describe('Live stream on shutdown', () => {
  it('app close ends every stream with event: error (reason shutdown) and does not wait for clients', async () => {
    const t = await createTestApp({ redis: false, env: STREAM_ENV });
    const port = await listening(t);
    const { reader } = await engineTokens(t.app);
    const streams = await Promise.all([openOk(port, { token: reader }), openOk(port, { token: reader })]);
    const started = Date.now();
    await t.close();
    expect(Date.now() - started).toBeLessThan(5000);
    for (const stream of streams) {
      await stream.waitFor(() => stream.isEnded(), 1000);
      expect(payloads(stream.events, 'error')).toEqual([expect.objectContaining({ reason: 'shutdown' })]);
    }
  });
});

describe('Live stream on the embedded database (PGlite)', () => {
  let t: TestApp;
  let port: number;
  let tokens: EngineTokens;
  beforeAll(async () => {
    t = await createTestApp({ redis: false, env: { ...STREAM_ENV, DATABASE_URL: undefined } });
    port = await listening(t);
    tokens = await engineTokens(t.app);
  }, 120_000);
  afterAll(async () => t?.close());

  it('delivers writes within 1 s and resumes from Last-Event-ID (no LISTEN through pglite-socket: one process, woken in-process)', async () => {
    const first = await openOk(port, { token: tokens.reader });
    await ingest(t, tokens.writer, 'trades', [trade()]);
    expect(await first.waitFor((events) => events.length === 1, 1000)).toBeLessThan(1000);
    first.close();
    const missed = [trade(), trade()];
    await ingest(t, tokens.writer, 'trades', missed);
    const second = await openOk(port, { token: tokens.reader, lastEventId: first.events[0].id });
    try {
      await second.waitFor((events) => events.length === 2, 1000);
      expect(payloads(second.events, 'trade').map((e) => e.id)).toEqual(missed.map((e) => e.id));
    } finally {
      second.close();
    }
  });
});

describe('Live stream and the rate limits', () => {
  let t: TestApp;
  let port: number;
  let tokens: EngineTokens;
  beforeAll(async () => {
    t = await createTestApp({
      redis: false,
      env: {
        ...STREAM_ENV,
        RATE_LIMIT_ENABLED: 'true',
        RATE_LIMIT_BURST: '100',
        RATE_LIMIT_PER_MINUTE: '20',
        RATE_LIMIT_PER_HOUR: '1000',
      },
    });
    port = await listening(t);
    tokens = await engineTokens(t.app);
  });
  afterAll(async () => t?.close());

  it('counts the opening once: events and heartbeats are not requests', async () => {
    const stream = await openOk(port, { token: tokens.reader });
    try {
      expect(stream.headers['x-ratelimit-limit']).toBe('20');
      const remaining = Number(stream.headers['x-ratelimit-remaining']);
      await ingest(t, tokens.writer, 'trades', [trade(), trade()]);
      await stream.waitFor((events) => events.length === 2, 1000);
      await within(1000, () => Promise.resolve(stream.comments.length >= 2));
      const next = await as(tokens.reader)(request(t.app.getHttpServer()).get('/api/v1/trades?limit=1')).expect(200);
      expect(Number(next.headers['x-ratelimit-remaining'])).toBe(remaining - 1);
    } finally {
      stream.close();
    }
  });
});
