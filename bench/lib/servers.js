'use strict';
/**
 * Child processes under test: the compiled API and the reference hello-world, each on a free
 * loopback port, with their output kept in a short ring buffer (shown only when one fails),
 * and a resident-memory sampler that reads /proc every 100 ms.
 */
const { spawn } = require('node:child_process');
const { randomBytes } = require('node:crypto');
const { readFileSync } = require('node:fs');
const http = require('node:http');
const net = require('node:net');
const { join } = require('node:path');

const ROOT = join(__dirname, '..', '..');
const API_ENTRY = join(ROOT, 'dist/apps/api/apps/api/src/main.js');
const REFERENCE_ENTRY = join(ROOT, 'bench/reference/server.js');
const OUTPUT_KEEP = 16 * 1024;

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function statusOf(port, path) {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path, timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(0));
  });
}

/** Kilobytes of one `VmRSS:`/`VmHWM:` line of /proc/PID/status, 0 once the process is gone. */
function procStatusKb(pid, field) {
  try {
    const match = new RegExp(`${field}:\\s+(\\d+)`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

const mb = (kb) => Math.round((kb / 1024) * 10) / 10;

class ServerProcess {
  constructor(name, entry, env) {
    this.name = name;
    this.entry = entry;
    this.env = env;
    this.output = '';
    this.child = undefined;
    this.port = 0;
    this.sampler = undefined;
    this.windowPeakKb = 0;
  }

  get pid() {
    return this.child?.pid;
  }

  get url() {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Starts the process and waits until `readyPath` answers 200; throws with its output if it dies. */
  async start(readyPath, timeoutMs = 90000) {
    this.port = await freePort();
    this.output = '';
    const env = { PATH: process.env.PATH, HOME: process.env.HOME, ...this.env, PORT: String(this.port) };
    // BENCH_API_NODE_ARGS (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`) goes to the API only, for profiling.
    const nodeArgs = this.name === 'api' && process.env.BENCH_API_NODE_ARGS ? process.env.BENCH_API_NODE_ARGS.split(/\s+/).filter(Boolean) : [];
    this.child = spawn(process.execPath, [...nodeArgs, this.entry], { env, cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (chunk) => {
      this.output = (this.output + chunk.toString()).slice(-OUTPUT_KEEP);
    };
    this.child.stdout.on('data', keep);
    this.child.stderr.on('data', keep);
    const exited = new Promise((resolve) => this.child.once('exit', (code) => resolve(code)));
    this.exited = exited;
    const started = Date.now();
    while (Date.now() - started < timeoutMs) {
      if (this.child.exitCode !== null || this.child.signalCode !== null) {
        await exited;
        const error = new Error(`${this.name} exited during start (code ${this.child.exitCode}):\n${this.output.trim()}`);
        error.output = this.output;
        throw error;
      }
      if ((await statusOf(this.port, readyPath)) === 200) {
        this.bootMs = Date.now() - started;
        this.sampler = setInterval(() => this.sample(), 100);
        this.sampler.unref();
        return this;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    await this.stop();
    throw new Error(`${this.name} not ready on ${readyPath} within ${timeoutMs} ms:\n${this.output.trim()}`);
  }

  /** Throws, with the process's last output, if it has exited (a crash under load). */
  assertAlive(during) {
    if (this.child && (this.child.exitCode !== null || this.child.signalCode !== null)) {
      throw new Error(`${this.name} exited during ${during} (code ${this.child.exitCode}, signal ${this.child.signalCode}):\n${this.output.trim()}`);
    }
  }

  sample() {
    const kb = procStatusKb(this.pid, 'VmRSS');
    if (kb > this.windowPeakKb) this.windowPeakKb = kb;
  }

  rssMb() {
    return mb(procStatusKb(this.pid, 'VmRSS'));
  }

  /** Peak RSS over the life of the process (the kernel's high-water mark). */
  hwmMb() {
    return mb(procStatusKb(this.pid, 'VmHWM'));
  }

  /** Starts a new peak-RSS window (per scenario), returns the peak of the previous one in MB. */
  resetPeak() {
    this.sample();
    const peak = mb(this.windowPeakKb);
    this.windowPeakKb = procStatusKb(this.pid, 'VmRSS');
    return peak;
  }

  peakMb() {
    this.sample();
    return mb(this.windowPeakKb);
  }

  async stop() {
    clearInterval(this.sampler);
    if (!this.child || this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 30000);
    await this.exited;
    clearTimeout(timer);
  }
}

function startReference() {
  return new ServerProcess('reference', REFERENCE_ENTRY, { NODE_ENV: 'production' }).start('/hello');
}

/** Variable names a failed start says are required, e.g. `AUDIT_HMAC_KEY: required in production`. */
function missingRequired(output) {
  return [...new Set([...output.matchAll(/\b([A-Z][A-Z0-9_]{2,}): required\b/g)].map((m) => m[1]))];
}

/**
 * Starts the API. Secrets it needs are generated for the run; a secret this build's config
 * does not know is not passed. When the configuration names a further required variable (a
 * newer build may want e.g. `AUDIT_HMAC_KEY`), it is generated and the start retried once.
 */
async function startApi(env, generated = {}) {
  const secrets = { ...generated };
  for (let attempt = 0; ; attempt++) {
    const server = new ServerProcess('api', API_ENTRY, { ...env, ...secrets });
    try {
      await server.start('/health/ready');
      server.generatedSecrets = Object.keys(secrets);
      return server;
    } catch (error) {
      const missing = missingRequired(error.output ?? '').filter((name) => !(name in secrets) && !(name in env));
      if (attempt > 0 || missing.length === 0) throw error;
      for (const name of missing) secrets[name] = randomBytes(32).toString('hex');
    }
  }
}

/** Whether the compiled configuration mentions a variable (a build that knows it validates it). */
function configKnows(name) {
  try {
    return readFileSync(join(ROOT, 'dist/apps/api/libs/config/src/env.dto.js'), 'utf8').includes(name);
  } catch {
    return false;
  }
}

module.exports = { API_ENTRY, ROOT, ServerProcess, startApi, startReference, configKnows, freePort };
