'use strict';
/**
 * Data for the scenarios: trade rows with fresh ids, the private Postgres schema and Redis key
 * prefix of a run, raw multi-row INSERTs (the seed, and the database's ceiling for S4), and the
 * audit row count.
 */
const { randomBytes } = require('node:crypto');
const { Client, Pool } = require('pg');

const SYMBOLS = ['BTC-USD', 'ETH-USD', 'SOL-USD', 'ADA-USD', 'XRP-USD', 'DOT-USD', 'AVAX-USD', 'LINK-USD', 'DOGE-USD', 'LTC-USD'];
const EVENT_TYPES = ['signal', 'order_placed', 'order_filled', 'position_closed'];
const COLUMNS = ['id', 'timestamp', 'symbol', 'event_type', 'side', 'quantity', 'price', 'total_value', 'fee', 'realized_pnl', 'status', 'order_type', 'strategy', 'data'];
/** Seeded trades span this window, ending now, so every `from` filter of S3 has data after it. */
const SEED_SPAN_MS = 90 * 24 * 3600 * 1000;

// One random prefix per harness run and one counter: every id handed out is new to the table.
const RUN_PREFIX = randomBytes(4).toString('hex');
let idCounter = 0;
function freshId() {
  const n = idCounter++;
  return `${RUN_PREFIX}-${((n / 2 ** 48) >>> 0).toString(16).padStart(4, '0').slice(-4)}-4000-8000-${(n % 2 ** 48).toString(16).padStart(12, '0')}`;
}

/** One trade in the ingest shape of `POST /api/v1/trades` (no `total_value`: the API computes it). */
function tradeItem(n, timestampMs) {
  const eventType = EVENT_TYPES[n % EVENT_TYPES.length];
  return {
    id: freshId(),
    timestamp: new Date(timestampMs).toISOString(),
    symbol: SYMBOLS[n % SYMBOLS.length],
    event_type: eventType,
    side: n % 2 ? 'buy' : 'sell',
    quantity: 0.5 + (n % 7) * 0.25,
    price: 100 + (n % 997) / 10,
    fee: 0.12,
    realized_pnl: eventType === 'position_closed' ? ((n % 21) - 10) * 1.5 : null,
    status: 'filled',
    order_type: 'market',
    strategy: 'bench',
    data: { n },
  };
}

let batchCounter = 0;
/** `size` fresh trades, timestamps in 2025 so ingested rows never reorder S3's window. */
function tradeBatch(size) {
  const items = new Array(size);
  const base = Date.UTC(2025, 0, 1);
  for (let i = 0; i < size; i++) {
    const n = batchCounter++;
    items[i] = tradeItem(n, base + n * 10);
  }
  return items;
}

function rowValues(item) {
  return [
    item.id, item.timestamp, item.symbol, item.event_type, item.side, item.quantity, item.price,
    item.quantity * item.price, item.fee, item.realized_pnl, item.status, item.order_type, item.strategy, JSON.stringify(item.data),
  ];
}

/** The statement the API's ingest runs (multi-row, idempotent on id), with the same rows. */
function insertStatement(items) {
  const params = [];
  const tuples = items.map((item, row) => {
    params.push(...rowValues(item));
    return `(${COLUMNS.map((_, col) => `$${row * COLUMNS.length + col + 1}`).join(',')})`;
  });
  return {
    text: `INSERT INTO trade_events (${COLUMNS.map((c) => `"${c}"`).join(',')}) VALUES ${tuples.join(',')} ON CONFLICT (id) DO NOTHING RETURNING id`,
    values: params,
  };
}

function schemaUrl(base, schema) {
  const separator = base.includes('?') ? '&' : '?';
  return `${base}${separator}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
}

async function withClient(url, run) {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

async function createSchema(baseUrl) {
  const schema = `bench_${process.pid}_${randomBytes(3).toString('hex')}`;
  await withClient(baseUrl, (c) => c.query(`CREATE SCHEMA "${schema}"`));
  return schema;
}

async function dropSchema(baseUrl, schema) {
  await withClient(baseUrl, (c) => c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`));
}

/** Seeds `count` trades spread over the last 90 days, 1,000 rows per INSERT, 4 at a time. */
async function seedTrades(url, count) {
  const pool = new Pool({ connectionString: url, max: 4 });
  const end = Date.now() - 60000;
  let next = 0;
  try {
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        while (next < count) {
          const start = next;
          const size = Math.min(1000, count - start);
          next += size;
          const items = [];
          for (let i = start; i < start + size; i++) items.push(tradeItem(i, end - Math.floor((i / count) * SEED_SPAN_MS)));
          await pool.query(insertStatement(items));
        }
      }),
    );
    await pool.query('VACUUM (ANALYZE) trade_events');
  } finally {
    await pool.end();
  }
  return { oldest: new Date(end - SEED_SPAN_MS), newest: new Date(end) };
}

/**
 * The database's own ingest ceiling: `workers` loops, each on its own connection, inserting
 * batches of `batchSize` fresh rows with the API's statement, for `durationMs`.
 */
async function rawInsertRun(url, { workers, batchSize, durationMs }) {
  const pool = new Pool({ connectionString: url, max: workers });
  let rows = 0;
  let statements = 0;
  const latencies = [];
  const deadline = Date.now() + durationMs;
  const started = process.hrtime.bigint();
  try {
    await Promise.all(
      Array.from({ length: workers }, async () => {
        while (Date.now() < deadline) {
          const statement = insertStatement(tradeBatch(batchSize));
          const t0 = process.hrtime.bigint();
          const result = await pool.query(statement);
          latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
          rows += result.rowCount ?? 0;
          statements++;
        }
      }),
    );
  } finally {
    await pool.end();
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  latencies.sort((a, b) => a - b);
  const pct = (p) => (latencies.length ? latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] : 0);
  return { rows, statements, seconds, rowsPerSecond: rows / seconds, p50: pct(0.5), p99: pct(0.99), max: latencies.at(-1) ?? 0 };
}

/** Audit rows by event, in the run's schema. */
async function auditCounts(url) {
  return withClient(url, async (c) => {
    const { rows } = await c.query('SELECT event, count(*)::int AS n FROM audit_records GROUP BY event');
    return Object.fromEntries(rows.map((r) => [r.event, r.n]));
  });
}

/** Request records by route and status (`POST /api/v1/trades 499: 8`), to explain a mismatch. */
async function auditRequestsByRoute(url) {
  return withClient(url, async (c) => {
    const { rows } = await c.query(
      "SELECT method, coalesce(route, '(unmatched)') AS route, status, count(*)::int AS n FROM audit_records WHERE event = 'http.request' GROUP BY 1, 2, 3 ORDER BY 1, 2, 3",
    );
    return Object.fromEntries(rows.map((r) => [`${r.method} ${r.route} ${r.status}`, r.n]));
  });
}

/** Deletes every Redis key under the run's prefix (SCAN, never KEYS). */
async function dropRedisPrefix(redisUrl, prefix) {
  const Redis = require('ioredis');
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [nextCursor, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = nextCursor;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

module.exports = {
  SYMBOLS,
  tradeBatch,
  schemaUrl,
  withClient,
  createSchema,
  dropSchema,
  seedTrades,
  rawInsertRun,
  auditCounts,
  auditRequestsByRoute,
  dropRedisPrefix,
};
