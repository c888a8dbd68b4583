import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import Redis from 'ioredis';
import { inCi } from '../setup/services';
import { freePort } from './server-process';

/**
 * A private `redis-server` a test may kill: the shared one serves every other suite and
 * engineer and is never stopped. Persistence off: a restarted server comes back empty, as a
 * crashed cache would.
 */
export class PrivateRedis {
  private child?: ChildProcess;

  private constructor(readonly port: number) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}/0`;
  }

  /**
   * Why the Redis scenarios cannot run here, or undefined when they can. Under CI a missing
   * binary is a failure, not a skip.
   */
  static unavailableReason(): string | undefined {
    if (spawnSync('redis-server', ['--version']).status === 0) return undefined;
    if (inCi()) throw new Error('CI=true and no redis-server binary is installed: the resilience suite needs one.');
    return 'no redis-server binary is installed';
  }

  static async start(): Promise<PrivateRedis> {
    const redis = new PrivateRedis(await freePort());
    await redis.restart();
    return redis;
  }

  /** Starts it (again) on the same port. */
  async restart(): Promise<void> {
    this.child = spawn(
      'redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: 'ignore' },
    );
    const deadline = Date.now() + 10000;
    while (!(await this.answers())) {
      if (Date.now() > deadline) throw new Error(`redis-server on port ${this.port} did not start`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** SIGKILL: no goodbye to its clients, as a crashed or evicted node. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }

  /** Keys held now (the server is private, so every one is the replicas'). */
  async keyCount(): Promise<number> {
    const client = new Redis(this.url, { maxRetriesPerRequest: 1 });
    try {
      return await client.dbsize();
    } finally {
      client.disconnect();
    }
  }

  private async answers(): Promise<boolean> {
    const client = new Redis(this.url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    client.on('error', () => undefined);
    try {
      await client.connect();
      return (await client.ping()) === 'PONG';
    } catch {
      return false;
    } finally {
      client.disconnect();
    }
  }
}
