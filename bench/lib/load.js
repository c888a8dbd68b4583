'use strict';
/**
 * autocannon, driven programmatically, and the one result shape every scenario reports:
 * req/s over the completed responses, latency p50/p99/max (ms), non-2xx, errors and timeouts,
 * and `sent` (requests written to a socket; what the audit trail must account for).
 */
const autocannon = require('autocannon');

/** Seconds before the client gives a request up (counted as a timeout, and as an error). */
const CLIENT_TIMEOUT_SEC = 10;

/**
 * One load run. `target`: { url, path, method, headers, body }, or `requests` (autocannon's
 * request list, e.g. a `setupRequest` that builds a fresh body or query per request).
 */
async function load(target, { connections, durationSec, overallRate, timeoutSec = CLIENT_TIMEOUT_SEC }) {
  const options = {
    url: `${target.url}${target.path ?? ''}`,
    method: target.method ?? 'GET',
    headers: target.headers ?? {},
    connections,
    duration: durationSec,
    pipelining: 1,
    timeout: timeoutSec,
  };
  if (target.body !== undefined) options.body = target.body;
  if (target.requests) options.requests = target.requests;
  if (overallRate) options.overallRate = overallRate;
  const result = await autocannon(options);
  return summarise(result);
}

function summarise(r) {
  const completed = r['1xx'] + r['2xx'] + r['3xx'] + r['4xx'] + r['5xx'];
  return {
    connections: r.connections,
    duration_s: r.duration,
    completed,
    sent: r.requests.sent,
    ok: r['2xx'],
    rps: completed / r.duration,
    p50_ms: r.latency.p50,
    p99_ms: r.latency.p99,
    max_ms: r.latency.max,
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
    status_codes: Object.fromEntries(Object.entries(r.statusCodeStats).map(([code, s]) => [code, s.count])),
  };
}

/**
 * Several runs of one scenario as one figure: req/s over all completed responses and the
 * summed durations, p50 the mean of the runs', p99 and max the worst run's, counts summed.
 */
function combine(runs) {
  if (runs.length === 1) return { ...runs[0], runs: 1 };
  const sum = (key) => runs.reduce((acc, r) => acc + r[key], 0);
  const worst = (key) => Math.max(...runs.map((r) => r[key]));
  const codes = {};
  for (const run of runs) for (const [code, n] of Object.entries(run.status_codes)) codes[code] = (codes[code] ?? 0) + n;
  return {
    runs: runs.length,
    connections: runs[0].connections,
    duration_s: sum('duration_s'),
    completed: sum('completed'),
    sent: sum('sent'),
    ok: sum('ok'),
    rps: sum('completed') / sum('duration_s'),
    rps_per_run: runs.map((r) => Math.round(r.rps)),
    p50_ms: sum('p50_ms') / runs.length,
    p99_ms: worst('p99_ms'),
    max_ms: worst('max_ms'),
    non2xx: sum('non2xx'),
    errors: sum('errors'),
    timeouts: sum('timeouts'),
    status_codes: codes,
    ...(runs.every((r) => r.cpu_us) ? { cpu_us: sumCpu(runs.map((r) => r.cpu_us)) } : {}),
  };
}

/** Per-process CPU of several runs, summed. */
function sumCpu(parts) {
  const total = {};
  for (const part of parts) for (const [key, us] of Object.entries(part)) total[key] = (total[key] ?? 0) + us;
  return total;
}

module.exports = { load, combine, sumCpu, CLIENT_TIMEOUT_SEC };
