import { once } from 'node:events';
import { createServer, type Server, type Socket, connect } from 'node:net';
import type Redis from 'ioredis';
import { register } from 'prom-client';
import { DegradableRedis, type RedisFallbackTransition } from './degradable-redis';

/** Only `status` is read by the helper; the calls under test are the test's own promises. */
function fakeClient(status = 'ready'): Redis {
  return { status } as unknown as Redis;
}

const never = (): Promise<never> => new Promise<never>(() => undefined);

function blockLoop(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // busy: a process too loaded to run its timers on time
  }
}

async function gauge(feature: string): Promise<number | undefined> {
  const metric = await register.getSingleMetric('redis_fallback_active')?.get();
  return metric?.values.find((v) => v.labels.feature === feature)?.value;
}

describe('DegradableRedis', () => {
  it('takes the fallback without a client (Redis not configured)', async () => {
    const redis = new DegradableRedis('none', undefined);
    await expect(
      redis.run(
        () => Promise.resolve('redis'),
        () => 'memory',
      ),
    ).resolves.toBe('memory');
    expect(redis.isDegraded).toBe(false);
  });

  it('falls back at once on a connection that is not ready, reports it once, and recovers once', async () => {
    const client = fakeClient('reconnecting');
    const transitions: RedisFallbackTransition[] = [];
    const redis = new DegradableRedis('conn', client, { retryMs: 0 }, (t) => transitions.push(t));
    for (let i = 0; i < 3; i++) {
      await expect(
        redis.run(
          () => Promise.resolve('redis'),
          () => 'memory',
        ),
      ).resolves.toBe('memory');
    }
    expect(redis.isDegraded).toBe(true);
    expect(await gauge('conn')).toBe(1);
    (client as { status: string }).status = 'ready';
    await expect(
      redis.run(
        () => Promise.resolve('redis'),
        () => 'memory',
      ),
    ).resolves.toBe('redis');
    await expect(
      redis.run(
        () => Promise.resolve('redis'),
        () => 'memory',
      ),
    ).resolves.toBe('redis');
    expect(transitions).toEqual([
      { feature: 'conn', state: 'degraded', reason: 'connection reconnecting' },
      { feature: 'conn', state: 'recovered' },
    ]);
    expect(await gauge('conn')).toBe(0);
  });

  it('counts a failing command as down and skips Redis for retryMs before trying again', async () => {
    const redis = new DegradableRedis('errors', fakeClient(), { retryMs: 150 });
    let calls = 0;
    const failing = () => {
      calls++;
      return Promise.reject(new Error('Connection is closed.'));
    };
    expect(await redis.run(failing, () => 'fallback')).toBe('fallback');
    expect(await redis.run(failing, () => 'fallback')).toBe('fallback');
    expect(calls).toBe(1);
    expect(redis.isDegraded).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(
      await redis.run(
        () => Promise.resolve('back'),
        () => 'fallback',
      ),
    ).toBe('back');
    expect(redis.isDegraded).toBe(false);
  });

  it('bounds the wait, and counts Redis as down only after consecutive timeouts', async () => {
    const redis = new DegradableRedis('slow', fakeClient(), { timeoutMs: 50, timeoutsToDegrade: 2 });
    const started = performance.now();
    expect(await redis.run(never, () => 'fallback')).toBe('fallback');
    expect(performance.now() - started).toBeLessThan(500);
    expect(redis.isDegraded).toBe(false);
    // A success in between resets the count.
    await redis.run(
      () => Promise.resolve('ok'),
      () => 'fallback',
    );
    await redis.run(never, () => 'fallback');
    expect(redis.isDegraded).toBe(false);
    await redis.run(never, () => 'fallback');
    expect(redis.isDegraded).toBe(true);
  });

  describe('with a reply that waits in a socket while the event loop is busy', () => {
    let server: Server;
    let socket: Socket;
    beforeAll(async () => {
      server = createServer((peer) => peer.on('data', (data) => peer.write(data)));
      server.listen(0, '127.0.0.1');
      await once(server, 'listening');
      const address = server.address() as { port: number };
      socket = connect(address.port, '127.0.0.1');
      await once(socket, 'connect');
    });
    afterAll(async () => {
      socket.destroy();
      server.close();
      await once(server, 'close');
    });

    it('takes the reply, not the fallback: the process was slow, not Redis', async () => {
      const redis = new DegradableRedis('busy', fakeClient(), { timeoutMs: 50, timeoutsToDegrade: 1 });
      const echo = (): Promise<string> => {
        const reply = once(socket, 'data').then(([data]) => String(data));
        socket.write('pong');
        return reply;
      };
      const result = redis.run(echo, () => 'fallback');
      // The echo arrives within a millisecond; the loop only looks at it after 200 ms.
      blockLoop(200);
      expect(await result).toBe('pong');
      expect(redis.isDegraded).toBe(false);
    });
  });
});
