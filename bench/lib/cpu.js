'use strict';
/**
 * Where the CPU of a run goes, per process, from /proc (Linux only; elsewhere nothing is
 * measured): the server under load, every Postgres and Redis process on the machine (the
 * harness's databases are local, so their whole CPU is this run's), and the harness itself,
 * whose autocannon client shares the same cores. A Node server answers on one thread, so
 * while the machine has a core to spare its req/s is about one core over its own CPU per
 * request, and a ratio to S0 about the reference's CPU per request over the API's. Once the
 * sum of all four reaches the cores, the databases and the client limit it too: the figures
 * say which process a target depends on.
 */
const { execFileSync } = require('node:child_process');
const { readdirSync, readFileSync } = require('node:fs');

let clockTicks;
function ticksPerSecond() {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

/**
 * User + system CPU of one process (all its threads) and of its children that have exited and
 * been waited for, in µs; undefined when unreadable. The children count: a Postgres backend
 * that ends during a run (the raw insert's pool closing, an autovacuum worker) takes its CPU out
 * of the sum of live processes, and it reappears in the postmaster's.
 */
function processCpuUs(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
    return (ticks * 1e6) / ticksPerSecond();
  } catch {
    return undefined;
  }
}

/** Summed CPU (µs) of the processes whose command name starts with one of `prefixes`. */
function cpuByCommand(prefixes) {
  const totals = Object.fromEntries(prefixes.map((p) => [p, 0]));
  let entries;
  try {
    entries = readdirSync('/proc');
  } catch {
    return undefined;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    let command;
    try {
      command = readFileSync(`/proc/${entry}/comm`, 'utf8');
    } catch {
      continue;
    }
    const prefix = prefixes.find((p) => command.startsWith(p));
    if (prefix) totals[prefix] += processCpuUs(entry) ?? 0;
  }
  return totals;
}

function snapshot(serverPid) {
  const server = processCpuUs(serverPid);
  const databases = cpuByCommand(['postgres', 'redis-server']);
  if (server === undefined || databases === undefined) return undefined;
  const client = process.cpuUsage();
  return { server, postgres: databases.postgres, redis: databases['redis-server'], client: client.user + client.system };
}

/** Starts a meter on `serverPid`; `stop()` answers the CPU µs each process spent since, or undefined. */
function cpuMeter(serverPid) {
  const start = snapshot(serverPid);
  return {
    stop() {
      const end = snapshot(serverPid);
      if (!start || !end) return undefined;
      return Object.fromEntries(Object.keys(start).map((k) => [k, Math.max(0, end[k] - start[k])]));
    },
  };
}

module.exports = { cpuMeter };
