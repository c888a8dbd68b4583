'use strict';
/**
 * The kernel's accept queue of a listening port: connections the kernel has established that
 * the process has not yet accepted (the rx_queue of a LISTEN socket in /proc/net/tcp and tcp6;
 * Linux only, elsewhere nothing is measured). Node's libuv accepts one connection per turn of
 * the event loop, so a busy loop leaves new connections here, where no server-side timer sees
 * them; a client that waits here past its timeout counts a timeout the server never saw.
 */
const { readFileSync } = require('node:fs');

const LISTEN = '0A';

function queuedConnections(port) {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  let total = 0;
  let found = false;
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields.length < 5 || fields[3] !== LISTEN || !fields[1].endsWith(`:${hexPort}`)) continue;
      found = true;
      total += parseInt(fields[4].split(':')[1], 16);
    }
  }
  return found ? total : undefined;
}

/**
 * Samples the accept queue of `port` every `intervalMs` until `stop()`, which answers the
 * largest queue seen and the last time (ms since the start) a connection was still waiting.
 */
function acceptQueueSampler(port, intervalMs = 200) {
  const started = Date.now();
  let peak = 0;
  let lastWaitingMs = 0;
  let measured = false;
  const timer = setInterval(() => {
    const queued = queuedConnections(port);
    if (queued === undefined) return;
    measured = true;
    if (queued > peak) peak = queued;
    if (queued > 0) lastWaitingMs = Date.now() - started;
  }, intervalMs);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      return measured ? { peak, last_waiting_ms: lastWaitingMs } : undefined;
    },
  };
}

module.exports = { acceptQueueSampler };
