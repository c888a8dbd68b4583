#!/usr/bin/env node
/**
 * Performance harness (`npm run bench`): starts the compiled API (`npm run build` first) on a free
 * loopback port, drives a bounded number of requests per scenario with fixed concurrency over
 * keep-alive connections, and prints throughput, latency percentiles and the server's RSS.
 * Targets 127.0.0.1 only. Options (environment of this script, not of the API):
 *   BENCH_REQUESTS (default 2000 per scenario), BENCH_CONCURRENCY (default 16),
 *   BENCH_DATABASE_URL (default: the embedded database in a temporary DATA_DIR),
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
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 2000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);

/** Scenarios: a name, a path, optional headers; routes that need data or tokens come from setup(). */
const SCENARIOS = [
  { name: 'health/live (stack floor)', path: '/health/live' },
  { name: 'health/ready (Postgres ping)', path: '/health/ready' },
  { name: '404 problem+json', path: '/api/v1/nowhere', expect: 404 },
];

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

async function runScenario(port, scenario) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const latencies = new Float64Array(REQUESTS);
  let next = 0;
  let failures = 0;
  const expected = scenario.expect ?? 200;
  const one = () =>
    new Promise((resolve) => {
      const started = process.hrtime.bigint();
      const req = http.request(
        { host: '127.0.0.1', port, path: scenario.path, method: scenario.method ?? 'GET', headers: scenario.headers ?? {}, agent },
        (res) => {
          res.resume();
          res.on('end', () => {
            if (res.statusCode !== expected) failures++;
            resolve(Number(process.hrtime.bigint() - started) / 1e6);
          });
        },
      );
      req.on('error', () => { failures++; resolve(Number(process.hrtime.bigint() - started) / 1e6); });
      req.end(scenario.body);
    });
  // Warm-up: JIT, pools, caches.
  for (let i = 0; i < Math.min(200, REQUESTS); i++) await one();
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
    DEMO_DATA: 'false',
  };
  if (process.env.BENCH_DATABASE_URL) env.DATABASE_URL = process.env.BENCH_DATABASE_URL;
  if (process.env.BENCH_REDIS_URL) env.REDIS_URL = process.env.BENCH_REDIS_URL;
  const child = spawn(process.execPath, [ENTRY], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  try {
    const bootStarted = Date.now();
    await waitReady(port, child);
    const results = { node: process.version, database: env.DATABASE_URL ? 'external' : 'embedded', boot_ms: Date.now() - bootStarted, rss_idle_mb: +(rssOf(child.pid) / 1048576).toFixed(1), scenarios: [] };
    for (const scenario of SCENARIOS) results.scenarios.push(await runScenario(port, scenario));
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
  }
}

main().catch((error) => {
  console.error(error.message);
  process.exit(1);
});
