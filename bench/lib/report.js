'use strict';
/** The markdown report: one figures table, one targets table with pass/fail. */

const int = (n) => (n === undefined || n === null || Number.isNaN(n) ? '-' : Math.round(n).toLocaleString('en-US'));
const ms = (n) => (n === undefined || n === null ? '-' : n < 10 ? n.toFixed(2) : n.toFixed(1));
const ratio = (n) => (n === undefined || n === null ? '-' : n.toFixed(2));

const verdict = (t) => (t.pass === null ? 'reported' : t.pass ? 'pass' : '**FAIL**');

function figuresRow(id, title, f, targets = []) {
  const checks = targets.filter((t) => t.pass !== null).map((t) => `${t.name} ${verdict(t)}`).join('; ');
  if (!f) return `| ${id} | ${title} | - | - | - | - | - | - | - | - | |`;
  const throughput = f.rows_per_s !== undefined ? `${int(f.rows_per_s)} rows/s (${int(f.rps)} req/s)` : `${int(f.rps)}`;
  const versus = f.ratio_to_raw !== undefined ? `${ratio(f.ratio_to_raw)} x raw pg` : f.ratio !== undefined ? ratio(f.ratio) : '-';
  return `| ${id} | ${title} | ${throughput} | ${versus} | ${ms(f.p50_ms)} | ${ms(f.p99_ms)} | ${ms(f.max_ms)} | ${int(f.non2xx)} | ${int(f.errors)} (${int(f.timeouts)}) | ${f.peak_rss_mb ?? '-'} | ${checks} |`;
}

/** One row of CPU µs per unit of work (request, or row for ingest), by process. */
function cpuRow(label, cpu, units, unit) {
  if (!cpu || !units) return undefined;
  const per = (us) => int(us / units);
  const total = cpu.server + cpu.postgres + cpu.redis + cpu.client;
  return `| ${label} | ${unit} | ${per(cpu.server)} | ${per(cpu.postgres)} | ${per(cpu.redis)} | ${per(cpu.client)} | ${per(total)} |`;
}

/**
 * CPU per request by process (see lib/cpu.js): the server's share bounds its req/s (one
 * thread), the total bounds what the machine's cores can carry.
 */
function cpuTable(results) {
  const rows = [];
  if (results.s0) rows.push(cpuRow('S0', results.s0.cpu_us, results.s0.completed, 'request'));
  for (const s of results.scenarios) {
    const f = s.figures;
    // S5 has no CPU figures: its two loads ran at once (see scenarios.js).
    if (!f) continue;
    if (f.rows !== undefined) {
      rows.push(cpuRow(s.id, f.cpu_us, f.rows, 'row'));
      if (f.raw_pg) rows.push(cpuRow(`${s.id} raw pg`, f.raw_pg.cpu_us, f.raw_pg.rows, 'row'));
    } else {
      rows.push(cpuRow(s.id, f.cpu_us, f.completed, 'request'));
    }
  }
  const present = rows.filter(Boolean);
  if (present.length === 0) return [];
  return [
    '',
    'CPU per unit of work, µs, measured runs (server: the API, or the reference for S0; Postgres and Redis: all their processes; client: the harness and its autocannon):',
    '',
    '| | per | server | Postgres | Redis | client | total |',
    '|---|---|---|---|---|---|---|',
    ...present,
  ];
}

function markdown(results) {
  const m = results.meta;
  const lines = [
    `Run ${m.date} on ${m.cpus} x ${m.cpu_model}, ${m.memory_gb} GB, Node ${m.node}, API code at commit ${m.commit}; load average ${m.loadavg_start.join(' ')} at start.`,
    `${results.options.connections} connections, ${results.options.durationSec} s per measured run, ${results.options.rounds} round(s) alternated with S0, ${results.options.warmupSec} s warm-up.`,
    '',
    '| | Scenario | req/s | vs S0 | p50 ms | p99 ms | max ms | non-2xx | errors (timeouts) | peak RSS MB | targets |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  if (results.s0) lines.push(figuresRow('S0', 'bare NestJS 11 `GET /hello` (reference)', results.s0));
  for (const s of results.scenarios) {
    if (s.skipped) {
      lines.push(`| ${s.id} | ${s.title} | skipped: ${s.skipped} | | | | | | | | |`);
      continue;
    }
    lines.push(figuresRow(s.id, s.title, s.figures, s.targets));
    const f = s.figures;
    if (f?.raw_pg) lines.push(`| | raw pg INSERT, ${f.raw_pg.workers} connections (the ceiling) | ${int(f.raw_pg.rows_per_s)} rows/s | | ${ms(f.raw_pg.p50_ms)} | ${ms(f.raw_pg.p99_ms)} | ${ms(f.raw_pg.max_ms)} | | | | |`);
    if (f?.health_during) lines.push(figuresRow('', '`/health/live` during the storm (50 req/s)', f.health_during));
    if (f?.reference && s.id === 'S6') lines.push(figuresRow('', `S0 at ${f.reference.connections} connections`, f.reference));
  }
  if (results.embedded?.figures) lines.push(figuresRow('EMB', 'embedded default (PGlite, no Redis), S2 load', results.embedded.figures));
  lines.push(...cpuTable(results));
  lines.push('', '| Target | Measured | Limit | Result |', '|---|---|---|---|');
  for (const t of results.targets) {
    lines.push(`| ${t.name} | ${typeof t.value === 'number' ? t.value.toLocaleString('en-US') : t.value}${t.unit && typeof t.value === 'number' && t.unit !== 'rows/s' ? ` ${t.unit}` : ''} | ${t.limit} | ${verdict(t)} |`);
  }
  const checked = results.targets.filter((t) => t.pass !== null);
  lines.push('', `${checked.filter((t) => t.pass).length} of ${checked.length} targets met.`);
  if (results.notes.length) lines.push('', ...results.notes.map((n) => `- ${n}`));
  return lines.join('\n') + '\n';
}

module.exports = { markdown };
