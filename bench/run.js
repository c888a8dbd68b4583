#!/usr/bin/env node
/**
 * `npm run bench`: the API measured against the framework's ceiling, in one run.
 *
 * Starts a bare NestJS 11 hello-world (bench/reference/server.js, S0) beside the compiled API
 * (`npm run bench` builds it first) in the production configuration: NODE_ENV=production,
 * secrets generated for the run, external Postgres in a private schema and Redis under a
 * private key prefix (both removed at the end), rate limiting on with limits far above the
 * load, audit on, LOG_LEVEL=warn, no demo data (each scenario seeds what it needs). Drives both
 * with autocannon, warm-up then measured runs, reference and product alternated, and prints
 * the figures, the ratios and the targets. Writes bench/results/latest.json and latest.md.
 * A missed target does not fail the command; a broken harness (a server that does not start,
 * a seed that fails) exits 1.
 *
 * Options (environment of this script; the API's own environment is built here):
 *   BENCH_QUICK=1               short runs (about 2 minutes in all) instead of the full run
 *   BENCH_ONLY=S2,S3            scenarios to run (S0-S7, EMB); default all
 *   BENCH_DURATION=10           seconds per measured run (quick: 3)
 *   BENCH_WARMUP=3              seconds of warm-up per target and scenario (quick: 1)
 *   BENCH_ROUNDS=2              measured runs per scenario, each after its own S0 run (quick: 1)
 *   BENCH_CONNECTIONS=50        connections for S0-S3
 *   BENCH_INGEST_CONNECTIONS=8  connections for S4, and the raw pg insert's connections
 *   BENCH_LOGIN_CONNECTIONS=16  connections of the S5 login storm
 *   BENCH_STORM_CONNECTIONS=1000, BENCH_STORM_DURATION=20 (quick: 5)   S6
 *   BENCH_TRADES=100000         trades seeded for S3
 *   BENCH_DATABASE_URL          default postgres://postgres@127.0.0.1:5432/test
 *   BENCH_REDIS_URL             default redis://127.0.0.1:6379/2
 */
'use strict';
const { execFileSync } = require('node:child_process');
const { randomBytes } = require('node:crypto');
const { mkdirSync, mkdtempSync, rmSync, writeFileSync, existsSync } = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const { join } = require('node:path');
const data = require('./lib/data');
const { cpuMeter } = require('./lib/cpu');
const { load, combine } = require('./lib/load');
const { markdown } = require('./lib/report');
const { API_ENTRY, ROOT, startApi, startReference, configKnows } = require('./lib/servers');
const { SCENARIOS } = require('./scenarios');

const ALL_IDS = ['S0', ...SCENARIOS.map((s) => s.id), 'EMB'];
const RSS_LIMIT_MB = 300;

function options() {
  const env = process.env;
  const quick = env.BENCH_QUICK === '1' || env.BENCH_QUICK === 'true';
  const num = (name, full, short = full) => {
    const raw = env[name];
    if (raw === undefined || raw === '') return quick ? short : full;
    const value = Number(raw);
    if (!Number.isFinite(value) || value <= 0) throw new Error(`${name}: expected a positive number, got "${raw}"`);
    return value;
  };
  const only = env.BENCH_ONLY ? env.BENCH_ONLY.split(',').map((s) => s.trim().toUpperCase()).filter(Boolean) : ALL_IDS;
  const unknown = only.filter((id) => !ALL_IDS.includes(id));
  if (unknown.length) throw new Error(`BENCH_ONLY: unknown scenario ${unknown.join(', ')} (known: ${ALL_IDS.join(', ')})`);
  return {
    quick,
    only,
    durationSec: num('BENCH_DURATION', 10, 3),
    warmupSec: num('BENCH_WARMUP', 3, 1),
    rounds: Math.round(num('BENCH_ROUNDS', 2, 1)),
    connections: Math.round(num('BENCH_CONNECTIONS', 50)),
    ingestConnections: Math.round(num('BENCH_INGEST_CONNECTIONS', 8)),
    loginConnections: Math.round(num('BENCH_LOGIN_CONNECTIONS', 16)),
    stormConnections: Math.round(num('BENCH_STORM_CONNECTIONS', 1000)),
    stormDurationSec: num('BENCH_STORM_DURATION', 20, 5),
    trades: Math.round(num('BENCH_TRADES', 100000)),
    databaseUrl: env.BENCH_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test',
    redisUrl: env.BENCH_REDIS_URL || 'redis://127.0.0.1:6379/2',
  };
}

const log = (line) => process.stderr.write(`[bench] ${line}\n`);
const round1 = (n) => Math.round(n * 10) / 10;

function openFileLimit() {
  try {
    return Number(execFileSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' }).trim());
  } catch {
    return NaN;
  }
}

function gitCommit() {
  try {
    // The last commit that changed the code under test, not a later docs or bench commit.
    const commit = execFileSync('git', ['log', '-1', '--format=%h', '--', 'apps', 'libs'], { cwd: ROOT, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'apps', 'libs'], { cwd: ROOT, encoding: 'utf8' }).trim();
    return dirty ? `${commit} (apps/libs modified)` : commit;
  } catch {
    return 'unknown';
  }
}

/** A JSON request to a server, outside autocannon (setup calls). */
function request(baseUrl, method, path, headers = {}, body) {
  return new Promise((resolve, reject) => {
    const req = http.request(`${baseUrl}${path}`, { method, headers: { 'content-type': 'application/json', ...headers } }, (res) => {
      let text = '';
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => {
        let parsed;
        try {
          parsed = text ? JSON.parse(text) : undefined;
        } catch {
          parsed = text;
        }
        resolve({ status: res.statusCode, body: parsed });
      });
    });
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

function expectStatus(response, status, what) {
  if (response.status !== status) {
    throw new Error(`${what}: expected ${status}, got ${response.status} ${JSON.stringify(response.body)?.slice(0, 300)}`);
  }
  return response.body;
}

/** Admin login, then a service token with read and write scopes (what the engine and dashboards use). */
async function mintToken(ctx, subject = 'bench-engine') {
  const login = expectStatus(await ctx.call('POST', '/api/v1/auth/login', ctx.admin), 200, 'admin login');
  const admin = { authorization: `Bearer ${login.access_token}` };
  const issued = await ctx.call('POST', '/api/v1/admin/tokens', { subject, scopes: ['transparency:read', 'transparency:write'], ttl_seconds: 3600, description: 'bench' }, admin);
  return { authorization: `Bearer ${expectStatus(issued, 201, 'service token').access_token}` };
}

/** One snapshot, so the portfolio read has something to answer, then one read to fill the cache. */
async function seedSnapshot(ctx) {
  const snapshot = {
    id: `${randomBytes(4).toString('hex')}-0000-4000-8000-000000000001`,
    timestamp: new Date(Date.now() - 60000).toISOString(),
    total_equity: 103250.12, cash_balance: 41250.12, invested: 62000, total_pnl: 3250.12,
    total_pnl_percent: 3.25, day_pnl: 412.5, day_pnl_percent: 0.4, open_orders: 1,
  };
  expectStatus(await ctx.call('POST', '/api/v1/performance/snapshots', [snapshot], ctx.auth), 201, 'snapshot ingest');
  expectStatus(await ctx.call('GET', '/api/v1/portfolio', undefined, ctx.auth), 200, 'portfolio read');
}

function apiEnv(opts, extra) {
  const env = {
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    JWT_SECRET: randomBytes(32).toString('hex'),
    METRICS_TOKEN: randomBytes(24).toString('hex'),
    ADMIN_USERNAME: 'bench-admin',
    ADMIN_PASSWORD: randomBytes(18).toString('base64url'),
    RATE_LIMIT_ENABLED: 'true',
    // On, and far above any load of this harness: its cost is measured, its refusals are not.
    RATE_LIMIT_BURST: '100000000',
    RATE_LIMIT_PER_MINUTE: '1000000000',
    RATE_LIMIT_PER_HOUR: '1000000000',
    LOGIN_LOCKOUT_THRESHOLD: '1000000000',
    LOGIN_LOCKOUT_IP_THRESHOLD: '1000000000',
    ...extra,
  };
  if (configKnows('AUDIT_HMAC_KEY')) env.AUDIT_HMAC_KEY = randomBytes(32).toString('hex');
  // S7 opens 500 streams per token: the limit (at most 1,000) must not be what it measures.
  if (configKnows('STREAM_MAX_PER_SUBJECT')) env.STREAM_MAX_PER_SUBJECT = '1000';
  return env;
}

/** Sum of a counter over all its label sets, from the API's Prometheus text. */
function counterTotal(text, name) {
  let total = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith(`${name}{`) || line.startsWith(`${name} `)) total += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return total;
}

/**
 * Nothing lost: the audit table must hold one request record per request the API answered
 * (its own `api_requests_total`, fed by the same observer), and that count must lie between
 * the responses the clients received and the requests they wrote. The two differ only by the
 * requests in flight when a timed run ends (autocannon closes its connections then, at most
 * one request per connection): whether those reached the server is not knowable client-side.
 * Waits for the audit queue (flushed every second) until the figures agree or stop moving.
 */
async function scrape(ctx) {
  const res = await request(ctx.api.url, 'GET', '/metrics', { authorization: `Bearer ${ctx.metricsToken}` });
  if (res.status !== 200) throw new Error(`/metrics answered ${res.status}`);
  return res.body;
}

/**
 * Waits until the API has finished the requests a run left in flight (its request counter
 * stops moving for 750 ms, longer than most requests take even on a busy machine): the server
 * finishes them after the client has gone, and they must not weigh on the next run (a raw
 * insert ceiling measured while 8 ingest batches still run would be too low, an S0 run after
 * them too slow).
 */
async function settle(ctx) {
  const deadline = Date.now() + 15000;
  let last = -1;
  while (Date.now() < deadline) {
    const answered = counterTotal(await scrape(ctx), 'api_requests_total');
    if (answered === last) return;
    last = answered;
    await new Promise((r) => setTimeout(r, 750));
  }
}

/** Cache lookups during a scenario (shows that S2 hits and S3 misses, as they are meant to). */
async function cacheCounters(ctx) {
  const text = await scrape(ctx);
  return { hits: counterTotal(text, 'cache_hits_total'), misses: counterTotal(text, 'cache_misses_total') };
}

async function auditCheck(ctx) {
  const observed = async () => {
    const text = await scrape(ctx);
    return { requests: counterTotal(text, 'api_requests_total'), dropped: counterTotal(text, 'audit_events_dropped_total') };
  };
  let counts = {};
  let server = await observed();
  let last = -1;
  let stableSince = Date.now();
  const deadline = Date.now() + 90000;
  while (Date.now() < deadline) {
    counts = await data.auditCounts(ctx.dbUrl);
    server = await observed();
    const rows = counts['http.request'] ?? 0;
    if (rows === server.requests) break;
    if (rows !== last) {
      last = rows;
      stableSince = Date.now();
    } else if (Date.now() - stableSince > 5000) {
      break;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  const rows = counts['http.request'] ?? 0;
  const equal = rows === server.requests && rows >= ctx.auditedCompleted && rows <= ctx.auditedSent && server.dropped === 0;
  return {
    http_request_rows: rows,
    api_requests_total: server.requests,
    audit_events_dropped_total: server.dropped,
    client_completed: ctx.auditedCompleted,
    client_sent: ctx.auditedSent,
    client_sent_by_scenario: ctx.auditedByLabel,
    equal,
    rows_by_event: counts,
    request_rows_by_route: await data.auditRequestsByRoute(ctx.dbUrl),
  };
}

/** The embedded default (PGlite under a temporary DATA_DIR, in-memory cache): RSS under S2-like load. */
async function embeddedRun(opts, cleanup) {
  const dataDir = mkdtempSync(join(os.tmpdir(), 'tapi-bench-embedded-'));
  cleanup.push(() => rmSync(dataDir, { recursive: true, force: true }));
  // Production refuses the embedded database (it is one process's file store): the embedded
  // default is what a developer runs, so it is measured with NODE_ENV=development.
  const env = apiEnv(opts, { DATA_DIR: dataDir, NODE_ENV: 'development' });
  const api = await startApi(env);
  cleanup.push(() => api.stop());
  const idle = api.rssMb();
  const ctx = {
    admin: { username: env.ADMIN_USERNAME, password: env.ADMIN_PASSWORD },
    call: (method, path, body, headers) => request(api.url, method, path, headers, body),
  };
  ctx.auth = await mintToken(ctx);
  expectStatus(await ctx.call('GET', '/api/v1/portfolio', undefined, ctx.auth), 200, 'embedded portfolio read');
  const target = { url: api.url, path: '/api/v1/portfolio', headers: ctx.auth };
  await load(target, { connections: opts.connections, durationSec: opts.warmupSec });
  api.resetPeak();
  const figures = await load(target, { connections: opts.connections, durationSec: opts.durationSec });
  figures.peak_rss_mb = api.peakMb();
  const result = { boot_ms: api.bootMs, idle_rss_mb: idle, figures, hwm_rss_mb: api.hwmMb() };
  await api.stop();
  return result;
}

async function main() {
  const opts = options();
  if (!existsSync(API_ENTRY)) throw new Error(`${API_ENTRY} missing: run "npm run build" (npm run bench builds it)`);
  const started = Date.now();
  const results = {
    meta: {
      date: new Date().toISOString(),
      node: process.version,
      cpus: os.cpus().length,
      cpu_model: os.cpus()[0]?.model?.trim() ?? 'unknown',
      memory_gb: round1(os.totalmem() / 2 ** 30),
      loadavg_start: os.loadavg().map(round1),
      commit: gitCommit(),
      open_file_limit: openFileLimit(),
    },
    options: { ...opts, databaseUrl: undefined, redisUrl: undefined },
    s0: undefined,
    scenarios: [],
    targets: [],
    notes: [],
  };
  const selected = (id) => opts.only.includes(id);
  const shared = {};
  const cleanup = [];
  let interrupted = false;
  const onSignal = () => {
    interrupted = true;
    log('interrupted: cleaning up');
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const limit = results.meta.open_file_limit;
    if (selected('S6') && Number.isFinite(limit) && limit < opts.stormConnections * 2 + 256) {
      const reduced = Math.max(50, Math.floor((limit - 256) / 2));
      results.notes.push(`ulimit -n is ${limit}: S6 ran ${reduced} connections instead of ${opts.stormConnections}.`);
      opts.stormConnections = reduced;
    }
    const needsApi = opts.only.some((id) => id !== 'S0' && id !== 'EMB');
    const needsReference = opts.only.some((id) => ['S0', 'S1', 'S2', 'S3', 'S6'].includes(id));
    const ctx = { opts, notes: results.notes, auditedSent: 0, auditedCompleted: 0, auditedByLabel: {}, label: 'setup', s0Runs: [] };
    shared.ctx = ctx;
    /** One load run with the CPU each process spent during it (`figures.cpu_us`). */
    const meteredLoad = async (server, target, loadOptions) => {
      const meter = cpuMeter(server.pid);
      const figures = await load(target, loadOptions);
      const cpu = meter.stop();
      if (cpu) figures.cpu_us = cpu;
      return figures;
    };
    ctx.refLoad = async (target, loadOptions, { s0 = false } = {}) => {
      const figures = await meteredLoad(ctx.ref, target, loadOptions);
      if (s0) ctx.s0Runs.push(figures);
      return figures;
    };
    ctx.apiLoad = async (target, loadOptions, { audited = true } = {}) => {
      const figures = await meteredLoad(ctx.api, target, loadOptions);
      await settle(ctx);
      if (audited) {
        ctx.auditedSent += figures.sent;
        ctx.auditedCompleted += figures.completed;
        ctx.auditedByLabel[ctx.label] = (ctx.auditedByLabel[ctx.label] ?? 0) + figures.sent;
      }
      return figures;
    };

    if (needsReference) {
      ctx.ref = await startReference();
      cleanup.push(() => ctx.ref.stop());
      log(`reference hello-world on ${ctx.ref.url} (pid ${ctx.ref.pid})`);
    }
    if (needsApi) {
      const schema = await data.createSchema(opts.databaseUrl);
      cleanup.push(() => data.dropSchema(opts.databaseUrl, schema));
      const redisPrefix = `${schema}:`;
      cleanup.push(() => data.dropRedisPrefix(opts.redisUrl, redisPrefix));
      const dataDir = mkdtempSync(join(os.tmpdir(), 'tapi-bench-'));
      cleanup.push(() => rmSync(dataDir, { recursive: true, force: true }));
      ctx.dbUrl = data.schemaUrl(opts.databaseUrl, schema);
      const env = apiEnv(opts, { DATABASE_URL: ctx.dbUrl, REDIS_URL: opts.redisUrl, REDIS_KEY_PREFIX: redisPrefix, DATA_DIR: dataDir, DEMO_DATA: 'false' });
      ctx.api = await startApi(env);
      cleanup.push(() => ctx.api.stop());
      results.meta.api = { boot_ms: ctx.api.bootMs, idle_rss_mb: ctx.api.rssMb(), generated_secrets: Object.keys(env).filter((k) => /SECRET|TOKEN|_KEY$|PASSWORD/.test(k)).concat(ctx.api.generatedSecrets) };
      log(`API on ${ctx.api.url} (pid ${ctx.api.pid}), schema ${schema}, booted in ${ctx.api.bootMs} ms`);
      ctx.admin = { username: env.ADMIN_USERNAME, password: env.ADMIN_PASSWORD };
      ctx.metricsToken = env.METRICS_TOKEN;
      ctx.call = async (method, path, body, headers) => {
        ctx.auditedSent++;
        ctx.auditedCompleted++;
        ctx.auditedByLabel[ctx.label] = (ctx.auditedByLabel[ctx.label] ?? 0) + 1;
        return request(ctx.api.url, method, path, headers, body);
      };
      ctx.probe = (path) =>
        new Promise((resolve, reject) => {
          ctx.auditedSent++;
          ctx.auditedCompleted++;
          ctx.auditedByLabel[ctx.label] = (ctx.auditedByLabel[ctx.label] ?? 0) + 1;
          const req = http.get(`${ctx.api.url}${path}`, (res) => {
            resolve(res.statusCode);
            res.destroy();
          });
          req.on('error', reject);
        });
      ctx.auth = await mintToken(ctx);
      ctx.mintToken = (subject) => mintToken(ctx, subject);
      ctx.countAudited = (n) => {
        ctx.auditedSent += n;
        ctx.auditedCompleted += n;
        ctx.auditedByLabel[ctx.label] = (ctx.auditedByLabel[ctx.label] ?? 0) + n;
      };
      await seedSnapshot(ctx);
      if (selected('S3')) {
        const t0 = Date.now();
        ctx.seed = await data.seedTrades(ctx.dbUrl, opts.trades);
        log(`seeded ${opts.trades.toLocaleString('en-US')} trades in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      }
    }

    for (const scenario of SCENARIOS) {
      if (!selected(scenario.id) || interrupted) continue;
      const entry = { id: scenario.id, title: typeof scenario.title === 'function' ? scenario.title(opts) : scenario.title };
      ctx.label = scenario.id;
      const unavailable = scenario.available ? await scenario.available(ctx) : undefined;
      if (unavailable) {
        entry.skipped = unavailable;
      } else {
        log(`${scenario.id}: ${entry.title} ...`);
        const cacheBefore = ctx.api ? await cacheCounters(ctx) : undefined;
        Object.assign(entry, await scenario.run(ctx));
        ctx.api?.assertAlive(scenario.id);
        ctx.ref?.assertAlive(scenario.id);
        if (cacheBefore) {
          const after = await cacheCounters(ctx);
          entry.cache = { hits: after.hits - cacheBefore.hits, misses: after.misses - cacheBefore.misses };
          if (entry.cache.hits + entry.cache.misses > 0) {
            results.notes.push(`${scenario.id} cache lookups: ${entry.cache.hits.toLocaleString('en-US')} hits, ${entry.cache.misses.toLocaleString('en-US')} misses.`);
          }
        }
        for (const t of entry.targets ?? []) results.targets.push({ ...t, name: `${scenario.id} ${t.name}` });
        const f = entry.figures;
        if (f && f.streams) log(`${scenario.id}: ${f.completed} of ${f.streams} streams complete, last event p50 ${Math.round(f.p50_ms)} ms, p99 ${Math.round(f.p99_ms)} ms`);
        else if (f) log(`${scenario.id}: ${Math.round(f.rows_per_s ?? f.rps)} ${f.rows_per_s ? 'rows' : 'req'}/s, p99 ${f.p99_ms} ms${f.ratio ? `, ratio ${f.ratio.toFixed(2)}` : ''}`);
      }
      results.scenarios.push(entry);
    }

    if (selected('S0') && ctx.s0Runs.length === 0 && ctx.ref && !interrupted) {
      const warm = { connections: opts.connections, durationSec: opts.warmupSec };
      await ctx.refLoad({ url: ctx.ref.url, path: '/hello' }, warm);
      for (let i = 0; i < opts.rounds; i++) await ctx.refLoad({ url: ctx.ref.url, path: '/hello' }, { ...warm, durationSec: opts.durationSec }, { s0: true });
    }
    if (ctx.s0Runs.length) results.s0 = { ...combine(ctx.s0Runs), peak_rss_mb: ctx.ref.hwmMb() };

    if (ctx.api && !interrupted) {
      results.audit = await auditCheck(ctx);
      const a = results.audit;
      const fmt = (n) => n.toLocaleString('en-US');
      results.targets.push({
        name: 'audit rows == audited requests',
        value: `${fmt(a.http_request_rows)} rows, ${fmt(a.api_requests_total)} answered, ${fmt(a.client_completed)}-${fmt(a.client_sent)} sent`,
        limit: 'rows = answered, within sent',
        pass: a.equal,
      });
      const peak = ctx.api.hwmMb();
      results.rss = { api_peak_mb: peak, api_end_mb: ctx.api.rssMb(), reference_peak_mb: ctx.ref?.hwmMb() };
      results.targets.push({ name: 'API peak RSS (external Postgres + Redis, whole run)', value: peak, unit: 'MB', limit: `<= ${RSS_LIMIT_MB} MB`, pass: peak <= RSS_LIMIT_MB });
    }
    // The embedded default runs alone: the external API and the reference are stopped first.
    while (cleanup.length && selected('EMB') && !interrupted) {
      const step = cleanup.pop();
      await step();
    }
    if (selected('EMB') && !interrupted) {
      log('EMB: embedded default under S2-like load ...');
      try {
        results.embedded = await embeddedRun(opts, cleanup);
        results.targets.push({ name: 'EMB embedded default peak RSS (reported)', value: results.embedded.hwm_rss_mb, unit: 'MB', limit: 'reported', pass: null });
      } catch (error) {
        // The last step must not throw away the figures of every scenario before it.
        results.notes.push(`EMB failed: ${String(error.message).split('\n').slice(0, 3).join(' ')}`);
        log(`EMB failed: ${error.message}`);
      }
    }
    results.meta.loadavg_end = os.loadavg().map(round1);
    results.meta.elapsed_s = Math.round((Date.now() - started) / 1000);
    if (interrupted) throw new Error('interrupted');

    const report = markdown(results);
    const dir = join(ROOT, 'bench/results');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'latest.json'), JSON.stringify(results, null, 2) + '\n');
    writeFileSync(join(dir, 'latest.md'), report);
    process.stdout.write(`\n${report}\nWritten: bench/results/latest.json, bench/results/latest.md (${results.meta.elapsed_s} s)\n`);
  } catch (error) {
    // A server that died mid-run: its last output says why.
    for (const server of [shared.ctx?.api, shared.ctx?.ref]) {
      if (server && server.child && (server.child.exitCode !== null || server.child.signalCode !== null)) {
        log(`${server.name} exited (code ${server.child.exitCode}, signal ${server.child.signalCode}):\n${server.output.trim()}`);
      }
    }
    throw error;
  } finally {
    while (cleanup.length) {
      const step = cleanup.pop();
      try {
        await step();
      } catch (error) {
        log(`cleanup step failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(`bench failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
