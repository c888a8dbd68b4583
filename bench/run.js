#!/usr/bin/env node
/**
 * Performance harness (`npm run bench`): starts the compiled API (`npm run build` first) on a free
 * loopback port, drives a bounded number of requests per scenario with fixed concurrency over
 * keep-alive connections, and prints throughput, latency percentiles and the server's RSS.
 * Targets 127.0.0.1 only. Options (environment of this script, not of the API):
 *   BENCH_REQUESTS (default 2000 per scenario), BENCH_CONCURRENCY (default 16),
 *   BENCH_DATABASE_URL (default: the embedded database in a temporary DATA_DIR; a URL gets a
 *     private schema, created and dropped here),
 *   BENCH_REDIS_URL (default: none), BENCH_JSON=1 to print one JSON document.
 * Rate limiting is off for the run (RATE_LIMIT_ENABLED=false): it measures the stack, not the limiter.
 */
'use strict';
const { spawn } = require('node:child_process');
const { mkdtempSync, existsSync, readFileSync } = require('node:fs');
const http = require('node:http');
const net = require('node:net');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

const ROOT = join(__dirname, '..');
const ENTRY = join(ROOT, 'dist/apps/api/apps/api/src/main.js');
const DEFAULT_REQUESTS = Number(process.env.BENCH_REQUESTS ?? 2000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);

const ADMIN = { username: 'bench-admin', password: 'bench-admin-password-0123' };

/** Scenarios; `auth` ones carry the service token minted in setup(), `body()` builds a fresh body per request. */
const SCENARIOS = [
  { name: 'health/live (stack floor)', path: '/health/live' },
  { name: 'health/ready (Postgres ping)', path: '/health/ready' },
  { name: '404 problem+json', path: '/api/v1/nowhere', expect: 404 },
  { name: '401 problem+json (no token)', path: '/api/v1/portfolio', expect: 401 },
  { name: 'portfolio (JWT + cache hit)', path: '/api/v1/portfolio', auth: true },
  { name: 'trades?limit=50 (cache hit)', path: '/api/v1/trades?limit=50', auth: true },
  { name: 'performance?period=30d (cache hit)', path: '/api/v1/performance?period=30d', auth: true },
  { name: 'trades/:id (cache miss path)', path: null, auth: true, setupPath: 'tradeById' },
  { name: 'POST trades, 100 new items', path: '/api/v1/trades', method: 'POST', auth: true, expect: 201, body: tradeBatch, requests: 200 },
];

let tradeCounter = 0;
function tradeBatch() {
  const items = [];
  const base = Date.UTC(2026, 0, 1);
  for (let i = 0; i < 100; i++) {
    const n = tradeCounter++;
    const hex = n.toString(16).padStart(12, '0');
    items.push({
      id: `00000000-0000-4000-8000-${hex}`,
      timestamp: new Date(base + n * 1000).toISOString(),
      symbol: 'BENCH-USD',
      event_type: 'order_filled',
      side: n % 2 ? 'buy' : 'sell',
      quantity: 1.5,
      price: 100 + (n % 50),
      fee: 0.1,
      realized_pnl: null,
      status: 'filled',
      order_type: 'market',
      strategy: 'bench',
      data: { n },
    });
  }
  return JSON.stringify(items);
}

function call(port, method, path, headers = {}, body) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path, headers: { 'content-type': 'application/json', ...headers } }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode, body: text ? JSON.parse(text) : undefined }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Logs in as the seeded admin and mints a service token with read and write scopes. */
async function setup(port) {
  const login = await call(port, 'POST', '/api/v1/auth/login', {}, JSON.stringify(ADMIN));
  if (login.status !== 200) throw new Error(`admin login failed: ${login.status}`);
  const admin = { authorization: `Bearer ${login.body.access_token}` };
  const issued = await call(port, 'POST', '/api/v1/admin/tokens', admin, JSON.stringify({
    subject: 'bench-engine', scopes: ['transparency:read', 'transparency:write'], ttl_seconds: 3600, description: 'bench',
  }));
  if (issued.status !== 201) throw new Error(`token issue failed: ${issued.status}`);
  const auth = { authorization: `Bearer ${issued.body.access_token}` };
  const trades = await call(port, 'GET', '/api/v1/trades?limit=1', auth);
  return { auth, tradeById: `/api/v1/trades/${trades.body.trades[0]?.id ?? '00000000-0000-4000-8000-000000000000'}` };
}

function freePort() {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function waitReady(port, child) {
  const deadline = Date.now() + 30000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    const status = await new Promise((resolve) => {
      http.get({ host: '127.0.0.1', port, path: '/health/ready' }, (res) => { res.resume(); resolve(res.statusCode); })
        .on('error', () => resolve(0));
    });
    if (status === 200) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('server not ready within 30 s');
}

function rssOf(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) * 1024;
  } catch {
    return 0;
  }
}

async function runScenario(port, scenario, context) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const REQUESTS = scenario.requests ?? DEFAULT_REQUESTS;
  const path = scenario.path ?? context[scenario.setupPath];
  const headers = { ...(scenario.auth ? context.auth : {}), ...(scenario.body ? { 'content-type': 'application/json' } : {}) };
  const latencies = new Float64Array(REQUESTS);
  let next = 0;
  let failures = 0;
  let firstFailure;
  const expected = scenario.expect ?? 200;
  const one = () =>
    new Promise((resolve) => {
      const started = process.hrtime.bigint();
      const req = http.request(
        { host: '127.0.0.1', port, path, method: scenario.method ?? 'GET', headers, agent },
        (res) => {
          let text = '';
          res.on('data', (chunk) => {
            if (text.length < 2000) text += chunk;
          });
          res.on('end', () => {
            if (res.statusCode !== expected) {
              if (failures++ === 0) firstFailure = `${res.statusCode} ${text.slice(0, 300)}`;
            }
            resolve(Number(process.hrtime.bigint() - started) / 1e6);
          });
        },
      );
      req.on('error', () => { failures++; resolve(Number(process.hrtime.bigint() - started) / 1e6); });
      req.end(scenario.body ? scenario.body() : undefined);
    });
  // Warm-up: JIT, pools, caches.
  for (let i = 0; i < Math.min(100, REQUESTS / 4); i++) await one();
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < REQUESTS) {
        const index = next++;
        latencies[index] = await one();
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  agent.destroy();
  const sorted = Array.from(latencies).sort((a, b) => a - b);
  const pct = (p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
  return {
    scenario: scenario.name,
    requests: REQUESTS,
    concurrency: CONCURRENCY,
    failures,
    rps: Math.round(REQUESTS / seconds),
    p50_ms: +pct(50).toFixed(2),
    p95_ms: +pct(95).toFixed(2),
    p99_ms: +pct(99).toFixed(2),
    ...(firstFailure ? { first_failure: firstFailure } : {}),
  };
}

async function main() {
  if (!existsSync(ENTRY)) throw new Error(`${ENTRY} missing: run "npm run build" first`);
  const port = await freePort();
  const env = {
    PATH: process.env.PATH,
    NODE_ENV: 'production',
    PORT: String(port),
    LOG_LEVEL: 'warn',
    RATE_LIMIT_ENABLED: 'false',
    JWT_SECRET: 'bench-only-secret-0123456789abcdef0123456789abcdef',
    DATA_DIR: mkdtempSync(join(tmpdir(), 'tapi-bench-')),
    // Reads run over the realistic demo data set (30 days of snapshots, trades, decisions).
    DEMO_DATA: 'true',
    ADMIN_USERNAME: ADMIN.username,
    ADMIN_PASSWORD: ADMIN.password,
  };
  let dropSchema = async () => undefined;
  if (process.env.BENCH_DATABASE_URL) {
    const { Client } = require('pg');
    const schema = `bench_${process.pid}`;
    const admin = new Client({ connectionString: process.env.BENCH_DATABASE_URL });
    await admin.connect();
    await admin.query(`CREATE SCHEMA "${schema}"`);
    dropSchema = async () => {
      await admin.query(`DROP SCHEMA "${schema}" CASCADE`);
      await admin.end();
    };
    const separator = process.env.BENCH_DATABASE_URL.includes('?') ? '&' : '?';
    env.DATABASE_URL = `${process.env.BENCH_DATABASE_URL}${separator}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
  }
  if (process.env.BENCH_REDIS_URL) env.REDIS_URL = process.env.BENCH_REDIS_URL;
  const child = spawn(process.execPath, [ENTRY], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  try {
    const bootStarted = Date.now();
    await waitReady(port, child);
    const results = { node: process.version, database: env.DATABASE_URL ? 'external' : 'embedded', boot_ms: Date.now() - bootStarted, rss_idle_mb: +(rssOf(child.pid) / 1048576).toFixed(1), scenarios: [] };
    const context = await setup(port);
    for (const scenario of SCENARIOS) results.scenarios.push(await runScenario(port, scenario, context));
    results.rss_after_mb = +(rssOf(child.pid) / 1048576).toFixed(1);
    if (process.env.BENCH_JSON) {
      console.log(JSON.stringify(results, null, 2));
    } else {
      console.log(`node ${results.node}, ${results.database} database, boot ${results.boot_ms} ms, RSS ${results.rss_idle_mb} -> ${results.rss_after_mb} MB`);
      console.table(results.scenarios);
    }
    if (results.scenarios.some((s) => s.failures > 0)) process.exitCode = 1;
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
    await dropSchema();
  }
}

main().catch((error) => {
  console.error(error.message);
  process.exit(1);
});
