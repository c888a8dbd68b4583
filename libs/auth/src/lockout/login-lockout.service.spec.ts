import type { AppConfig } from '@app/config';
import { DegradableRedis, type RedisService } from '@app/redis';
import { LoginLockoutService } from './login-lockout.service';

const config = { loginLockout: { threshold: 3, ipThreshold: 5, windowSeconds: 900 } } as unknown as AppConfig;
const noRedis = {
  client: undefined,
  keyPrefix: 'unit:',
  degradable: (feature: string) => new DegradableRedis(feature, undefined),
} as unknown as RedisService;

/** One failed attempt as the login flow makes it: admitted first, then settled as a failure. */
async function fail(lockout: LoginLockoutService, username: string, ip: string) {
  expect((await lockout.admit(username, ip)).locked).toBe(false);
  return lockout.recordFailure(username, ip);
}

describe('LoginLockoutService without Redis (in memory)', () => {
  it('locks the pair on the threshold-th failure, for the window', async () => {
    const lockout = new LoginLockoutService(config, noRedis);
    expect((await fail(lockout, 'alice', '10.0.0.1')).locked).toBe(false);
    expect((await fail(lockout, 'alice', '10.0.0.1')).locked).toBe(false);
    expect(await fail(lockout, 'alice', '10.0.0.1')).toEqual({ locked: true, retryAfterSeconds: 900, scope: 'pair' });
    const state = await lockout.admit('alice', '10.0.0.1');
    expect(state).toMatchObject({ locked: true, scope: 'pair' });
    expect(state.retryAfterSeconds).toBeGreaterThan(898);
    expect((await lockout.admit('alice', '10.0.0.2')).locked).toBe(false);
    expect((await lockout.admit('bob', '10.0.0.1')).locked).toBe(false);
  });

  it('admits no more attempts in flight than the threshold, before any of them is settled', async () => {
    const lockout = new LoginLockoutService(config, noRedis);
    const admitted = await Promise.all(Array.from({ length: 10 }, () => lockout.admit('carol', '10.0.0.3')));
    expect(admitted.filter((s) => !s.locked)).toHaveLength(3);
    expect(admitted.filter((s) => s.locked).every((s) => s.scope === 'pair')).toBe(true);
  });

  it('un-counts a successful attempt: the pair starts over, the IP loses that one attempt', async () => {
    const lockout = new LoginLockoutService(config, noRedis);
    await fail(lockout, 'dave', '10.0.0.4');
    await fail(lockout, 'dave', '10.0.0.4');
    await lockout.admit('dave', '10.0.0.4');
    await lockout.recordSuccess('dave', '10.0.0.4');
    // Two more failures for the pair would have locked it without the reset.
    expect((await fail(lockout, 'dave', '10.0.0.4')).locked).toBe(false);
    expect((await fail(lockout, 'dave', '10.0.0.4')).locked).toBe(false);
    // The IP has 4 failures (the success was not one): the 5th locks it.
    expect(await fail(lockout, 'erin', '10.0.0.4')).toMatchObject({ locked: true, scope: 'ip' });
  });

  it('treats usernames case-insensitively, so case games do not multiply attempts', async () => {
    const lockout = new LoginLockoutService(config, noRedis);
    for (const name of ['Alice', 'ALICE', 'alice']) await fail(lockout, name, '10.0.0.1');
    expect((await lockout.admit('aLiCe', '10.0.0.1')).locked).toBe(true);
  });

  it('locks an IP spraying many usernames', async () => {
    const lockout = new LoginLockoutService(config, noRedis);
    for (const name of ['u1', 'u2', 'u3', 'u4']) await fail(lockout, name, '10.0.0.9');
    expect(await fail(lockout, 'u5', '10.0.0.9')).toMatchObject({ locked: true, scope: 'ip' });
    expect((await lockout.admit('anyone', '10.0.0.9')).scope).toBe('ip');
  });
});
