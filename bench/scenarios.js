'use strict';
/**
 * The scenarios, one entry each: `{ id, title, available?(ctx), run(ctx) }`. A title may be a
 * function of the run's options; `available` names why the scenario cannot run on this build;
 * `run` returns the scenario's `figures` and its `targets` (name, measured value, limit, pass:
 * true, false, or null for a figure that is only reported). `ctx` (see run.js) holds the two
 * servers, the token, the options, and the load helpers that keep the bookkeeping right:
 * `ctx.apiLoad` counts what the audit trail must hold, `ctx.refLoad` drives the reference, and
 * `versusReference()` below interleaves the two. Adding a scenario (S7, the SSE fan-out, once
 * `/api/v1/stream` exists) is one more entry here.
 */
const { tradeBatch, rawInsertRun, SYMBOLS } = require('./lib/data');
const { acceptQueueSampler } = require('./lib/accept-queue');
const { cpuMeter } = require('./lib/cpu');
const { combine, sumCpu, CLIENT_TIMEOUT_SEC } = require('./lib/load');
const http = require('node:http');

/**
 * One SSE client on its own socket: counts `event: trade` frames and notes when the first and
 * the last (the STREAM_BATCH-th) arrived. Resolves once the status line is in.
 */
function openStream(baseUrl, auth) {
  return new Promise((resolve) => {
    const client = { status: 0, trades: 0, firstAt: undefined, lastAt: undefined, close: () => req.destroy() };
    let pending = '';
    const req = http.get(`${baseUrl}/api/v1/stream?topics=trades`, { headers: { ...auth, accept: 'text/event-stream' }, agent: false }, (res) => {
      client.status = res.statusCode;
      res.setEncoding('utf8');
      res.on('data', (chunk) => {
        pending += chunk;
        let end;
        while ((end = pending.indexOf('\n\n')) >= 0) {
          const frame = pending.slice(0, end);
          pending = pending.slice(end + 2);
          if (frame.includes('event: trade')) {
            const now = performance.now();
            client.trades++;
            if (client.firstAt === undefined) client.firstAt = now;
            client.lastAt = now;
          }
        }
      });
      res.on('error', () => undefined);
      resolve(client);
    });
    req.on('error', () => resolve(client));
  });
}

const INGEST_BATCH = 500;
const STREAM_BATCH = 100;
const STREAMS_PER_TOKEN = 500;
/** How long S7 waits for every stream to receive the whole batch. */
const STREAM_WAIT_MS = 30000;

const target = (name, value, limit, pass, unit = '') => ({ name, value, limit, pass, unit });
const ratioTarget = (name, ratio, min) => target(name, round(ratio, 2), `>= ${min} x S0`, ratio >= min);
// autocannon counts a timeout as an error too: `errors` already includes `timeouts`.
const zeroErrors = (figures) => figures.non2xx + figures.errors;
const round = (n, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

/** Reference and product target at the standard connection count, alternated (S0, Sx, S0, Sx ...). */
async function versusReference(ctx, productTarget, overrides = {}, audited = true) {
  const loadOptions = { connections: ctx.opts.connections, durationSec: ctx.opts.durationSec, ...overrides };
  const refTarget = { url: ctx.ref.url, path: '/hello' };
  const warmup = { ...loadOptions, durationSec: ctx.opts.warmupSec };
  await ctx.refLoad(refTarget, warmup);
  await ctx.apiLoad(productTarget, warmup, { audited });
  ctx.api.resetPeak();
  const reference = [];
  const product = [];
  for (let round = 0; round < ctx.opts.rounds; round++) {
    reference.push(await ctx.refLoad(refTarget, loadOptions, { s0: true }));
    product.push(await ctx.apiLoad(productTarget, loadOptions, { audited }));
  }
  const ref = combine(reference);
  const figures = combine(product);
  return { ...figures, reference_rps: ref.rps, ratio: figures.rps / ref.rps, peak_rss_mb: ctx.api.peakMb() };
}

const portfolio = (ctx) => ({ url: ctx.api.url, path: '/api/v1/portfolio', headers: ctx.auth });

const SCENARIOS = [
  {
    id: 'S1',
    title: 'GET /health/live',
    async run(ctx) {
      const figures = await versusReference(ctx, { url: ctx.api.url, path: '/health/live' }, {}, false);
      return { figures, targets: [ratioTarget('req/s vs S0', figures.ratio, 0.8)] };
    },
  },
  {
    id: 'S2',
    title: 'GET /api/v1/portfolio (JWT, cache hit)',
    async run(ctx) {
      const figures = await versusReference(ctx, portfolio(ctx));
      return {
        figures,
        targets: [
          ratioTarget('req/s vs S0', figures.ratio, 0.5),
          target('p99', round(figures.p99_ms), '<= 20 ms', figures.p99_ms <= 20, 'ms'),
          target('non-2xx + errors', zeroErrors(figures), '0', zeroErrors(figures) === 0),
        ],
      };
    },
  },
  {
    id: 'S3',
    title: (opts) => `GET /api/v1/trades, rotating filters over ${opts.trades.toLocaleString('en-US')} trades (cache miss)`,
    async run(ctx) {
      // symbol, offset and a `from` unique to each request: no two requests share a cache key.
      let n = 0;
      const oldest = ctx.seed.oldest.getTime();
      const figures = await versusReference(ctx, {
        url: ctx.api.url,
        headers: ctx.auth,
        requests: [
          {
            method: 'GET',
            setupRequest: (req) => {
              const i = n++;
              const from = new Date(oldest + i * 1000).toISOString();
              return { ...req, path: `/api/v1/trades?symbol=${SYMBOLS[i % SYMBOLS.length]}&offset=${(i * 37) % 500}&from=${from}&limit=50` };
            },
          },
        ],
      });
      return { figures, targets: [ratioTarget('req/s vs S0', figures.ratio, 0.2)] };
    },
  },
  {
    id: 'S4',
    title: (opts) => `POST /api/v1/trades, ${INGEST_BATCH} fresh items per request, ${opts.ingestConnections} connections`,
    async run(ctx) {
      const connections = ctx.opts.ingestConnections;
      let inserted = 0;
      const ingest = {
        url: ctx.api.url,
        headers: { ...ctx.auth, 'content-type': 'application/json' },
        requests: [
          {
            method: 'POST',
            path: '/api/v1/trades',
            setupRequest: (req) => ({ ...req, body: JSON.stringify(tradeBatch(INGEST_BATCH)) }),
            onResponse: (status, body) => {
              if (status === 201) inserted += JSON.parse(body).inserted;
            },
          },
        ],
      };
      await ctx.apiLoad(ingest, { connections, durationSec: ctx.opts.warmupSec });
      ctx.api.resetPeak();
      const apiRuns = [];
      const rawRuns = [];
      let apiRows = 0;
      for (let round = 0; round < ctx.opts.rounds; round++) {
        inserted = 0;
        apiRuns.push(await ctx.apiLoad(ingest, { connections, durationSec: ctx.opts.durationSec }));
        apiRows += inserted;
        // The API is idle meanwhile: the meter's server share is ~0, Postgres's and the client's are the raw insert's.
        const meter = cpuMeter(ctx.api.pid);
        const raw = await rawInsertRun(ctx.dbUrl, { workers: connections, batchSize: INGEST_BATCH, durationMs: ctx.opts.durationSec * 1000 });
        raw.cpu_us = meter.stop();
        rawRuns.push(raw);
      }
      const figures = combine(apiRuns);
      const rawSeconds = rawRuns.reduce((a, r) => a + r.seconds, 0);
      const rawRows = rawRuns.reduce((a, r) => a + r.rows, 0);
      const raw = {
        rows_per_s: rawRows / rawSeconds,
        statements_per_s: rawRuns.reduce((a, r) => a + r.statements, 0) / rawSeconds,
        p50_ms: rawRuns.reduce((a, r) => a + r.p50, 0) / rawRuns.length,
        p99_ms: Math.max(...rawRuns.map((r) => r.p99)),
        max_ms: Math.max(...rawRuns.map((r) => r.max)),
        workers: connections,
        rows: rawRows,
        ...(rawRuns.every((r) => r.cpu_us) ? { cpu_us: sumCpu(rawRuns.map((r) => r.cpu_us)) } : {}),
      };
      figures.rows_per_s = apiRows / figures.duration_s;
      figures.rows = apiRows;
      figures.raw_pg = raw;
      figures.ratio_to_raw = figures.rows_per_s / raw.rows_per_s;
      figures.peak_rss_mb = ctx.api.peakMb();
      return {
        figures,
        targets: [
          target('rows/s', Math.round(figures.rows_per_s), '>= 20,000', figures.rows_per_s >= 20000, 'rows/s'),
          target('rows/s vs raw pg', round(figures.ratio_to_raw, 2), '>= 0.5 x raw', figures.ratio_to_raw >= 0.5),
          target('non-2xx + errors', zeroErrors(figures), '0', zeroErrors(figures) === 0),
        ],
      };
    },
  },
  {
    id: 'S5',
    title: (opts) => `POST /api/v1/auth/login storm (argon2), ${opts.loginConnections} connections`,
    async run(ctx) {
      const login = {
        url: ctx.api.url,
        path: '/api/v1/auth/login',
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(ctx.admin),
      };
      const health = { url: ctx.api.url, path: '/health/live' };
      await ctx.apiLoad(login, { connections: ctx.opts.loginConnections, durationSec: ctx.opts.warmupSec });
      ctx.api.resetPeak();
      const durationSec = ctx.opts.durationSec;
      // A steady trickle of probes (like a load balancer's), so their latency is what they wait, not what they cause.
      const [figures, probes] = await Promise.all([
        ctx.apiLoad(login, { connections: ctx.opts.loginConnections, durationSec }),
        ctx.apiLoad(health, { connections: 2, durationSec, overallRate: 50 }, { audited: false }),
      ]);
      figures.health_during = probes;
      // Two loads ran at once: each one's CPU figures are the whole machine's, not its own.
      delete figures.cpu_us;
      delete probes.cpu_us;
      figures.peak_rss_mb = ctx.api.peakMb();
      return {
        figures,
        targets: [
          target('/health/live p99 during storm', round(probes.p99_ms), '<= 50 ms', probes.p99_ms <= 50, 'ms'),
          target('login non-2xx + errors', zeroErrors(figures), '0', zeroErrors(figures) === 0),
          target('health non-2xx + errors', zeroErrors(probes), '0', zeroErrors(probes) === 0),
        ],
      };
    },
  },
  {
    id: 'S6',
    title: (opts) => `GET /api/v1/portfolio (JWT, cache hit), ${opts.stormConnections.toLocaleString('en-US')} connections`,
    async run(ctx) {
      const loadOptions = { connections: ctx.opts.stormConnections, durationSec: ctx.opts.stormDurationSec };
      const warmup = { ...loadOptions, durationSec: ctx.opts.warmupSec };
      await ctx.refLoad({ url: ctx.ref.url, path: '/hello' }, warmup);
      await ctx.apiLoad(portfolio(ctx), warmup);
      // How long new connections waited to be accepted (see lib/accept-queue.js).
      const refQueue = acceptQueueSampler(ctx.ref.port);
      const reference = await ctx.refLoad({ url: ctx.ref.url, path: '/hello' }, loadOptions);
      reference.accept_queue = refQueue.stop();
      ctx.api.resetPeak();
      const apiQueue = acceptQueueSampler(ctx.api.port);
      const figures = await ctx.apiLoad(portfolio(ctx), loadOptions);
      figures.accept_queue = apiQueue.stop();
      figures.reference_rps = reference.rps;
      figures.reference = reference;
      figures.ratio = figures.rps / reference.rps;
      figures.peak_rss_mb = ctx.api.peakMb();
      const queued = (q) => (q ? `at most ${q.peak} connections waiting, the last at ${round(q.last_waiting_ms / 1000)} s into the run` : 'not measured');
      ctx.notes.push(`S6 accept queue (established, not yet accepted): API ${queued(figures.accept_queue)}; S0 ${queued(reference.accept_queue)}.`);
      if (loadOptions.durationSec <= CLIENT_TIMEOUT_SEC) {
        ctx.notes.push(`S6 ran ${loadOptions.durationSec} s, not longer than the ${CLIENT_TIMEOUT_SEC} s client timeout: no timeout could show; the full run decides S6.`);
      }
      return {
        figures,
        targets: [
          target('non-2xx + errors', zeroErrors(figures), '0', zeroErrors(figures) === 0),
          target('p99', round(figures.p99_ms), 'reported', null, 'ms'),
        ],
      };
    },
  },
  {
    id: 'S7',
    title: (opts) => `SSE: ${opts.stormConnections.toLocaleString('en-US')} open streams receiving a 100-trade batch`,
    /** Runs only once the API has the route; until then the report says why it was skipped. */
    async available(ctx) {
      // Without a token: an existing route answers 401 at once instead of opening a stream.
      const status = await ctx.probe('/api/v1/stream?topics=trades');
      return status === 404 ? 'GET /api/v1/stream does not exist in this build' : undefined;
    },
    async run(ctx) {
      const streams = ctx.opts.stormConnections;
      // STREAM_MAX_PER_SUBJECT is at most 1,000: one token (one subject each) per 500 streams.
      const tokens = [];
      for (let i = 0; i < Math.ceil(streams / STREAMS_PER_TOKEN); i++) tokens.push(await ctx.mintToken(`bench-stream-${i}`));
      ctx.api.resetPeak();
      const opened = Date.now();
      const clients = await Promise.all(
        Array.from({ length: streams }, (_, i) => openStream(ctx.api.url, tokens[Math.floor(i / STREAMS_PER_TOKEN)])),
      );
      // Each stream opening is one audited request, answered (200) when its headers came.
      ctx.countAudited(streams);
      const openMs = Date.now() - opened;
      const refused = clients.filter((c) => c.status !== 200).length;
      const batch = tradeBatch(STREAM_BATCH);
      const posted = performance.now();
      const post = await ctx.call('POST', '/api/v1/trades', batch, ctx.auth);
      const acceptedMs = performance.now() - posted;
      const deadline = Date.now() + STREAM_WAIT_MS;
      while (Date.now() < deadline && clients.some((c) => c.status === 200 && c.trades < STREAM_BATCH)) {
        await new Promise((r) => setTimeout(r, 20));
      }
      for (const c of clients) c.close();
      const live = clients.filter((c) => c.status === 200);
      const complete = live.filter((c) => c.trades >= STREAM_BATCH);
      const last = complete.map((c) => c.lastAt - posted).sort((a, b) => a - b);
      const first = live.filter((c) => c.firstAt !== undefined).map((c) => c.firstAt - posted).sort((a, b) => a - b);
      const pct = (list, q) => (list.length ? list[Math.min(list.length - 1, Math.floor(q * list.length))] : undefined);
      const figures = {
        streams,
        rps: undefined,
        completed: complete.length,
        p50_ms: pct(last, 0.5),
        p99_ms: pct(last, 0.99),
        max_ms: last.at(-1),
        first_event_p50_ms: pct(first, 0.5),
        first_event_p99_ms: pct(first, 0.99),
        post_status: post.status,
        post_accepted_ms: acceptedMs,
        open_ms: openMs,
        non2xx: refused + (post.status === 201 ? 0 : 1),
        errors: live.length - complete.length,
        timeouts: live.length - complete.length,
        peak_rss_mb: ctx.api.peakMb(),
      };
      ctx.notes.push(
        `S7: ${streams.toLocaleString('en-US')} streams opened in ${openMs} ms; POST of ${STREAM_BATCH} trades accepted in ${Math.round(acceptedMs)} ms; ` +
          `latency from the POST being sent to each stream's last trade event (first event p50 ${round(figures.first_event_p50_ms ?? NaN)} ms, p99 ${round(figures.first_event_p99_ms ?? NaN)} ms); ` +
          `${complete.length.toLocaleString('en-US')} of ${streams.toLocaleString('en-US')} streams received all ${STREAM_BATCH} events.`,
      );
      return {
        figures,
        targets: [
          target('streams with every event', complete.length, `${streams}`, complete.length === streams),
          target('delivery p99 (last event)', round(figures.p99_ms ?? NaN), 'reported', null, 'ms'),
        ],
      };
    },
  },
];

module.exports = { SCENARIOS, INGEST_BATCH };
